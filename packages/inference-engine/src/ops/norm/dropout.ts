import { InvalidArgumentError } from '@zai/common';
import { isTensor, Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { floatBuffer, floatData, floatTensor } from '../util/float-io.js';
import { floatInput } from './common.js';

// Dropout. Before opset 12 the ratio is an attribute and the runtime is in
// inference (test) mode, so the op is an identity; the mask is all ones (type
// T before opset 10, bool after). From opset 12, `ratio` and `training_mode`
// are inputs: only training_mode = true with ratio > 0 drops anything, using
// output = x * mask / (1 - ratio). The random stream is this runtime's own
// (seeded by the `seed` attribute when given), so it cannot reproduce other
// runtimes' masks.

/** mulberry32: a small, fast, seedable 32-bit generator; returns [0, 1). */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function copy(x: Tensor): Tensor {
  return new Tensor(x.type, x.data.slice() as typeof x.data, x.dims);
}

function ones(x: Tensor, type: 'bool' | 'T'): Tensor {
  if (type === 'bool') return new Tensor('bool', new Uint8Array(x.size).fill(1), x.dims);
  const o = floatBuffer(x.type, x.size).fill(1);
  return floatTensor(x.type, o, x.dims);
}

function create(ctx: KernelContext): Kernel {
  const op = 'Dropout';
  const legacy = ctx.opset < 12;
  const maskType = ctx.opset < 10 ? 'T' : 'bool';
  const wantMask = ctx.hasOutput(1);
  const random = generator(ctx.has('seed') ? ctx.int('seed') : (Math.random() * 2 ** 32) >>> 0);
  return (inputs) => {
    const x = floatInput(inputs, 0, op, 'data');
    let training = false;
    let ratio = 0.5;
    if (!legacy) {
      const r = inputs[1];
      if (isTensor(r)) ratio = floatData(floatInput(inputs, 1, op, 'ratio'))[0]!;
      const t = inputs[2];
      if (isTensor(t)) {
        if (t.type !== 'bool' || t.size !== 1) {
          throw new InvalidArgumentError(
            `${op}: training_mode must be a bool scalar, got ${t.type} [${t.dims}]`,
          );
        }
        training = (t.data as Uint8Array)[0] !== 0;
      }
    }
    if (!training || ratio === 0) return [copy(x), wantMask ? ones(x, maskType) : undefined];
    if (!(ratio >= 0 && ratio < 1))
      throw new InvalidArgumentError(`${op}: ratio must be in [0, 1), got ${ratio}`);
    const X = floatData(x);
    const Y = floatBuffer(x.type, x.size);
    const mask = new Uint8Array(x.size);
    const scale = 1 / (1 - ratio);
    for (let i = 0; i < x.size; i++) {
      if (random() >= ratio) {
        mask[i] = 1;
        Y[i] = X[i]! * scale;
      }
    }
    return [floatTensor(x.type, Y, x.dims), wantMask ? new Tensor('bool', mask, x.dims) : undefined];
  };
}

/** Output like the input; the mask has its shape, bool from opset 10 (the input's type before). */
const dropoutShape: ShapeFn = (ctx) => {
  const y = ctx.input(0) ?? null;
  const elem = ctx.opset >= 10 ? 'bool' : ctx.elemType(0);
  return [y, elem ? tensorType(elem, ctx.shape(0)) : null];
};

export const DROPOUT = [defineOp('Dropout', '1+', create, '', dropoutShape)];
