import type { Window } from './conv-util.js';
import type { FloatArray } from './gemm-core.js';

// Direct depthwise convolution (group == input channels, one input channel
// per group, any channel multiplier), for 1-D and 2-D windows (as padded out
// to 3-D by to3d). Per output channel, the interior region, where every tap
// lies inside the input, runs without bounds checks (3x3 kernels with their
// nine weights in locals); the border ring checks each tap. Sums accumulate
// in float64 and the bias is added once per output. Planes that are mostly
// border are instead copied into a zero-padded scratch plane first.

/** Whether the 3-D-padded window `w3` reduces to 2-D, so the direct loops apply. */
export function depthwiseApplies(w3: Window): boolean {
  return (
    w3.inDims[0] === 1 &&
    w3.kernel[0] === 1 &&
    w3.outDims[0] === 1 &&
    w3.padsBegin[0] === 0 &&
    w3.inDims[1]! > 0 &&
    w3.inDims[2]! > 0
  );
}

/** First output index at or after which every tap starting at o*s - p lies inside [0, size). */
function interiorLo(out: number, p: number, s: number): number {
  return Math.min(out, Math.ceil(p / s));
}

/** One past the last output index whose taps (extent (k-1)*d + 1) stay inside [0, size). */
function interiorHi(
  out: number,
  lo: number,
  size: number,
  k: number,
  d: number,
  p: number,
  s: number,
): number {
  const last = size - 1 + p - (k - 1) * d;
  return last < 0 ? lo : Math.max(lo, Math.min(out, Math.floor(last / s) + 1));
}

/** One output with bounds-checked taps (the border ring). */
function edge(
  X: FloatArray,
  xc: number,
  W: FloatArray,
  wo: number,
  IH: number,
  IW: number,
  KH: number,
  KW: number,
  dh: number,
  dw: number,
  ih0: number,
  iw0: number,
): number {
  // Taps inside the input: kh in [khLo, khHi), kw in [kwLo, kwHi).
  const khLo = ih0 < 0 ? Math.ceil(-ih0 / dh) : 0;
  const khHi = Math.min(KH, Math.ceil((IH - ih0) / dh));
  const kwLo = iw0 < 0 ? Math.ceil(-iw0 / dw) : 0;
  const kwHi = Math.min(KW, Math.ceil((IW - iw0) / dw));
  let s = 0;
  for (let kh = khLo; kh < khHi; kh++) {
    const r = xc + (ih0 + kh * dh) * IW + iw0;
    const wk = wo + kh * KW;
    for (let kw = kwLo; kw < kwHi; kw++) s += W[wk + kw]! * X[r + kw * dw]!;
  }
  return s;
}

/**
 * out (N x M x OH x OW) = depthwise conv of X (N x C x IH x IW) with W
 * (M x 1 x KH x KW), M a multiple of C, plus the optional per-channel bias.
 */
