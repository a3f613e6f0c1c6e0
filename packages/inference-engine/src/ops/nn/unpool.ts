import { type Dim, ShapeError, TypeMismatchError } from '@zai/common';
import { defineOp, type Kernel, type KernelContext, type ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { floatBuffer, floatData, floatTensor, isFloat } from '../util/float-io.js';
import { numbers, optionalTensor, product, tensorInput } from './conv-util.js';
import type { FloatArray } from './gemm-core.js';

// MaxUnpool (9, 11, 22): scatters X into a zero tensor at MaxPool's flat
// indices. The output shape is the explicit output_shape input, else the
// inverse of the pooling window arithmetic.

function create(ctx: KernelContext): Kernel {
  if (!ctx.has('kernel_shape')) ctx.fail('MaxUnpool needs kernel_shape');
  const kernel = ctx.ints('kernel_shape');
  const n = kernel.length;
  const strides = ctx.ints('strides', new Array<number>(n).fill(1));
  const pads = ctx.ints('pads', new Array<number>(2 * n).fill(0));
  if (strides.length !== n || pads.length !== 2 * n) ctx.fail(`strides/pads do not match ${n} spatial axes`);
  return (inputs) => {
    const x = tensorInput(inputs, 0, 'MaxUnpool', 'X');
    const idx = tensorInput(inputs, 1, 'MaxUnpool', 'I');
    const shape = optionalTensor(inputs, 2);
    if (!isFloat(x.type)) throw new TypeMismatchError(`MaxUnpool: X must be a float tensor, got ${x.type}`);
    if (idx.size !== x.size) {
      throw new ShapeError(`MaxUnpool: I [${idx.dims.join(',')}] must have X's shape [${x.dims.join(',')}]`);
    }
    if (x.dims.length !== n + 2)
      throw new ShapeError(`MaxUnpool: X [${x.dims.join(',')}] must have rank ${n + 2}`);
    // Indices address the inferred (inverse pooling) shape; an explicit
    // output_shape then receives that block at its origin, zero elsewhere.
    const inferred = [x.dims[0]!, x.dims[1]!];
    for (let i = 0; i < n; i++) {
      inferred.push((x.dims[i + 2]! - 1) * strides[i]! + kernel[i]! - pads[i]! - pads[i + n]!);
    }
    const size = product(inferred);
    const X = floatData(x);
    const Y = floatBuffer(x.type, size);
    const I = numbers(idx);
    for (let i = 0; i < x.size; i++) {
      const at = I[i]!;
      if (at < 0 || at >= size)
        throw new ShapeError(`MaxUnpool: index ${at} is outside the output of ${size} elements`);
      Y[at] = X[i]!;
    }
    if (!shape) return [floatTensor(x.type, Y, inferred)];
    const outDims = Array.from(numbers(shape));
    if (outDims.length !== inferred.length) {
      throw new ShapeError(
        `MaxUnpool: output_shape [${outDims.join(',')}] must have rank ${inferred.length}`,
      );
    }
    return [floatTensor(x.type, placeAtOrigin(Y, inferred, outDims), outDims)];
  };
}

/** Copies src (dims `from`) into a zero tensor of dims `to`, aligned at index 0 on every axis. */
function placeAtOrigin(src: FloatArray, from: readonly number[], to: readonly number[]): FloatArray {
  const dst = src instanceof Float64Array ? new Float64Array(product(to)) : new Float32Array(product(to));
  const r = from.length;
  const rows = product(from, 0, r - 1);
  const len = Math.min(from[r - 1]!, to[r - 1]!);
  const idx = new Array<number>(r - 1).fill(0);
  for (let row = 0; row < rows; row++) {
    let inside = true;
    let s = 0;
    let d = 0;
    for (let a = 0; a < r - 1; a++) {
      if (idx[a]! >= to[a]!) inside = false;
      s = s * from[a]! + idx[a]!;
      d = d * to[a]! + idx[a]!;
    }
    if (inside) dst.set(src.subarray(s * from[r - 1]!, s * from[r - 1]! + len), d * to[r - 1]!);
    for (let a = r - 2; a >= 0; a--) {
      if (++idx[a]! < from[a]!) break;
      idx[a] = 0;
    }
  }
  return dst;
}

/** Y is the constant output_shape input, else the inverse pooling window of X's spatial dims. */
const inferTypes: ShapeFn = (ctx) => {
  const type = ctx.elemType(0);
  if (!type) return [null];
  if (ctx.hasInput(2)) {
    const v = ctx.value(2);
    if (v) return [tensorType(type, Array.from(numbers(v)))];
    const len = ctx.shape(2)?.[0];
    return [
      tensorType(
        type,
        typeof len === 'number' ? Array.from({ length: len }, () => ctx.unknownDim()) : undefined,
      ),
    ];
  }
  const x = ctx.shape(0);
  if (!x) return [tensorType(type)];
  const kernel = ctx.ints('kernel_shape');
  const n = kernel.length;
  if (x.length !== n + 2) ctx.fail(`X must have rank ${n + 2}, got ${x.length}`);
  const strides = ctx.ints('strides', new Array<number>(n).fill(1));
  const pads = ctx.ints('pads', new Array<number>(2 * n).fill(0));
  const spatial = x.slice(2).map((d, i): Dim => {
    const rest = kernel[i]! - pads[i]! - pads[i + n]!;
    if (typeof d === 'number') return (d - 1) * strides[i]! + rest;
    return strides[i] === 1 && rest === 1 ? d : ctx.unknownDim();
  });
  return [tensorType(type, [x[0]!, x[1]!, ...spatial])];
};

export const MAX_UNPOOL_OPS = [defineOp('MaxUnpool', '9+', create, '', inferTypes)];
