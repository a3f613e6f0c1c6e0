import { ShapeError } from '@zai/common';
import { normalizeAxis } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext } from '../../kernel.js';
import { sameAsInput } from '../../shape/common.js';
import { floatBuffer, floatData, floatTensor } from '../util/float-io.js';
import { type FloatArray, floatInput, prod } from './common.js';

// Softmax, LogSoftmax and Hardmax over a tensor seen as [outer, n, inner],
// reducing over n. Opset < 13 coerces the input to 2-D at `axis` (n is the
// product of the trailing dims, inner = 1); opset 13+ reduces one axis.

export type Mode = 0 | 1 | 2;
export const Mode = { Softmax: 0, LogSoftmax: 1, Hardmax: 2 } as const;

/** Contiguous case (inner = 1): each row of n values is independent. */
function rows(x: FloatArray, y: FloatArray, outer: number, n: number, mode: Mode): void {
  for (let o = 0, base = 0; o < outer; o++, base += n) {
    const end = base + n;
    let max = Number.NEGATIVE_INFINITY;
    let arg = base;
    for (let i = base; i < end; i++) {
      const v = x[i]!;
      if (v > max) {
        max = v;
        arg = i;
      }
    }
    if (mode === Mode.Hardmax) {
      // y is freshly zeroed; the first maximum wins ties.
      if (n > 0) y[arg] = 1;
      continue;
    }
    let sum = 0;
    if (mode === Mode.Softmax) {
      for (let i = base; i < end; i++) {
        const e = Math.exp(x[i]! - max);
        y[i] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let i = base; i < end; i++) y[i] = y[i]! * inv;
    } else {
      for (let i = base; i < end; i++) sum += Math.exp(x[i]! - max);
      const shift = max + Math.log(sum);
      for (let i = base; i < end; i++) y[i] = x[i]! - shift;
    }
  }
}

/** Strided case: walks each [n, inner] block row by row, keeping per-column state, so reads stay sequential. */
function strided(x: FloatArray, y: FloatArray, outer: number, n: number, inner: number, mode: Mode): void {
  const max = new Float64Array(inner);
  const sum = new Float64Array(inner);
  const arg = new Int32Array(inner);
  const block = n * inner;
  for (let o = 0; o < outer; o++) {
    const base = o * block;
    max.fill(Number.NEGATIVE_INFINITY);
    arg.fill(0);
    for (let i = 0; i < n; i++) {
      const row = base + i * inner;
      for (let j = 0; j < inner; j++) {
        const v = x[row + j]!;
        if (v > max[j]!) {
          max[j] = v;
          arg[j] = i;
        }
      }
    }
    if (mode === Mode.Hardmax) {
      if (n > 0) for (let j = 0; j < inner; j++) y[base + arg[j]! * inner + j] = 1;
      continue;
    }
    sum.fill(0);
    for (let i = 0; i < n; i++) {
      const row = base + i * inner;
      for (let j = 0; j < inner; j++) {
        const e = Math.exp(x[row + j]! - max[j]!);
        if (mode === Mode.Softmax) y[row + j] = e;
        sum[j] += e;
      }
    }
    if (mode === Mode.Softmax) {
      for (let j = 0; j < inner; j++) sum[j] = 1 / sum[j]!;
      for (let i = 0; i < n; i++) {
        const row = base + i * inner;
        for (let j = 0; j < inner; j++) y[row + j] = y[row + j]! * sum[j]!;
      }
    } else {
      for (let j = 0; j < inner; j++) sum[j] = max[j]! + Math.log(sum[j]!);
      for (let i = 0; i < n; i++) {
        const row = base + i * inner;
        for (let j = 0; j < inner; j++) y[row + j] = x[row + j]! - sum[j]!;
      }
    }
  }
}

/** Softmax-family over [outer, n, inner]; `y` must be zeroed for Hardmax. */
export function softmaxInto(
  x: FloatArray,
  y: FloatArray,
  outer: number,
  n: number,
  inner: number,
  mode: Mode,
): void {
  if (inner === 1) rows(x, y, outer, n, mode);
  else strided(x, y, outer, n, inner, mode);
}

function create(mode: Mode, op: string) {
  return (ctx: KernelContext): Kernel => {
    const legacy = ctx.opset < 13;
    const axisAttr = ctx.int('axis', legacy ? 1 : -1);
    return (inputs) => {
      const x = floatInput(inputs, 0, op, 'input');
      const dims = x.dims;
      const r = dims.length;
      let outer: number;
      let n: number;
      let inner: number;
      if (legacy) {
        // Coerced to 2-D [prod(dims[:axis]), prod(dims[axis:])]; axis may equal the rank.
        const a = axisAttr < 0 ? axisAttr + r : axisAttr;
        if (a < 0 || a > r) throw new ShapeError(`${op}: axis ${axisAttr} is out of range for rank ${r}`);
        outer = prod(dims, 0, a);
        n = prod(dims, a);
        inner = 1;
      } else {
        const a = normalizeAxis(axisAttr, r, `${op} axis`);
        outer = prod(dims, 0, a);
        n = r === 0 ? 1 : dims[a]!;
        inner = prod(dims, a + 1);
      }
      const y = floatBuffer(x.type, x.size);
      softmaxInto(floatData(x), y, outer, n, inner, mode);
      return [floatTensor(x.type, y, dims)];
    };
  };
}

export const SOFTMAX = [
  defineOp('Softmax', '1+', create(Mode.Softmax, 'Softmax'), '', sameAsInput()),
  defineOp('LogSoftmax', '1+', create(Mode.LogSoftmax, 'LogSoftmax'), '', sameAsInput()),
  defineOp('Hardmax', '1+', create(Mode.Hardmax, 'Hardmax'), '', sameAsInput()),
];
