import type { Point, Quad } from '../image/warp.js';

/** Convex hull of points given as flat `[x0, y0, x1, y1, …]` (Andrew's monotone chain), counter-clockwise. */
export function convexHull(xy: Int32Array | Float64Array, count: number): Point[] {
  const idx = Array.from({ length: count }, (_, i) => i);
  idx.sort((a, b) => xy[2 * a]! - xy[2 * b]! || xy[2 * a + 1]! - xy[2 * b + 1]!);
  const cross = (o: number, a: number, b: number) =>
    (xy[2 * a]! - xy[2 * o]!) * (xy[2 * b + 1]! - xy[2 * o + 1]!) -
    (xy[2 * a + 1]! - xy[2 * o + 1]!) * (xy[2 * b]! - xy[2 * o]!);
  const lower: number[] = [];
  for (const i of idx) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, i) <= 0)
      lower.pop();
    lower.push(i);
  }
  const upper: number[] = [];
  for (let k = idx.length - 1; k >= 0; k--) {
    const i = idx[k]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, i) <= 0)
      upper.pop();
    upper.push(i);
  }
  const hull = lower.slice(0, -1).concat(upper.slice(0, -1));
  return hull.map((i) => [xy[2 * i]!, xy[2 * i + 1]!] as const);
}

/** A rotated rectangle: centre, side lengths along its own axes, and the unit direction of `width`. */
export interface RotatedRect {
  readonly cx: number;
  readonly cy: number;
  readonly width: number;
  readonly height: number;
  /** Unit vector along the width side. */
  readonly ux: number;
  readonly uy: number;
}

/** The smallest-area rectangle holding a convex polygon (one side lies on a hull edge). */
export function minAreaRect(hull: readonly Point[]): RotatedRect {
  if (hull.length === 1) {
    const [x, y] = hull[0]!;
    return { cx: x, cy: y, width: 0, height: 0, ux: 1, uy: 0 };
  }
  let best: RotatedRect | undefined;
  let bestArea = Number.POSITIVE_INFINITY;
  for (let i = 0; i < hull.length; i++) {
    const [ax, ay] = hull[i]!;
    const [bx, by] = hull[(i + 1) % hull.length]!;
    const len = Math.hypot(bx - ax, by - ay);
    if (len === 0) continue;
    const ux = (bx - ax) / len;
    const uy = (by - ay) / len;
    let minU = Number.POSITIVE_INFINITY;
    let maxU = Number.NEGATIVE_INFINITY;
    let minV = Number.POSITIVE_INFINITY;
    let maxV = Number.NEGATIVE_INFINITY;
    for (const [x, y] of hull) {
      const u = x * ux + y * uy;
      const v = -x * uy + y * ux;
      if (u < minU) minU = u;
      if (u > maxU) maxU = u;
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < bestArea) {
      bestArea = area;
      const cu = (minU + maxU) / 2;
      const cv = (minV + maxV) / 2;
      best = {
        cx: cu * ux - cv * uy,
        cy: cu * uy + cv * ux,
        width: maxU - minU,
        height: maxV - minV,
        ux,
        uy,
      };
    }
  }
  return best ?? { cx: hull[0]![0], cy: hull[0]![1], width: 0, height: 0, ux: 1, uy: 0 };
}

/** The same rectangle grown by `d` on every side. */
export function growRect(r: RotatedRect, d: number): RotatedRect {
  return { ...r, width: r.width + 2 * d, height: r.height + 2 * d };
}

/** The corners of a rotated rectangle ordered top-left, top-right, bottom-right, bottom-left. */
export function rectCorners(r: RotatedRect): Quad {
  // take the side closer to horizontal as the width, so text lines come out left to right
  let { ux, uy, width: w, height: h } = r;
  if (Math.abs(uy) > Math.abs(ux)) {
    [ux, uy] = [-uy, ux];
    [w, h] = [h, w];
  }
  if (ux < 0) {
    ux = -ux;
    uy = -uy;
  }
  const vx = -uy;
  const vy = ux;
  const hw = w / 2;
  const hh = h / 2;
  const at = (su: number, sv: number): Point => [
    r.cx + su * hw * ux + sv * hh * vx,
    r.cy + su * hw * uy + sv * hh * vy,
  ];
  return [at(-1, -1), at(1, -1), at(1, 1), at(-1, 1)];
}

export const distance = (a: Point, b: Point): number => Math.hypot(a[0] - b[0], a[1] - b[1]);

/** Reading order: top to bottom, and left to right within a line (boxes whose tops differ by < `lineTolerance`). */
export function readingOrder<T extends { readonly box: Quad }>(items: readonly T[], lineTolerance = 10): T[] {
  const sorted = [...items].sort((a, b) => a.box[0][1] - b.box[0][1] || a.box[0][0] - b.box[0][0]);
  for (let i = 1; i < sorted.length; i++) {
    for (let j = i; j > 0; j--) {
      const a = sorted[j - 1]!;
      const b = sorted[j]!;
      if (Math.abs(b.box[0][1] - a.box[0][1]) < lineTolerance && b.box[0][0] < a.box[0][0]) {
        sorted[j - 1] = b;
        sorted[j] = a;
      } else break;
    }
  }
  return sorted;
}
