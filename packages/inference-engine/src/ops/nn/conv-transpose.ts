import { type Dim, ShapeError, TypeMismatchError } from '@zai/common';
import { defineOp, type Kernel, type KernelContext, type ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { floatData, floatTensor, isFloat } from '../util/float-io.js';
import { optionalTensor, parseWindowAttrs, product, tensorInput, to3d, type Window } from './conv-util.js';
import { type FloatArray, sgemm } from './gemm-core.js';

// ConvTranspose: per (batch, group), col = W_g^T * X_g through the GEMM core
// (one row per output channel and kernel offset, one column per input
// position), then col2im scatters and sums the columns into the output.

/** Adds col (rows (m, kd, kh, kw), columns = input positions) into out at yOff. */
function col2im(col: FloatArray, Mg: number, w: Window, out: FloatArray, yOff: number): void {
  // Here inDims are the convolution's input (ConvTranspose's X) and outDims its output (Y).
  const [ID, IH, IW] = w.inDims as [number, number, number];
  const [KD, KH, KW] = w.kernel as [number, number, number];
  const [OD, OH, OW] = w.outDims as [number, number, number];
  const [sd, sh, sw] = w.strides as [number, number, number];
  const [dd, dh, dw] = w.dilations as [number, number, number];
  const [pd, ph, pw] = w.padsBegin as [number, number, number];
  let r = 0;
  for (let m = 0; m < Mg; m++) {
    const ym = yOff + m * OD * OH * OW;
    for (let kd = 0; kd < KD; kd++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          const ow0 = kw * dw - pw;
          // Input columns iw whose output column iw*sw + ow0 lies inside [0, OW).
          const lo = Math.min(IW, Math.max(0, Math.ceil(-ow0 / sw)));
          const hi = Math.max(lo, Math.min(IW, Math.ceil((OW - ow0) / sw)));
          for (let id = 0; id < ID; id++) {
            const od = id * sd - pd + kd * dd;
            if (od < 0 || od >= OD) {
              r += IH * IW;
              continue;
            }
            for (let ih = 0; ih < IH; ih++, r += IW) {
              const oh = ih * sh - ph + kh * dh;
              if (oh < 0 || oh >= OH) continue;
              const base = ym + (od * OH + oh) * OW + ow0;
              for (let iw = lo; iw < hi; iw++) {
                const o = base + iw * sw;
                out[o] = out[o]! + col[r + iw]!;
              }
            }
          }
        }
      }
    }
  }
}

function create(ctx: KernelContext): Kernel {
  const attrs = parseWindowAttrs(ctx);
  const group = ctx.int('group', 1);
  const outputPadding = ctx.has('output_padding') ? ctx.ints('output_padding') : undefined;
  const outputShape = ctx.has('output_shape') ? ctx.ints('output_shape') : undefined;
  return (inputs) => {
    const x = tensorInput(inputs, 0, 'ConvTranspose', 'X');
    const w = tensorInput(inputs, 1, 'ConvTranspose', 'W');
    const b = optionalTensor(inputs, 2);
    if (!isFloat(x.type) || w.type !== x.type || (b && b.type !== x.type)) {
      throw new TypeMismatchError(
        `ConvTranspose: X, W and B must share one float type; got ${x.type}, ${w.type}${b ? `, ${b.type}` : ''}`,
      );
    }
    if (x.dims.length < 3 || w.dims.length !== x.dims.length) {
      throw new ShapeError(
        `ConvTranspose: X [${x.dims.join(',')}] and W [${w.dims.join(',')}] must have the same rank >= 3`,
      );
    }
    const N = x.dims[0]!;
    const C = x.dims[1]!;
    if (w.dims[0] !== C || C % group !== 0) {
      throw new ShapeError(
        `ConvTranspose: W [${w.dims.join(',')}] must start with X's ${C} channels, divisible by group=${group}`,
      );
    }
    const Mg = w.dims[1]!;
    const M = Mg * group;
    const kernel = w.dims.slice(2);
    const n = kernel.length;
    const inDims = x.dims.slice(2);
    const strides = attrs.strides ?? new Array<number>(n).fill(1);
    const dilations = attrs.dilations ?? new Array<number>(n).fill(1);
    const outPad = outputPadding ?? new Array<number>(n).fill(0);
    if (strides.length !== n || dilations.length !== n || outPad.length !== n) {
      throw new ShapeError(`ConvTranspose: strides, dilations and output_padding need ${n} values each`);
    }
    const padsBegin = new Array<number>(n).fill(0);
    const padsEnd = new Array<number>(n).fill(0);
    const outDims = new Array<number>(n);
    const shape = outputShape && outputShape.length === n + 2 ? outputShape.slice(2) : outputShape;
    if (shape && shape.length !== n) {
      throw new ShapeError(
        `ConvTranspose: output_shape [${outputShape!.join(',')}] needs ${n} spatial values`,
      );
    }
    for (let i = 0; i < n; i++) {
      const full = strides[i]! * (inDims[i]! - 1) + outPad[i]! + (kernel[i]! - 1) * dilations[i]! + 1;
      let target: number | undefined = shape ? shape[i]! : undefined;
      if (target === undefined && (attrs.autoPad === 'SAME_UPPER' || attrs.autoPad === 'SAME_LOWER')) {
        target = inDims[i]! * strides[i]!;
      }
      if (target !== undefined) {
        const total = full - target;
        const half = Math.floor(total / 2);
        padsBegin[i] = attrs.autoPad === 'SAME_UPPER' ? half : total - half;
        padsEnd[i] = total - padsBegin[i]!;
        outDims[i] = target;
      } else {
        if (attrs.autoPad === 'NOTSET' && attrs.pads) {
          if (attrs.pads.length !== 2 * n) throw new ShapeError(`ConvTranspose: pads needs ${2 * n} values`);
          padsBegin[i] = attrs.pads[i]!;
          padsEnd[i] = attrs.pads[i + n]!;
        }
        outDims[i] = full - padsBegin[i]! - padsEnd[i]!;
      }
      if (outDims[i]! < 0)
        throw new ShapeError(`ConvTranspose: output axis ${i} would have size ${outDims[i]}`);
    }
    // The window of the forward convolution that ConvTranspose inverts: Y -> X.
    const w3 = to3d({ inDims, kernel, strides, dilations, padsBegin, padsEnd, outDims });
    const yDims = [N, M, ...outDims];
    const inSize = product(inDims);
    const outSize = product(outDims);
    const Cg = C / group;
    const Kr = Mg * product(kernel);
    const X = floatData(x);
    const W = floatData(w);
    const out = x.type === 'float64' ? new Float64Array(N * M * outSize) : new Float32Array(N * M * outSize);
    const col = x.type === 'float64' ? new Float64Array(Kr * inSize) : new Float32Array(Kr * inSize);
    for (let bn = 0; bn < N; bn++) {
      for (let g = 0; g < group; g++) {
        sgemm(Kr, inSize, Cg, 1, W, g * Cg * Kr, true, X, (bn * C + g * Cg) * inSize, false, 0, col, 0);
        col2im(col, Mg, w3, out, (bn * M + g * Mg) * outSize);
      }
    }
    if (b) {
      if (b.size !== M) throw new ShapeError(`ConvTranspose: B has ${b.size} values, expected ${M}`);
      const B = floatData(b);
      for (let bn = 0; bn < N; bn++) {
        for (let m = 0; m < M; m++) {
          const o = (bn * M + m) * outSize;
          const v = B[m]!;
          for (let i = 0; i < outSize; i++) out[o + i] = out[o + i]! + v;
        }
      }
    }
    return [floatTensor(x.type, out, yDims)];
  };
}

