import type { Window } from './conv-util.js';
import { type FloatArray, sgemm } from './gemm-core.js';

// The general Conv path: im2col into a column buffer, then one GEMM per batch
// item and group. The buffer is kept per kernel instance (ConvScratch) while
// it is not too large. The padding positions of a column buffer depend only
// on the geometry, so a buffer last filled with the same geometry (or fresh
// from allocation) already holds its zeros, and the 1-D/2-D unroll writes
// only each row's in-bounds rectangle.

/** Largest column buffer (elements) kept between runs. */
const KEEP_MAX = 1 << 22;

/** Per-kernel scratch reused across runs. */
export interface ConvScratch {
  col?: FloatArray;
  /** The geometry whose padding zeros `col` holds. */
  key?: string;
}

/**
 * Unrolls channels [0, Cg) of X (at xOff, 3-D spatial window `w`) into
 * col: one row per (c, kd, kh, kw), one column per output position.
 * Writes every element, padding zeros included.
 */
export function im2col(X: FloatArray, xOff: number, Cg: number, w: Window, col: FloatArray): void {
  const [ID, IH, IW] = w.inDims as [number, number, number];
  const [KD, KH, KW] = w.kernel as [number, number, number];
  const [OD, OH, OW] = w.outDims as [number, number, number];
  const [sd, sh, sw] = w.strides as [number, number, number];
  const [dd, dh, dw] = w.dilations as [number, number, number];
  const [pd, ph, pw] = w.padsBegin as [number, number, number];
  let o = 0;
  for (let c = 0; c < Cg; c++) {
    const xc = xOff + c * ID * IH * IW;
    for (let kd = 0; kd < KD; kd++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          const iw0 = kw * dw - pw;
          // Output columns whose input column lies inside [0, IW).
          const lo = Math.min(OW, Math.max(0, Math.ceil(-iw0 / sw)));
          const hi = Math.max(lo, Math.min(OW, Math.ceil((IW - iw0) / sw)));
          for (let od = 0; od < OD; od++) {
            const id = od * sd - pd + kd * dd;
            if (id < 0 || id >= ID) {
              col.fill(0, o, o + OH * OW);
              o += OH * OW;
              continue;
            }
            for (let oh = 0; oh < OH; oh++) {
              const ih = oh * sh - ph + kh * dh;
              if (ih < 0 || ih >= IH) {
                col.fill(0, o, o + OW);
                o += OW;
                continue;
              }
              const base = xc + (id * IH + ih) * IW + iw0;
              let ow = 0;
              for (; ow < lo; ow++) col[o + ow] = 0;
              if (sw === 1) for (; ow < hi; ow++) col[o + ow] = X[base + ow]!;
              else for (; ow < hi; ow++) col[o + ow] = X[base + ow * sw]!;
              for (; ow < OW; ow++) col[o + ow] = 0;
              o += OW;
            }
          }
        }
      }
    }
  }
}

/** Whether the 3-D-padded window is really 1-D/2-D (one input and output depth slice, no depth taps). */
function planar(w: Window): boolean {
  return w.inDims[0] === 1 && w.kernel[0] === 1 && w.outDims[0] === 1 && w.padsBegin[0] === 0;
}

/** Output indices [lo, hi) whose tap at offset `t` (= k*d - p) lands inside [0, size). */
function validRange(out: number, size: number, t: number, s: number): [number, number] {
  const lo = Math.min(out, Math.max(0, Math.ceil(-t / s)));
  const hi = Math.max(lo, Math.min(out, Math.ceil((size - t) / s)));
  return [lo, hi];
}

/**
 * im2col for a planar window into a buffer whose padding positions are
 * already zero: writes only the in-bounds rectangle of each row.
 */
