import { describe, expect, it } from 'vitest';
import {
  CharacterDictionary,
  convexHull,
  ctcGreedyDecode,
  dbBoxes,
  detectorSize,
  minAreaRect,
  readingOrder,
  rectCorners,
  softmax,
  topK,
} from '../src/index.js';

describe('DB post-processing', () => {
  it('finds each text region as a box grown back by the unclip ratio, dropping weak and tiny ones', () => {
    const w = 64;
    const h = 32;
    const prob = new Float32Array(w * h);
    const fill = (x0: number, y0: number, x1: number, y1: number, p: number) => {
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) prob[y * w + x] = p;
    };
    fill(10, 8, 50, 14, 0.9); // a 40×6 text kernel
    fill(10, 20, 30, 26, 0.4); // above the threshold, below the box threshold
    fill(55, 28, 57, 29, 0.95); // too small
    const boxes = dbBoxes(prob, w, h);
    expect(boxes).toHaveLength(1);
    const [tl, tr, br, bl] = boxes[0]!.box;
    // d = area * 1.5 / perimeter = 240 * 1.5 / 92 ≈ 3.9
    expect(tl[0]).toBeCloseTo(10 - 3.91, 1);
    expect(tl[1]).toBeCloseTo(8 - 3.91, 1);
    expect(br[0]).toBeCloseTo(50 + 3.91, 1);
    expect(br[1]).toBeCloseTo(14 + 3.91, 1);
    expect(tr[1]).toBeCloseTo(tl[1], 5);
    expect(bl[0]).toBeCloseTo(tl[0], 5);
    expect(boxes[0]!.score).toBeCloseTo(0.9, 5);
  });

  it('fits minimum-area rectangles to rotated regions, corners in reading order', () => {
    // a rectangle 20 long and 4 high, turned 30°
    const pts: number[] = [];
    const c = Math.cos(Math.PI / 6);
    const s = Math.sin(Math.PI / 6);
    for (let u = -10; u <= 10; u += 0.5)
      for (let v = -2; v <= 2; v += 0.5) pts.push(u * c - v * s, u * s + v * c);
    const hull = convexHull(Float64Array.from(pts), pts.length / 2);
    const r = minAreaRect(hull);
    expect(Math.max(r.width, r.height)).toBeCloseTo(20, 5);
    expect(Math.min(r.width, r.height)).toBeCloseTo(4, 5);
    const [tl, tr, br, bl] = rectCorners(r);
    expect(tl[0]).toBeLessThan(tr[0]);
    expect(bl[1]).toBeGreaterThan(tl[1]);
    expect(br[1]).toBeGreaterThan(tr[1]);
  });

  it('sizes the detector input to multiples of 32 under the side limit', () => {
    expect(detectorSize(640, 150, 960)).toEqual([640, 160]);
    expect(detectorSize(1920, 1080, 960)).toEqual([960, 544]);
    expect(detectorSize(10, 10, 960)).toEqual([32, 32]);
  });

  it('orders boxes top to bottom and left to right on a line', () => {
    const box = (x: number, y: number) => ({
      box: [
        [x, y],
        [x + 5, y],
        [x + 5, y + 5],
        [x, y + 5],
      ] as const,
    });
    const order = readingOrder([box(50, 3), box(0, 40), box(0, 0), box(20, 6)]).map((b) => b.box[0]);
    expect(order).toEqual([
      [0, 0],
      [20, 6],
      [50, 3],
      [0, 40],
    ]);
  });
});

describe('CTC decoding and scores', () => {
  it('collapses repeats, drops blanks, maps indices through the dictionary (+ space)', () => {
    const dict = new CharacterDictionary(['a', 'b']);
    expect(dict.chars).toEqual(['', 'a', 'b', ' ']);
    // steps: a a blank a b space b
    const steps = [1, 1, 0, 1, 2, 3, 2];
    const probs = new Float32Array(steps.length * 4);
    steps.forEach((c, t) => {
      probs.fill(0.1 / 3, t * 4, t * 4 + 4);
      probs[t * 4 + c] = 0.9;
    });
    const [d] = ctcGreedyDecode(probs, [1, steps.length, 4], dict);
    expect(d!.text).toBe('aab b');
    expect(d!.score).toBeCloseTo(0.9, 5);
    expect(() => ctcGreedyDecode(probs, [1, 7, 5], dict)).toThrow(/5 classes but the dictionary 4/);
  });

  it('computes softmax rows and the top k', () => {
    const p = softmax(Float32Array.of(1, 2, 3, 1000, 0, 0), 3);
    expect(p[0]! + p[1]! + p[2]!).toBeCloseTo(1, 6);
    expect(p[3]).toBeCloseTo(1, 6);
    expect(topK(Float32Array.of(0.1, 0.5, 0.2, 0.9), 2, ['a', 'b', 'c', 'd'])).toEqual([
      { index: 3, label: 'd', score: expect.closeTo(0.9, 6) },
      { index: 1, label: 'b', score: expect.closeTo(0.5, 6) },
    ]);
  });
});