/**
 * Y is [N, W[1] * group, spatial...]: output_shape when given, input * stride
 * under SAME auto_pad, else stride * (in - 1) + output_padding + extent - pads.
 */
const inferTypes: ShapeFn = (ctx) => {
  const type = ctx.elemType(0);
  if (!type) return [null];
  const x = ctx.shape(0);
  if (!x) return [tensorType(type)];
  if (x.length < 3) ctx.fail(`X must have rank >= 3, got ${x.length}`);
  const n = x.length - 2;
  const attrs = parseWindowAttrs(ctx);
  const group = ctx.int('group', 1);
  const w = ctx.shape(1);
  const fresh = () => ctx.unknownDim();
  const Mg = w?.[1];
  const M: Dim = typeof Mg === 'number' ? Mg * group : group === 1 && Mg != null ? Mg : fresh();
  const spatial: Dim[] = [];
  const list = (name: string, fill: number): number[] => {
    const v = ctx.has(name) ? ctx.ints(name) : new Array<number>(n).fill(fill);
    if (v.length !== n) ctx.fail(`${name} needs ${n} values, got ${v.length}`);
    return v;
  };
  if (ctx.has('output_shape')) {
    const shape = ctx.ints('output_shape');
    const dims = shape.length === n + 2 ? shape.slice(2) : shape;
    if (dims.length !== n) ctx.fail(`output_shape [${shape.join(',')}] needs ${n} spatial values`);
    spatial.push(...dims);
  } else {
    const strides = list('strides', 1);
    const dilations = list('dilations', 1);
    const outPad = list('output_padding', 0);
    const same = attrs.autoPad === 'SAME_UPPER' || attrs.autoPad === 'SAME_LOWER';
    const pads = attrs.autoPad === 'NOTSET' && attrs.pads ? attrs.pads : new Array<number>(2 * n).fill(0);
    if (pads.length !== 2 * n) ctx.fail(`pads needs ${2 * n} values`);
    for (let i = 0; i < n; i++) {
      const size = x[i + 2]!;
      const s = strides[i]!;
      if (same) {
        spatial.push(typeof size === 'number' ? size * s : s === 1 ? size : fresh());
        continue;
      }
      const k = w?.[i + 2] ?? attrs.kernelShape?.[i];
      if (typeof k !== 'number') {
        spatial.push(fresh());
        continue;
      }
      const rest = outPad[i]! + (k - 1) * dilations[i]! + 1 - pads[i]! - pads[i + n]!;
      if (typeof size === 'number') spatial.push(s * (size - 1) + rest);
      else spatial.push(s === 1 && rest === 1 ? size : fresh());
    }
  }
  return [tensorType(type, [x[0]!, M, ...spatial])];
};

export const CONV_TRANSPOSE_OPS = [defineOp('ConvTranspose', '1+', create, '', inferTypes)];
