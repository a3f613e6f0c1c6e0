import { ShapeError, TypeMismatchError } from '@zai/common';
import type { Tensor } from '@zai/tensor-core';
import { type FloatArray, prod } from '../norm/common.js';
import { floatData, isFloat } from '../util/float-io.js';

// The attention bias of one query row, kept implicit: a structural key range
// [lo, hi] (causal frontier, sliding window, nonpad_kv_seqlen padding and the
// -inf padding of a short attn_mask), outside of which every key is masked,
// plus the attn_mask values inside it. Nothing of size
// [batch, heads, q_len, total_len] is ever materialized.

/** An attn_mask as additive values (bool: 0 / -inf), broadcast to [batch, q_heads, q_len, cols]. */
export interface AttentionMask {
  readonly values: FloatArray;
  /** The mask's last dimension; keys at or past it are masked (padded with -inf). */
  readonly cols: number;
  readonly batchStride: number;
  readonly headStride: number;
  readonly rowStride: number;
}

/** Additive values of a mask tensor in the compute precision: bool → 0 / -inf, numbers as they are. */
function additive(t: Tensor, f64: boolean): FloatArray {
  const n = t.size;
  const out = f64 ? new Float64Array(n) : new Float32Array(n);
  if (t.type === 'bool') {
    const b = t.data as Uint8Array;
    for (let i = 0; i < n; i++) out[i] = b[i] ? 0 : Number.NEGATIVE_INFINITY;
  } else if (isFloat(t.type)) {
    out.set(floatData(t));
  } else if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) {
    const d = t.data;
    for (let i = 0; i < n; i++) out[i] = Number(d[i]!);
  } else {
    out.set(t.data as ArrayLike<number>);
  }
  return out;
}

/**
 * Lines attn_mask up with [batch, qHeads, qLen, total]: rank 2 to 4, leading
 * dims 1 or equal, last dim at most `total` (shorter is padded with -inf).
 */
export function prepareMask(
  t: Tensor,
  batch: number,
  qHeads: number,
  qLen: number,
  total: number,
  f64: boolean,
  op: string,
): AttentionMask {
  const r = t.dims.length;
  const bad = () =>
    new ShapeError(
      `${op}: attn_mask [${t.dims.join(',')}] does not broadcast to [${batch},${qHeads},${qLen},${total}]`,
    );
  if (r < 1 || r > 4) throw bad();
  const full = [batch, qHeads, qLen];
  const dims = [1, 1, 1, 1];
  for (let i = 0; i < r; i++) dims[4 - r + i] = t.dims[i]!;
  for (let i = 0; i < 3; i++) if (dims[i] !== 1 && dims[i] !== full[i]) throw bad();
  const cols = dims[3]!;
  if (cols > total) throw bad();
  const stride = (i: number) => (dims[i] === 1 ? 0 : prod(dims, i + 1));
  return {
    values: additive(t, f64),
    cols,
    batchStride: stride(0),
    headStride: stride(1),
    rowStride: stride(2),
  };
}

/** Per-batch structure of the causal / window / padding bounds. */
export interface RowBounds {
  readonly causal: boolean;
  /** left_window_size / right_window_size; negative is unbounded. */
  readonly left: number;
  readonly right: number;
  /** Per batch: the count of valid keys before the query block (past length, or nonpad - q_len, or 0). */
  readonly offsets: Float64Array;
  /** Per batch: keys at or past this index are padding (nonpad_kv_seqlen), else the total length. */
  readonly valid: Float64Array;
}

/** The first key query row i of batch b may attend (sliding window), before clamping. */
export function rowStart(bounds: RowBounds, b: number, i: number): number {
  return bounds.left >= 0 ? Math.max(0, bounds.offsets[b]! + i - bounds.left) : 0;
}

/** The last key query row i of batch b may attend, of n columns; below rowStart when none. */
export function rowEnd(
  bounds: RowBounds,
  mask: AttentionMask | undefined,
  b: number,
  i: number,
  n: number,
): number {
  const p = bounds.offsets[b]! + i;
  let hi = Math.min(n, bounds.valid[b]!) - 1;
  if (mask && mask.cols - 1 < hi) hi = mask.cols - 1;
  if (bounds.causal && p < hi) hi = p;
  if (bounds.right >= 0 && p + bounds.right < hi) hi = p + bounds.right;
  return hi;
}

/**
 * Adds the bias of one row in place: keys outside [lo, hi] become -inf, the
 * mask values (from `maskOff`) are added inside. Returns false when every key
 * is masked (an empty range, or only -inf mask values), the rows whose
 * probabilities the operator defines as zero.
 */
export function addRowBias(
  s: FloatArray,
  off: number,
  n: number,
  lo: number,
  hi: number,
  mask: FloatArray | undefined,
  maskOff: number,
): boolean {
  const NEG = Number.NEGATIVE_INFINITY;
  const a = Math.max(lo, 0);
  const z = Math.min(hi, n - 1);
  for (let j = 0; j < Math.min(a, n); j++) s[off + j] = NEG;
  for (let j = Math.max(z + 1, 0); j < n; j++) s[off + j] = NEG;
  if (a > z) return false;
  if (!mask) return true;
  let any = false;
  for (let j = a; j <= z; j++) {
    const m = mask[maskOff + j]!;
    if (m !== NEG) any = true;
    s[off + j] = s[off + j]! + m;
  }
  return any;
}

/** Causal offsets and valid key counts per batch, from past_key or nonpad_kv_seqlen. */
export function rowBounds(
  batch: number,
  qLen: number,
  total: number,
  past: number,
  hasPast: boolean,
  nonpad: Tensor | undefined,
  causal: boolean,
  left: number,
  right: number,
): RowBounds {
  const offsets = new Float64Array(batch).fill(hasPast ? past : 0);
  const valid = new Float64Array(batch).fill(total);
  if (nonpad) {
    if (nonpad.type !== 'int64')
      throw new TypeMismatchError(`Attention: nonpad_kv_seqlen must be int64, got ${nonpad.type}`);
    if (nonpad.size !== batch) {
      throw new ShapeError(
        `Attention: nonpad_kv_seqlen has ${nonpad.size} values, expected one per batch (${batch})`,
      );
    }
    const d = nonpad.data as BigInt64Array;
    for (let b = 0; b < batch; b++) {
      const n = Number(d[b]!);
      valid[b] = n;
      if (!hasPast) offsets[b] = n - qLen;
    }
  }
  return { causal, left, right, offsets, valid };
}
