import { type DataType, ShapeError, type TensorData, TypeMismatchError } from '@zai/common';
import { allocate, getPackedBits, isPacked, isTensor, setPackedBits, sizeOf, Tensor } from '@zai/tensor-core';
import type { RuntimeValue } from '../../kernel.js';

// Type-agnostic helpers shared by the sequence and control-flow kernels:
// slicing, concatenating and stacking tensors of any element type along an
// axis, reading small integer inputs, and checking value kinds.

/** The slice of a typed array that `set` and `subarray` need, whatever its element type. */
interface TypedStorage {
  subarray(begin: number, end: number): TypedStorage;
  set(source: TypedStorage, offset: number): void;
}

/** Storage slots per element: complex types keep (re, im) pairs. */
function slotsPerElement(type: DataType): number {
  return type === 'complex64' || type === 'complex128' ? 2 : 1;
}

/** Copies `n` elements from src[from] to dst[to]; works for strings and packed sub-byte types too. */
function copyElements(
  type: DataType,
  src: TensorData,
  from: number,
  dst: TensorData,
  to: number,
  n: number,
): void {
  if (n === 0) return;
  if (isPacked(type)) {
    const s = src as Uint8Array;
    const d = dst as Uint8Array;
    for (let i = 0; i < n; i++) setPackedBits(type, d, to + i, getPackedBits(type, s, from + i));
    return;
  }
  if (Array.isArray(src)) {
    const d = dst as string[];
    for (let i = 0; i < n; i++) d[to + i] = src[from + i]!;
    return;
  }
  const u = slotsPerElement(type);
  const s = src as unknown as TypedStorage;
  (dst as unknown as TypedStorage).set(s.subarray(from * u, (from + n) * u), to * u);
}

/** Sizes of the dims before `axis` and after it. */
function outerInner(dims: readonly number[], axis: number): [number, number] {
  return [sizeOf(dims.slice(0, axis)), sizeOf(dims.slice(axis + 1))];
}

/** Elements [start, start + count) along `axis`, keeping the axis. */
export function sliceAxis(t: Tensor, axis: number, start: number, count: number): Tensor {
  const dims = t.dims.slice();
  if (start === 0 && count === dims[axis]) return t;
  const [outer, inner] = outerInner(dims, axis);
  const len = dims[axis]!;
  dims[axis] = count;
  const out = allocate(t.type, sizeOf(dims));
  const block = count * inner;
  for (let o = 0; o < outer; o++)
    copyElements(t.type, t.data, (o * len + start) * inner, out, o * block, block);
  return new Tensor(t.type, out, dims);
}

/** The sub-tensor at index i along `axis`, the axis removed (rank one less). */
export function takeAxis(t: Tensor, axis: number, i: number): Tensor {
  const dims = t.dims.slice();
  dims.splice(axis, 1);
  return sliceAxis(t, axis, i, 1).reshape(dims);
}

/** Concatenates tensors of one element type along `axis`; every other dim must agree. */
export function concatAxis(tensors: readonly Tensor[], axis: number): Tensor {
  const first = tensors[0];
  if (!first) throw new ShapeError('cannot concatenate an empty list of tensors');
  if (tensors.length === 1) return first;
  const rank = first.dims.length;
  const dims = first.dims.slice();
  let total = 0;
  for (const t of tensors) {
    if (t.type !== first.type) throw new TypeMismatchError(`cannot concatenate ${t.type} with ${first.type}`);
    const same = t.dims.length === rank && t.dims.every((d, k) => k === axis || d === dims[k]);
    if (!same) {
      throw new ShapeError(`cannot concatenate shapes [${first.dims}] and [${t.dims}] along axis ${axis}`);
    }
    total += t.dims[axis]!;
  }
  dims[axis] = total;
  const [outer, inner] = outerInner(dims, axis);
  const out = allocate(first.type, sizeOf(dims));
  const row = total * inner;
  let offset = 0;
  for (const t of tensors) {
    const block = t.dims[axis]! * inner;
    for (let o = 0; o < outer; o++) copyElements(t.type, t.data, o * block, out, o * row + offset, block);
    offset += block;
  }
  return new Tensor(first.type, out, dims);
}

