import { type DataType, ShapeError, TypeMismatchError } from '@zai/common';
import { allocate, isPacked, isTensor, packBits, sizeOf, Tensor, unpackBits } from '@zai/tensor-core';
import type { KernelInputs } from '../../kernel.js';

// Helpers shared by the data movement kernels. They move elements as stored
// (float16 bits, bigints, strings), so every element type flows through
// without conversion. Packed sub-byte types (int4, uint2, …) are unpacked to
// one byte per element first and packed again at the end; complex64 moves as
// one 64-bit word per element.

/** Flat element storage a kernel reads and writes by index. */
export type Elems =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | string[];

/** Element-indexed access without caring about the element type. */
export type Store = { [i: number]: unknown; length: number };

/** Input i as a tensor; throws naming the op when it is missing or not a tensor. */
export function tensorAt(inputs: KernelInputs, i: number, op: string): Tensor {
  const t = inputs[i];
  if (!isTensor(t)) throw new TypeMismatchError(`${op}: input ${i} must be a tensor`);
  return t;
}

/** An optional tensor input: undefined when omitted (or an empty name). */
export function optionalAt(inputs: KernelInputs, i: number): Tensor | undefined {
  const t = inputs[i];
  return isTensor(t) ? t : undefined;
}

/** The elements of a tensor in a form kernels can index: one slot per element. */
export function elems(t: Tensor): Elems {
  if (isPacked(t.type)) return unpackBits(t.type, t.data as Uint8Array, t.size);
  if (t.type === 'complex64') {
    const f = t.data as Float32Array;
    // a BigUint64Array view needs 8-byte alignment; copy when it is not
    if (f.byteOffset % 8 === 0) return new BigUint64Array(f.buffer, f.byteOffset, t.size);
    return new BigUint64Array(Float32Array.from(f).buffer);
  }
  if (t.type === 'complex128') throw new TypeMismatchError(`complex128 tensors are not supported here`);
  return t.data as Elems;
}

/** Zeroed element storage for `n` elements of `type`, in the form `elems` returns. */
export function allocElems(type: DataType, n: number): Elems {
  if (isPacked(type)) return new Uint8Array(n);
  if (type === 'complex64') return new BigUint64Array(n);
  if (type === 'complex128') throw new TypeMismatchError(`complex128 tensors are not supported here`);
  return allocate(type, n) as Elems;
}

/** A tensor of `type` over storage produced with `allocElems` (packs sub-byte types). */
export function fromElems(type: DataType, data: Elems, dims: readonly number[]): Tensor {
  if (isPacked(type)) return new Tensor(type, packBits(type, data as Uint8Array, sizeOf(dims)), dims);
  if (type === 'complex64') {
    const b = data as BigUint64Array;
    return new Tensor(type, new Float32Array(b.buffer, b.byteOffset, b.length * 2), dims);
  }
  return new Tensor(type, data as Tensor['data'], dims);
}

/** Copies `n` consecutive elements; typed arrays use a block copy for longer runs. */
export function copyRun(src: Elems, from: number, dst: Elems, to: number, n: number): void {
  if (n >= 16 && !Array.isArray(src)) {
    // same element type on both sides, so set() is a plain memory copy
    (dst as Uint8Array).set((src as Uint8Array).subarray(from, from + n), to);
    return;
  }
  const s = src as Store;
  const d = dst as Store;
  for (let i = 0; i < n; i++) d[to + i] = s[from + i];
}

/** Fills `n` slots starting at `to` with `value`. */
export function fillRun(dst: Elems, to: number, n: number, value: unknown): void {
  if (Array.isArray(dst)) {
    for (let i = 0; i < n; i++) dst[to + i] = value as string;
  } else (dst as Uint8Array).fill(value as number, to, to + n);
}

/** Integer values of an int32/int64 (or other integer) tensor as numbers. */
export function intValues(t: Tensor, what: string): number[] {
  const d = t.data;
  if (Array.isArray(d) || t.type.startsWith('float') || t.type === 'bool') {
    throw new TypeMismatchError(`${what} must be an integer tensor, got ${t.type}`);
  }
  if (isPacked(t.type)) throw new TypeMismatchError(`${what} cannot be ${t.type}`);
  const out = new Array<number>(t.size);
  for (let i = 0; i < t.size; i++) out[i] = Number((d as ArrayLike<number | bigint>)[i]);
  return out;
}

/** Index values as a Float64Array (exact for |i| < 2^53), from any integer tensor. */
export function indexValues(t: Tensor, what: string): Float64Array {
  if (
    t.type === 'int32' ||
    t.type === 'int64' ||
    t.type === 'int16' ||
    t.type === 'int8' ||
    t.type === 'uint8' ||
    t.type === 'uint16' ||
    t.type === 'uint32' ||
    t.type === 'uint64'
  ) {
    const d = t.data as ArrayLike<number | bigint>;
    const out = new Float64Array(t.size);
    if (typeof d[0] === 'bigint') for (let i = 0; i < t.size; i++) out[i] = Number(d[i]);
    else for (let i = 0; i < t.size; i++) out[i] = d[i] as number;
    return out;
  }
  throw new TypeMismatchError(`${what} must be int32 or int64, got ${t.type}`);
}

/** Normalises a possibly negative index into [0, n); throws a ShapeError when out of range. */
export function wrapIndex(i: number, n: number, what: string): number {
  if (i < -n || i >= n) throw new ShapeError(`${what} ${i} is out of range for a dimension of size ${n}`);
  return i < 0 ? i + n : i;
}

/** Normalises axes against a rank and rejects duplicates. */
export function normalizeAxes(axes: readonly number[], rank: number, op: string): number[] {
  const out = axes.map((a) => {
    if (a < -rank || a >= rank) throw new ShapeError(`${op}: axis ${a} is out of range for rank ${rank}`);
    return a < 0 ? a + rank : a;
  });
  if (new Set(out).size !== out.length) throw new ShapeError(`${op}: repeated axis in [${axes.join(',')}]`);
  return out;
}

export function fmt(dims: readonly number[]): string {
  return `[${dims.join(',')}]`;
}
