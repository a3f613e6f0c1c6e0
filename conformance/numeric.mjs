import { bfloat16ToNumber, float16ToNumber, tensorValues } from '@zai/tensor-core';

// Packed and sub-16-bit float types are decoded to their values, so they
// compare by value (NaN equal to NaN) rather than by raw byte.
const DECODED = new Set([
  'float8e4m3fn',
  'float8e4m3fnuz',
  'float8e5m2',
  'float8e5m2fnuz',
  'float8e8m0',
  'float4e2m1',
  'int4',
  'uint4',
  'int2',
  'uint2',
]);

/** Values of a tensor as comparable JS values (numbers, bigints or strings). */
export function numericView(t) {
  if (t.type === 'float16') return Array.from(t.data, float16ToNumber);
  if (t.type === 'bfloat16') return Array.from(t.data, bfloat16ToNumber);
  if (DECODED.has(t.type)) return Array.from(tensorValues(t));
  return t.data;
}
