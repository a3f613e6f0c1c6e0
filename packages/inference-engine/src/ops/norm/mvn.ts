import { ShapeError } from '@zai/common';
import { normalizeAxis } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext } from '../../kernel.js';
import { sameAsInput } from '../../shape/common.js';
import { floatBuffer, floatData, floatTensor } from '../util/float-io.js';
import { floatInput, prod } from './common.js';

// MeanVarianceNormalization (9, 13): y = (x - E[x]) / (sqrt(Var[x]) + 1e-9)
// with E and Var over `axes` (the epsilon is the one ONNX's function body adds
// to the standard deviation). LpNormalization (1, 22): y = x / ||x||_p along
// one axis, 0 where the norm is 0.

const MVN_EPSILON = 1e-9;

/** For each element, the flat index of its position over the kept (non-reduced) dims. */
function groupIds(dims: readonly number[], reduced: readonly boolean[]): { ids: Int32Array; groups: number } {
  const r = dims.length;
  const keptStride = new Array<number>(r).fill(0);
  let groups = 1;
  for (let d = r - 1; d >= 0; d--) {
    if (!reduced[d]) {
      keptStride[d] = groups;
      groups *= dims[d]!;
    }
  }
  const size = prod(dims);
  const ids = new Int32Array(size);
  const idx = new Int32Array(r);
  let g = 0;
  for (let i = 0; i < size; i++) {
    ids[i] = g;
    for (let d = r - 1; d >= 0; d--) {
      g += keptStride[d]!;
      if (++idx[d]! < dims[d]!) break;
      g -= keptStride[d]! * dims[d]!;
      idx[d] = 0;
    }
  }
  return { ids, groups };
}

function mvn(ctx: KernelContext): Kernel {
  const op = 'MeanVarianceNormalization';
  const axes = ctx.ints('axes', [0, 2, 3]);
  return (inputs) => {
    const x = floatInput(inputs, 0, op, 'X');
    const dims = x.dims;
    const reduced = new Array<boolean>(dims.length).fill(false);
    for (const a of axes) reduced[normalizeAxis(a, dims.length, `${op} axis`)] = true;
    const { ids, groups } = groupIds(dims, reduced);
    const count = groups === 0 ? 0 : x.size / groups;
    const X = floatData(x);
    const mean = new Float64Array(groups);
    const den = new Float64Array(groups);
    for (let i = 0; i < x.size; i++) mean[ids[i]!] += X[i]!;
    for (let g = 0; g < groups; g++) mean[g] = mean[g]! / count;
    for (let i = 0; i < x.size; i++) {
      const d = X[i]! - mean[ids[i]!]!;
      den[ids[i]!] += d * d;
    }
    for (let g = 0; g < groups; g++) den[g] = 1 / (Math.sqrt(den[g]! / count) + MVN_EPSILON);
    const Y = floatBuffer(x.type, x.size);
    for (let i = 0; i < x.size; i++) {
      const g = ids[i]!;
      Y[i] = (X[i]! - mean[g]!) * den[g]!;
    }
    return [floatTensor(x.type, Y, dims)];
  };
}

function lpNorm(ctx: KernelContext): Kernel {
  const op = 'LpNormalization';
  const axisAttr = ctx.int('axis', -1);
  const p = ctx.int('p', 2);
  if (p !== 1 && p !== 2) ctx.fail(`p must be 1 or 2, got ${p}`);
  return (inputs) => {
    const x = floatInput(inputs, 0, op, 'input');
    const dims = x.dims;
    if (dims.length === 0) throw new ShapeError(`${op}: input must have rank >= 1`);
    const axis = normalizeAxis(axisAttr, dims.length, `${op} axis`);
    const outer = prod(dims, 0, axis);
    const n = dims[axis]!;
    const inner = prod(dims, axis + 1);
    const X = floatData(x);
    const Y = floatBuffer(x.type, x.size);
    const norm = new Float64Array(inner);
    for (let o = 0; o < outer; o++) {
      const base = o * n * inner;
      norm.fill(0);
      for (let i = 0; i < n; i++) {
        const row = base + i * inner;
        if (p === 1) for (let j = 0; j < inner; j++) norm[j] += Math.abs(X[row + j]!);
        else
          for (let j = 0; j < inner; j++) {
            const v = X[row + j]!;
            norm[j] += v * v;
          }
      }
      for (let j = 0; j < inner; j++) {
        const v = p === 1 ? norm[j]! : Math.sqrt(norm[j]!);
        norm[j] = v === 0 ? 0 : 1 / v;
      }
      for (let i = 0; i < n; i++) {
        const row = base + i * inner;
        for (let j = 0; j < inner; j++) Y[row + j] = X[row + j]! * norm[j]!;
      }
    }
    return [floatTensor(x.type, Y, dims)];
  };
}

export const MVN = [
  defineOp('MeanVarianceNormalization', '9+', mvn, '', sameAsInput()),
  defineOp('LpNormalization', '1+', lpNorm, '', sameAsInput()),
];
