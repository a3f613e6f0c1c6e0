import { type DataType, TypeMismatchError } from '@zai/common';
import { allocate, Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { floatData, floatTensor, isFloat } from '../util/float-io.js';
import {
  bigRange,
  intRange,
  intValues,
  isBig,
  normalizeAxes,
  optionalAt,
  reducedShape,
  SMALL_INT_TYPES,
  staticInts,
  tensorAt,
} from './common.js';
import { type Acc, planReduce, type ReducePlan, runReduce } from './reduce-core.js';

// ReduceSum/Mean/Max/Min/Prod/L1/L2/LogSum/LogSumExp/SumSquare. Each op is a
// fold (sum, sum of |x|, sum of x², product, max, min) plus a finishing step
// (mean, sqrt, log). Floats accumulate in float64; integers fold in their own
// storage, wrapping as C does; L2/LogSum/LogSumExp on integers go through
// float64 and truncate back.

type Fold = 'sum' | 'l1' | 'sumsq' | 'prod' | 'max' | 'min';
type Finish = 'none' | 'mean' | 'sqrt' | 'log' | 'lse';

interface ReduceSpec {
  readonly op: string;
  readonly fold: Fold;
  readonly finish: Finish;
}

const FLOAT_EXPR: Record<Fold, string> = {
  sum: 'a + x',
  l1: 'a + Math.abs(x)',
  sumsq: 'a + x * x',
  prod: 'a * x',
  // NaN propagates, as numpy's maximum/minimum do
  max: '(x > a || x !== x) ? x : a',
  min: '(x < a || x !== x) ? x : a',
};
const INT_EXPR: Record<Fold, string> = {
  sum: 'a + x',
  l1: 'a + Math.abs(x)',
  sumsq: 'a + Math.imul(x, x)',
  prod: 'Math.imul(a, x)',
  max: 'x > a ? x : a',
  min: 'x < a ? x : a',
};
const BIG_EXPR: Record<Fold, string> = {
  sum: 'a + x',
  l1: 'a + (x < 0n ? -x : x)',
  sumsq: 'a + x * x',
  prod: 'BigInt.asIntN(64, a * x)',
  max: 'x > a ? x : a',
  min: 'x < a ? x : a',
};
const LSE_EXPR = 'a + Math.exp(x - m)';

function floatIdentity(fold: Fold): number {
  if (fold === 'prod') return 1;
  if (fold === 'max') return Number.NEGATIVE_INFINITY;
  if (fold === 'min') return Number.POSITIVE_INFINITY;
  return 0;
}

function intIdentity(fold: Fold, type: DataType): number {
  if (fold === 'prod') return 1;
  if (fold === 'max') return intRange(type)[0];
  if (fold === 'min') return intRange(type)[1];
  return 0;
}

function bigIdentity(fold: Fold, type: 'int64' | 'uint64'): bigint {
  if (fold === 'prod') return 1n;
  if (fold === 'max') return bigRange(type)[0];
  if (fold === 'min') return bigRange(type)[1];
  return 0n;
}

/** Float path: values in float64 accumulators, finished in place. */
function reduceFloat(spec: ReduceSpec, X: ArrayLike<number>, plan: ReducePlan): Float64Array {
  const A = new Float64Array(plan.outSize);
  if (spec.finish === 'lse') {
    // max first, so exp never overflows; a non-finite max shifts by 0 instead
    const M = new Float64Array(plan.outSize).fill(Number.NEGATIVE_INFINITY);
    runReduce(plan, FLOAT_EXPR.max, X, M);
    for (let i = 0; i < M.length; i++) if (!Number.isFinite(M[i]!)) M[i] = 0;
    runReduce(plan, LSE_EXPR, X, A, M);
    for (let i = 0; i < A.length; i++) A[i] = Math.log(A[i]!) + M[i]!;
    return A;
  }
  A.fill(floatIdentity(spec.fold));
  runReduce(plan, FLOAT_EXPR[spec.fold], X, A);
  finishFloat(spec.finish, A, plan.count);
  return A;
}

function finishFloat(finish: Finish, A: Float64Array, count: number): void {
  if (finish === 'mean') for (let i = 0; i < A.length; i++) A[i] = A[i]! / count;
  else if (finish === 'sqrt') for (let i = 0; i < A.length; i++) A[i] = Math.sqrt(A[i]!);
  else if (finish === 'log') for (let i = 0; i < A.length; i++) A[i] = Math.log(A[i]!);
}

/** Integer results of a float computation, truncated toward zero. */
function truncateTo(type: DataType, values: Float64Array, dims: readonly number[]): Tensor {
  const out = allocate(type, values.length);
  if (isBig(type)) {
    const o = out as BigInt64Array | BigUint64Array;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      o[i] = Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
    }
  } else {
    const o = out as Int32Array;
    for (let i = 0; i < values.length; i++) o[i] = Math.trunc(values[i]!) | 0;
  }
  return new Tensor(type, out, dims);
}

function toFloat64(x: Tensor): Float64Array {
  const out = new Float64Array(x.size);
  const d = x.data as ArrayLike<number | bigint>;
  for (let i = 0; i < x.size; i++) out[i] = Number(d[i]!);
  return out;
}

