import { ShapeError } from '@zai/common';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { floatBuffer, floatTensor } from '../util/float-io.js';
import { floatValues, intValues, tensorAt } from './common.js';

// RoiAlign (Mask R-CNN): bilinear samples on a regular grid inside each
// output bin, averaged or maxed. Bilinear sampling is separable, so the
// sample rows (y) and columns (x) of a RoI are tabulated once and shared by
// all channels. Follows onnxruntime's rules for out-of-map samples.

interface Samples {
  lo: Int32Array;
  hi: Int32Array;
  wLo: Float64Array;
  wHi: Float64Array;
  /** 0 for samples outside [-1, size] that contribute nothing. */
  ok: Uint8Array;
}

/** Sample positions along one axis: `bins` bins of `grid` samples each. */
function samples(start: number, binSize: number, bins: number, grid: number, size: number): Samples {
  const n = bins * grid;
  const s: Samples = {
    lo: new Int32Array(n),
    hi: new Int32Array(n),
    wLo: new Float64Array(n),
    wHi: new Float64Array(n),
    ok: new Uint8Array(n),
  };
  for (let b = 0; b < bins; b++) {
    for (let i = 0; i < grid; i++) {
      const k = b * grid + i;
      let v = start + b * binSize + ((i + 0.5) * binSize) / grid;
      if (v < -1 || v > size) continue;
      if (v < 0) v = 0;
      let lo = Math.trunc(v);
      let hi: number;
      if (lo >= size - 1) {
        lo = hi = size - 1;
        v = lo;
      } else hi = lo + 1;
      const l = v - lo;
      s.lo[k] = lo;
      s.hi[k] = hi;
      s.wLo[k] = 1 - l;
      s.wHi[k] = l;
      s.ok[k] = 1;
    }
  }
  return s;
}

function roiAlign(ctx: KernelContext): Kernel {
  const mode = ctx.string('mode', 'avg');
  if (mode !== 'avg' && mode !== 'max') ctx.fail(`unsupported mode '${mode}'`);
  const ctm =
    ctx.opset >= 16 ? ctx.string('coordinate_transformation_mode', 'half_pixel') : 'output_half_pixel';
  if (ctm !== 'half_pixel' && ctm !== 'output_half_pixel')
    ctx.fail(`unsupported coordinate_transformation_mode '${ctm}'`);
  const halfPixel = ctm === 'half_pixel';
  const outH = ctx.int('output_height', 1);
  const outW = ctx.int('output_width', 1);
  const ratio = ctx.int('sampling_ratio', 0);
  const scale = ctx.float('spatial_scale', 1);
  const isMax = mode === 'max';

  return (inputs) => {
    const x = tensorAt(inputs, 0, 'RoiAlign');
    const roisT = tensorAt(inputs, 1, 'RoiAlign');
    const batch = intValues(tensorAt(inputs, 2, 'RoiAlign'), 'RoiAlign', 'batch_indices');
    if (x.dims.length !== 4) throw new ShapeError(`RoiAlign: X must be 4-D, got [${x.dims}]`);
    const R = batch.length;
    if (roisT.dims.length !== 2 || roisT.dims[0] !== R || roisT.dims[1] !== 4)
      throw new ShapeError(`RoiAlign: rois shape [${roisT.dims}] must be [${R}, 4]`);
    const [N, C, H, W] = x.dims as [number, number, number, number];
    const X = floatValues(x, 'RoiAlign', 'X');
    const rois = floatValues(roisT, 'RoiAlign', 'rois');
    const out = floatBuffer(x.type, R * C * outH * outW);
    const off = halfPixel ? 0.5 : 0;

    for (let n = 0; n < R; n++) {
      const b = batch[n]!;
      if (b < 0 || b >= N) throw new ShapeError(`RoiAlign: batch index ${b} out of range [0, ${N})`);
      const x0 = rois[n * 4]! * scale - off;
      const y0 = rois[n * 4 + 1]! * scale - off;
      let rw = rois[n * 4 + 2]! * scale - off - x0;
      let rh = rois[n * 4 + 3]! * scale - off - y0;
      if (!halfPixel) {
        // legacy mode forces malformed RoIs to 1x1
        rw = Math.max(rw, 1);
        rh = Math.max(rh, 1);
      }
      const binH = rh / outH;
      const binW = rw / outW;
      const gh = ratio > 0 ? ratio : Math.ceil(rh / outH);
      const gw = ratio > 0 ? ratio : Math.ceil(rw / outW);
      const count = Math.max(gh * gw, 1);
      const ys = samples(y0, binH, outH, gh, H);
      const xs = samples(x0, binW, outW, gw, W);

      for (let c = 0; c < C; c++) {
        const plane = (b * C + c) * H * W;
        const oBase = (n * C + c) * outH * outW;
        for (let ph = 0; ph < outH; ph++) {
          for (let pw = 0; pw < outW; pw++) {
            let acc = 0;
            let first = true;
            for (let iy = ph * gh; iy < (ph + 1) * gh; iy++) {
              const yOk = ys.ok[iy]!;
              const rLo = plane + ys.lo[iy]! * W;
              const rHi = plane + ys.hi[iy]! * W;
              const hy = ys.wLo[iy]!;
              const ly = ys.wHi[iy]!;
              for (let ix = pw * gw; ix < (pw + 1) * gw; ix++) {
                let v: number;
                if (!yOk || !xs.ok[ix]) {
                  v = 0;
                } else {
                  const cl = xs.lo[ix]!;
                  const ch = xs.hi[ix]!;
                  const hx = xs.wLo[ix]!;
                  const lx = xs.wHi[ix]!;
                  const a = hy * hx * X[rLo + cl]!;
                  const bb = hy * lx * X[rLo + ch]!;
                  const cc = ly * hx * X[rHi + cl]!;
                  const d = ly * lx * X[rHi + ch]!;
                  // onnxruntime's max mode takes the largest weighted corner
                  v = isMax ? Math.max(a, bb, cc, d) : a + bb + cc + d;
                }
                if (isMax) {
                  acc = first || v > acc ? v : acc;
                  first = false;
                } else acc += v;
              }
            }
            out[oBase + ph * outW + pw] = isMax ? acc : acc / count;
          }
        }
      }
    }
    return [floatTensor(x.type, out, [R, C, outH, outW])];
  };
}

/** [num_rois, C, output_height, output_width]. */
const roiAlignShape: ShapeFn = (ctx) => {
  const elem = ctx.elemType(0);
  if (!elem) return [null];
  const rois = ctx.shape(1)?.[0] ?? ctx.shape(2)?.[0] ?? ctx.unknownDim();
  const c = ctx.shape(0)?.[1] ?? ctx.unknownDim();
  return [tensorType(elem, [rois, c, ctx.int('output_height', 1), ctx.int('output_width', 1)])];
};

export const ROI_ALIGN_OPS: readonly OperatorDef[] = [
  defineOp('RoiAlign', '10+', roiAlign, '', roiAlignShape),
];
