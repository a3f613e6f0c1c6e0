import { normalizeAxis } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { floatBuffer, floatData, floatTensor } from '../util/float-io.js';
import { floatInput, optionalInput, paramMap, prod, stashType } from './common.js';

// LayerNormalization (17) and RMSNormalization (23): x is seen as rows of
// prod(dims[axis:]) elements, each normalized on its own. Statistics are
// accumulated in float64 whatever the stash type; Mean / InvStdDev are stored
// in the stash type, shaped like x with the normalized dims set to 1.

function statDims(dims: readonly number[], axis: number): number[] {
  return dims.map((d, i) => (i < axis ? d : 1));
}

function layerNorm(ctx: KernelContext): Kernel {
  const op = 'LayerNormalization';
  const axisAttr = ctx.int('axis', -1);
  const eps = ctx.float('epsilon', 1e-5);
  const stash = stashType(ctx);
  const wantMean = ctx.hasOutput(1);
  const wantInv = ctx.hasOutput(2);
  return (inputs) => {
    const x = floatInput(inputs, 0, op, 'X');
    const scale = floatInput(inputs, 1, op, 'Scale');
    const bias = optionalInput(inputs, 2) && floatInput(inputs, 2, op, 'B');
    const dims = x.dims;
    const axis = normalizeAxis(axisAttr, dims.length, `${op} axis`);
    const n = prod(dims, axis);
    const outer = n === 0 ? 0 : x.size / n;
    const sm = paramMap(scale, dims, axis, op, 'Scale');
    const bm = bias ? paramMap(bias, dims, axis, op, 'B') : undefined;
    const X = floatData(x);
    const S = floatData(scale);
    const B = bias ? floatData(bias) : undefined;
    const Y = floatBuffer(x.type, x.size);
    const meanOut = wantMean ? floatBuffer(stash, outer) : undefined;
    const invOut = wantInv ? floatBuffer(stash, outer) : undefined;
    const smap = sm.map;
    for (let r = 0; r < outer; r++) {
      const base = r * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += X[base + j]!;
      const mean = s / n;
      let q = 0;
      for (let j = 0; j < n; j++) {
        const d = X[base + j]! - mean;
        q += d * d;
      }
      const inv = 1 / Math.sqrt(q / n + eps);
      if (meanOut) meanOut[r] = mean;
      if (invOut) invOut[r] = inv;
      const so = sm.perRow ? 0 : base;
      if (B && bm) {
        const bmap = bm.map;
        const bo = bm.perRow ? 0 : base;
        for (let j = 0; j < n; j++) {
          Y[base + j] = (X[base + j]! - mean) * inv * S[smap[so + j]!]! + B[bmap[bo + j]!]!;
        }
      } else {
        for (let j = 0; j < n; j++) Y[base + j] = (X[base + j]! - mean) * inv * S[smap[so + j]!]!;
      }
    }
    const sd = statDims(dims, axis);
    return [
      floatTensor(x.type, Y, dims),
      meanOut && floatTensor(stash, meanOut, sd),
      invOut && floatTensor(stash, invOut, sd),
    ];
  };
}

function rmsNorm(ctx: KernelContext): Kernel {
  const op = 'RMSNormalization';
  const axisAttr = ctx.int('axis', -1);
  const eps = ctx.float('epsilon', 1e-5);
  stashType(ctx); // validated; statistics are always accumulated in float64
  return (inputs) => {
    const x = floatInput(inputs, 0, op, 'X');
    const scale = floatInput(inputs, 1, op, 'scale');
    const dims = x.dims;
    const axis = normalizeAxis(axisAttr, dims.length, `${op} axis`);
    const n = prod(dims, axis);
    const outer = n === 0 ? 0 : x.size / n;
    const sm = paramMap(scale, dims, axis, op, 'scale');
    const X = floatData(x);
    const S = floatData(scale);
    // Y takes the scale's type (V), which may differ from X's (T).
    const Y = floatBuffer(scale.type, x.size);
    const smap = sm.map;
    for (let r = 0; r < outer; r++) {
      const base = r * n;
      let q = 0;
      for (let j = 0; j < n; j++) {
        const v = X[base + j]!;
        q += v * v;
      }
      const inv = 1 / Math.sqrt(q / n + eps);
      const so = sm.perRow ? 0 : base;
      for (let j = 0; j < n; j++) Y[base + j] = X[base + j]! * inv * S[smap[so + j]!]!;
    }
    return [floatTensor(scale.type, Y, dims)];
  };
}

/** Y like X; Mean / InvStdDev in the stash type, X's dims with the normalized ones set to 1. */
const layerNormShape: ShapeFn = (ctx) => {
  const y = ctx.input(0) ?? null;
  const s = ctx.shape(0);
  const stash = stashType(ctx);
  let stat = tensorType(stash);
  if (s) {
    const a = ctx.int('axis', -1);
    const axis = a < 0 ? a + s.length : a;
    stat = tensorType(
      stash,
      s.map((d, i) => (i < axis ? d : 1)),
    );
  }
  return [y, stat, stat];
};

/** Y has X's shape and the scale's element type. */
const rmsNormShape: ShapeFn = (ctx) => {
  const elem = ctx.elemType(1) ?? ctx.elemType(0);
  return [elem ? tensorType(elem, ctx.shape(0)) : null];
};

export const LAYER_NORMALIZATION = [
  defineOp('LayerNormalization', '17+', layerNorm, '', layerNormShape),
  defineOp('RMSNormalization', '23+', rmsNorm, '', rmsNormShape),
];
