import { type DataType, type Dim, ShapeError, TypeMismatchError } from '@zai/common';
import { allocate, Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type ShapeContext, type ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { floatData, floatTensor, isFloat } from '../util/float-io.js';
import { depthwiseApplies, depthwiseConv } from './conv-depthwise.js';
import { type ConvScratch, convIm2col } from './conv-im2col.js';
import {
  numbers,
  optionalTensor,
  parseWindowAttrs,
  product,
  resolveWindow,
  roundEven,
  tensorInput,
  to3d,
  type Window,
  type WindowAttrs,
  windowDims,
} from './conv-util.js';
import { type FloatArray, sgemm } from './gemm-core.js';

// Conv (1-D/2-D/3-D, groups, dilations, pads/auto_pad) as im2col + the GEMM
// core (conv-im2col.ts), with the input used directly as the column matrix
// for 1x1 stride-1 unpadded kernels and a direct loop for 1-D/2-D depthwise
// kernels (conv-depthwise.ts); a bias initializes the GEMM output. ConvInteger and QLinearConv run the same code in float64
// on zero-point-centered values, where 8-bit products sum exactly.

export interface ConvPlan {
  readonly N: number;
  readonly C: number;
  readonly M: number;
  readonly group: number;
  readonly window: Window;
  readonly outDims: number[];
}

export function planConv(
  op: string,
  attrs: WindowAttrs,
  group: number,
  xDims: readonly number[],
  wDims: readonly number[],
): ConvPlan {
  if (xDims.length < 3 || wDims.length !== xDims.length) {
    throw new ShapeError(
      `${op}: X [${xDims.join(',')}] and W [${wDims.join(',')}] must have the same rank >= 3`,
    );
  }
  const N = xDims[0]!;
  const C = xDims[1]!;
  const M = wDims[0]!;
  if (C !== wDims[1]! * group || M % group !== 0) {
    throw new ShapeError(
      `${op}: X has ${C} channels and W [${wDims.join(',')}] expects ${wDims[1]! * group} with group=${group} (W's first dim must divide by group)`,
    );
  }
  const kernel = wDims.slice(2);
  if (attrs.kernelShape && attrs.kernelShape.join(',') !== kernel.join(',')) {
    throw new ShapeError(
      `${op}: kernel_shape [${attrs.kernelShape.join(',')}] differs from W's [${kernel.join(',')}]`,
    );
  }
  const window = resolveWindow(attrs, xDims.slice(2), kernel);
  return { N, C, M, group, window, outDims: [N, M, ...window.outDims] };
}

/**
 * Runs a planned convolution: out (N x M x out spatial) = conv(X, W) (+ per-channel bias).
 * `scratch` keeps the im2col buffer between runs of one kernel.
 */
export function convolve(
  plan: ConvPlan,
  X: FloatArray,
  W: FloatArray,
  bias: ArrayLike<number> | undefined,
  out: FloatArray,
  scratch?: ConvScratch,
): void {
  const { N, C, M, group } = plan;
  const w3 = to3d(plan.window);
  const Cg = C / group;
  if (Cg === 1 && depthwiseApplies(w3)) {
    depthwiseConv(N, C, M, X, W, bias, out, w3);
    return;
  }
  const inSize = product(w3.inDims);
  const outSize = product(w3.outDims);
  if (bias) {
    // The GEMMs accumulate onto the bias (beta = 1).
    for (let n = 0; n < N; n++) {
      for (let m = 0; m < M; m++) {
        const o = (n * M + m) * outSize;
        out.fill(bias[m]!, o, o + outSize);
      }
    }
  }
  const beta = bias ? 1 : 0;
  const pointwise =
    product(w3.kernel) === 1 &&
    w3.strides.every((s) => s === 1) &&
    w3.padsBegin.every((p) => p === 0) &&
    inSize === outSize;
  if (!pointwise) {
    convIm2col(N, C, M, group, w3, X, W, beta, out, scratch);
    return;
  }
  // 1x1, stride 1, unpadded: X itself is the column matrix.
  const Mg = M / group;
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < group; g++) {
      const xOff = (n * C + g * Cg) * inSize;
      const yOff = (n * M + g * Mg) * outSize;
      sgemm(Mg, outSize, Cg, 1, W, g * Mg * Cg, false, X, xOff, false, beta, out, yOff);
    }
  }
}

