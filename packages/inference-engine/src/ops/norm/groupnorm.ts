import { ShapeError } from '@zai/common';
import { defineOp, type Kernel, type KernelContext } from '../../kernel.js';
import { sameAsInput } from '../../shape/common.js';
import { floatBuffer, floatData, floatTensor } from '../util/float-io.js';
import { checkSize, type FloatArray, floatInput, prod, stashType } from './common.js';

// InstanceNormalization and GroupNormalization share one loop: x is
// (N, C, D...), channels are split into G contiguous groups, and each
// (n, group) block is normalized with its own mean and variance.
// InstanceNormalization is the case G = C.

function normalizeGroups(
  X: FloatArray,
  Y: FloatArray,
  N: number,
  C: number,
  G: number,
  inner: number,
  S: FloatArray,
  B: FloatArray,
  perGroupParams: boolean,
  eps: number,
): void {
  const cpg = C / G;
  const block = cpg * inner;
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      const base = (n * G + g) * block;
      const end = base + block;
      let s = 0;
      for (let i = base; i < end; i++) s += X[i]!;
      const mean = s / block;
      let q = 0;
      for (let i = base; i < end; i++) {
        const d = X[i]! - mean;
        q += d * d;
      }
      const inv = 1 / Math.sqrt(q / block + eps);
      for (let k = 0; k < cpg; k++) {
        const c = g * cpg + k;
        const p = perGroupParams ? g : c;
        const a = inv * S[p]!;
        const b = B[p]! - mean * a;
        const start = base + k * inner;
        for (let j = start, e = start + inner; j < e; j++) Y[j] = X[j]! * a + b;
      }
    }
  }
}

function channels(dims: readonly number[], op: string): { N: number; C: number; inner: number } {
  if (dims.length < 2)
    throw new ShapeError(`${op}: input must have rank >= 2 (N, C, ...), got [${dims.join(',')}]`);
  return { N: dims[0]!, C: dims[1]!, inner: prod(dims, 2) };
}

function instanceNorm(ctx: KernelContext): Kernel {
  const op = 'InstanceNormalization';
  const eps = ctx.float('epsilon', 1e-5);
  return (inputs) => {
    const x = floatInput(inputs, 0, op, 'input');
    const scale = floatInput(inputs, 1, op, 'scale');
    const bias = floatInput(inputs, 2, op, 'B');
    const { N, C, inner } = channels(x.dims, op);
    checkSize(scale, C, op, 'scale');
    checkSize(bias, C, op, 'B');
    const Y = floatBuffer(x.type, x.size);
    normalizeGroups(floatData(x), Y, N, C, C, inner, floatData(scale), floatData(bias), false, eps);
    return [floatTensor(x.type, Y, x.dims)];
  };
}

function groupNorm(ctx: KernelContext): Kernel {
  const op = 'GroupNormalization';
  const eps = ctx.float('epsilon', 1e-5);
  const G = ctx.int('num_groups');
  if (G <= 0) ctx.fail(`num_groups must be positive, got ${G}`);
  // Opset 18 has one scale/bias per group; opset 21 one per channel.
  const perGroup = ctx.opset < 21;
  if (!perGroup) stashType(ctx);
  return (inputs) => {
    const x = floatInput(inputs, 0, op, 'X');
    const scale = floatInput(inputs, 1, op, 'scale');
    const bias = floatInput(inputs, 2, op, 'bias');
    const { N, C, inner } = channels(x.dims, op);
    if (C % G !== 0) throw new ShapeError(`${op}: ${C} channels do not split into ${G} groups`);
    const count = perGroup ? G : C;
    checkSize(scale, count, op, 'scale');
    checkSize(bias, count, op, 'bias');
    const Y = floatBuffer(x.type, x.size);
    normalizeGroups(floatData(x), Y, N, C, G, inner, floatData(scale), floatData(bias), perGroup, eps);
    return [floatTensor(x.type, Y, x.dims)];
  };
}

export const GROUP_NORMALIZATION = [
  defineOp('InstanceNormalization', '1+', instanceNorm, '', sameAsInput()),
  defineOp('GroupNormalization', '18+', groupNorm, '', sameAsInput()),
];
