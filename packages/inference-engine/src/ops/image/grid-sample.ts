import { ShapeError, TypeMismatchError } from '@zai/common';
import { Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { floatData, floatTensor, isFloat } from '../util/float-io.js';
import { floatToIntStorage, floatValues, isNumeric, numericAsFloat, tensorAt } from './common.js';

// GridSample: for each output point, the per-axis taps (index + weight, with
// the padding mode applied) are computed once and combined into a list of
// flat offsets, which every channel then reuses. Follows the ONNX reference
// (and PyTorch's grid_sample) including its rounding of nearest positions.

type Mode = 'linear' | 'nearest' | 'cubic';
type Padding = 'zeros' | 'border' | 'reflection';

const CUBIC_A = -0.75;

/** Reflects x into [lo, hi] by bouncing off the borders. */
function reflect(x: number, lo: number, hi: number): number {
  const range = hi - lo;
  if (range <= 0) return lo;
  if (x < lo) {
    const dx = lo - x;
    const n = Math.trunc(dx / range);
    const r = dx - n * range;
    return n % 2 === 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const dx = x - hi;
    const n = Math.trunc(dx / range);
    const r = dx - n * range;
    return n % 2 === 0 ? hi - r : lo + r;
  }
  return x;
}

/** Round half to even (nearbyint), as the conformance data does for every rank. */
function rint(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

function cubicWeights(t: number, w: Float64Array, o: number): void {
  const a = CUBIC_A;
  const t1 = t + 1;
  const u = 1 - t;
  const u1 = 2 - t;
  w[o] = ((a * t1 - 5 * a) * t1 + 8 * a) * t1 - 4 * a;
  w[o + 1] = ((a + 2) * t - (a + 3)) * t * t + 1;
  w[o + 2] = ((a + 2) * u - (a + 3)) * u * u + 1;
  w[o + 3] = ((a * u1 - 5 * a) * u1 + 8 * a) * u1 - 4 * a;
}

/** The source index of tap i on an axis of length n, or -1 where it reads zero padding. */
function padIndex(i: number, n: number, padding: Padding, lo: number, hi: number): number {
  if (i >= 0 && i < n) return i;
  if (padding === 'zeros') return -1;
  if (padding === 'border') return i < 0 ? 0 : n - 1;
  const j = Math.trunc(reflect(i, lo, hi));
  return j < 0 ? 0 : j >= n ? n - 1 : j;
}

function parseMode(ctx: KernelContext): Mode {
  const m = ctx.string('mode', ctx.opset >= 20 ? 'linear' : 'bilinear');
  if (ctx.opset >= 20) {
    if (m === 'linear' || m === 'nearest' || m === 'cubic') return m;
  } else {
    if (m === 'bilinear') return 'linear';
    if (m === 'bicubic') return 'cubic';
    if (m === 'nearest') return m;
  }
  return ctx.fail(`unsupported mode '${m}' at opset ${ctx.opset}`);
}

function gridSample(ctx: KernelContext): Kernel {
  const mode = parseMode(ctx);
  const padName = ctx.string('padding_mode', 'zeros');
  if (padName !== 'zeros' && padName !== 'border' && padName !== 'reflection')
    ctx.fail(`unsupported padding_mode '${padName}'`);
  const padding = padName as Padding;
  const alignCorners = ctx.int('align_corners', 0) !== 0;
  const ndOk = ctx.opset >= 20;

  return (inputs) => {
    const x = tensorAt(inputs, 0, 'GridSample');
    const grid = tensorAt(inputs, 1, 'GridSample');
    const r = x.dims.length - 2;
    if (r < 1 || (!ndOk && r !== 2))
      throw new ShapeError(`GridSample-${ctx.opset}: unsupported input rank ${x.dims.length}`);
    if (grid.dims.length !== r + 2 || grid.dims[0] !== x.dims[0] || grid.dims[r + 1] !== r) {
      throw new ShapeError(
        `GridSample: grid shape [${grid.dims}] does not match input [${x.dims}] (expected [N, ...out, ${r}])`,
      );
    }
    if (!isNumeric(x.type)) throw new TypeMismatchError(`GridSample: unsupported input type ${x.type}`);
    const N = x.dims[0]!;
    const C = x.dims[1]!;
    const inDims = x.dims.slice(2);
    const outSpatial = grid.dims.slice(1, r + 1);
    let P = 1;
    for (const d of outSpatial) P *= d;
    let S = 1;
    for (const d of inDims) S *= d;
    const strides = new Array<number>(r);
    for (let d = r - 1, s = 1; d >= 0; d--) {
      strides[d] = s;
      s *= inDims[d]!;
    }

    const src = isFloat(x.type) ? floatData(x) : numericAsFloat(x);
    const g = floatValues(grid, 'GridSample', 'grid');
    const out = src instanceof Float32Array ? new Float32Array(N * C * P) : new Float64Array(N * C * P);

    const K = mode === 'nearest' ? 1 : mode === 'linear' ? 2 : 4;
    let M = 1;
    for (let d = 0; d < r; d++) M *= K;
    const axIdx = new Int32Array(r * K);
    const axW = new Float64Array(r * K);
    // points are processed in blocks: the taps of a block (M per point, zero
    // weight for padding) are computed once, then every channel sweeps them
    const BLOCK = Math.max(1, Math.min(P, Math.floor(8192 / M)));
    const offs = new Int32Array(BLOCK * M);
    const ws = new Float64Array(BLOCK * M);
    let tmpO = new Int32Array(M);
    let tmpW = new Float64Array(M);
    let curO = new Int32Array(M);
    let curW = new Float64Array(M);

    for (let b = 0; b < N; b++) {
      const xBase = b * C * S;
      const yBase = b * C * P;
      for (let p0 = 0; p0 < P; p0 += BLOCK) {
        const p1 = Math.min(P, p0 + BLOCK);
        for (let p = p0; p < p1; p++) {
          const gOff = (b * P + p) * r;
          for (let d = 0; d < r; d++) {
            const n = inDims[d]!;
            const lo = alignCorners ? 0 : -0.5;
            const hi = alignCorners ? n - 1 : n - 0.5;
            // grid vectors list the innermost axis first
            const gv = g[gOff + r - 1 - d]!;
            let c = Math.fround(alignCorners ? ((gv + 1) / 2) * (n - 1) : ((gv + 1) * n - 1) / 2);
            if (mode === 'nearest') c = rint(c);
            // out-of-range positions are clamped / reflected first (as the reference does); for
            // cubic only the taps are padded, as PyTorch and onnxruntime do. Linear and nearest
            // give the same values either way.
            if (mode !== 'cubic' && (c < lo || c > hi)) {
              if (padding === 'border') c = Math.min(Math.max(c, 0), n - 1);
              else if (padding === 'reflection') c = Math.fround(reflect(c, lo, hi));
            }
            const o = d * K;
            if (mode === 'nearest') {
              axIdx[o] = padIndex(Math.trunc(c), n, padding, lo, hi);
              axW[o] = 1;
            } else {
              const c0 = Math.floor(c);
              const t = c - c0;
              if (mode === 'linear') {
                axIdx[o] = padIndex(c0, n, padding, lo, hi);
                axIdx[o + 1] = padIndex(c0 + 1, n, padding, lo, hi);
                axW[o] = 1 - t;
                axW[o + 1] = t;
              } else {
                for (let k = 0; k < 4; k++) axIdx[o + k] = padIndex(c0 - 1 + k, n, padding, lo, hi);
                cubicWeights(t, axW, o);
              }
            }
          }
          // outer product of the axes' taps; zero-padded taps keep weight 0
          let m = 1;
          curO[0] = 0;
          curW[0] = 1;
          for (let d = 0; d < r; d++) {
            let m2 = 0;
            for (let k = 0; k < K; k++) {
              const j = axIdx[d * K + k]!;
              const wk = j < 0 ? 0 : axW[d * K + k]!;
              const step = j < 0 ? 0 : j * strides[d]!;
              for (let q = 0; q < m; q++) {
                tmpO[m2] = curO[q]! + step;
                tmpW[m2++] = curW[q]! * wk;
              }
            }
            const so = curO;
            curO = tmpO;
            tmpO = so;
            const sw = curW;
            curW = tmpW;
            tmpW = sw;
            m = m2;
          }
          const q0 = (p - p0) * M;
          offs.set(curO, q0);
          ws.set(curW, q0);
        }
        const n = p1 - p0;
        for (let ch = 0; ch < C; ch++) {
          const s = xBase + ch * S;
          const o = yBase + ch * P + p0;
          if (M === 4) {
            for (let q = 0, t = 0; q < n; q++, t += 4) {
              out[o + q] =
                ws[t]! * src[s + offs[t]!]! +
                ws[t + 1]! * src[s + offs[t + 1]!]! +
                ws[t + 2]! * src[s + offs[t + 2]!]! +
                ws[t + 3]! * src[s + offs[t + 3]!]!;
            }
          } else {
            for (let q = 0, t = 0; q < n; q++) {
              let acc = 0;
              for (let e = t + M; t < e; t++) acc += ws[t]! * src[s + offs[t]!]!;
              out[o + q] = acc;
            }
          }
        }
      }
    }
    const dims = [N, C, ...outSpatial];
    if (isFloat(x.type)) return [floatTensor(x.type, out, dims)];
    return [new Tensor(x.type, floatToIntStorage(x.type, out, true), dims)];
  };
}

/** [N, C, ...grid's spatial dims]: N and C from X, the output's spatial size from the grid. */
const gridSampleShape: ShapeFn = (ctx) => {
  const elem = ctx.elemType(0);
  if (!elem) return [null];
  const x = ctx.shape(0);
  const g = ctx.shape(1);
  if (!x || !g) return [tensorType(elem)];
  return [tensorType(elem, [x[0] ?? g[0] ?? ctx.unknownDim(), x[1] ?? ctx.unknownDim(), ...g.slice(1, -1)])];
};

export const GRID_SAMPLE_OPS: readonly OperatorDef[] = [
  defineOp('GridSample', '16+', gridSample, '', gridSampleShape),
];