export function depthwiseConv(
  N: number,
  C: number,
  M: number,
  X: FloatArray,
  W: FloatArray,
  bias: ArrayLike<number> | undefined,
  out: FloatArray,
  w3: Window,
): void {
  const IH = w3.inDims[1]!;
  const IW = w3.inDims[2]!;
  const KH = w3.kernel[1]!;
  const KW = w3.kernel[2]!;
  const OH = w3.outDims[1]!;
  const OW = w3.outDims[2]!;
  const sh = w3.strides[1]!;
  const sw = w3.strides[2]!;
  const dh = w3.dilations[1]!;
  const dw = w3.dilations[2]!;
  const ph = w3.padsBegin[1]!;
  const pw = w3.padsBegin[2]!;
  const inSize = IH * IW;
  const outSize = OH * OW;
  const K = KH * KW;
  const Mg = M / C;
  const ohLo = interiorLo(OH, ph, sh);
  const ohHi = interiorHi(OH, ohLo, IH, KH, dh, ph, sh);
  const owLo = interiorLo(OW, pw, sw);
  const owHi = interiorHi(OW, owLo, IW, KW, dw, pw, sw);
  // Mostly border (small planes, large kernels): run everything as interior
  // over a zero-padded copy of each input channel instead.
  const padded = (ohHi - ohLo) * (owHi - owLo) * 4 < outSize * 3;
  const Hp = (OH - 1) * sh + (KH - 1) * dh + 1;
  const Wp = (OW - 1) * sw + (KW - 1) * dw + 1;
  const plane = padded
    ? X instanceof Float64Array
      ? new Float64Array(Hp * Wp)
      : new Float32Array(Hp * Wp)
    : X;
  const copyH = Math.min(IH, Hp - ph);
  const copyW = Math.min(IW, Wp - pw);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const xc = (n * C + c) * inSize;
      if (padded && copyW > 0) {
        // The padding stays zero: every channel writes the same positions.
        for (let ih = 0; ih < copyH; ih++) {
          const src = xc + ih * IW;
          plane.set(X.subarray(src, src + copyW), (ih + ph) * Wp + pw);
        }
      }
      for (let m = c * Mg; m < (c + 1) * Mg; m++) {
        const yc = (n * M + m) * outSize;
        const wo = m * K;
        const b = bias ? bias[m]! : 0;
        if (padded) {
          for (let oh = 0; oh < OH; oh++)
            interiorRow(plane, oh * sh * Wp, Wp * dh, sw, dw, KH, KW, W, wo, b, out, yc + oh * OW, 0, OW);
          continue;
        }
        for (let oh = 0; oh < OH; oh++) {
          const ih0 = oh * sh - ph;
          const y = yc + oh * OW;
          const inner = oh >= ohLo && oh < ohHi;
          const stop = inner ? owLo : OW;
          for (let ow = 0; ow < stop; ow++) {
            out[y + ow] = edge(X, xc, W, wo, IH, IW, KH, KW, dh, dw, ih0, ow * sw - pw) + b;
          }
          if (!inner) continue;
          interiorRow(X, xc + ih0 * IW - pw, IW * dh, sw, dw, KH, KW, W, wo, b, out, y, owLo, owHi);
          for (let ow = owHi; ow < OW; ow++) {
            out[y + ow] = edge(X, xc, W, wo, IH, IW, KH, KW, dh, dw, ih0, ow * sw - pw) + b;
          }
        }
      }
    }
  }
}

/** Interior outputs [lo, hi) of one output row; r is the input offset of tap (0, 0) at ow = 0, rs the offset between tap rows. */
function interiorRow(
  X: FloatArray,
  r: number,
  rs: number,
  sw: number,
  dw: number,
  KH: number,
  KW: number,
  W: FloatArray,
  wo: number,
  b: number,
  out: FloatArray,
  y: number,
  lo: number,
  hi: number,
): void {
  if (KH === 3 && KW === 3) row3x3(X, r, rs, sw, dw, W, wo, b, out, y, lo, hi);
  else if (KH === 5 && KW === 5 && dw === 1) row5x5(X, r, rs, sw, W, wo, b, out, y, lo, hi);
  else rowGeneric(X, r, rs, sw, dw, KH, KW, W, wo, b, out, y, lo, hi);
}

/** interiorRow for a 3x3 kernel, its nine weights in locals. */
function row3x3(
  X: FloatArray,
  r: number,
  rs: number,
  sw: number,
  dw: number,
  W: FloatArray,
  wo: number,
  b: number,
  out: FloatArray,
  y: number,
  lo: number,
  hi: number,
): void {
  const w0 = W[wo]!;
  const w1 = W[wo + 1]!;
  const w2 = W[wo + 2]!;
  const w3 = W[wo + 3]!;
  const w4 = W[wo + 4]!;
  const w5 = W[wo + 5]!;
  const w6 = W[wo + 6]!;
  const w7 = W[wo + 7]!;
  const w8 = W[wo + 8]!;
  const r0 = r;
  const r1 = r0 + rs;
  const r2 = r1 + rs;
  const d2 = 2 * dw;
  if (sw === 1 && dw === 1) {
    for (let ow = lo; ow < hi; ow++) {
      out[y + ow] =
        w0 * X[r0 + ow]! +
        w1 * X[r0 + ow + 1]! +
        w2 * X[r0 + ow + 2]! +
        (w3 * X[r1 + ow]! + w4 * X[r1 + ow + 1]! + w5 * X[r1 + ow + 2]!) +
        (w6 * X[r2 + ow]! + w7 * X[r2 + ow + 1]! + w8 * X[r2 + ow + 2]!) +
        b;
    }
    return;
  }
  for (let ow = lo; ow < hi; ow++) {
    const i = ow * sw;
    out[y + ow] =
      w0 * X[r0 + i]! +
      w1 * X[r0 + i + dw]! +
      w2 * X[r0 + i + d2]! +
      (w3 * X[r1 + i]! + w4 * X[r1 + i + dw]! + w5 * X[r1 + i + d2]!) +
      (w6 * X[r2 + i]! + w7 * X[r2 + i + dw]! + w8 * X[r2 + i + d2]!) +
      b;
  }
}

