import { type DataType, type Dim, dataTypeFromOnnx, type Shape } from '@zai/common';
import { defineOp, type Kernel, type KernelContext, type ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { sgemm } from '../nn/gemm-core.js';
import { type FloatArray, floatInput, optionalInput } from '../norm/common.js';
import { floatTensor, isFloat } from '../util/float-io.js';
import { compute, concatPast, layout, unpack } from './attention-layout.js';
import {
  type AttentionMask,
  addRowBias,
  prepareMask,
  type RowBounds,
  rowBounds,
  rowEnd,
  rowStart,
} from './attention-mask.js';
import { copyRow, type Rounder, rounder, softcapRow, softmaxRow } from './attention-row.js';

// Attention (23, 24, 25): scaled dot-product attention with MHA / GQA / MQA
// head layouts, 3-D ([batch, seq, heads * head_size]) or 4-D ([batch, heads,
// seq, head_size]) inputs, an internal KV cache (past_* -> present_*), an
// external one (nonpad_kv_seqlen), causal and sliding-window masks, softcap
// and the optional qk_matmul_output.
//
// Q, K and V are brought to [batch, heads, seq, head_size]. The q heads that
// share a kv head are contiguous there, so each (batch, kv head) is two
// GEMMs: scores [group * q_len, total] = scale * Q K^T, then Y = P V. Row
// steps between them (softcap, bias, softmax) run in place on the scores.

const OP = 'Attention';

/** What the row steps between the two GEMMs need, fixed for one run. */
interface RowSteps {
  readonly qHeads: number;
  readonly qLen: number;
  readonly total: number;
  readonly softcap: number;
  readonly mode: number;
  readonly qk: FloatArray | undefined;
  readonly mask: AttentionMask | undefined;
  readonly bounds: RowBounds;
  readonly roundSm: Rounder | undefined;
}

/**
 * Turns score rows [r0, r1) of batch b, kv group starting at q head h0 (row r
 * is head h0 + r / q_len, query r % q_len), held in S from row 0 with n
 * columns, into attention probabilities, capturing qk_matmul_output on the way.
 */
function scoreRows(
  st: RowSteps,
  S: FloatArray,
  b: number,
  h0: number,
  r0: number,
  r1: number,
  n: number,
): void {
  const { qLen, mode, qk, mask, bounds, roundSm } = st;
  const values = mask?.values;
  for (let r = r0; r < r1; r++) {
    const hl = (r / qLen) | 0;
    const i = r - hl * qLen;
    const h = h0 + hl;
    const off = (r - r0) * n;
    const qkOff = ((b * st.qHeads + h) * qLen + i) * st.total;
    if (qk && mode === 0) copyRow(S, off, qk, qkOff, n);
    if (st.softcap > 0) softcapRow(S, off, n, st.softcap);
    if (qk && mode === 1) copyRow(S, off, qk, qkOff, n);
    const maskOff = mask ? b * mask.batchStride + h * mask.headStride + i * mask.rowStride : 0;
    const lo = rowStart(bounds, b, i);
    const hi = rowEnd(bounds, mask, b, i, n);
    const live = addRowBias(S, off, n, lo, hi, values, maskOff);
    if (qk && mode === 2) copyRow(S, off, qk, qkOff, n);
    roundSm?.(S, off, off + n);
    softmaxRow(S, off, n, live);
    roundSm?.(S, off, off + n);
    if (qk && mode === 3) copyRow(S, off, qk, qkOff, n);
  }
}

/** Keys n x size at src[off] → size x n in dst, so Q K^T is a plain GEMM; 32 x 32 tiles keep it cache friendly. */
function transposeKeys(src: FloatArray, off: number, n: number, size: number, dst: FloatArray): void {
  for (let j0 = 0; j0 < n; j0 += 32) {
    const j1 = Math.min(n, j0 + 32);
    for (let d0 = 0; d0 < size; d0 += 32) {
      const d1 = Math.min(size, d0 + 32);
      for (let j = j0; j < j1; j++) {
        const s = off + j * size;
        for (let d = d0; d < d1; d++) dst[d * n + j] = src[s + d]!;
      }
    }
  }
}

/**
 * S[r * n + j] = alpha * Q[r] . K[j] for few query rows (decoding): plain dot
 * products over contiguous rows, where transposing all the keys would cost
 * as much as the product itself.
 */
function dotScores(
  rows: number,
  n: number,
  size: number,
  alpha: number,
  Q: FloatArray,
  qOff: number,
  K: FloatArray,
  kOff: number,
  S: FloatArray,
): void {
  for (let j = 0; j < n; j++) {
    const k = kOff + j * size;
    let r = 0;
    // Four query rows per pass share each key load.
    for (; r + 3 < rows; r += 4) {
      const q0 = qOff + r * size;
      const q1 = q0 + size;
      const q2 = q1 + size;
      const q3 = q2 + size;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let d = 0; d < size; d++) {
        const x = K[k + d]!;
        s0 += Q[q0 + d]! * x;
        s1 += Q[q1 + d]! * x;
        s2 += Q[q2 + d]! * x;
        s3 += Q[q3 + d]! * x;
      }
      S[r * n + j] = alpha * s0;
      S[(r + 1) * n + j] = alpha * s1;
      S[(r + 2) * n + j] = alpha * s2;
      S[(r + 3) * n + j] = alpha * s3;
    }
    for (; r < rows; r++) {
      const q = qOff + r * size;
      let s0 = 0;
      for (let d = 0; d < size; d++) s0 += Q[q + d]! * K[k + d]!;
      S[r * n + j] = alpha * s0;
    }
  }
}