/** Stacks same-shaped tensors along a new axis inserted at `axis` (0..rank). */
export function stackAxis(tensors: readonly Tensor[], axis: number): Tensor {
  const first = tensors[0];
  if (!first) throw new ShapeError('cannot stack an empty list of tensors');
  for (const t of tensors) {
    if (t.type !== first.type) throw new TypeMismatchError(`cannot stack ${t.type} with ${first.type}`);
    if (t.dims.length !== first.dims.length || t.dims.some((d, k) => d !== first.dims[k])) {
      throw new ShapeError(`cannot stack shapes [${first.dims}] and [${t.dims}]: they must be equal`);
    }
  }
  // copied directly rather than through concatAxis, which would need a reshaped tensor per item
  const dims = first.dims.slice();
  dims.splice(axis, 0, tensors.length);
  const outer = sizeOf(first.dims.slice(0, axis));
  const inner = sizeOf(first.dims.slice(axis));
  const out = allocate(first.type, sizeOf(dims));
  tensors.forEach((t, j) => {
    for (let o = 0; o < outer; o++)
      copyElements(t.type, t.data, o * inner, out, (o * tensors.length + j) * inner, inner);
  });
  return new Tensor(first.type, out, dims);
}

/** A tensor of zeros (empty strings, false) of the given type and shape. */
export function zeros(type: DataType, dims: readonly number[]): Tensor {
  return new Tensor(type, allocate(type, sizeOf(dims)), dims);
}

/** Every element of an integer tensor as numbers (int32 or int64 inputs such as positions and splits). */
export function integers(t: Tensor, what: string): number[] {
  const d = t.data;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return Array.from(d, Number);
  if (
    d instanceof Int32Array ||
    d instanceof Int16Array ||
    d instanceof Int8Array ||
    d instanceof Uint32Array
  ) {
    return Array.from(d);
  }
  if (t.type === 'uint8' || t.type === 'uint16') return Array.from(d as Uint8Array);
  throw new TypeMismatchError(`${what} must be an integer tensor, got ${t.type}`);
}

/** A scalar (or one-element) integer tensor as a number. */
export function scalarInt(t: Tensor, what: string): number {
  if (t.size !== 1) throw new ShapeError(`${what} must be a scalar, got shape [${t.dims}]`);
  return integers(t, what)[0]!;
}

/** A scalar (or one-element) tensor read as a boolean: non-zero is true. */
export function scalarBool(t: Tensor, what: string): boolean {
  if (t.size !== 1) throw new ShapeError(`${what} must be a scalar, got shape [${t.dims}]`);
  const v = t.data[0];
  return typeof v === 'bigint' ? v !== 0n : Boolean(v);
}

export function isSequence(v: RuntimeValue | undefined): v is RuntimeValue[] {
  return Array.isArray(v);
}

/** Input `what` as a tensor; throws a TypeMismatchError naming it otherwise. */
export function expectTensor(v: RuntimeValue | undefined, what: string): Tensor {
  if (!isTensor(v)) throw new TypeMismatchError(`${what} must be a tensor, got ${describeValue(v)}`);
  return v;
}

/** Input `what` as a sequence; throws a TypeMismatchError naming it otherwise. */
export function expectSequence(v: RuntimeValue | undefined, what: string): RuntimeValue[] {
  if (!Array.isArray(v)) throw new TypeMismatchError(`${what} must be a sequence, got ${describeValue(v)}`);
  return v;
}

/** A short description of a runtime value for error messages. */
export function describeValue(v: RuntimeValue | undefined): string {
  if (v === undefined) return 'nothing (input omitted)';
  if (v === null) return 'an empty optional';
  if (Array.isArray(v)) return `a sequence of ${v.length}`;
  if (v instanceof Map) return `a map of ${v.size}`;
  return `a ${v.type} tensor of shape [${v.dims}]`;
}

/** Resolves a position in [-n, limit) against a length n, as the sequence ops do. */
export function resolvePosition(pos: number, n: number, limit: number, what: string): number {
  if (pos < -n || pos >= limit) {
    throw new ShapeError(`${what} ${pos} is out of range for a sequence of length ${n}`);
  }
  return pos < 0 ? pos + n : pos;
}
