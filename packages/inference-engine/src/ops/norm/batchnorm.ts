import { ShapeError } from '@zai/common';
import type { Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type ShapeFn } from '../../kernel.js';
import { floatBuffer, floatData, floatTensor } from '../util/float-io.js';
import { checkSize, floatInput, prod } from './common.js';

// BatchNormalization, every version:
//   1, 6    is_test / spatial attributes; outputs Y[, mean, var, saved_mean, saved_var]
//   7, 9    training is implied by asking for the extra outputs; 7 still has `spatial`
//   14, 15  training_mode attribute; outputs Y[, running_mean, running_var];
//           15 lets scale/B and mean/var have their own float types.
// `spatial = 0` (per-activation statistics, parameters shaped C x D1 x ...) is
// handled by treating every (c, d...) position as its own channel.

/** Per-channel statistics as a tensor of `like`'s type and shape. */
function statTensor(like: Tensor, values: ArrayLike<number>): Tensor {
  const o = floatBuffer(like.type, like.size);
  for (let c = 0; c < o.length; c++) o[c] = values[c]!;
  return floatTensor(like.type, o, like.dims);
}

function create(ctx: KernelContext): Kernel {
  const op = 'BatchNormalization';
  const eps = ctx.float('epsilon', 1e-5);
  const momentum = ctx.float('momentum', 0.9);
  const spatial = ctx.opset < 9 ? ctx.int('spatial', 1) !== 0 : true;
  let training: boolean;
  if (ctx.opset >= 14) training = ctx.int('training_mode', 0) !== 0;
  else if (ctx.opset < 7) training = ctx.int('is_test', 0) === 0 && ctx.outputCount > 1;
  else training = ctx.outputCount > 1;
  if (ctx.opset >= 14 && !training && ctx.outputCount > 1) {
    ctx.fail('running_mean / running_var outputs need training_mode=1');
  }
  const outputs = ctx.outputCount;

  return (inputs) => {
    const x = floatInput(inputs, 0, op, 'X');
    const scale = floatInput(inputs, 1, op, 'scale');
    const bias = floatInput(inputs, 2, op, 'B');
    const mean = floatInput(inputs, 3, op, 'mean');
    const variance = floatInput(inputs, 4, op, 'var');
    const dims = x.dims;
    if (dims.length === 0) throw new ShapeError(`${op}: input X must have rank >= 1`);
    const N = dims[0]!;
    let C = dims.length >= 2 ? dims[1]! : 1;
    let inner = prod(dims, 2);
    // Per-activation parameters: legacy spatial=0, or parameters that cover C x D1 x ... .
    if ((!spatial || scale.size !== C) && scale.size === C * inner && inner !== 1) {
      C *= inner;
      inner = 1;
    }
    for (const [t, name] of [
      [scale, 'scale'],
      [bias, 'B'],
      [mean, 'mean'],
      [variance, 'var'],
    ] as const) {
      checkSize(t, C, op, name);
    }
    const S = floatData(scale);
    const B = floatData(bias);
    const X = floatData(x);
    // Statistics in float64: the running inputs, or this batch's (population variance).
    let mu: Float32Array | Float64Array = floatData(mean);
    let sigma2: Float32Array | Float64Array = floatData(variance);
    if (training) {
      const bm = new Float64Array(C);
      const bv = new Float64Array(C);
      const count = N * inner;
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let b = 0; b < N; b++) {
          const base = (b * C + c) * inner;
          for (let j = 0; j < inner; j++) s += X[base + j]!;
        }
        const m = s / count;
        let q = 0;
        for (let b = 0; b < N; b++) {
          const base = (b * C + c) * inner;
          for (let j = 0; j < inner; j++) {
            const d = X[base + j]! - m;
            q += d * d;
          }
        }
        bm[c] = m;
        bv[c] = q / count;
      }
      mu = bm;
      sigma2 = bv;
    }
    // y = x * a + b per channel, a = scale / sqrt(var + eps), b = B - mean * a.
    const a = new Float64Array(C);
    const b0 = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      const k = S[c]! / Math.sqrt(sigma2[c]! + eps);
      a[c] = k;
      b0[c] = B[c]! - mu[c]! * k;
    }
    const Y = floatBuffer(x.type, x.size);
    for (let b = 0; b < N; b++) {
      for (let c = 0; c < C; c++) {
        const base = (b * C + c) * inner;
        const k = a[c]!;
        const off = b0[c]!;
        for (let j = 0; j < inner; j++) Y[base + j] = X[base + j]! * k + off;
      }
    }
    const out: (Tensor | undefined)[] = [floatTensor(x.type, Y, dims)];
    if (training && outputs > 1) {
      const M = floatData(mean);
      const V = floatData(variance);
      const rm = floatBuffer(mean.type, C);
      const rv = floatBuffer(variance.type, C);
      for (let c = 0; c < C; c++) {
        rm[c] = M[c]! * momentum + mu[c]! * (1 - momentum);
        rv[c] = V[c]! * momentum + sigma2[c]! * (1 - momentum);
      }
      out.push(floatTensor(mean.type, rm, mean.dims), floatTensor(variance.type, rv, variance.dims));
      // Opset < 14 also exposes the batch statistics themselves.
      if (outputs > 3) out.push(statTensor(mean, mu));
      if (outputs > 4) out.push(statTensor(variance, sigma2));
    }
    return out;
  };
}

/** Y is shaped like X; running / saved statistics like mean (outputs 1, 3) and var (2, 4). */
const batchNormShape: ShapeFn = (ctx) => {
  const types = [ctx.input(0) ?? null];
  for (let i = 1; i < ctx.outputCount; i++) types.push(ctx.input(i % 2 === 1 ? 3 : 4) ?? null);
  return types;
};

export const BATCH_NORMALIZATION = [defineOp('BatchNormalization', '1+', create, '', batchNormShape)];
