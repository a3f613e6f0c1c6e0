import { type DataType, ShapeError, TypeMismatchError } from '@zai/common';
import { allocate, Tensor } from '@zai/tensor-core';
import {
  defineOp,
  type Kernel,
  type KernelContext,
  type KernelInputs,
  type OperatorDef,
} from '../../kernel.js';
import { unaryLoop } from '../util/elementwise.js';
import { floatData, floatTensor, isFloat, isHalf } from '../util/float-io.js';
import { BIGINT_TYPES, INT32_TYPES, optionalTensor, sameAsInput, tensorInput } from './common.js';

// Clip: min(max(x, lo), hi). When lo > hi every element becomes hi, as the
// spec asks; NaN passes through (both comparisons are false).
const CLIP = 'x < p.lo ? (p.lo > p.hi ? p.hi : p.lo) : x > p.hi ? p.hi : x';

const FLT_MAX = 3.4028234663852886e38;

interface Bounds {
  lo: number | bigint;
  hi: number | bigint;
}

function clipTensor(x: Tensor, b: Bounds): Tensor {
  const loop = unaryLoop(CLIP);
  if (isHalf(x.type)) {
    const out = new Float32Array(x.size);
    loop(floatData(x), out, x.size, b);
    return floatTensor(x.type, out, x.dims);
  }
  const out = allocate(x.type, x.size);
  loop(x.data as ArrayLike<unknown>, out as { [i: number]: unknown }, x.size, b);
  return new Tensor(x.type, out, x.dims);
}

function checkType(type: DataType, label: string): void {
  if (!isFloat(type) && !INT32_TYPES.has(type) && !BIGINT_TYPES.has(type)) {
    throw new TypeMismatchError(`${label}: Clip does not support ${type} input`);
  }
}

/** Opset 1-10: bounds are float attributes. */
function clipAttrs(ctx: KernelContext): Kernel {
  // opset 1-5 left unset bounds unbounded; opset 6 made them ±FLT_MAX
  const limit = ctx.opset < 6 ? Number.POSITIVE_INFINITY : FLT_MAX;
  const b: Bounds = { lo: ctx.float('min', -limit), hi: ctx.float('max', limit) };
  return (inputs) => {
    const x = tensorInput(inputs, 0, 'Clip');
    if (!isFloat(x.type))
      throw new TypeMismatchError(`${ctx.label}: Clip-${ctx.opset} needs a float input, got ${x.type}`);
    return [clipTensor(x, b)];
  };
}

/** A bound input as a number (bigint for 64-bit types), or the fallback when omitted. */
function bound(
  inputs: KernelInputs,
  i: number,
  x: Tensor,
  fallback: number | bigint,
  what: string,
): number | bigint {
  const t = optionalTensor(inputs, i);
  if (!t) return fallback;
  if (t.type !== x.type) throw new TypeMismatchError(`Clip ${what} is ${t.type}, input is ${x.type}`);
  if (t.size !== 1) throw new ShapeError(`Clip ${what} must be a scalar, got shape [${t.dims}]`);
  if (isHalf(t.type)) return floatData(t)[0]!;
  return (t.data as ArrayLike<number | bigint>)[0]!;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Opset 11+: bounds are optional scalar inputs of the input's type. */
function clipInputs(ctx: KernelContext): Kernel {
  return (inputs) => {
    const x = tensorInput(inputs, 0, 'Clip');
    checkType(x.type, ctx.label);
    const big = BIGINT_TYPES.has(x.type);
    const lo = big ? (x.type === 'int64' ? INT64_MIN : 0n) : Number.NEGATIVE_INFINITY;
    const hi = big ? (x.type === 'int64' ? INT64_MAX : UINT64_MAX) : Number.POSITIVE_INFINITY;
    const b: Bounds = { lo: bound(inputs, 1, x, lo, 'min'), hi: bound(inputs, 2, x, hi, 'max') };
    return [clipTensor(x, b)];
  };
}

export const CLIP_OPS: readonly OperatorDef[] = [
  defineOp('Clip', '1-10', clipAttrs, '', sameAsInput()),
  defineOp('Clip', '11+', clipInputs, '', sameAsInput()),
];