function im2col2d(X: FloatArray, xOff: number, Cg: number, w: Window, col: FloatArray): void {
  const IH = w.inDims[1]!;
  const IW = w.inDims[2]!;
  const KH = w.kernel[1]!;
  const KW = w.kernel[2]!;
  const OH = w.outDims[1]!;
  const OW = w.outDims[2]!;
  const sh = w.strides[1]!;
  const sw = w.strides[2]!;
  const outSize = OH * OW;
  const bulk = sh === 1 && sw === 1 && IW === OW && X.constructor === col.constructor;
  let o = 0;
  for (let c = 0; c < Cg; c++) {
    const xc = xOff + c * IH * IW;
    for (let kh = 0; kh < KH; kh++) {
      const th = kh * w.dilations[1]! - w.padsBegin[1]!;
      const [ohLo, ohHi] = validRange(OH, IH, th, sh);
      for (let kw = 0; kw < KW; kw++) {
        const tw = kw * w.dilations[2]! - w.padsBegin[2]!;
        const [lo, hi] = validRange(OW, IW, tw, sw);
        if (bulk && ohHi > ohLo && hi > lo) {
          // Input and output rows have the same pitch: one block copy, then
          // re-zero the padding columns it ran over between rows.
          const src = xc + (ohLo + th) * IW + tw;
          col.set(X.subarray(src + lo, src + (ohHi - ohLo - 1) * IW + hi), o + ohLo * OW + lo);
          const gap = OW - hi + lo;
          for (let d = o + ohLo * OW + hi, end = o + (ohHi - 1) * OW + hi; d < end; d += OW) {
            for (let i = 0; i < gap; i++) col[d + i] = 0;
          }
        } else {
          for (let oh = ohLo; oh < ohHi; oh++) {
            const dst = o + oh * OW;
            const src = xc + (oh * sh + th) * IW + tw;
            if (sw === 1) for (let ow = lo; ow < hi; ow++) col[dst + ow] = X[src + ow]!;
            else for (let ow = lo; ow < hi; ow++) col[dst + ow] = X[src + ow * sw]!;
          }
        }
        o += outSize;
      }
    }
  }
}

/**
 * out[n, g*Mg .. , :] = W_g (Mg x Kg) x im2col(X[n, g*Cg ..]) + beta * out, for
 * every batch item and group, through a column buffer from `scratch`.
 */
export function convIm2col(
  N: number,
  C: number,
  M: number,
  group: number,
  w3: Window,
  X: FloatArray,
  W: FloatArray,
  beta: number,
  out: FloatArray,
  scratch: ConvScratch | undefined,
): void {
  const inSize = w3.inDims[0]! * w3.inDims[1]! * w3.inDims[2]!;
  const outSize = w3.outDims[0]! * w3.outDims[1]! * w3.outDims[2]!;
  const Cg = C / group;
  const Mg = M / group;
  const Kg = Cg * w3.kernel[0]! * w3.kernel[1]! * w3.kernel[2]!;
  const need = Kg * outSize;
  const f64 = X instanceof Float64Array;
  const flat = planar(w3);
  const key = flat
    ? `${f64}|${Cg}|${w3.inDims}|${w3.kernel}|${w3.strides}|${w3.dilations}|${w3.padsBegin}|${w3.outDims}`
    : '';
  let col = scratch?.col;
  if (!col || col.length < need || col instanceof Float64Array !== f64) {
    col = f64 ? new Float64Array(need) : new Float32Array(need);
  } else if (flat && scratch?.key !== key) {
    col.fill(0, 0, need);
  }
  if (scratch) {
    if (need <= KEEP_MAX) {
      scratch.col = col;
      scratch.key = key;
    } else {
      scratch.col = undefined;
      scratch.key = undefined;
    }
  }
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < group; g++) {
      const xOff = (n * C + g * Cg) * inSize;
      if (flat) im2col2d(X, xOff, Cg, w3, col);
      else im2col(X, xOff, Cg, w3, col);
      sgemm(Mg, outSize, Kg, 1, W, g * Mg * Kg, false, col, 0, false, beta, out, (n * M + g * Mg) * outSize);
    }
  }
}
