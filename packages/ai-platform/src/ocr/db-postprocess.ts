import type { Quad } from '../image/warp.js';
import { convexHull, growRect, minAreaRect, rectCorners } from './geometry.js';

/** Settings of DB (differentiable binarization) post-processing, PaddleOCR's defaults. */
export interface DbOptions {
  /** Probability above which a pixel is text. */
  readonly threshold: number;
  /** Mean probability a region needs to be kept. */
  readonly boxThreshold: number;
  /** How far boxes grow back out (the model predicts shrunk text kernels). */
  readonly unclipRatio: number;
  /** Boxes whose short side is under this many map pixels are dropped. */
  readonly minSize: number;
  /** At most this many regions are considered (largest first). */
  readonly maxCandidates: number;
}

export const DB_DEFAULTS: DbOptions = {
  threshold: 0.3,
  boxThreshold: 0.6,
  unclipRatio: 1.5,
  minSize: 3,
  maxCandidates: 1000,
};

export interface DetectedBox {
  /** Corners in the probability map's pixels: top-left, top-right, bottom-right, bottom-left. */
  readonly box: Quad;
  /** Mean text probability over the region. */
  readonly score: number;
}

interface Region {
  /** Boundary pixel coordinates, flat x, y pairs. */
  readonly boundary: Int32Array;
  readonly boundaryCount: number;
  readonly pixels: number;
  readonly score: number;
}

/**
 * Labels 8-connected regions of `mask` with an explicit stack (no recursion),
 * collecting each region's boundary pixels and mean probability.
 */
function regions(mask: Uint8Array, prob: Float32Array, width: number, height: number): Region[] {
  const label = new Int32Array(width * height);
  const stack = new Int32Array(width * height);
  const out: Region[] = [];
  let next = 0;
  let boundary = new Int32Array(1024);
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || label[start]) continue;
    next++;
    let top = 0;
    stack[top++] = start;
    label[start] = next;
    let pixels = 0;
    let sum = 0;
    let nb = 0;
    while (top > 0) {
      const p = stack[--top]!;
      const x = p % width;
      const y = (p - x) / width;
      pixels++;
      sum += prob[p]!;
      let edge = x === 0 || y === 0 || x === width - 1 || y === height - 1;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if ((dx === 0 && dy === 0) || xx < 0 || xx >= width) continue;
          const q = yy * width + xx;
          if (!mask[q]) {
            edge = true;
            continue;
          }
          if (label[q]) continue;
          label[q] = next;
          stack[top++] = q;
        }
      }
      if (edge) {
        if (2 * nb + 2 > boundary.length) {
          const grown = new Int32Array(boundary.length * 2);
          grown.set(boundary);
          boundary = grown;
        }
        boundary[2 * nb] = x;
        boundary[2 * nb + 1] = y;
        nb++;
      }
    }
    out.push({ boundary: boundary.slice(0, 2 * nb), boundaryCount: nb, pixels, score: sum / pixels });
  }
  return out;
}

/**
 * DB post-processing: threshold the probability map, find connected regions,
 * fit each a minimum-area rectangle, drop weak or tiny ones, and grow the rest
 * by `area * unclipRatio / perimeter` (the inverse of the model's shrinking).
 */
export function dbBoxes(
  prob: Float32Array,
  width: number,
  height: number,
  options: Partial<DbOptions> = {},
): DetectedBox[] {
  const o = { ...DB_DEFAULTS, ...options };
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = prob[i]! > o.threshold ? 1 : 0;
  const found = regions(mask, prob, width, height)
    .sort((a, b) => b.pixels - a.pixels)
    .slice(0, o.maxCandidates);
  const boxes: DetectedBox[] = [];
  for (const r of found) {
    if (r.score < o.boxThreshold || r.boundaryCount < 3) continue;
    const rect = minAreaRect(convexHull(r.boundary, r.boundaryCount));
    // pixel centres span one pixel less than the region: measure its edges (pixel i covers [i, i+1])
    const tight = {
      ...rect,
      cx: rect.cx + 0.5,
      cy: rect.cy + 0.5,
      width: rect.width + 1,
      height: rect.height + 1,
    };
    if (Math.min(tight.width, tight.height) < o.minSize) continue;
    const area = tight.width * tight.height;
    const perimeter = 2 * (tight.width + tight.height);
    const grown = growRect(tight, (area * o.unclipRatio) / perimeter);
    if (Math.min(grown.width, grown.height) < o.minSize + 2) continue;
    const corners = rectCorners(grown);
    const clip = (v: number, max: number) => (v < 0 ? 0 : Math.min(v, max));
    const box = corners.map(([x, y]) => [clip(x, width), clip(y, height)] as const) as unknown as Quad;
    boxes.push({ box, score: r.score });
  }
  return boxes;
}
