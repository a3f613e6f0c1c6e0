import { ShapeError } from '@zai/common';
import { normalizeAxis, type Tensor } from '@zai/tensor-core';
import { defineOp } from '../../kernel.js';
import {
  concatAxis,
  expectSequence,
  expectTensor,
  integers,
  sliceAxis,
  stackAxis,
  takeAxis,
} from './layout.js';
import { concatFromSequenceType, splitToSequenceType } from './types.js';

// Moving between a tensor and a sequence of its pieces (opset 11+).

/** The chunk lengths a `split` input asks for, along an axis of length `dim`. */
function chunkLengths(split: Tensor, dim: number): number[] {
  const values = integers(split, 'split');
  if (split.dims.length === 0) {
    // a scalar is a chunk size; the last chunk takes the remainder
    const k = values[0]!;
    if (k <= 0) throw new ShapeError(`split ${k} must be positive`);
    const out: number[] = [];
    for (let start = 0; start < dim; start += k) out.push(Math.min(k, dim - start));
    return out;
  }
  if (split.dims.length !== 1)
    throw new ShapeError(`split must be a scalar or 1-D, got shape [${split.dims}]`);
  let sum = 0;
  for (const v of values) {
    if (v < 0) throw new ShapeError(`split lengths must not be negative, got [${values}]`);
    sum += v;
  }
  if (sum !== dim)
    throw new ShapeError(`split lengths [${values}] sum to ${sum}, but the axis has length ${dim}`);
  return values;
}

export const SPLIT_TO_SEQUENCE = defineOp(
  'SplitToSequence',
  '11+',
  (ctx) => {
    const axisAttr = ctx.int('axis', 0);
    const keepdims = ctx.int('keepdims', 1) !== 0;
    return (inputs) => {
      const x = expectTensor(inputs[0], 'SplitToSequence input');
      const axis = normalizeAxis(axisAttr, x.dims.length);
      const dim = x.dims[axis]!;
      if (inputs[1] == null) {
        // no split: one piece per index, the axis dropped unless keepdims
        const pieces = Array.from({ length: dim }, (_, i) =>
          keepdims ? sliceAxis(x, axis, i, 1) : takeAxis(x, axis, i),
        );
        return [pieces];
      }
      const lengths = chunkLengths(expectTensor(inputs[1], 'SplitToSequence split'), dim);
      let start = 0;
      const pieces = lengths.map((len) => {
        const piece = sliceAxis(x, axis, start, len);
        start += len;
        return piece;
      });
      return [pieces];
    };
  },
  '',
  splitToSequenceType,
);

export const CONCAT_FROM_SEQUENCE = defineOp(
  'ConcatFromSequence',
  '11+',
  (ctx) => {
    const axisAttr = ctx.int('axis');
    const newAxis = ctx.int('new_axis', 0) === 1;
    return (inputs) => {
      const seq = expectSequence(inputs[0], 'ConcatFromSequence input_sequence');
      if (seq.length === 0)
        throw new ShapeError('ConcatFromSequence needs at least one tensor in the sequence');
      const tensors = seq.map((v, i) => expectTensor(v, `sequence element ${i}`));
      const rank = tensors[0]!.dims.length;
      // with new_axis the result has one more dim, so the axis may also be `rank`
      if (newAxis) return [stackAxis(tensors, normalizeAxis(axisAttr, rank + 1))];
      if (rank === 0) throw new ShapeError('ConcatFromSequence cannot concatenate scalars without new_axis');
      return [concatAxis(tensors, normalizeAxis(axisAttr, rank))];
    };
  },
  '',
  concatFromSequenceType,
);
