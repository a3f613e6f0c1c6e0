import { ShapeError, TypeMismatchError } from '@zai/common';
import type { Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext } from '../../kernel.js';
import { sameAsInput } from '../../shape/common.js';
import { floatInput, optionalInput } from '../norm/common.js';
import { floatBuffer, floatData, floatTensor } from '../util/float-io.js';

// RotaryEmbedding (23): rotates the first rotary_embedding_dim values of
// every head vector by per-position angles. X is [batch, heads, seq, head]
// or [batch, seq, heads * head] (num_heads given). The caches hold cos / sin
// of the angles: [max_pos, rot / 2] indexed by position_ids [batch, seq], or
// [batch, seq, rot / 2] directly when position_ids is omitted. Pairs are
// (x[k], x[k + rot/2]), or (x[2k], x[2k + 1]) when interleaved.

const OP = 'RotaryEmbedding';

/** Per (batch, seq) token: the offset of its cache row, validated against the cache. */
function cacheRows(
  cos: Tensor,
  sin: Tensor,
  ids: Tensor | undefined,
  batch: number,
  seq: number,
  half: number,
): Int32Array {
  const same = cos.dims.length === sin.dims.length && cos.dims.every((d, i) => d === sin.dims[i]);
  if (!same)
    throw new ShapeError(
      `${OP}: cos_cache [${cos.dims.join(',')}] and sin_cache [${sin.dims.join(',')}] differ`,
    );
  const rows = new Int32Array(batch * seq);
  if (cos.dims[cos.dims.length - 1] !== half) {
    throw new ShapeError(
      `${OP}: the caches' last dimension is ${cos.dims.at(-1)}, expected rotary_embedding_dim / 2 = ${half}`,
    );
  }
  if (ids) {
    if (ids.type !== 'int64')
      throw new TypeMismatchError(`${OP}: position_ids must be int64, got ${ids.type}`);
    if (cos.dims.length !== 2)
      throw new ShapeError(`${OP}: with position_ids the caches must be 2-D, got [${cos.dims.join(',')}]`);
    // [batch, seq], or [1, seq] shared by every batch.
    const shared = ids.dims.length === 2 && ids.dims[0] === 1 && ids.dims[1] === seq;
    if (!shared && !(ids.dims.length === 2 && ids.dims[0] === batch && ids.dims[1] === seq)) {
      throw new ShapeError(`${OP}: position_ids [${ids.dims.join(',')}] must be [${batch},${seq}]`);
    }
    const max = cos.dims[0]!;
    const d = ids.data as BigInt64Array;
    for (let t = 0; t < rows.length; t++) {
      const p = Number(d[shared ? t % seq : t]!);
      if (p < 0 || p >= max)
        throw new ShapeError(`${OP}: position id ${p} is outside the caches' ${max} rows`);
      rows[t] = p * half;
    }
    return rows;
  }
  const c = cos.dims;
  const shared = c.length === 3 && c[0] === 1 && c[1] === seq;
  if (!shared && !(c.length === 3 && c[0] === batch && c[1] === seq)) {
    throw new ShapeError(
      `${OP}: without position_ids the caches must be [${batch},${seq},${half}], got [${c.join(',')}]`,
    );
  }
  for (let t = 0; t < rows.length; t++) rows[t] = (shared ? t % seq : t) * half;
  return rows;
}

function create(ctx: KernelContext): Kernel {
  const interleaved = ctx.int('interleaved', 0) !== 0;
  const numHeads = ctx.int('num_heads', 0);
  const rotaryDim = ctx.int('rotary_embedding_dim', 0);
  return (inputs) => {
    const x = floatInput(inputs, 0, OP, 'X');
    const cos = floatInput(inputs, 1, OP, 'cos_cache');
    const sin = floatInput(inputs, 2, OP, 'sin_cache');
    const ids = optionalInput(inputs, 3);
    const dims = x.dims;
    let batch: number;
    let heads: number;
    let seq: number;
    let head: number;
    if (dims.length === 4) {
      [batch, heads, seq, head] = dims as [number, number, number, number];
    } else if (dims.length === 3) {
      if (numHeads <= 0) throw new ShapeError(`${OP}: a 3-D input needs the num_heads attribute`);
      [batch, seq] = dims as [number, number];
      heads = numHeads;
      if (dims[2]! % heads)
        throw new ShapeError(`${OP}: hidden size ${dims[2]} is not a multiple of num_heads ${heads}`);
      head = dims[2]! / heads;
    } else {
      throw new ShapeError(`${OP}: X must be 3-D or 4-D, got [${dims.join(',')}]`);
    }
    const rot = rotaryDim > 0 ? rotaryDim : head;
    if (rot > head || rot % 2) {
      throw new ShapeError(
        `${OP}: rotary_embedding_dim ${rot} must be even and at most the head size ${head}`,
      );
    }
    const half = rot / 2;
    const rows = cacheRows(cos, sin, ids, batch, seq, half);
    const X = floatData(x);
    const C = floatData(cos);
    const S = floatData(sin);
    const Y = floatBuffer(x.type, x.size);
    // Offsets of head vector (b, h, s): 4-D [b, h, s, d], 3-D [b, s, h, d].
    const headStride = dims.length === 4 ? seq * head : head;
    const seqStride = dims.length === 4 ? head : heads * head;
    // Element k of the first and second halves of a pair.
    const step = interleaved ? 2 : 1;
    const second = interleaved ? 1 : half;
    for (let b = 0; b < batch; b++) {
      for (let s = 0; s < seq; s++) {
        const c = rows[b * seq + s]!;
        for (let h = 0; h < heads; h++) {
          const o = b * heads * seq * head + h * headStride + s * seqStride;
          for (let k = 0; k < half; k++) {
            const i1 = o + k * step;
            const i2 = i1 + second;
            const x1 = X[i1]!;
            const x2 = X[i2]!;
            const cv = C[c + k]!;
            const sv = S[c + k]!;
            Y[i1] = cv * x1 - sv * x2;
            Y[i2] = sv * x1 + cv * x2;
          }
          for (let d = rot; d < head; d++) Y[o + d] = X[o + d]!;
        }
      }
    }
    return [floatTensor(x.type, Y, dims)];
  };
}

export const ROTARY_EMBEDDING = [defineOp('RotaryEmbedding', '23+', create, '', sameAsInput(0))];
