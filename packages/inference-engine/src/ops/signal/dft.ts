import { type Dim, ShapeError } from '@zai/common';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { floatBuffer, floatData, floatTensor } from '../util/float-io.js';
import { floatInput, intScalar, optionalInput, staticInt } from './common.js';
import { complexFFT, realFFT } from './fft.js';

// DFT (17: `axis` attribute, default 1; 20: `axis` as optional input 2,
// default -2). The last input dim holds 1 (real) or 2 (re, im) values; the
// transform runs along `axis` over each signal (all other indices fixed),
// gathered into float64 scratch, zero-padded or truncated to dft_length.
//
// - onesided=0: full complex spectrum of length n (forward, or inverse / n).
//   Real input goes through the real FFT and is mirrored by conjugate symmetry.
// - onesided=1, inverse=0 (RFFT): bins 0..n/2. Complex input is transformed
//   in full and truncated.
// - onesided=1, inverse=1 (IRFFT): the input holds bins 0..n/2 (fewer are
//   zero-padded, more ignored) of a conjugate-symmetric spectrum; the output
//   is the real signal, last dim 1. Default n is 2 * (dim - 1).

interface Mode {
  readonly inverse: boolean;
  readonly onesided: boolean;
}

/** Normalizes an axis in [-r, -2] U [0, r-2] (the last dim holds re/im). */
function dftAxis(axis: number, rank: number, label: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a > rank - 2) {
    throw new ShapeError(`${label}: axis ${axis} is out of range for an input of rank ${rank}`);
  }
  return a;
}

function defaultLength(dim: number, mode: Mode): number {
  return mode.onesided && mode.inverse ? 2 * (dim - 1) : dim;
}

function outputLength(n: number, mode: Mode): number {
  return mode.onesided && !mode.inverse ? (n >> 1) + 1 : n;
}

/**
 * Transforms every signal of `src` (outer x dim x inner x comps, signal along
 * dim) into `dst` (outer x outLen x inner x outComps).
 */
function transform(
  src: Float32Array | Float64Array,
  dst: Float32Array | Float64Array,
  outer: number,
  dim: number,
  inner: number,
  comps: number,
  n: number,
  mode: Mode,
): void {
  const outLen = outputLength(n, mode);
  const irfft = mode.onesided && mode.inverse;
  const outComps = irfft ? 1 : 2;
  const inStride = inner * comps;
  const outStride = inner * outComps;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  if (irfft) {
    const plan = realFFT(n);
    const bins = plan.bins;
    const used = Math.min(dim, bins);
    const x = new Float64Array(n);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let p = (o * dim * inner + i) * comps;
        for (let k = 0; k < used; k++, p += inStride) {
          re[k] = src[p]!;
          im[k] = comps === 2 ? src[p + 1]! : 0;
        }
        re.fill(0, used, bins);
        im.fill(0, used, bins);
        plan.inverse(re, im, x);
        let q = o * n * inner + i;
        for (let j = 0; j < n; j++, q += outStride) dst[q] = x[j]!;
      }
    }
    return;
  }
  const used = Math.min(dim, n);
  if (comps === 1) {
    // real input: bins 0..n/2 from the real FFT, the rest by symmetry
    const plan = realFFT(n);
    const half = plan.bins;
    const x = new Float64Array(n);
    const s = mode.inverse ? 1 / n : 1;
    const sign = mode.inverse ? -s : s; // IDFT(x) = conj(DFT(x)) / n for real x
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let p = o * dim * inner + i;
        for (let j = 0; j < used; j++, p += inStride) x[j] = src[p]!;
        x.fill(0, used);
        plan.forward(x, re, im);
        let q = (o * outLen * inner + i) * 2;
        for (let k = 0; k < outLen; k++, q += outStride) {
          if (k < half) {
            dst[q] = re[k]! * s;
            dst[q + 1] = im[k]! * sign;
          } else {
            dst[q] = re[n - k]! * s;
            dst[q + 1] = -im[n - k]! * sign;
          }
        }
      }
    }
    return;
  }
  const plan = complexFFT(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let p = (o * dim * inner + i) * 2;
      for (let j = 0; j < used; j++, p += inStride) {
        re[j] = src[p]!;
        im[j] = src[p + 1]!;
      }
      re.fill(0, used);
      im.fill(0, used);
      if (mode.inverse) plan.inverse(re, im);
      else plan.forward(re, im);
      let q = (o * outLen * inner + i) * 2;
      for (let k = 0; k < outLen; k++, q += outStride) {
        dst[q] = re[k]!;
        dst[q + 1] = im[k]!;
      }
    }
  }
}