/** Below this many query rows per kv head, scores are dot products rather than a GEMM on transposed keys. */
const DOT_ROWS = 16;

/** Score rows per GEMM pass: bounds the scratch at about this many values, whatever total_len is. */
const CHUNK_VALUES = 1 << 20;

function create(ctx: KernelContext): Kernel {
  const causal = ctx.int('is_causal', 0) !== 0;
  const qNumHeads = ctx.int('q_num_heads', 0);
  const kvNumHeads = ctx.int('kv_num_heads', 0);
  const mode = ctx.int('qk_matmul_output_mode', 0);
  if (mode < 0 || mode > 3) ctx.fail(`qk_matmul_output_mode must be 0 to 3, got ${mode}`);
  const scaleAttr = ctx.has('scale') ? ctx.float('scale') : undefined;
  const softcap = ctx.float('softcap', 0);
  let softmaxType: DataType | undefined;
  if (ctx.has('softmax_precision')) {
    const p = ctx.int('softmax_precision');
    softmaxType = dataTypeFromOnnx(p);
    if (!softmaxType || !isFloat(softmaxType)) ctx.fail(`softmax_precision ${p} is not a float type`);
  }
  const left = ctx.int('left_window_size', -1);
  const right = ctx.int('right_window_size', -1);
  const wantKey = ctx.hasOutput(1);
  const wantValue = ctx.hasOutput(2);
  const wantQk = ctx.hasOutput(3);

  return (inputs) => {
    const q = floatInput(inputs, 0, OP, 'Q');
    const k = floatInput(inputs, 1, OP, 'K');
    const v = floatInput(inputs, 2, OP, 'V');
    const maskT = optionalInput(inputs, 3);
    const pastK = optionalInput(inputs, 4) && floatInput(inputs, 4, OP, 'past_key');
    const pastV = optionalInput(inputs, 5) && floatInput(inputs, 5, OP, 'past_value');
    const nonpad = optionalInput(inputs, 6);
    const L = layout(q, k, v, pastK, pastV, qNumHeads, kvNumHeads);
    const { batch: B, qHeads, kvHeads, qLen, total: T, headSize: D, vHeadSize: DV } = L;
    // Computed in float32 (float64 when an input is double) and stored in T1 at the end, as
    // the other kernels do for 16-bit floats; a narrower softmax_precision rounds the rows.
    const f64 = q.type === 'float64' || k.type === 'float64' || v.type === 'float64';
    const alloc = (n: number): FloatArray => (f64 ? new Float64Array(n) : new Float32Array(n));

    // Q, K, V as [batch, heads, seq, size]; K and V with the past prepended.
    let Q = compute(q, f64);
    let K = compute(k, f64);
    let V = compute(v, f64);
    if (L.packed) {
      Q = unpack(Q, B, qLen, qHeads, D);
      K = unpack(K, B, L.kvLen, kvHeads, D);
      V = unpack(V, B, L.kvLen, kvHeads, DV);
    }
    if (pastK && pastV) {
      K = concatPast(compute(pastK, f64), K, B * kvHeads, L.past, L.kvLen, D);
      V = concatPast(compute(pastV, f64), V, B * kvHeads, L.past, L.kvLen, DV);
    }

    const qk = wantQk ? alloc(B * qHeads * qLen * T) : undefined;
    const st: RowSteps = {
      qHeads,
      qLen,
      total: T,
      softcap,
      mode,
      qk,
      mask: maskT && prepareMask(maskT, B, qHeads, qLen, T, f64, OP),
      bounds: rowBounds(B, qLen, T, L.past, pastK !== undefined, nonpad, causal, left, right),
      roundSm: softmaxType && rounder(softmaxType, f64),
    };
    const alpha = scaleAttr ?? 1 / Math.sqrt(D);
    const group = qHeads / kvHeads;
    const M = group * qLen;
    const chunk = Math.max(1, Math.min(M, Math.floor(CHUNK_VALUES / Math.max(T, 1))));
    const S = alloc(chunk * T);
    const Kt = alloc(M < DOT_ROWS ? 0 : D * T);
    const Y = alloc(B * qHeads * qLen * DV);
    const O = L.packed ? alloc(chunk * DV) : Y;

    for (let b = 0; b < B; b++) {
      // Keys past nonpad_kv_seqlen are padding: skip them unless every score is wanted.
      const n = qk ? T : Math.max(0, Math.min(T, st.bounds.valid[b]!));
      for (let g = 0; g < kvHeads; g++) {
        const h0 = g * group;
        const kOff = (b * kvHeads + g) * T;
        const qOff = (b * qHeads + h0) * qLen;
        const dots = M < DOT_ROWS;
        if (!dots) transposeKeys(K, kOff * D, n, D, Kt);
        for (let r0 = 0; r0 < M; r0 += chunk) {
          const r1 = Math.min(M, r0 + chunk);
          if (dots) dotScores(r1 - r0, n, D, alpha, Q, (qOff + r0) * D, K, kOff * D, S);
          else sgemm(r1 - r0, n, D, alpha, Q, (qOff + r0) * D, false, Kt, 0, false, 0, S, 0);
          scoreRows(st, S, b, h0, r0, r1, n);
          sgemm(r1 - r0, DV, n, 1, S, 0, false, V, kOff * DV, false, 0, O, L.packed ? 0 : (qOff + r0) * DV);
          if (!L.packed) continue;
          // [rows, v_size] → Y [batch, q_len, q_heads * v_size]
          for (let r = r0; r < r1; r++) {
            const hl = (r / qLen) | 0;
            const i = r - hl * qLen;
            copyRow(O, (r - r0) * DV, Y, ((b * qLen + i) * qHeads + h0 + hl) * DV, DV);
          }
        }
      }
    }

    const yDims = L.packed ? [B, qLen, qHeads * DV] : [B, qHeads, qLen, DV];
    const sharesKV = !L.packed && !pastK;
    return [
      floatTensor(q.type, Y, yDims),
      wantKey ? (sharesKV ? k : floatTensor(k.type, K, [B, kvHeads, T, D])) : undefined,
      wantValue ? (sharesKV ? v : floatTensor(v.type, V, [B, kvHeads, T, DV])) : undefined,
      qk && floatTensor(q.type, qk, [B, qHeads, qLen, T]),
    ];
  };
}

