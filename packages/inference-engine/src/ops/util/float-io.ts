import type { DataType } from '@zai/common';
import {
  bfloat16ArrayToFloat32,
  float16ArrayToFloat32,
  float32ArrayToBfloat16,
  float32ArrayToFloat16,
  Tensor,
} from '@zai/tensor-core';

/** Element types whose kernels compute in float32 and store in 16 bits. */
export function isHalf(type: DataType): type is 'float16' | 'bfloat16' {
  return type === 'float16' || type === 'bfloat16';
}

export function isFloat(type: DataType): boolean {
  return type === 'float32' || type === 'float64' || type === 'float16' || type === 'bfloat16';
}

/** A float view of a tensor's values: the storage itself for float32/float64, a decoded copy for 16-bit floats. */
export function floatData(t: Tensor): Float32Array | Float64Array {
  if (t.type === 'float32' || t.type === 'float64') return t.data as Float32Array | Float64Array;
  if (t.type === 'float16') return float16ArrayToFloat32(t.data as Uint16Array);
  if (t.type === 'bfloat16') return bfloat16ArrayToFloat32(t.data as Uint16Array);
  throw new Error(`expected a float tensor, got ${t.type}`);
}

/** Allocates float compute storage for an output of `type` (float64 stays float64, others float32). */
export function floatBuffer(type: DataType, size: number): Float32Array | Float64Array {
  return type === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

/** Wraps float compute results as a tensor of `type`, encoding 16-bit floats. */
export function floatTensor(
  type: DataType,
  values: Float32Array | Float64Array,
  dims: readonly number[],
): Tensor {
  if (type === 'float16') return new Tensor('float16', float32ArrayToFloat16(values), dims);
  if (type === 'bfloat16') return new Tensor('bfloat16', float32ArrayToBfloat16(values), dims);
  if (type === 'float64') {
    return new Tensor('float64', values instanceof Float64Array ? values : Float64Array.from(values), dims);
  }
  return new Tensor('float32', values instanceof Float32Array ? values : Float32Array.from(values), dims);
}
