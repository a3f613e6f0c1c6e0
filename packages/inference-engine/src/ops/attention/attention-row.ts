import type { DataType } from '@zai/common';
import { bfloat16ToNumber, float16ToNumber, numberToBfloat16, numberToFloat16 } from '@zai/tensor-core';
import type { FloatArray } from '../norm/common.js';

// Row-level steps of scaled dot-product attention: soft capping, the softmax
// with the fully-masked-row guard, and rounding to a softmax_precision
// narrower than the compute precision.

/** Rounds a[from, to) in place to some narrower float type. */
export type Rounder = (a: FloatArray, from: number, to: number) => void;

function roundF16(a: FloatArray, from: number, to: number): void {
  for (let i = from; i < to; i++) a[i] = float16ToNumber(numberToFloat16(a[i]!));
}

function roundBf16(a: FloatArray, from: number, to: number): void {
  for (let i = from; i < to; i++) a[i] = bfloat16ToNumber(numberToBfloat16(a[i]!));
}

function roundF32(a: FloatArray, from: number, to: number): void {
  for (let i = from; i < to; i++) a[i] = Math.fround(a[i]!);
}

/** The rounding to `type` from the compute precision (float64 when `f64`, else float32); undefined when exact. */
export function rounder(type: DataType, f64: boolean): Rounder | undefined {
  if (type === 'float16') return roundF16;
  if (type === 'bfloat16') return roundBf16;
  if (type === 'float32' && f64) return roundF32;
  return undefined;
}

/** softcap * tanh(x / softcap) over s[off, off + n). */
export function softcapRow(s: FloatArray, off: number, n: number, cap: number): void {
  const inv = 1 / cap;
  for (let j = off, end = off + n; j < end; j++) s[j] = cap * Math.tanh(s[j]! * inv);
}

/**
 * Softmax of s[off, off + n) in place. A row with no attended key (`live`
 * false) is all zeros instead of NaN; NaN or +inf scores still propagate.
 */
export function softmaxRow(s: FloatArray, off: number, n: number, live: boolean): void {
  const end = off + n;
  if (!live) {
    s.fill(0, off, end);
    return;
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let j = off; j < end; j++) {
    const v = s[j]!;
    if (v > max) max = v;
  }
  let sum = 0;
  for (let j = off; j < end; j++) {
    const e = Math.exp(s[j]! - max);
    s[j] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let j = off; j < end; j++) s[j] = s[j]! * inv;
}

/** Copies n values from src[from] to dst[to]. */
export function copyRow(src: FloatArray, from: number, dst: FloatArray, to: number, n: number): void {
  for (let j = 0; j < n; j++) dst[to + j] = src[from + j]!;
}