function reduceTensor(spec: ReduceSpec, x: Tensor, plan: ReducePlan): Tensor {
  const type = x.type;
  if (isFloat(type)) return floatTensor(type, reduceFloat(spec, floatData(x), plan), plan.outDims);
  const integer = SMALL_INT_TYPES.has(type) || isBig(type);
  const minmax = spec.fold === 'max' || spec.fold === 'min';
  if (!integer && !(type === 'bool' && minmax)) {
    throw new TypeMismatchError(`${spec.op} does not support ${type} input`);
  }
  if (spec.finish === 'sqrt' || spec.finish === 'log' || spec.finish === 'lse') {
    return truncateTo(type, reduceFloat(spec, toFloat64(x), plan), plan.outDims);
  }
  if (isBig(type)) {
    const A = allocate(type, plan.outSize);
    A.fill(bigIdentity(spec.fold, type) as never);
    const expr = type === 'uint64' ? BIG_EXPR[spec.fold].replace('asIntN', 'asUintN') : BIG_EXPR[spec.fold];
    runReduce(plan, expr, x.data as ArrayLike<bigint>, A as unknown as Acc);
    if (spec.finish === 'mean' && plan.count > 0) {
      const c = BigInt(plan.count);
      for (let i = 0; i < A.length; i++) A[i] = A[i]! / c;
    }
    return new Tensor(type, A, plan.outDims);
  }
  const A = allocate(type, plan.outSize) as Int32Array;
  A.fill(intIdentity(spec.fold, type));
  runReduce(plan, INT_EXPR[spec.fold], x.data as ArrayLike<number>, A);
  if (spec.finish === 'mean' && plan.count > 0) {
    for (let i = 0; i < A.length; i++) A[i] = Math.trunc(A[i]! / plan.count);
  }
  return new Tensor(type, A, plan.outDims);
}

/**
 * A Reduce kernel. `axesInput`: axes come from optional input 1 (ReduceSum
 * 13+, the others 18+) instead of the `axes` attribute. Empty axes reduce
 * everything unless noop_with_empty_axes is set.
 */
function reduceKernel(spec: ReduceSpec, axesInput: boolean): (ctx: KernelContext) => Kernel {
  return (ctx) => {
    const keepdims = ctx.int('keepdims', 1) !== 0;
    const noop = ctx.int('noop_with_empty_axes', 0) !== 0;
    const attrAxes = axesInput ? undefined : ctx.ints('axes', []);
    return (inputs) => {
      const x = tensorAt(inputs, 0, spec.op);
      const axesT = axesInput ? optionalAt(inputs, 1) : undefined;
      let axes = attrAxes ?? (axesT ? intValues(axesT, `${ctx.label}: axes`) : []);
      if (axes.length === 0) axes = noop ? [] : x.dims.map((_, i) => i);
      const plan = planReduce(x.dims, normalizeAxes(axes, x.dims.length, ctx.label), keepdims);
      return [reduceTensor(spec, x, plan)];
    };
  };
}

/** Output type: input's element type, shape reduced when the axes are known. */
function reduceShape(axesInput: boolean): ShapeFn {
  return (ctx) => {
    const elemType = ctx.elemType(0);
    if (!elemType) return [null];
    const shape = ctx.shape(0);
    const keepdims = ctx.int('keepdims', 1) !== 0;
    let axes = axesInput ? (ctx.hasInput(1) ? staticInts(ctx, 1) : []) : ctx.ints('axes', []);
    if (!shape || !axes) return [{ kind: 'tensor', elemType }];
    if (axes.length === 0) axes = ctx.int('noop_with_empty_axes', 0) !== 0 ? [] : shape.map((_, i) => i);
    const norm = normalizeAxes(axes, shape.length, ctx.label);
    return [{ kind: 'tensor', elemType, shape: reducedShape(shape, norm, keepdims) }];
  };
}

/** Rows for one Reduce op: attribute axes before `since`, input axes from it. */
function reduceRows(op: string, fold: Fold, finish: Finish, since: number): OperatorDef[] {
  const spec: ReduceSpec = { op, fold, finish };
  return [
    defineOp(op, `1-${since - 1}`, reduceKernel(spec, false), '', reduceShape(false)),
    defineOp(op, `${since}+`, reduceKernel(spec, true), '', reduceShape(true)),
  ];
}

export const REDUCE_ROWS: readonly OperatorDef[] = [
  ...reduceRows('ReduceSum', 'sum', 'none', 13),
  ...reduceRows('ReduceMean', 'sum', 'mean', 18),
  ...reduceRows('ReduceMax', 'max', 'none', 18),
  ...reduceRows('ReduceMin', 'min', 'none', 18),
  ...reduceRows('ReduceProd', 'prod', 'none', 18),
  ...reduceRows('ReduceL1', 'l1', 'none', 18),
  ...reduceRows('ReduceL2', 'sumsq', 'sqrt', 18),
  ...reduceRows('ReduceLogSum', 'sum', 'log', 18),
  ...reduceRows('ReduceLogSumExp', 'sum', 'lse', 18),
  ...reduceRows('ReduceSumSquare', 'sumsq', 'none', 18),
];
