import { TypeMismatchError } from '@zai/common';
import {
  allocate,
  broadcastShapes,
  broadcastStrides,
  collapseBroadcast,
  isTensor,
  sizeOf,
  stridesOf,
  Tensor,
} from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type OperatorDef } from '../../kernel.js';
import { binaryLoop } from '../util/elementwise.js';
import { floatData, floatTensor, isFloat, isHalf } from '../util/float-io.js';
import { BIGINT_TYPES, broadcastShapeFn, INT32_TYPES } from './common.js';

// Sum, Max, Min, Mean over 1..N inputs with numpy broadcasting. Every input
// is folded into one accumulator of the output shape (in place: the loop reads
// acc[i] before writing it), and float16/bfloat16 accumulate in float32 and
// round once at the end.

interface FoldSpec {
  readonly float: string;
  readonly int?: string;
  readonly bigint?: string;
  readonly mean?: boolean;
}

type Store = { [i: number]: unknown };

function foldKernel(spec: FoldSpec): (ctx: KernelContext) => Kernel {
  return (ctx) => (inputs) => {
    const xs: Tensor[] = [];
    for (const v of inputs) if (isTensor(v)) xs.push(v);
    if (xs.length === 0)
      throw new TypeMismatchError(`${ctx.label}: ${ctx.node.opType} needs at least one input`);
    const type = xs[0]!.type;
    for (const x of xs) {
      if (x.type !== type) {
        throw new TypeMismatchError(`${ctx.node.opType} inputs have different types: ${type} and ${x.type}`);
      }
    }
    const expr = isFloat(type)
      ? spec.float
      : INT32_TYPES.has(type)
        ? spec.int
        : BIGINT_TYPES.has(type)
          ? spec.bigint
          : undefined;
    if (expr === undefined) throw new TypeMismatchError(`${ctx.node.opType} does not support ${type} inputs`);

    const dims = broadcastShapes(...xs.map((x) => x.dims));
    const size = sizeOf(dims);
    const half = isHalf(type);
    const acc = half ? new Float32Array(size) : allocate(type, size);
    if (size > 0) {
      const full = stridesOf(dims);
      const copy = binaryLoop('a');
      const step = binaryLoop(expr);
      for (let k = 0; k < xs.length; k++) {
        const x = xs[k]!;
        const data = half ? floatData(x) : (x.data as ArrayLike<unknown>);
        const strides = broadcastStrides(x.dims, dims);
        if (k === 0) {
          // the first input is broadcast-copied into the accumulator
          const c = collapseBroadcast(dims, strides, strides);
          copy(data, data, acc as Store, c.dims, c.a, c.b, undefined);
        } else {
          const c = collapseBroadcast(dims, full, strides);
          step(acc as ArrayLike<unknown>, data, acc as Store, c.dims, c.a, c.b, undefined);
        }
      }
      if (spec.mean) {
        const f = acc as Float32Array | Float64Array;
        const n = xs.length;
        for (let i = 0; i < size; i++) f[i] = f[i]! / n;
      }
    }
    return [half ? floatTensor(type, acc as Float32Array, dims) : new Tensor(type, acc, dims)];
  };
}

// NaN wins in Max/Min, as in numpy's maximum/minimum.
const MAX = 'a >= b || a !== a ? a : b';
const MIN = 'a <= b || a !== a ? a : b';

const fold = (opType: string, spec: FoldSpec): OperatorDef =>
  defineOp(opType, '1+', foldKernel(spec), '', broadcastShapeFn());

export const VARIADIC_OPS: readonly OperatorDef[] = [
  fold('Sum', { float: 'a + b', int: 'a + b', bigint: 'a + b' }),
  fold('Max', { float: MAX, int: 'a >= b ? a : b', bigint: 'a >= b ? a : b' }),
  fold('Min', { float: MIN, int: 'a <= b ? a : b', bigint: 'a <= b ? a : b' }),
  fold('Mean', { float: 'a + b', mean: true }),
];