// Shape inference.

function divDim(d: Dim | undefined, n: number, fresh: () => string): Dim {
  return typeof d === 'number' && n > 0 ? d / n : fresh();
}

function addDim(a: Dim | undefined, b: Dim | undefined, fresh: () => string): Dim {
  return typeof a === 'number' && typeof b === 'number' ? a + b : fresh();
}

const shape: ShapeFn = (ctx) => {
  const qt = ctx.elemType(0);
  const kt = ctx.elemType(1);
  const vt = ctx.elemType(2);
  const q = ctx.shape(0);
  const k = ctx.shape(1);
  const v = ctx.shape(2);
  const fresh = () => ctx.unknownDim();
  const typed = (t: DataType | undefined, s?: Shape) => (t ? tensorType(t, s) : null);
  if (!q || !k || !v || (q.length !== 3 && q.length !== 4)) {
    return [typed(qt), typed(kt), typed(vt), typed(qt)];
  }
  const packed = q.length === 3;
  const qHeads = packed ? ctx.int('q_num_heads', 0) : q[1]!;
  const kvHeads = packed ? ctx.int('kv_num_heads', 0) : k[1]!;
  const kvNum = typeof kvHeads === 'number' ? kvHeads : 0;
  const qLen = packed ? q[1]! : q[2]!;
  const kvLen = packed ? k[1]! : k[2]!;
  const headSize = packed ? divDim(k[2], kvNum, fresh) : k[3]!;
  const vHeadSize = packed ? divDim(v[2], kvNum, fresh) : v[3]!;
  const past = ctx.hasInput(4) ? ctx.shape(4) : undefined;
  const total = ctx.hasInput(4) ? addDim(past?.[2], kvLen, fresh) : kvLen;
  const batch = q[0]!;
  let y: Dim[];
  if (packed) {
    const hidden =
      typeof v[2] === 'number' && typeof qHeads === 'number' && kvNum > 0 ? (v[2] / kvNum) * qHeads : fresh();
    y = [batch, qLen, hidden];
  } else y = [batch, qHeads, qLen, vHeadSize];
  return [
    typed(qt, y),
    typed(kt, [batch, kvHeads, total, headSize]),
    typed(vt, [batch, kvHeads, total, vHeadSize]),
    typed(qt, [batch, qHeads, qLen, total]),
  ];
};

export const ATTENTION = [defineOp('Attention', '23+', create, '', shape)];
