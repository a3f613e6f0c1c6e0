// Per-axis sampling tables for Resize / Upsample: for every output position
// of an axis, the clamped source indices and filter weights (nearest, linear,
// cubic, antialiased), following the ONNX coordinate transformation modes.

export type InterpMode = 'nearest' | 'linear' | 'cubic';
export type CoordMode =
  | 'half_pixel'
  | 'half_pixel_symmetric'
  | 'pytorch_half_pixel'
  | 'align_corners'
  | 'asymmetric'
  | 'tf_half_pixel_for_nn'
  | 'tf_crop_and_resize';
/** 'simple' is Resize-10 / Upsample: truncate when upsampling, ceil when downsampling. */
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil' | 'simple';

export interface ResampleParams {
  readonly mode: InterpMode;
  readonly coord: CoordMode;
  readonly nearest: NearestMode;
  readonly cubicA: number;
  readonly excludeOutside: boolean;
  readonly extrapolation: number;
  readonly antialias: boolean;
  /** Compute coordinates in float32, as onnxruntime does for Resize-10 / Upsample. */
  readonly float32Coords?: boolean;
}

/** Per-axis resampling plan: `taps` source indices and weights for each output position. */
export interface AxisTable {
  readonly taps: number;
  readonly idx: Int32Array;
  readonly w: Float64Array;
  /** 1 where the output position lies outside the crop and takes extrapolation_value. */
  readonly extrap: Uint8Array | null;
  readonly identity: boolean;
}

/** Maps output coordinate x to the input coordinate, as the ONNX spec's coordinate modes define. */
function sourceCoord(
  p: ResampleParams,
  x: number,
  inLen: number,
  outLen: number,
  scale: number,
  roiStart: number,
  roiEnd: number,
): number {
  // the fractional output length (scale * in), as the reference uses for align_corners & co.
  const outW = scale * inLen;
  switch (p.coord) {
    case 'half_pixel':
      return (x + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric': {
      const offset = (inLen / 2) * (1 - outLen / outW);
      return offset + (x + 0.5) / scale - 0.5;
    }
    case 'pytorch_half_pixel':
      return outW > 1 ? (x + 0.5) / scale - 0.5 : 0;
    case 'align_corners':
      return outW === 1 ? 0 : (x * (inLen - 1)) / (outW - 1);
    case 'asymmetric':
      return p.float32Coords ? Math.fround(x / scale) : x / scale;
    case 'tf_half_pixel_for_nn':
      return (x + 0.5) / scale;
    case 'tf_crop_and_resize':
      return outW === 1
        ? ((roiEnd - roiStart) * (inLen - 1)) / 2 + roiStart * (inLen - 1)
        : (x * (roiEnd - roiStart) * (inLen - 1)) / (outW - 1) + roiStart * (inLen - 1);
  }
}

function nearestIndex(p: ResampleParams, xo: number, scale: number): number {
  const f = Math.floor(xo);
  if (f === xo) return f;
  const r = xo - f;
  switch (p.nearest) {
    case 'round_prefer_floor':
      return r <= 0.5 ? f : f + 1;
    case 'round_prefer_ceil':
      return r < 0.5 ? f : f + 1;
    case 'floor':
      return f;
    case 'ceil':
      return f + 1;
    case 'simple':
      return scale < 1 ? Math.ceil(xo) : Math.trunc(xo);
  }
}

/** Keys' cubic kernel at distance d. */
function cubicKernel(d: number, a: number): number {
  const x = Math.abs(d);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

/**
 * Fills `w` with the filter weights for fractional position `ratio` in (0, 1]
 * and returns the offset of the first tap from the base index. Antialiasing
 * stretches the filter by 1 / scale when downsampling.
 */
function filterWeights(p: ResampleParams, ratio: number, scale: number, w: Float64Array): number {
  if (!p.antialias) {
    if (p.mode === 'linear') {
      w[0] = 1 - ratio;
      w[1] = ratio;
      return 0;
    }
    for (let k = 0; k < 4; k++) w[k] = cubicKernel(k - 1 - ratio, p.cubicA);
    return -1;
  }
  const s = Math.min(scale, 1);
  const start = p.mode === 'linear' ? Math.floor(-1 / s) + 1 : Math.floor(-2 / s) + 1;
  const n = 2 - 2 * start;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const d = s * (start + k - ratio);
    const v = p.mode === 'linear' ? Math.max(0, 1 - Math.abs(d)) : cubicKernel(d, p.cubicA);
    w[k] = v;
    sum += v;
  }
  for (let k = 0; k < n; k++) w[k]! /= sum;
  return start;
}

function tapCount(p: ResampleParams, scale: number): number {
  if (p.mode === 'nearest') return 1;
  if (!p.antialias) return p.mode === 'linear' ? 2 : 4;
  const s = Math.min(scale, 1);
  const start = p.mode === 'linear' ? Math.floor(-1 / s) + 1 : Math.floor(-2 / s) + 1;
  return 2 - 2 * start;
}

/** Builds the tap table of one axis resized from `inLen` to `outLen` with `scale`. */
export function axisTable(
  p: ResampleParams,
  inLen: number,
  outLen: number,
  scale: number,
  roiStart = 0,
  roiEnd = 1,
): AxisTable {
  const taps = tapCount(p, scale);
  const idx = new Int32Array(outLen * taps);
  const w = new Float64Array(outLen * taps);
  let extrap: Uint8Array | null = null;
  const tmp = new Float64Array(taps);
  const last = inLen - 1;
  for (let x = 0; x < outLen; x++) {
    const xo = sourceCoord(p, x, inLen, outLen, scale, roiStart, roiEnd);
    const o = x * taps;
    if (p.coord === 'tf_crop_and_resize' && (xo < 0 || xo > last)) {
      extrap ??= new Uint8Array(outLen);
      extrap[x] = 1;
      continue;
    }
    if (taps === 1) {
      const j = nearestIndex(p, xo, scale);
      idx[o] = Math.min(Math.max(j, 0), last);
      w[o] = 1;
      continue;
    }
    // the ratio lies in (0, 1]: an integral position uses the pixel on its left as base
    let base = Math.floor(xo);
    let ratio = xo - base;
    if (ratio === 0) {
      ratio = 1;
      base -= 1;
    }
    const first = base + filterWeights(p, ratio, scale, tmp);
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const j = first + k;
      let wk = tmp[k]!;
      if (p.excludeOutside && (j < 0 || j > last)) wk = 0;
      idx[o + k] = Math.min(Math.max(j, 0), last);
      w[o + k] = wk;
      sum += wk;
    }
    if (p.excludeOutside && sum !== 0) for (let k = 0; k < taps; k++) w[o + k]! /= sum;
  }
  return { taps, idx, w, extrap, identity: isIdentity(inLen, outLen, taps, idx, w, extrap) };
}

function isIdentity(
  inLen: number,
  outLen: number,
  taps: number,
  idx: Int32Array,
  w: Float64Array,
  extrap: Uint8Array | null,
): boolean {
  if (inLen !== outLen || extrap) return false;
  for (let x = 0; x < outLen; x++) {
    let self = 0;
    for (let k = 0; k < taps; k++) {
      const j = idx[x * taps + k]!;
      const wk = w[x * taps + k]!;
      if (j === x) self += wk;
      else if (wk !== 0) return false;
    }
    if (self !== 1) return false;
  }
  return true;
}