/** interiorRow for any kernel size (rows of 5 taps unrolled). */
function rowGeneric(
  X: FloatArray,
  r: number,
  rs: number,
  sw: number,
  dw: number,
  KH: number,
  KW: number,
  W: FloatArray,
  wo: number,
  b: number,
  out: FloatArray,
  y: number,
  lo: number,
  hi: number,
): void {
  if (KW === 5 && dw === 1) {
    for (let ow = lo; ow < hi; ow++) {
      let s = 0;
      let p = r + ow * sw;
      for (let k = wo; k < wo + KH * 5; k += 5) {
        s +=
          W[k]! * X[p]! +
          W[k + 1]! * X[p + 1]! +
          W[k + 2]! * X[p + 2]! +
          W[k + 3]! * X[p + 3]! +
          W[k + 4]! * X[p + 4]!;
        p += rs;
      }
      out[y + ow] = s + b;
    }
    return;
  }
  for (let ow = lo; ow < hi; ow++) {
    let s = 0;
    let p = r + ow * sw;
    let k = wo;
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) s += W[k++]! * X[p + kw * dw]!;
      p += rs;
    }
    out[y + ow] = s + b;
  }
}

/** interiorRow for a 5x5 kernel with unit column dilation, its 25 weights in locals. */
function row5x5(
  X: FloatArray,
  r: number,
  rs: number,
  sw: number,
  W: FloatArray,
  wo: number,
  b: number,
  out: FloatArray,
  y: number,
  lo: number,
  hi: number,
): void {
  const w0 = W[wo + 0]!;
  const w1 = W[wo + 1]!;
  const w2 = W[wo + 2]!;
  const w3 = W[wo + 3]!;
  const w4 = W[wo + 4]!;
  const w5 = W[wo + 5]!;
  const w6 = W[wo + 6]!;
  const w7 = W[wo + 7]!;
  const w8 = W[wo + 8]!;
  const w9 = W[wo + 9]!;
  const w10 = W[wo + 10]!;
  const w11 = W[wo + 11]!;
  const w12 = W[wo + 12]!;
  const w13 = W[wo + 13]!;
  const w14 = W[wo + 14]!;
  const w15 = W[wo + 15]!;
  const w16 = W[wo + 16]!;
  const w17 = W[wo + 17]!;
  const w18 = W[wo + 18]!;
  const w19 = W[wo + 19]!;
  const w20 = W[wo + 20]!;
  const w21 = W[wo + 21]!;
  const w22 = W[wo + 22]!;
  const w23 = W[wo + 23]!;
  const w24 = W[wo + 24]!;
  for (let ow = lo; ow < hi; ow++) {
    const p0 = r + ow * sw;
    const p1 = p0 + rs;
    const p2 = p1 + rs;
    const p3 = p2 + rs;
    const p4 = p3 + rs;
    out[y + ow] =
      w0 * X[p0]! +
      w1 * X[p0 + 1]! +
      w2 * X[p0 + 2]! +
      w3 * X[p0 + 3]! +
      w4 * X[p0 + 4]! +
      (w5 * X[p1]! + w6 * X[p1 + 1]! + w7 * X[p1 + 2]! + w8 * X[p1 + 3]! + w9 * X[p1 + 4]!) +
      (w10 * X[p2]! + w11 * X[p2 + 1]! + w12 * X[p2 + 2]! + w13 * X[p2 + 3]! + w14 * X[p2 + 4]!) +
      (w15 * X[p3]! + w16 * X[p3 + 1]! + w17 * X[p3 + 2]! + w18 * X[p3 + 3]! + w19 * X[p3 + 4]!) +
      (w20 * X[p4]! + w21 * X[p4 + 1]! + w22 * X[p4 + 2]! + w23 * X[p4 + 3]! + w24 * X[p4 + 4]!) +
      b;
  }
}
