import type { Dim } from '@zai/common';
import { ShapeError, TypeMismatchError } from '@zai/common';
import { isTensor, sizeOf, type Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { allocElems, copyRun, elems, fmt, fromElems, intValues, optionalAt, tensorAt } from './common.js';

// Concat and Split move whole rows: below the axis, each input (output) is a
// contiguous run per outer index, copied as a block.

function concat(ctx: KernelContext): Kernel {
  const axis = ctx.opset < 4 ? ctx.int('axis', 1) : ctx.int('axis');
  return (inputs) => {
    const xs = inputs.filter(isTensor);
    if (xs.length === 0) throw new ShapeError('Concat needs at least one input');
    const first = xs[0]!;
    const r = first.dims.length;
    if (axis < -r || axis >= r) throw new ShapeError(`Concat: axis ${axis} is out of range for rank ${r}`);
    const a = axis < 0 ? axis + r : axis;
    let total = 0;
    for (const x of xs) {
      if (x.type !== first.type)
        throw new TypeMismatchError(`Concat inputs must share a type, got ${first.type} and ${x.type}`);
      const ok = x.dims.length === r && x.dims.every((d, i) => i === a || d === first.dims[i]);
      if (!ok)
        throw new ShapeError(`Concat: cannot join ${fmt(x.dims)} with ${fmt(first.dims)} on axis ${a}`);
      total += x.dims[a]!;
    }
    const dims = first.dims.slice();
    dims[a] = total;
    const outer = sizeOf(first.dims.slice(0, a));
    const inner = sizeOf(first.dims.slice(a + 1));
    const out = allocElems(first.type, sizeOf(dims));
    const row = total * inner;
    let col = 0;
    for (const x of xs) {
      const chunk = x.dims[a]! * inner;
      if (chunk > 0) {
        const src = elems(x);
        if (outer === 1) copyRun(src, 0, out, col, chunk);
        else for (let o = 0; o < outer; o++) copyRun(src, o * chunk, out, o * row + col, chunk);
      }
      col += chunk;
    }
    return [fromElems(first.type, out, dims)];
  };
}

/** Sizes of the split parts along the axis. */
function splitSizes(
  dim: number,
  count: number,
  split: readonly number[] | undefined,
  chunked: boolean,
): number[] {
  if (split) {
    if (split.length !== count) throw new ShapeError(`Split: ${split.length} sizes for ${count} outputs`);
    const sum = split.reduce((s, v) => s + v, 0);
    if (sum !== dim || split.some((v) => v < 0)) {
      throw new ShapeError(`Split: sizes [${split.join(',')}] do not add up to the axis length ${dim}`);
    }
    return split.slice();
  }
  if (chunked) {
    // opset 18 num_outputs: equal chunks of ceil(dim / n), the last one smaller
    const c = Math.ceil(dim / count);
    return Array.from({ length: count }, (_, i) => Math.max(0, Math.min(c, dim - i * c)));
  }
  if (dim % count !== 0)
    throw new ShapeError(`Split: axis length ${dim} does not split evenly into ${count} outputs`);
  return new Array<number>(count).fill(dim / count);
}

/** Splits `x` along `axis` into parts of the given sizes. */
export function splitTensor(x: Tensor, axis: number, sizes: readonly number[]): Tensor[] {
  const a = axis;
  const outer = sizeOf(x.dims.slice(0, a));
  const inner = sizeOf(x.dims.slice(a + 1));
  const row = x.dims[a]! * inner;
  const src = elems(x);
  let col = 0;
  return sizes.map((s) => {
    const chunk = s * inner;
    const dims = x.dims.slice();
    dims[a] = s;
    const out = allocElems(x.type, outer * chunk);
    if (chunk > 0) for (let o = 0; o < outer; o++) copyRun(src, o * row + col, out, o * chunk, chunk);
    col += chunk;
    return fromElems(x.type, out, dims);
  });
}

function split(ctx: KernelContext): Kernel {
  const axis = ctx.int('axis', 0);
  const attrSplit = ctx.opset < 13 && ctx.has('split') ? ctx.ints('split') : undefined;
  const numOutputs = ctx.opset >= 18 && ctx.has('num_outputs') ? ctx.int('num_outputs') : undefined;
  const count = ctx.outputCount;
  if (numOutputs !== undefined && numOutputs !== count) {
    ctx.fail(`Split: num_outputs is ${numOutputs} but the node has ${count} outputs`);
  }
  // the split sizes come from an input at opset 1 (optionally) and 13+
  const splitInput = ctx.opset >= 13 || (ctx.opset < 2 && !attrSplit);
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Split');
    const r = x.dims.length;
    if (axis < -r || axis >= r) throw new ShapeError(`Split: axis ${axis} is out of range for rank ${r}`);
    const a = axis < 0 ? axis + r : axis;
    const s = splitInput ? optionalAt(inputs, 1) : undefined;
    const sizes = splitSizes(
      x.dims[a]!,
      count,
      s ? intValues(s, 'Split split') : attrSplit,
      numOutputs !== undefined,
    );
    return splitTensor(x, a, sizes);
  };
}

/** Each output is the input with the axis dim set to its part: given sizes, num_outputs chunks or equal parts. */
const splitShape: ShapeFn = (ctx) => {
  const count = ctx.outputCount;
  const elem = ctx.elemType(0);
  const s = ctx.shape(0);
  if (!elem) return new Array(count).fill(null);
  if (!s) return new Array(count).fill(tensorType(elem));
  const r = s.length;
  const axis = ctx.int('axis', 0);
  const a = axis < 0 ? axis + r : axis;
  const splitInput = ctx.opset >= 13 || (ctx.opset < 2 && !ctx.has('split'));
  let sizes: Dim[] | undefined;
  if (splitInput && ctx.hasInput(1)) {
    const v = ctx.value(1);
    sizes = v ? intValues(v, 'Split split') : undefined;
  } else if (!splitInput && ctx.has('split')) sizes = ctx.ints('split');
  else {
    const d = s[a];
    const chunked = ctx.opset >= 18 && ctx.has('num_outputs');
    if (typeof d === 'number') sizes = splitSizes(d, count, undefined, chunked);
    else if (count === 1) sizes = [d ?? ctx.unknownDim()];
  }
  return Array.from({ length: count }, (_, i) => {
    const dims = s.slice();
    dims[a] = sizes?.[i] ?? ctx.unknownDim();
    return tensorType(elem, dims);
  });
};

export const CONCAT_OPS = [defineOp('Concat', '1+', concat), defineOp('Split', '1+', split, '', splitShape)];