function dftKernel(ctx: KernelContext): Kernel {
  const op = 'DFT';
  const mode: Mode = { inverse: ctx.int('inverse', 0) !== 0, onesided: ctx.int('onesided', 0) !== 0 };
  const axisInput = ctx.opset >= 20;
  const axisAttr = axisInput ? -2 : ctx.int('axis', 1);
  return (inputs) => {
    const x = floatInput(inputs, 0, op, 'input');
    const dims = x.dims;
    const rank = dims.length;
    if (rank < 2) throw new ShapeError(`${ctx.label}: input must have rank >= 2, got [${dims}]`);
    const comps = dims[rank - 1]!;
    if (comps !== 1 && comps !== 2) {
      throw new ShapeError(`${ctx.label}: the last input dim must be 1 (real) or 2 (complex), got ${comps}`);
    }
    const axisT = axisInput ? optionalInput(inputs, 2) : undefined;
    const axis = dftAxis(axisT ? intScalar(axisT, op, 'axis') : axisAttr, rank, ctx.label);
    const dim = dims[axis]!;
    const lenT = optionalInput(inputs, 1);
    const n = lenT ? intScalar(lenT, op, 'dft_length') : defaultLength(dim, mode);
    if (!Number.isInteger(n) || n < 1)
      throw new ShapeError(`${ctx.label}: dft_length must be >= 1, got ${n}`);
    const outLen = outputLength(n, mode);
    const outComps = mode.onesided && mode.inverse ? 1 : 2;
    const outDims = dims.slice();
    outDims[axis] = outLen;
    outDims[rank - 1] = outComps;
    let outer = 1;
    for (let i = 0; i < axis; i++) outer *= dims[i]!;
    let inner = 1;
    for (let i = axis + 1; i < rank - 1; i++) inner *= dims[i]!;
    const Y = floatBuffer(x.type, outer * outLen * inner * outComps);
    if (Y.length > 0) transform(floatData(x), Y, outer, dim, inner, comps, n, mode);
    return [floatTensor(x.type, Y, outDims)];
  };
}

const dftShape: ShapeFn = (ctx) => {
  const elem = ctx.elemType(0);
  if (!elem) return [null];
  const shape = ctx.shape(0);
  if (!shape || shape.length < 2) return [tensorType(elem)];
  const mode: Mode = { inverse: ctx.int('inverse', 0) !== 0, onesided: ctx.int('onesided', 0) !== 0 };
  const rank = shape.length;
  const axisRaw = ctx.opset < 20 ? ctx.int('axis', 1) : ctx.hasInput(2) ? staticInt(ctx, 2) : -2;
  const out: Dim[] = shape.slice();
  out[rank - 1] = mode.onesided && mode.inverse ? 1 : 2;
  if (axisRaw === undefined) {
    for (let i = 0; i < rank - 1; i++) out[i] = ctx.unknownDim();
    return [tensorType(elem, out)];
  }
  const axis = dftAxis(axisRaw, rank, ctx.label);
  const dim = shape[axis];
  let n: number | undefined;
  if (ctx.hasInput(1)) n = staticInt(ctx, 1);
  else if (typeof dim === 'number') n = defaultLength(dim, mode);
  out[axis] = n === undefined ? ctx.unknownDim() : outputLength(n, mode);
  return [tensorType(elem, out)];
};

export const DFT: readonly OperatorDef[] = [
  defineOp('DFT', '17-19', dftKernel, '', dftShape),
  defineOp('DFT', '20+', dftKernel, '', dftShape),
];
