import { InvalidArgumentError } from '@zai/common';
import { Tensor, tensorValues } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type ShapeFn } from '../../kernel.js';
import {
  applyTransform,
  batchShape,
  logistic,
  ML_DOMAIN,
  numericInput,
  PostTransform,
  postTransform,
  probit,
  rows,
  tensorOut,
} from './common.js';

// SVMRegressor and SVMClassifier (ai.onnx.ml 1), following onnxruntime.
// With support vectors (n_supports / vectors_per_class) the model is a kernel
// SVM; without, a linear model over `coefficients` plus rho[0]. The
// classifier is libsvm's one-vs-one: one decision value per class pair
// (positive votes for the first class of the pair), the label is the most
// voted class, and with prob_a / prob_b the pairwise values become class
// probabilities by libsvm's pairwise coupling. Without probabilities the
// scores are the pairwise values (two columns, [-s, s], for two classes).

type KernelType = 'LINEAR' | 'POLY' | 'RBF' | 'SIGMOID';

interface SvmKernel {
  readonly type: KernelType;
  readonly gamma: number;
  readonly coef0: number;
  readonly degree: number;
}

function svmKernel(ctx: KernelContext): SvmKernel {
  const type = ctx.string('kernel_type', 'LINEAR') as KernelType;
  if (!['LINEAR', 'POLY', 'RBF', 'SIGMOID'].includes(type)) ctx.fail(`unknown kernel_type '${type}'`);
  const [gamma = 0, coef0 = 0, degree = 0] = ctx.floats('kernel_params', []);
  return { type, gamma, coef0, degree };
}

/** K(x, v) for row xb of X and row vb of V, c features each. */
function kernelValue(
  k: SvmKernel,
  X: ArrayLike<number>,
  xb: number,
  V: Float64Array,
  vb: number,
  c: number,
): number {
  if (k.type === 'RBF') {
    let s = 0;
    for (let j = 0; j < c; j++) {
      const d = X[xb + j]! - V[vb + j]!;
      s += d * d;
    }
    return Math.exp(-k.gamma * s);
  }
  let s = 0;
  for (let j = 0; j < c; j++) s += X[xb + j]! * V[vb + j]!;
  if (k.type === 'POLY') return (k.gamma * s + k.coef0) ** k.degree;
  if (k.type === 'SIGMOID') return Math.tanh(k.gamma * s + k.coef0);
  return s;
}

function checkFeatures(op: string, c: number, expected: number): void {
  if (c !== expected) throw new InvalidArgumentError(`${op}: X has ${c} features, the model ${expected}`);
}

function regressor(ctx: KernelContext): Kernel {
  const op = 'SVMRegressor';
  const kernel = svmKernel(ctx);
  const nSv = ctx.int('n_supports', 0);
  const coef = Float64Array.from(ctx.floats('coefficients'));
  const sv = Float64Array.from(ctx.floats('support_vectors', []));
  const rho = ctx.floats('rho', [0])[0] ?? 0;
  const oneClass = ctx.int('one_class', 0) !== 0;
  const features = nSv > 0 ? sv.length / nSv : coef.length;
  return (inputs) => {
    const x = numericInput(inputs, 0, op);
    const { n, c } = rows(x);
    checkFeatures(op, c, features);
    const X = tensorValues(x);
    const Y = new Float32Array(n);
    for (let r = 0; r < n; r++) {
      let s = rho;
      if (nSv > 0) for (let j = 0; j < nSv; j++) s += coef[j]! * kernelValue(kernel, X, r * c, sv, j * c, c);
      else for (let j = 0; j < c; j++) s += X[r * c + j]! * coef[j]!;
      Y[r] = oneClass ? (s > 0 ? 1 : -1) : s;
    }
    return [new Tensor('float32', Y, [n, 1])];
  };
}

/** libsvm's pairwise coupling: class probabilities p from the k×k pairwise estimates r. */
function coupleProbabilities(k: number, r: Float64Array, p: Float64Array): void {
  const Q = new Float64Array(k * k);
  const Qp = new Float64Array(k);
  const eps = 0.005 / k;
  for (let t = 0; t < k; t++) {
    p[t] = 1 / k;
    for (let j = 0; j < k; j++) {
      if (j === t) continue;
      Q[t * k + t] = Q[t * k + t]! + r[j * k + t]! * r[j * k + t]!;
      Q[t * k + j] = -r[j * k + t]! * r[t * k + j]!;
    }
  }
  for (let iter = 0, maxIter = Math.max(100, k); iter < maxIter; iter++) {
    let pQp = 0;
    for (let t = 0; t < k; t++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += Q[t * k + j]! * p[j]!;
      Qp[t] = s;
      pQp += p[t]! * s;
    }
    let maxError = 0;
    for (let t = 0; t < k; t++) maxError = Math.max(maxError, Math.abs(Qp[t]! - pQp));
    if (maxError < eps) break;
    for (let t = 0; t < k; t++) {
      const diff = (-Qp[t]! + pQp) / Q[t * k + t]!;
      p[t] = p[t]! + diff;
      pQp = (pQp + diff * (diff * Q[t * k + t]! + 2 * Qp[t]!)) / (1 + diff) / (1 + diff);
      for (let j = 0; j < k; j++) {
        Qp[j] = (Qp[j]! + diff * Q[t * k + j]!) / (1 + diff);
        p[j] = p[j]! / (1 + diff);
      }
    }
  }
}

