import { TypeMismatchError } from '@zai/common';
import { allocate, normalizeAxis, Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { floatData, floatTensor, isHalf } from '../util/float-io.js';
import { intScalar, isBig, SMALL_INT_TYPES, splitAt, tensorAt } from './common.js';

// CumSum (11+) and CumProd (26+) along an axis given as a scalar input. The
// input is (outer, n, inner); rows of `inner` contiguous values are combined
// with the previous output row, forward or reversed. Exclusive scans start
// from the identity and combine with the previous input row. Accumulating in
// the output storage rounds / wraps each step as the element type does.

type ScanLoop = (
  X: ArrayLike<unknown>,
  O: { [i: number]: unknown },
  outer: number,
  n: number,
  inner: number,
  exclusive: boolean,
  reverse: boolean,
  id: unknown,
) => void;

const loops = new Map<string, ScanLoop>();

function scanLoop(expr: string): ScanLoop {
  let f = loops.get(expr);
  if (!f) {
    const body = `
      const blk = n * inner;
      for (let o = 0; o < outer; o++) {
        const base = o * blk;
        for (let s = 0; s < n; s++) {
          const row = base + (rev ? n - 1 - s : s) * inner;
          if (s === 0) {
            if (excl) for (let j = 0; j < inner; j++) O[row + j] = id;
            else for (let j = 0; j < inner; j++) O[row + j] = X[row + j];
            continue;
          }
          const prev = rev ? row + inner : row - inner;
          const src = excl ? prev : row;
          for (let j = 0; j < inner; j++) { const a = O[prev + j], x = X[src + j]; O[row + j] = ${expr}; }
        }
      }`;
    f = new Function('X', 'O', 'outer', 'n', 'inner', 'excl', 'rev', 'id', body) as ScanLoop;
    loops.set(expr, f);
  }
  return f;
}

function scanKernel(prod: boolean): (ctx: KernelContext) => Kernel {
  return (ctx) => {
    const op = ctx.node.opType;
    const exclusive = ctx.int('exclusive', 0) !== 0;
    const reverse = ctx.int('reverse', 0) !== 0;
    return (inputs) => {
      const x = tensorAt(inputs, 0, op);
      const axisT = tensorAt(inputs, 1, op);
      const rank = x.dims.length;
      const axis = normalizeAxis(intScalar(axisT, `${ctx.label}: axis`), rank, `${ctx.label}: axis`);
      const [outer, n, inner] = rank === 0 ? [1, 1, 1] : splitAt(x.dims, axis);
      const type = x.type;
      if (type === 'float32' || type === 'float64' || isHalf(type)) {
        // half types scan in float32, like their compute type elsewhere
        const X = floatData(x);
        const O = type === 'float64' ? new Float64Array(x.size) : new Float32Array(x.size);
        scanLoop(prod ? 'a * x' : 'a + x')(X, O, outer, n, inner, exclusive, reverse, prod ? 1 : 0);
        return [floatTensor(type, O, x.dims)];
      }
      if (SMALL_INT_TYPES.has(type)) {
        const O = allocate(type, x.size);
        const expr = prod ? 'Math.imul(a, x)' : 'a + x';
        scanLoop(expr)(x.data as ArrayLike<number>, O, outer, n, inner, exclusive, reverse, prod ? 1 : 0);
        return [new Tensor(type, O, x.dims)];
      }
      if (isBig(type)) {
        const O = allocate(type, x.size);
        scanLoop(prod ? 'a * x' : 'a + x')(
          x.data as ArrayLike<bigint>,
          O,
          outer,
          n,
          inner,
          exclusive,
          reverse,
          prod ? 1n : 0n,
        );
        return [new Tensor(type, O, x.dims)];
      }
      throw new TypeMismatchError(`${ctx.label}: ${op} does not support ${type} input`);
    };
  };
}

const sameShape: ShapeFn = (ctx) => {
  const t = ctx.input(0);
  return [t?.kind === 'tensor' ? t : null];
};

export const CUMULATIVE_ROWS: readonly OperatorDef[] = [
  defineOp('CumSum', '11+', scanKernel(false), '', sameShape),
  defineOp('CumProd', '26+', scanKernel(true), '', sameShape),
];
