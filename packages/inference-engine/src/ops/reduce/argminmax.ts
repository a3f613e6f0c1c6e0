import { type Dim, ShapeError, TypeMismatchError } from '@zai/common';
import { normalizeAxis, Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { floatData, isFloat } from '../util/float-io.js';
import { isBig, SMALL_INT_TYPES, splitAt, tensorAt } from './common.js';

// ArgMax / ArgMin over one axis, int64 indices. The input is viewed as
// (outer, n, inner); each outer block keeps a row of `inner` best values and
// walks the n rows contiguously. Ties keep the first index unless
// select_last_index (opset 12+) asks for the last one.

type ArgLoop = (
  X: ArrayLike<unknown>,
  best: { [i: number]: unknown },
  idx: Int32Array,
  out: Int32Array,
  outer: number,
  n: number,
  inner: number,
) => void;

const loops = new Map<string, ArgLoop>();

/** A loop where `cmp` over (x, b) says x replaces the current best b. */
function argLoop(cmp: string): ArgLoop {
  let f = loops.get(cmp);
  if (!f) {
    const body = `
      if (inner === 1) {
        // innermost axis: a scalar scan per row
        for (let o = 0; o < outer; o++) {
          const base = o * n;
          let b = X[base], bi = 0;
          for (let k = 1; k < n; k++) { const x = X[base + k]; if (${cmp}) { b = x; bi = k; } }
          out[2 * o] = bi;
        }
        return;
      }
      for (let o = 0; o < outer; o++) {
        const base = o * n * inner;
        for (let j = 0; j < inner; j++) { B[j] = X[base + j]; I[j] = 0; }
        for (let k = 1; k < n; k++) {
          const row = base + k * inner;
          for (let j = 0; j < inner; j++) {
            const x = X[row + j], b = B[j];
            if (${cmp}) { B[j] = x; I[j] = k; }
          }
        }
        // int64 output written as its low 32-bit word (little-endian), high word 0
        const ob = 2 * o * inner;
        for (let j = 0; j < inner; j++) out[ob + 2 * j] = I[j];
      }`;
    f = new Function('X', 'B', 'I', 'out', 'outer', 'n', 'inner', body) as ArgLoop;
    loops.set(cmp, f);
  }
  return f;
}

function compare(max: boolean, last: boolean): string {
  if (max) return last ? 'x >= b' : 'x > b';
  return last ? 'x <= b' : 'x < b';
}

function argKernel(max: boolean): (ctx: KernelContext) => Kernel {
  return (ctx) => {
    const op = ctx.node.opType;
    const axisAttr = ctx.int('axis', 0);
    const keepdims = ctx.int('keepdims', 1) !== 0;
    const last = ctx.opset >= 12 && ctx.int('select_last_index', 0) !== 0;
    const loop = argLoop(compare(max, last));
    return (inputs) => {
      const x = tensorAt(inputs, 0, op);
      const axis = normalizeAxis(axisAttr, x.dims.length, `${ctx.label}: axis`);
      const rank = x.dims.length;
      const [outer, n, inner] = rank === 0 ? [1, 1, 1] : splitAt(x.dims, axis);
      const outDims = x.dims.slice();
      if (rank > 0) {
        if (keepdims) outDims[axis] = 1;
        else outDims.splice(axis, 1);
      }
      const out = new BigInt64Array(outer * inner);
      if (out.length > 0) {
        if (n === 0) throw new ShapeError(`${ctx.label}: ${op} over an empty axis ${axis} has no result`);
        let X: ArrayLike<unknown>;
        let best: { [i: number]: unknown };
        if (isFloat(x.type)) {
          X = floatData(x);
          best = new Float64Array(inner);
        } else if (SMALL_INT_TYPES.has(x.type) || x.type === 'bool') {
          X = x.data as ArrayLike<number>;
          best = new Float64Array(inner);
        } else if (isBig(x.type)) {
          X = x.data as ArrayLike<bigint>;
          best = x.type === 'int64' ? new BigInt64Array(inner) : new BigUint64Array(inner);
        } else throw new TypeMismatchError(`${ctx.label}: ${op} does not support ${x.type} input`);
        const words = new Int32Array(out.buffer);
        loop(X, best, new Int32Array(inner), words, outer, n, inner);
      }
      return [new Tensor('int64', out, outDims)];
    };
  };
}

const argShape: ShapeFn = (ctx) => {
  const shape = ctx.shape(0);
  if (!shape) return [{ kind: 'tensor', elemType: 'int64' }];
  const rank = shape.length;
  const axisAttr = ctx.int('axis', 0);
  const axis = normalizeAxis(axisAttr, rank, `${ctx.label}: axis`);
  const out: Dim[] = shape.slice();
  if (rank > 0) {
    if (ctx.int('keepdims', 1) !== 0) out[axis] = 1;
    else out.splice(axis, 1);
  }
  return [{ kind: 'tensor', elemType: 'int64', shape: out }];
};

export const ARG_ROWS: readonly OperatorDef[] = [
  defineOp('ArgMax', '1+', argKernel(true), '', argShape),
  defineOp('ArgMin', '1+', argKernel(false), '', argShape),
];
