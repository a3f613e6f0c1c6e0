import { ShapeError } from '@zai/common';
import { defineOp, type Kernel, type KernelContext } from '../../kernel.js';
import { sameAsInput } from '../../shape/common.js';
import { floatBuffer, floatData, floatTensor } from '../util/float-io.js';
import { floatInput, prod } from './common.js';

// LRN (1, 13): each element is divided by (bias + alpha / size * sum of
// squares over a window of neighbouring channels) ^ beta. The window for
// channel c is [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)], clipped.

function create(ctx: KernelContext): Kernel {
  const op = 'LRN';
  const alpha = ctx.float('alpha', 1e-4);
  const beta = ctx.float('beta', 0.75);
  const bias = ctx.float('bias', 1);
  const size = ctx.int('size');
  if (size <= 0) ctx.fail(`size must be positive, got ${size}`);
  const before = Math.floor((size - 1) / 2);
  const after = Math.ceil((size - 1) / 2);
  const k = alpha / size;
  return (inputs) => {
    const x = floatInput(inputs, 0, op, 'X');
    const dims = x.dims;
    if (dims.length < 2)
      throw new ShapeError(`${op}: input must have rank >= 2 (N, C, ...), got [${dims.join(',')}]`);
    const N = dims[0]!;
    const C = dims[1]!;
    const inner = prod(dims, 2);
    const X = floatData(x);
    const Y = floatBuffer(x.type, x.size);
    const block = C * inner;
    const sq = new Float64Array(block);
    const acc = new Float64Array(inner);
    for (let n = 0; n < N; n++) {
      const base = n * block;
      for (let i = 0; i < block; i++) {
        const v = X[base + i]!;
        sq[i] = v * v;
      }
      for (let c = 0; c < C; c++) {
        acc.fill(0);
        const lo = Math.max(0, c - before);
        const hi = Math.min(C - 1, c + after);
        for (let i = lo; i <= hi; i++) {
          const row = i * inner;
          for (let j = 0; j < inner; j++) acc[j] += sq[row + j]!;
        }
        const row = base + c * inner;
        for (let j = 0; j < inner; j++) Y[row + j] = X[row + j]! / (bias + k * acc[j]!) ** beta;
      }
    }
    return [floatTensor(x.type, Y, dims)];
  };
}

export const LRN = [defineOp('LRN', '1+', create, '', sameAsInput())];
