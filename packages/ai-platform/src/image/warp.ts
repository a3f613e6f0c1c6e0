import { InvalidArgumentError } from '@zai/common';
import type { Image } from './image.js';

export type Point = readonly [number, number];
/** Four corners: top-left, top-right, bottom-right, bottom-left. */
export type Quad = readonly [Point, Point, Point, Point];

/** Solves the 8×8 system of a homography by Gaussian elimination with partial pivoting. */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++)
      if (Math.abs(a[r * n + col]!) > Math.abs(a[pivot * n + col]!)) pivot = r;
    if (Math.abs(a[pivot * n + col]!) < 1e-12)
      throw new InvalidArgumentError('warp: the quadrilateral is degenerate');
    if (pivot !== col) {
      for (let k = 0; k < n; k++) {
        const t = a[col * n + k]!;
        a[col * n + k] = a[pivot * n + k]!;
        a[pivot * n + k] = t;
      }
      const t = b[col]!;
      b[col] = b[pivot]!;
      b[pivot] = t;
    }
    for (let r = col + 1; r < n; r++) {
      const f = a[r * n + col]! / a[col * n + col]!;
      if (f === 0) continue;
      for (let k = col; k < n; k++) a[r * n + k]! -= f * a[col * n + k]!;
      b[r]! -= f * b[col]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let k = r + 1; k < n; k++) s -= a[r * n + k]! * x[k]!;
    x[r] = s / a[r * n + r]!;
  }
  return x;
}

/** The homography taking the corners of `from` to those of `to` (h33 = 1), row-major. */
export function homography(from: Quad, to: Quad): Float64Array {
  const a = new Float64Array(64);
  const b = new Float64Array(8);
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i]!;
    const [u, v] = to[i]!;
    a.set([x, y, 1, 0, 0, 0, -u * x, -u * y], 2 * i * 8);
    a.set([0, 0, 0, x, y, 1, -v * x, -v * y], (2 * i + 1) * 8);
    b[2 * i] = u;
    b[2 * i + 1] = v;
  }
  const h = solve(a, b, 8);
  return Float64Array.of(h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!, 1);
}

/**
 * Cuts the quadrilateral `quad` out of `src` into an upright `width` × `height`
 * image (a perspective warp, bilinear, edges replicated), as OCR crops text lines.
 */
export function warpQuad(src: Image, quad: Quad, width: number, height: number): Image {
  if (!(width > 0 && height > 0)) throw new InvalidArgumentError(`warp: bad output size ${width}x${height}`);
  const target: Quad = [
    [0, 0],
    [width, 0],
    [width, height],
    [0, height],
  ];
  // maps output pixel centres back to source coordinates
  const h = homography(target, quad);
  const c = src.channels;
  const sw = src.width;
  const sh = src.height;
  const data = src.data;
  const out = new Uint8Array(width * height * c);
  let o = 0;
  for (let y = 0; y < height; y++) {
    const fy = y + 0.5;
    for (let x = 0; x < width; x++) {
      const fx = x + 0.5;
      const w = h[6]! * fx + h[7]! * fy + 1;
      let sx = (h[0]! * fx + h[1]! * fy + h[2]!) / w - 0.5;
      let sy = (h[3]! * fx + h[4]! * fy + h[5]!) / w - 0.5;
      sx = sx < 0 ? 0 : Math.min(sx, sw - 1);
      sy = sy < 0 ? 0 : Math.min(sy, sh - 1);
      const x0 = sx | 0;
      const y0 = sy | 0;
      const x1 = x0 + 1 < sw ? x0 + 1 : x0;
      const y1 = y0 + 1 < sh ? y0 + 1 : y0;
      const ax = sx - x0;
      const ay = sy - y0;
      const p00 = (y0 * sw + x0) * c;
      const p01 = (y0 * sw + x1) * c;
      const p10 = (y1 * sw + x0) * c;
      const p11 = (y1 * sw + x1) * c;
      for (let k = 0; k < c; k++) {
        const top = data[p00 + k]! + (data[p01 + k]! - data[p00 + k]!) * ax;
        const bottom = data[p10 + k]! + (data[p11 + k]! - data[p10 + k]!) * ax;
        out[o++] = top + (bottom - top) * ay + 0.5;
      }
    }
  }
  return { width, height, channels: c, data: out };
}