function createConv(ctx: KernelContext): Kernel {
  const attrs = parseWindowAttrs(ctx);
  const group = ctx.int('group', 1);
  const scratch: ConvScratch = {};
  return (inputs) => {
    const x = tensorInput(inputs, 0, 'Conv', 'X');
    const w = tensorInput(inputs, 1, 'Conv', 'W');
    const b = optionalTensor(inputs, 2);
    if (!isFloat(x.type) || w.type !== x.type || (b && b.type !== x.type)) {
      throw new TypeMismatchError(
        `Conv: X, W and B must share one float type; got ${x.type}, ${w.type}${b ? `, ${b.type}` : ''}`,
      );
    }
    const plan = planConv('Conv', attrs, group, x.dims, w.dims);
    if (b && b.size !== plan.M) throw new ShapeError(`Conv: B has ${b.size} values, expected ${plan.M}`);
    const out =
      x.type === 'float64'
        ? new Float64Array(product(plan.outDims))
        : new Float32Array(product(plan.outDims));
    convolve(plan, floatData(x), floatData(w), b ? floatData(b) : undefined, out, scratch);
    return [floatTensor(x.type, out, plan.outDims)];
  };
}

function checkQuant(t: Tensor, op: string, name: string): void {
  if (t.type !== 'uint8' && t.type !== 'int8') {
    throw new TypeMismatchError(`${op}: input '${name}' must be uint8 or int8, got ${t.type}`);
  }
}

/** Per-output-channel values (scalar broadcast to all M). */
function perChannel(t: Tensor | undefined, M: number, what: string, fill: number): Float64Array {
  const r = new Float64Array(M).fill(fill);
  if (!t) return r;
  const v = isFloat(t.type) ? floatData(t) : numbers(t);
  if (v.length === 1) r.fill(v[0]!);
  else if (v.length === M) r.set(v);
  else throw new ShapeError(`${what} has ${v.length} values; expected 1 or ${M} (one per output channel)`);
  return r;
}

/** Integer convolution of zero-point-centered 8-bit data, as exact float64 sums. */
function integerConv(
  op: string,
  plan: ConvPlan,
  x: Tensor,
  w: Tensor,
  xZp: Tensor | undefined,
  wZp: Tensor | undefined,
  bias: Tensor | undefined,
): Float64Array {
  const zx = xZp ? numbers(xZp) : [0];
  if (zx.length !== 1) throw new ShapeError(`${op}: x_zero_point must be a scalar, got ${zx.length} values`);
  const zw = perChannel(wZp, plan.M, `${op}: w_zero_point`, 0);
  const xs = x.data as ArrayLike<number>;
  const X = new Float64Array(x.size);
  const z0 = zx[0]!;
  for (let i = 0; i < x.size; i++) X[i] = xs[i]! - z0;
  const ws = w.data as ArrayLike<number>;
  const W = new Float64Array(w.size);
  const per = w.size / Math.max(plan.M, 1);
  for (let m = 0, i = 0; m < plan.M; m++) {
    const z = zw[m]!;
    for (let j = 0; j < per; j++, i++) W[i] = ws[i]! - z;
  }
  const acc = new Float64Array(product(plan.outDims));
  const b = bias ? numbers(bias) : undefined;
  if (b && b.length !== plan.M) throw new ShapeError(`${op}: B has ${b.length} values, expected ${plan.M}`);
  convolve(plan, X, W, b, acc);
  return acc;
}

function createConvInteger(ctx: KernelContext): Kernel {
  const attrs = parseWindowAttrs(ctx);
  const group = ctx.int('group', 1);
  return (inputs) => {
    const x = tensorInput(inputs, 0, 'ConvInteger', 'x');
    const w = tensorInput(inputs, 1, 'ConvInteger', 'w');
    checkQuant(x, 'ConvInteger', 'x');
    checkQuant(w, 'ConvInteger', 'w');
    const plan = planConv('ConvInteger', attrs, group, x.dims, w.dims);
    const acc = integerConv(
      'ConvInteger',
      plan,
      x,
      w,
      optionalTensor(inputs, 2),
      optionalTensor(inputs, 3),
      undefined,
    );
    return [new Tensor('int32', Int32Array.from(acc), plan.outDims)];
  };
}

