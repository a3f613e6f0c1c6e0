import { ShapeError } from '@zai/common';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { intScalar, outputType, staticInt, tensorInput, typedResult } from './common.js';

// HannWindow, HammingWindow, BlackmanWindow (17): generalized cosine windows
//   w[k] = a0 - a1 cos(2 pi k / N) + a2 cos(4 pi k / N),  k in [0, size)
// with N = size when periodic (default), size - 1 when symmetric. Computed in
// float64, stored as `output_datatype` (default float; integer types convert
// as Cast does). A symmetric window of size 1 is [1], as in NumPy and PyTorch
// (the formula would divide by zero).

interface Coefficients {
  readonly a0: number;
  readonly a1: number;
  readonly a2: number;
}

const HANN: Coefficients = { a0: 0.5, a1: 0.5, a2: 0 };
const HAMMING: Coefficients = { a0: 25 / 46, a1: 21 / 46, a2: 0 };
const BLACKMAN: Coefficients = { a0: 0.42, a1: 0.5, a2: 0.08 };

/** The window values for `size` points. */
export function cosineWindow(c: Coefficients, size: number, periodic: boolean): Float64Array {
  const w = new Float64Array(size);
  const N = periodic ? size : size - 1;
  if (N === 0) {
    w.fill(1);
    return w;
  }
  const step = (2 * Math.PI) / N;
  for (let k = 0; k < size; k++) {
    const a = step * k;
    w[k] = c.a0 - c.a1 * Math.cos(a) + (c.a2 === 0 ? 0 : c.a2 * Math.cos(2 * a));
  }
  return w;
}

function windowKernel(op: string, c: Coefficients): (ctx: KernelContext) => Kernel {
  return (ctx) => {
    const type = outputType(ctx);
    const periodic = ctx.int('periodic', 1) !== 0;
    return (inputs) => {
      const size = intScalar(tensorInput(inputs, 0, op, 'size'), op, 'size');
      if (size < 0) throw new ShapeError(`${ctx.label}: size must be >= 0, got ${size}`);
      return [typedResult(type, cosineWindow(c, size, periodic), [size])];
    };
  };
}

const windowShape: ShapeFn = (ctx) => {
  const size = staticInt(ctx, 0);
  return [tensorType(outputType(ctx), [size ?? ctx.unknownDim()])];
};

export const WINDOWS: readonly OperatorDef[] = [
  defineOp('HannWindow', '17+', windowKernel('HannWindow', HANN), '', windowShape),
  defineOp('HammingWindow', '17+', windowKernel('HammingWindow', HAMMING), '', windowShape),
  defineOp('BlackmanWindow', '17+', windowKernel('BlackmanWindow', BLACKMAN), '', windowShape),
];
