import { InvalidArgumentError } from '@zai/common';
import { Tensor, tensorValues } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type ShapeFn } from '../../kernel.js';
import {
  applyTransform,
  batchShape,
  ML_DOMAIN,
  numericInput,
  PostTransform,
  postTransform,
  probit,
  rows,
  tensorOut,
} from './common.js';

// LinearRegressor and LinearClassifier (ai.onnx.ml 1): scores = X · Wᵀ + b
// with W the `coefficients` laid out [targets or classes, C]. X is [N, C] or
// [C] (one row). The classifier's label is the best class; with a single score
// column and two labels (binary) it is labels[1] when the score is > 0, and the
// scores output gets two columns, [1 - s, s], as onnxruntime writes them.

/** scores[n, k] = X[n, c] · W[k, c]ᵀ + b[k], in float64. */
function affine(
  X: ArrayLike<number>,
  n: number,
  c: number,
  W: Float64Array,
  b: Float64Array,
  k: number,
): Float64Array {
  if (W.length !== k * c) {
    throw new InvalidArgumentError(
      `linear model: ${W.length} coefficients do not fit ${k} rows of ${c} features`,
    );
  }
  const out = new Float64Array(n * k);
  for (let r = 0; r < n; r++) {
    const xb = r * c;
    for (let t = 0; t < k; t++) {
      const wb = t * c;
      let s = b.length > 0 ? b[t]! : 0;
      for (let j = 0; j < c; j++) s += X[xb + j]! * W[wb + j]!;
      out[r * k + t] = s;
    }
  }
  return out;
}

function regressor(ctx: KernelContext): Kernel {
  const k = ctx.int('targets', 1);
  const W = Float64Array.from(ctx.floats('coefficients', []));
  const b = Float64Array.from(ctx.floats('intercepts', []));
  if (b.length !== 0 && b.length !== k) ctx.fail(`${b.length} intercepts for ${k} targets`);
  const pt = postTransform(ctx);
  return (inputs) => {
    const x = numericInput(inputs, 0, 'LinearRegressor');
    const { n, c } = rows(x);
    const out = affine(tensorValues(x), n, c, W, b, k);
    for (let r = 0; r < n; r++) applyTransform(out, r * k, k, pt);
    return [new Tensor('float32', Float32Array.from(out), [n, k])];
  };
}

function classifier(ctx: KernelContext): Kernel {
  const intLabels = ctx.has('classlabels_ints');
  const labels: (bigint | string)[] = intLabels
    ? ctx.ints('classlabels_ints').map(BigInt)
    : ctx.strings('classlabels_strings', []);
  if (labels.length === 0) ctx.fail('classlabels_ints or classlabels_strings is required');
  const W = Float64Array.from(ctx.floats('coefficients'));
  const b = Float64Array.from(ctx.floats('intercepts', []));
  const pt = postTransform(ctx);
  return (inputs) => {
    const x = numericInput(inputs, 0, 'LinearClassifier');
    const { n, c } = rows(x);
    const k = c === 0 ? b.length : W.length / c;
    const scores = affine(tensorValues(x), n, c, W, b, k);
    const binary = k === 1 && labels.length === 2;
    const width = binary ? 2 : k;
    const Z = new Float64Array(n * width);
    const Y: (bigint | string)[] = new Array(n);
    for (let r = 0; r < n; r++) {
      if (k === 1) {
        // One score column: with two labels the scores become [1 - s, s]; a
        // single column only takes PROBIT (onnxruntime's binary handling).
        const s = scores[r]!;
        Y[r] = binary ? labels[s > 0 ? 1 : 0]! : intLabels ? BigInt(s > 0 ? 1 : 0) : s > 0 ? '1' : '0';
        const v = pt === PostTransform.Probit ? probit(s) : s;
        if (binary) Z.set(pt === PostTransform.Probit ? [v, 0] : [1 - v, v], 2 * r);
        else Z[r] = v;
        continue;
      }
      const o = r * k;
      let best = 0;
      for (let j = 1; j < k; j++) if (scores[o + j]! > scores[o + best]!) best = j;
      Y[r] = labels[best] ?? (intLabels ? BigInt(best) : '');
      Z.set(scores.subarray(o, o + k), o);
      applyTransform(Z, o, k, pt);
    }
    const y = intLabels
      ? new Tensor('int64', BigInt64Array.from(Y as bigint[]), [n])
      : new Tensor('string', Y as string[], [n]);
    return [y, new Tensor('float32', Float32Array.from(Z), [n, width])];
  };
}

const regressorShape: ShapeFn = (ctx) =>
  tensorOut('float32', batchShape(ctx.shape(0), ctx.int('targets', 1)));

const classifierShape: ShapeFn = (ctx) => {
  const intLabels = ctx.has('classlabels_ints');
  const nLabels = intLabels
    ? ctx.ints('classlabels_ints').length
    : ctx.strings('classlabels_strings', []).length;
  const s = ctx.shape(0);
  const c = s?.[s.length - 1];
  const nCoef = ctx.floats('coefficients', []).length;
  const k = typeof c === 'number' && c > 0 ? nCoef / c : ctx.unknownDim();
  const scores = batchShape(s, k === 1 && nLabels === 2 ? 2 : k);
  return [
    ...tensorOut(intLabels ? 'int64' : 'string', scores && [scores[0]!]),
    ...tensorOut('float32', scores),
  ];
};

export const LINEAR = [
  defineOp('LinearRegressor', '1+', regressor, ML_DOMAIN, regressorShape),
  defineOp('LinearClassifier', '1+', classifier, ML_DOMAIN, classifierShape),
];