function createQLinearConv(ctx: KernelContext): Kernel {
  const op = 'QLinearConv';
  const attrs = parseWindowAttrs(ctx);
  const group = ctx.int('group', 1);
  return (inputs) => {
    const x = tensorInput(inputs, 0, op, 'x');
    const xScale = tensorInput(inputs, 1, op, 'x_scale');
    const xZp = tensorInput(inputs, 2, op, 'x_zero_point');
    const w = tensorInput(inputs, 3, op, 'w');
    const wScale = tensorInput(inputs, 4, op, 'w_scale');
    const wZp = tensorInput(inputs, 5, op, 'w_zero_point');
    const yScale = tensorInput(inputs, 6, op, 'y_scale');
    const yZp = tensorInput(inputs, 7, op, 'y_zero_point');
    const bias = optionalTensor(inputs, 8);
    checkQuant(x, op, 'x');
    checkQuant(w, op, 'w');
    checkQuant(yZp, op, 'y_zero_point');
    if (bias && bias.type !== 'int32')
      throw new TypeMismatchError(`${op}: B must be int32, got ${bias.type}`);
    const plan = planConv(op, attrs, group, x.dims, w.dims);
    const acc = integerConv(op, plan, x, w, xZp, wZp, bias);
    const sx = floatData(xScale)[0]!;
    const sw = perChannel(wScale, plan.M, `${op}: w_scale`, 1);
    const sy = floatData(yScale)[0]!;
    const zy = numbers(yZp)[0]!;
    const lo = yZp.type === 'uint8' ? 0 : -128;
    const hi = yZp.type === 'uint8' ? 255 : 127;
    const out = allocate(yZp.type, acc.length) as Uint8Array | Int8Array;
    const spatial = product(plan.outDims, 2);
    for (let n = 0, i = 0; n < plan.N; n++) {
      for (let m = 0; m < plan.M; m++) {
        const scale = Math.fround((sx * sw[m]!) / sy);
        for (let j = 0; j < spatial; j++, i++) {
          const v = roundEven(acc[i]! * scale) + zy;
          out[i] = Math.min(hi, Math.max(lo, v));
        }
      }
    }
    return [new Tensor(yZp.type, out, plan.outDims)];
  };
}

/**
 * Shape function of a convolution with X at input `xi` and W at `wi`: Y is
 * [N, M, spatial...] with M = W's first dim and the spatial sizes from the
 * window (kernel from W, else from kernel_shape).
 */
export function convShape(
  xi: number,
  wi: number,
  elem: (ctx: ShapeContext) => DataType | undefined,
): ShapeFn {
  return (ctx) => {
    const type = elem(ctx);
    if (!type) return [null];
    const x = ctx.shape(xi);
    if (!x) return [tensorType(type)];
    if (x.length < 3) ctx.fail(`X must have rank >= 3, got ${x.length}`);
    const w = ctx.shape(wi);
    const attrs = parseWindowAttrs(ctx);
    const n = x.length - 2;
    let kernel: readonly Dim[];
    if (w) {
      if (w.length !== x.length) ctx.fail(`W has rank ${w.length}, X has rank ${x.length}`);
      kernel = w.slice(2).map((d, i) => (typeof d === 'number' ? d : (attrs.kernelShape?.[i] ?? d)));
    } else {
      kernel = attrs.kernelShape ?? new Array<Dim>(n).fill(null);
    }
    const spatial = windowDims(attrs, x.slice(2), kernel, () => ctx.unknownDim());
    const M = w?.[0] ?? ctx.unknownDim();
    return [tensorType(type, [x[0]!, M, ...spatial])];
  };
}

export const CONV_OPS = [
  defineOp(
    'Conv',
    '1+',
    createConv,
    '',
    convShape(0, 1, (ctx) => ctx.elemType(0)),
  ),
  defineOp(
    'ConvInteger',
    '10+',
    createConvInteger,
    '',
    convShape(0, 1, () => 'int32'),
  ),
  defineOp(
    'QLinearConv',
    '10+',
    createQLinearConv,
    '',
    convShape(0, 3, (ctx) => ctx.elemType(7)),
  ),
];
