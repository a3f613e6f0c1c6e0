import { TypeMismatchError } from '@zai/common';
import { allocate, Tensor } from '@zai/tensor-core';
import { defineOp, type KernelContext, type KernelInputs } from '../../kernel.js';
import { floatBuffer, floatData, floatTensor, isFloat } from '../util/float-io.js';
import { INT32_TYPES, sameAsInput, tensorInput } from './common.js';

// The error function (JS has none) and the ops built on it: Erf and Gelu.

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2 / sqrt(pi)
const ONE_OVER_SQRT_PI = 0.5641895835477563; // 1 / sqrt(pi)

/**
 * erf(x) to about double precision, slowly (15-60 iterations); used to build
 * the table that `erf` interpolates from.
 * |x| < 2.5: the series erf(x) = 2/√π·e^(−x²)·Σ (2x²)^n·x / (1·3·…·(2n+1)),
 * whose terms are all positive (no cancellation).
 * 2.5 ≤ |x| < 6: 1 − erfc(x), erfc from its continued fraction
 * e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated backwards.
 * |x| ≥ 6: ±1 (erfc(6) ≈ 2e−17).
 */
function erfSlow(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    const x2 = x * x;
    const r = 2 * x2;
    let term = x;
    let sum = x;
    for (let k = 1; k < 80; k++) {
      term *= r / (2 * k + 1);
      sum += term;
      if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }
  if (ax < 6) {
    let f = ax;
    for (let n = 60; n >= 1; n--) f = ax + n / 2 / f;
    const erfc = (ONE_OVER_SQRT_PI * Math.exp(-ax * ax)) / f;
    return x > 0 ? 1 - erfc : erfc - 1;
  }
  return Number.isNaN(x) ? x : x > 0 ? 1 : -1;
}

// erf and e^(−x²) at the nodes k/32 of [0, 6].
const STEPS = 32;
const NODES = 6 * STEPS;
const ERF_AT = new Float64Array(NODES + 1);
const GAUSS_AT = new Float64Array(NODES + 1);
for (let k = 0; k <= NODES; k++) {
  ERF_AT[k] = erfSlow(k / STEPS);
  GAUSS_AT[k] = Math.exp(-((k / STEPS) * (k / STEPS)));
}

/**
 * erf(x) to about double precision: a Taylor expansion around the nearest
 * node x0 = k/32 (|t| = |x − x0| ≤ 1/64), using the derivatives
 * erf⁽ⁿ⁾(x0) = (−1)ⁿ⁻¹·2/√π·Hₙ₋₁(x0)·e^(−x0²) (Hermite polynomials, by
 * recurrence). Seven terms leave an error below 1e−16.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (!(ax < 6)) return Number.isNaN(x) ? x : x > 0 ? 1 : -1;
  const k = Math.round(ax * STEPS);
  const x0 = k / STEPS;
  const t = ax - x0;
  // Σ_{n=1..7} (−1)ⁿ⁻¹·Hₙ₋₁(x0)·tⁿ/n!
  let hPrev = 1; // H0
  let h = 2 * x0; // H1
  let tn = t; // tⁿ/n!, signed by (−1)ⁿ⁻¹
  let sum = t;
  for (let n = 2; n <= 7; n++) {
    tn *= -t / n;
    sum += h * tn;
    const next = 2 * x0 * h - 2 * (n - 1) * hPrev;
    hPrev = h;
    h = next;
  }
  const v = ERF_AT[k]! + TWO_OVER_SQRT_PI * GAUSS_AT[k]! * sum;
  return x < 0 ? -v : v;
}

type NumArray = ArrayLike<number> & { [i: number]: number };

function erfLoop(src: ArrayLike<number>, out: NumArray, n: number): void {
  for (let i = 0; i < n; i++) out[i] = erf(src[i]!);
}

export const ERF = defineOp(
  'Erf',
  '9+',
  (ctx) => (inputs) => {
    const x = tensorInput(inputs, 0, 'Erf');
    if (isFloat(x.type)) {
      const out = floatBuffer(x.type, x.size);
      erfLoop(floatData(x), out, x.size);
      return [floatTensor(x.type, out, x.dims)];
    }
    // integer inputs: the result truncates toward zero when stored
    if (INT32_TYPES.has(x.type)) {
      const out = allocate(x.type, x.size) as unknown as NumArray;
      erfLoop(x.data as ArrayLike<number>, out, x.size);
      return [new Tensor(x.type, out as unknown as Int32Array, x.dims)];
    }
    throw new TypeMismatchError(`${ctx.label}: Erf does not support ${x.type} input`);
  },
  '',
  sameAsInput(),
);

const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

function geluKernel(ctx: KernelContext) {
  const approx = ctx.string('approximate', 'none');
  if (approx !== 'none' && approx !== 'tanh')
    ctx.fail(`approximate must be "none" or "tanh", got "${approx}"`);
  const useTanh = approx === 'tanh';
  return (inputs: KernelInputs) => {
    const x = tensorInput(inputs, 0, 'Gelu');
    if (!isFloat(x.type)) throw new TypeMismatchError(`${ctx.label}: Gelu does not support ${x.type} input`);
    const src = floatData(x);
    const n = x.size;
    const out = floatBuffer(x.type, n);
    if (useTanh) {
      for (let i = 0; i < n; i++) {
        const v = src[i]!;
        out[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
      }
    } else {
      for (let i = 0; i < n; i++) {
        const v = src[i]!;
        out[i] = 0.5 * v * (1 + erf(v * SQRT_HALF));
      }
    }
    return [floatTensor(x.type, out, x.dims)];
  };
}

export const GELU = defineOp('Gelu', '20+', geluKernel, '', sameAsInput());
