import { type DataType, ShapeError, TypeMismatchError } from '@zai/common';
import { broadcastStrides, isTensor, type Tensor } from '@zai/tensor-core';
import type { KernelInputs, NodeView } from '../../kernel.js';
import { isFloat } from '../util/float-io.js';

// Helpers shared by the normalization, softmax and loss kernels.

export type FloatArray = Float32Array | Float64Array;

/** Input i as a float tensor; throws TypeMismatchError naming the op and input otherwise. */
export function floatInput(inputs: KernelInputs, i: number, op: string, name: string): Tensor {
  const t = inputs[i];
  if (!isTensor(t)) throw new TypeMismatchError(`${op}: input '${name}' must be a tensor`);
  if (!isFloat(t.type)) {
    throw new TypeMismatchError(`${op}: input '${name}' must be a float tensor, got ${t.type}`);
  }
  return t;
}

/** An optional input: the tensor, or undefined when omitted. */
export function optionalInput(inputs: KernelInputs, i: number): Tensor | undefined {
  const t = inputs[i];
  return isTensor(t) ? t : undefined;
}

/** Product of dims[from, to). */
export function prod(dims: readonly number[], from = 0, to = dims.length): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= dims[i]!;
  return n;
}

/** The element type a `stash_type` attribute (a TensorProto data type) names. */
export function stashType(ctx: NodeView): DataType {
  const s = ctx.int('stash_type', 1);
  switch (s) {
    case 1:
      return 'float32';
    case 10:
      return 'float16';
    case 11:
      return 'float64';
    case 16:
      return 'bfloat16';
    default:
      return ctx.fail(`stash_type ${s} is not a float type`);
  }
}

/**
 * How a parameter tensor (scale, bias) lines up with x under unidirectional
 * broadcasting, seen as rows of `rowSize` elements starting at axis `from`:
 * `map[off + j]` is the parameter index of row element j, with
 * `off = perRow ? 0 : row * rowSize`. Built once per run, so the inner loops
 * only do a table lookup.
 */
export interface ParamMap {
  readonly map: Int32Array;
  readonly perRow: boolean;
}

export function paramMap(
  p: Tensor,
  xDims: readonly number[],
  from: number,
  op: string,
  name: string,
): ParamMap {
  const r = xDims.length;
  const off = r - p.dims.length;
  let ok = off >= 0;
  for (let i = 0; ok && i < p.dims.length; i++) {
    const d = p.dims[i]!;
    if (d !== 1 && d !== xDims[off + i]) ok = false;
  }
  if (!ok) {
    throw new ShapeError(
      `${op}: '${name}' of shape [${p.dims.join(',')}] does not broadcast to input shape [${xDims.join(',')}]`,
    );
  }
  const s = broadcastStrides(p.dims, xDims);
  let perRow = true;
  for (let i = 0; i < from; i++) if (s[i] !== 0) perRow = false;
  const start = perRow ? from : 0;
  const n = prod(xDims, start);
  const map = new Int32Array(n);
  const rank = r - start;
  if (rank === 0 || n === 0) return { map, perRow };
  const idx = new Int32Array(rank);
  let pi = 0;
  for (let k = 0; k < n; k++) {
    map[k] = pi;
    for (let d = rank - 1; d >= 0; d--) {
      pi += s[start + d]!;
      if (++idx[d]! < xDims[start + d]!) break;
      pi -= s[start + d]! * xDims[start + d]!;
      idx[d] = 0;
    }
  }
  return { map, perRow };
}

/** Throws ShapeError unless parameter `name` holds exactly `count` elements. */
export function checkSize(t: Tensor, count: number, op: string, name: string): void {
  if (t.size !== count) {
    throw new ShapeError(
      `${op}: '${name}' has ${t.size} elements ([${t.dims.join(',')}]), expected ${count}`,
    );
  }
}