function classifier(ctx: KernelContext): Kernel {
  const op = 'SVMClassifier';
  const intLabels = ctx.has('classlabels_ints');
  const labels: (bigint | string)[] = intLabels
    ? ctx.ints('classlabels_ints').map(BigInt)
    : ctx.strings('classlabels_strings', []);
  const k = labels.length;
  if (k === 0) ctx.fail('classlabels_ints or classlabels_strings is required');
  const kernel = svmKernel(ctx);
  const perClass = ctx.ints('vectors_per_class', []);
  const coef = Float64Array.from(ctx.floats('coefficients'));
  const sv = Float64Array.from(ctx.floats('support_vectors', []));
  const rho = Float64Array.from(ctx.floats('rho'));
  const probA = ctx.floats('prob_a', []);
  const probB = ctx.floats('prob_b', []);
  if (probA.length !== probB.length) ctx.fail('prob_a and prob_b lengths differ');
  const nSv = perClass.reduce((a, b) => a + b, 0);
  const svc = nSv > 0;
  if (svc && perClass.length !== k)
    ctx.fail(`vectors_per_class has ${perClass.length} entries for ${k} classes`);
  const pairs = (k * (k - 1)) / 2;
  if (svc && (coef.length < (k - 1) * nSv || rho.length < pairs))
    ctx.fail('coefficients or rho are too short');
  const start = perClass.map((_, i) => perClass.slice(0, i).reduce((a, b) => a + b, 0));
  const proba = probA.length > 0;
  const positive = coef.every((w) => w >= 0);
  const features = svc ? sv.length / nSv : coef.length / k;
  const width = svc && !proba ? (k > 2 ? pairs : 2) : k;
  const pt = postTransform(ctx);

  return (inputs) => {
    const x = numericInput(inputs, 0, op);
    const { n, c } = rows(x);
    checkFeatures(op, c, features);
    const X = tensorValues(x);
    const Z = new Float64Array(n * width);
    const Y: (bigint | string)[] = new Array(n);
    const kv = new Float64Array(nSv);
    const dec = new Float64Array(pairs);
    const votes = new Int32Array(k);
    const pr = new Float64Array(k * k);
    for (let r = 0; r < n; r++) {
      const z = Z.subarray(r * width, (r + 1) * width);
      let best = 0;
      let maxWeight = 0;
      if (svc) {
        for (let j = 0; j < nSv; j++) kv[j] = kernelValue(kernel, X, r * c, sv, j * c, c);
        votes.fill(0);
        let p = 0;
        for (let i = 0; i < k - 1; i++) {
          for (let j = i + 1; j < k; j++, p++) {
            let s = rho[p]!;
            for (let m = 0; m < perClass[i]!; m++)
              s += coef[(j - 1) * nSv + start[i]! + m]! * kv[start[i]! + m]!;
            for (let m = 0; m < perClass[j]!; m++) s += coef[i * nSv + start[j]! + m]! * kv[start[j]! + m]!;
            dec[p] = s;
            votes[s > 0 ? i : j]!++;
          }
        }
        for (let i = 1; i < k; i++) if (votes[i]! > votes[best]!) best = i;
        if (proba) {
          pr.fill(0);
          p = 0;
          for (let i = 0; i < k - 1; i++) {
            for (let j = i + 1; j < k; j++, p++) {
              const v = Math.min(Math.max(logistic(-(dec[p]! * probA[p]! + probB[p]!)), 1e-7), 1 - 1e-7);
              pr[i * k + j] = v;
              pr[j * k + i] = 1 - v;
            }
          }
          coupleProbabilities(k, pr, z);
        } else {
          z.set(dec.subarray(0, Math.min(pairs, width)));
        }
      } else {
        for (let t = 0; t < k; t++) {
          let s = rho[0] ?? 0;
          for (let j = 0; j < c; j++) s += X[r * c + j]! * coef[t * c + j]!;
          z[t] = s;
        }
        for (let t = 1; t < k; t++) if (z[t]! > z[best]!) best = t;
        maxWeight = z[best]!;
      }
      if (k === 2 && !proba && ((positive && maxWeight >= 0.5) || (!positive && maxWeight > 0))) best = 1;
      Y[r] = labels[best]!;
      if (svc && !proba && k <= 2) {
        // One pairwise value s, written as two columns.
        const s = z[0]!;
        if (pt === PostTransform.Probit) z.set([probit(s), 0]);
        else if (pt === PostTransform.None) z.set([-s, s]);
        else z.set([1 - s, s]);
      } else applyTransform(z, 0, width, pt);
    }
    const y = intLabels
      ? new Tensor('int64', BigInt64Array.from(Y as bigint[]), [n])
      : new Tensor('string', Y as string[], [n]);
    return [y, new Tensor('float32', Float32Array.from(Z), [n, width])];
  };
}

const regressorShape: ShapeFn = (ctx) => tensorOut('float32', batchShape(ctx.shape(0), 1));

const classifierShape: ShapeFn = (ctx) => {
  const intLabels = ctx.has('classlabels_ints');
  const k = intLabels ? ctx.ints('classlabels_ints').length : ctx.strings('classlabels_strings', []).length;
  const svc = ctx.ints('vectors_per_class', []).some((v) => v > 0);
  const proba = ctx.floats('prob_a', []).length > 0;
  const width = svc && !proba ? (k > 2 ? (k * (k - 1)) / 2 : 2) : k;
  const scores = batchShape(ctx.shape(0), width);
  return [
    ...tensorOut(intLabels ? 'int64' : 'string', scores && [scores[0]!]),
    ...tensorOut('float32', scores),
  ];
};

export const SVM = [
  defineOp('SVMRegressor', '1+', regressor, ML_DOMAIN, regressorShape),
  defineOp('SVMClassifier', '1+', classifier, ML_DOMAIN, classifierShape),
];
