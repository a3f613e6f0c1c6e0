import { bfloat16ToNumber, float16ToNumber } from '@zai/tensor-core';

/** Values of a tensor as comparable JS values (numbers, bigints or strings). */
export function numericView(t) {
  if (t.type === 'float16') return Array.from(t.data, float16ToNumber);
  if (t.type === 'bfloat16') return Array.from(t.data, bfloat16ToNumber);
  return t.data;
}
