import { ShapeError } from '@zai/common';
import type { Tensor } from '@zai/tensor-core';
import type { FloatArray } from '../norm/common.js';
import { floatData } from '../util/float-io.js';
import { copyRow } from './attention-row.js';

// Attention's tensor layout: the sizes read off Q, K, V (3-D with
// q_num_heads / kv_num_heads, or 4-D) and the past cache, and the moves that
// bring Q, K and V to [batch, heads, seq, size] in the compute precision.

const OP = 'Attention';

export interface Layout {
  readonly batch: number;
  readonly qHeads: number;
  readonly kvHeads: number;
  readonly qLen: number;
  readonly kvLen: number;
  readonly past: number;
  readonly total: number;
  readonly headSize: number;
  readonly vHeadSize: number;
  /** Inputs are [batch, seq, heads * head_size]. */
  readonly packed: boolean;
}

export function layout(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  pastK: Tensor | undefined,
  pastV: Tensor | undefined,
  qNumHeads: number,
  kvNumHeads: number,
): Layout {
  const r = q.dims.length;
  if ((r !== 3 && r !== 4) || k.dims.length !== r || v.dims.length !== r) {
    throw new ShapeError(
      `${OP}: Q, K and V must all be 3-D or all 4-D, got [${q.dims.join(',')}], [${k.dims.join(',')}], [${v.dims.join(',')}]`,
    );
  }
  const batch = q.dims[0]!;
  let qHeads: number;
  let kvHeads: number;
  let qLen: number;
  let kvLen: number;
  let headSize: number;
  let kHeadSize: number;
  let vHeadSize: number;
  if (r === 3) {
    if (qNumHeads <= 0 || kvNumHeads <= 0) {
      throw new ShapeError(`${OP}: 3-D inputs need the q_num_heads and kv_num_heads attributes`);
    }
    qHeads = qNumHeads;
    kvHeads = kvNumHeads;
    qLen = q.dims[1]!;
    kvLen = k.dims[1]!;
    const [qh, kh, vh] = [q.dims[2]!, k.dims[2]!, v.dims[2]!];
    if (qh % qHeads || kh % kvHeads || vh % kvHeads) {
      throw new ShapeError(
        `${OP}: hidden sizes ${qh}, ${kh}, ${vh} are not multiples of q_num_heads ${qHeads} / kv_num_heads ${kvHeads}`,
      );
    }
    headSize = qh / qHeads;
    kHeadSize = kh / kvHeads;
    vHeadSize = vh / kvHeads;
    if (v.dims[1] !== kvLen) throw new ShapeError(`${OP}: K and V sequence lengths differ`);
  } else {
    [, qHeads, qLen, headSize] = q.dims as [number, number, number, number];
    [, kvHeads, kvLen, kHeadSize] = k.dims as [number, number, number, number];
    vHeadSize = v.dims[3]!;
    if (v.dims[1] !== kvHeads || v.dims[2] !== kvLen) {
      throw new ShapeError(`${OP}: V [${v.dims.join(',')}] does not match K [${k.dims.join(',')}]`);
    }
  }
  if (k.dims[0] !== batch || v.dims[0] !== batch)
    throw new ShapeError(`${OP}: Q, K and V batch sizes differ`);
  if (kHeadSize !== headSize)
    throw new ShapeError(`${OP}: Q head size ${headSize} differs from K's ${kHeadSize}`);
  if (kvHeads === 0 || qHeads % kvHeads) {
    throw new ShapeError(`${OP}: q heads (${qHeads}) must be a multiple of kv heads (${kvHeads})`);
  }
  let past = 0;
  if (pastK || pastV) {
    if (!pastK || !pastV) throw new ShapeError(`${OP}: past_key and past_value must be given together`);
    past = pastK.dims[2] ?? -1;
    const want = (t: Tensor, d: number) =>
      t.dims.length === 4 &&
      t.dims[0] === batch &&
      t.dims[1] === kvHeads &&
      t.dims[2] === past &&
      t.dims[3] === d;
    if (!want(pastK, headSize) || !want(pastV, vHeadSize)) {
      throw new ShapeError(
        `${OP}: past_key [${pastK.dims.join(',')}] / past_value [${pastV.dims.join(',')}] do not match [${batch},${kvHeads},past,head_size]`,
      );
    }
  }
  return {
    batch,
    qHeads,
    kvHeads,
    qLen,
    kvLen,
    past,
    total: past + kvLen,
    headSize,
    vHeadSize,
    packed: r === 3,
  };
}

/** A tensor's values in the compute precision. */
export function compute(t: Tensor, f64: boolean): FloatArray {
  const d = floatData(t);
  if (f64) return d instanceof Float64Array ? d : Float64Array.from(d);
  return d instanceof Float32Array ? d : Float32Array.from(d);
}

/** [batch, seq, heads * size] → [batch, heads, seq, size]. */
export function unpack(x: FloatArray, batch: number, seq: number, heads: number, size: number): FloatArray {
  const out = x instanceof Float64Array ? new Float64Array(x.length) : new Float32Array(x.length);
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < seq; s++) {
      const src = (b * seq + s) * heads * size;
      for (let h = 0; h < heads; h++)
        copyRow(x, src + h * size, out, ((b * heads + h) * seq + s) * size, size);
    }
  }
  return out;
}

/** Appends cur [batch, heads, len, size] to past [batch, heads, pastLen, size] along the sequence. */
export function concatPast(
  past: FloatArray,
  cur: FloatArray,
  batchHeads: number,
  pastLen: number,
  len: number,
  size: number,
): FloatArray {
  const total = pastLen + len;
  const out =
    cur instanceof Float64Array
      ? new Float64Array(batchHeads * total * size)
      : new Float32Array(batchHeads * total * size);
  for (let bh = 0; bh < batchHeads; bh++) {
    copyRow(past, bh * pastLen * size, out, bh * total * size, pastLen * size);
    copyRow(cur, bh * len * size, out, (bh * total + pastLen) * size, len * size);
  }
  return out;
}
