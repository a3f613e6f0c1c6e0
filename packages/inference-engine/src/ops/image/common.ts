import { type DataType, ShapeError, TypeMismatchError } from '@zai/common';
import { allocate, isTensor, type Tensor } from '@zai/tensor-core';
import type { KernelInputs } from '../../kernel.js';
import { floatData, isFloat } from '../util/float-io.js';

// Small input helpers shared by the image / detection kernels.

/** Input i as a tensor; throws naming the op when missing or not a tensor. */
export function tensorAt(inputs: KernelInputs, i: number, op: string): Tensor {
  const t = inputs[i];
  if (!isTensor(t)) throw new TypeMismatchError(`${op}: input ${i} must be a tensor`);
  return t;
}

/** An optional input; empty tensors count as absent (Resize's roi/scales/sizes). */
export function presentTensor(inputs: KernelInputs, i: number): Tensor | undefined {
  const t = inputs[i];
  return isTensor(t) && t.size > 0 ? t : undefined;
}

/** Float values of a float tensor as doubles-compatible array (decodes 16-bit floats). */
export function floatValues(t: Tensor, op: string, what: string): Float32Array | Float64Array {
  if (!isFloat(t.type)) throw new TypeMismatchError(`${op}: ${what} must be a float tensor, got ${t.type}`);
  return floatData(t);
}

/** Integer values of an int32/int64 tensor as plain numbers. */
export function intValues(t: Tensor, op: string, what: string): number[] {
  if (t.type === 'int64' || t.type === 'uint64') {
    const d = t.data as BigInt64Array | BigUint64Array;
    const out = new Array<number>(d.length);
    for (let i = 0; i < d.length; i++) out[i] = Number(d[i]!);
    return out;
  }
  if (t.type === 'int32' || t.type === 'int16' || t.type === 'int8' || t.type === 'uint8') {
    return Array.from(t.data as ArrayLike<number>);
  }
  throw new TypeMismatchError(`${op}: ${what} must be an integer tensor, got ${t.type}`);
}

/** A scalar (or one-element) tensor's value as a number. */
export function scalarValue(t: Tensor, op: string, what: string): number {
  if (t.size !== 1) throw new ShapeError(`${op}: ${what} must hold one value, got shape [${t.dims}]`);
  if (t.type === 'int64' || t.type === 'uint64') return Number((t.data as BigInt64Array)[0]!);
  if (isFloat(t.type)) return floatData(t)[0]!;
  return Number((t.data as ArrayLike<number>)[0]!);
}

const INT_RANGE: Partial<Record<DataType, readonly [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

/** Numeric element types the interpolating kernels compute in float and store back. */
export function isNumeric(type: DataType): boolean {
  return isFloat(type) || type in INT_RANGE || type === 'int64' || type === 'uint64';
}

/** Integer values as doubles, for kernels that compute in float. */
export function numericAsFloat(t: Tensor): Float64Array {
  if (t.type === 'int64' || t.type === 'uint64') {
    const d = t.data as BigInt64Array | BigUint64Array;
    const out = new Float64Array(d.length);
    for (let i = 0; i < d.length; i++) out[i] = Number(d[i]!);
    return out;
  }
  return Float64Array.from(t.data as ArrayLike<number>);
}

/**
 * Stores float results into integer storage, saturated to the type's range:
 * rounded to nearest, or truncated (a plain cast) when `truncate` is set.
 */
export function floatToIntStorage(
  type: DataType,
  values: Float64Array | Float32Array,
  truncate = false,
): Tensor['data'] {
  const n = values.length;
  const conv = truncate ? Math.trunc : Math.round;
  if (type === 'int64' || type === 'uint64') {
    const out = allocate(type, n) as BigInt64Array | BigUint64Array;
    const lo = type === 'uint64' ? 0 : -9.223372036854775e18;
    const hi = type === 'uint64' ? 1.844674407370955e19 : 9.223372036854775e18;
    for (let i = 0; i < n; i++) {
      const v = conv(values[i]!);
      out[i] = BigInt(Number.isFinite(v) ? Math.max(lo, Math.min(hi, v)) : 0);
    }
    return out;
  }
  const range = INT_RANGE[type];
  if (!range) throw new TypeMismatchError(`cannot store float results as ${type}`);
  const [lo, hi] = range;
  const out = allocate(type, n) as unknown as { [i: number]: number };
  for (let i = 0; i < n; i++) {
    const v = conv(values[i]!);
    out[i] = Number.isNaN(v) ? 0 : v < lo ? lo : Math.min(v, hi);
  }
  return out as unknown as Tensor['data'];
}
