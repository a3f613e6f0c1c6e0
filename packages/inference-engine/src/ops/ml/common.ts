import { type DataType, type Shape, TypeMismatchError, type ValueType } from '@zai/common';
import { isTensor, type Tensor, tensorValues } from '@zai/tensor-core';
import type { KernelInputs, NodeView } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';

// Helpers shared by the ai.onnx.ml kernels: input checks, attribute lists that
// come as a plain list or as an `*_as_tensor` double tensor, and the score
// post-transforms (NONE, SOFTMAX, LOGISTIC, SOFTMAX_ZERO, PROBIT).

export const ML_DOMAIN = 'ai.onnx.ml';

/** Input i as a tensor; throws TypeMismatchError naming the op otherwise. */
export function mlInput(inputs: KernelInputs, i: number, op: string): Tensor {
  const t = inputs[i];
  if (!isTensor(t)) throw new TypeMismatchError(`${op}: input ${i} must be a tensor`);
  return t;
}

/** Input i as a numeric (non-string, non-bool) tensor. */
export function numericInput(inputs: KernelInputs, i: number, op: string): Tensor {
  const t = mlInput(inputs, i, op);
  if (t.type === 'string' || t.type === 'bool') {
    throw new TypeMismatchError(`${op}: input ${i} must be numeric, got ${t.type}`);
  }
  return t;
}

/** [N, C] view of a [C] or [N, C] (or higher: leading dims flattened) input. */
export function rows(t: Tensor): { n: number; c: number } {
  if (t.dims.length === 0) return { n: 1, c: 1 };
  const c = t.dims[t.dims.length - 1]!;
  return { n: t.dims.length === 1 ? 1 : c === 0 ? 0 : t.size / c, c };
}

/** The numbers of a tensor attribute as float64 (empty when absent). */
export function attrNumbers(t: Tensor | undefined): Float64Array {
  return t ? Float64Array.from(tensorValues(t)) : new Float64Array(0);
}

/** Floats from `name_as_tensor` when present (opset 3 trees), else from the float list `name`. */
export function floatsOrTensor(ctx: NodeView, name: string): Float64Array {
  const t = ctx.tensor(`${name}_as_tensor`);
  return t ? attrNumbers(t) : Float64Array.from(ctx.floats(name, []));
}

export enum PostTransform {
  None = 0,
  Softmax = 1,
  Logistic = 2,
  SoftmaxZero = 3,
  Probit = 4,
}

const TRANSFORMS: Record<string, PostTransform> = {
  NONE: PostTransform.None,
  SOFTMAX: PostTransform.Softmax,
  LOGISTIC: PostTransform.Logistic,
  SOFTMAX_ZERO: PostTransform.SoftmaxZero,
  PROBIT: PostTransform.Probit,
};

/** The `post_transform` attribute: a string before TreeEnsemble, an int enum in it. */
export function postTransform(ctx: NodeView, asInt = false): PostTransform {
  if (asInt) {
    const v = ctx.int('post_transform', 0);
    if (v < 0 || v > 4) ctx.fail(`post_transform ${v} is not one of 0..4`);
    return v as PostTransform;
  }
  const s = ctx.string('post_transform', 'NONE');
  const v = TRANSFORMS[s];
  if (v === undefined) return ctx.fail(`unknown post_transform '${s}'`);
  return v;
}

export function logistic(x: number): number {
  const v = 1 / (1 + Math.exp(-Math.abs(x)));
  return x < 0 ? 1 - v : v;
}

/** Inverse error function, the closed-form approximation onnxruntime and the ONNX reference use. */
export function erfInv(x: number): number {
  const sgn = x < 0 ? -1 : 1;
  const y = (1 - x) * (1 + x);
  const log = Math.log(y);
  const v = 2 / (Math.PI * 0.147) + 0.5 * log;
  const v2 = (1 / 0.147) * log;
  const v3 = -v + Math.sqrt(v * v - v2);
  return sgn * Math.sqrt(v3 - v);
}

export function probit(x: number): number {
  return Math.SQRT2 * erfInv(2 * x - 1);
}

/** Applies a post-transform in place to `n` scores starting at `off`. */
export function applyTransform(
  s: Float64Array | Float32Array,
  off: number,
  n: number,
  pt: PostTransform,
): void {
  const end = off + n;
  switch (pt) {
    case PostTransform.None:
      return;
    case PostTransform.Logistic:
      for (let i = off; i < end; i++) s[i] = logistic(s[i]!);
      return;
    case PostTransform.Probit:
      for (let i = off; i < end; i++) s[i] = probit(s[i]!);
      return;
    case PostTransform.Softmax:
    case PostTransform.SoftmaxZero: {
      // SOFTMAX_ZERO leaves zero scores at zero and normalizes the others.
      const zero = pt === PostTransform.SoftmaxZero;
      let m = Number.NEGATIVE_INFINITY;
      for (let i = off; i < end; i++) if (s[i]! > m) m = s[i]!;
      let sum = 0;
      for (let i = off; i < end; i++) {
        const e = zero && s[i] === 0 ? 0 : Math.exp(s[i]! - m);
        s[i] = e;
        sum += e;
      }
      if (sum > 0) for (let i = off; i < end; i++) s[i] = s[i]! / sum;
      return;
    }
  }
}

/** Shape-function helper: one tensor output. */
export function tensorOut(elem: DataType | undefined, shape?: Shape): (ValueType | null)[] {
  return [elem ? tensorType(elem, shape) : null];
}

/** Shape of an [N, k] output for a [C] or [N, C] input. */
export function batchShape(input: Shape | undefined, k: number | string): Shape | undefined {
  if (!input || input.length > 2) return undefined;
  return input.length === 2 ? [input[0]!, k] : [1, k];
}
