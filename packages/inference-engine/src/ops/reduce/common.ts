import { type DataType, type Dim, ShapeError, TypeMismatchError } from '@zai/common';
import { isTensor, type Tensor } from '@zai/tensor-core';
import type { KernelInputs, ShapeContext } from '../../kernel.js';

// Helpers shared by the reduction-family kernels: input access, axis lists,
// type classes and the numeric limits used as empty-set identities.

/** Input i as a tensor; throws naming the op when it is missing or not a tensor. */
export function tensorAt(inputs: KernelInputs, i: number, op: string): Tensor {
  const t = inputs[i];
  if (!isTensor(t)) throw new TypeMismatchError(`${op}: input ${i} must be a tensor`);
  return t;
}

/** An optional tensor input, or undefined when omitted. */
export function optionalAt(inputs: KernelInputs, i: number): Tensor | undefined {
  const t = inputs[i];
  return isTensor(t) ? t : undefined;
}

/** Integer values of an int32/int64 tensor as numbers (axes, k, axis inputs). */
export function intValues(t: Tensor, what: string): number[] {
  if (t.type !== 'int64' && t.type !== 'int32') {
    throw new TypeMismatchError(`${what} must be int32 or int64, got ${t.type}`);
  }
  const out = new Array<number>(t.size);
  const d = t.data as ArrayLike<number | bigint>;
  for (let i = 0; i < t.size; i++) out[i] = Number(d[i]!);
  return out;
}

/** A scalar (or one-element) integer tensor's value. */
export function intScalar(t: Tensor, what: string): number {
  if (t.size !== 1) throw new ShapeError(`${what} must hold one value, got shape [${t.dims}]`);
  return intValues(t, what)[0]!;
}

/** Normalises axes into [0, rank), sorted, without duplicates. */
export function normalizeAxes(axes: readonly number[], rank: number, op: string): number[] {
  const seen = new Set<number>();
  for (const a of axes) {
    if (!Number.isInteger(a) || a < -rank || a >= Math.max(rank, 1)) {
      throw new ShapeError(`${op}: axis ${a} is out of range for rank ${rank}`);
    }
    seen.add(a < 0 ? a + rank : a);
  }
  return [...seen].sort((x, y) => x - y);
}

export const SMALL_INT_TYPES: ReadonlySet<DataType> = new Set<DataType>([
  'int8',
  'int16',
  'int32',
  'uint8',
  'uint16',
  'uint32',
]);

export function isBig(type: DataType): type is 'int64' | 'uint64' {
  return type === 'int64' || type === 'uint64';
}

/** Smallest and largest values of an integer or bool type. */
export function intRange(type: DataType): [number, number] {
  switch (type) {
    case 'int8':
      return [-128, 127];
    case 'uint8':
      return [0, 255];
    case 'int16':
      return [-32768, 32767];
    case 'uint16':
      return [0, 65535];
    case 'int32':
      return [-2147483648, 2147483647];
    case 'uint32':
      return [0, 4294967295];
    case 'bool':
      return [0, 1];
    default:
      throw new TypeMismatchError(`no integer range for ${type}`);
  }
}

export function bigRange(type: 'int64' | 'uint64'): [bigint, bigint] {
  return type === 'int64' ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
}

/** Splits `dims` around `axis` into (outer, n, inner) block sizes. */
export function splitAt(dims: readonly number[], axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= dims[i]!;
  for (let i = axis + 1; i < dims.length; i++) inner *= dims[i]!;
  return [outer, dims[axis] ?? 1, inner];
}

/** Output shape of a reduction over `axes` (sorted, normalised), for shape inference. */
export function reducedShape(shape: readonly Dim[], axes: readonly number[], keepdims: boolean): Dim[] {
  const out: Dim[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (!axes.includes(i)) out.push(shape[i]!);
    else if (keepdims) out.push(1);
  }
  return out;
}

/** Statically known values of integer input i (an initializer or Constant), else undefined. */
export function staticInts(ctx: ShapeContext, i: number): number[] | undefined {
  const t = ctx.value(i);
  return t && (t.type === 'int64' || t.type === 'int32') ? intValues(t, 'input') : undefined;
}
