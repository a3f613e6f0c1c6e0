import { Tensor } from '@zai/tensor-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadVad, Platform, speechSegments, type VadPipelines } from '../src/index.js';
import { concat, voiced } from './helpers/audio.js';

const SR = 16000;
const silence = (seconds: number) => new Float32Array(Math.round(seconds * SR));
const max = (p: ArrayLike<number>) => Math.max(...Array.from(p));
const mean = (p: ArrayLike<number>) => Array.from(p).reduce((a, b) => a + b, 0) / p.length;

let ai: Platform;
let v5: VadPipelines;

beforeAll(async () => {
  ai = await Platform.create({ backend: 'native', logLevel: 'silent' });
  v5 = await loadVad(ai, { variant: 'v5' });
  await ai.addPipeline(v5.served);
});
afterAll(() => ai?.close());

describe('voice activity detection (Silero VAD v5, native backend)', () => {
  it('gives silence a low speech probability and a voiced signal a high one', async () => {
    const quiet = await ai.run(v5.pipeline, silence(1));
    expect(quiet.probabilities).toHaveLength(Math.ceil(SR / 512));
    expect(quiet.chunkMs).toBe(32);
    expect(max(quiet.probabilities)).toBeLessThan(0.1);
    expect(quiet.segments).toEqual([]);
    const speech = await ai.run(v5.pipeline, voiced(2));
    expect(max(speech.probabilities)).toBeGreaterThan(0.8);
    expect(mean(speech.probabilities)).toBeGreaterThan(0.5);
  }, 60_000);

  it('finds where speech starts and ends', async () => {
    const r = await ai.run(v5.pipeline, concat(silence(1), voiced(1.5), silence(1)));
    expect(r.segments).toHaveLength(1);
    expect(r.segments[0]!.start).toBeGreaterThan(0.85);
    expect(r.segments[0]!.start).toBeLessThan(1.2);
    expect(r.segments[0]!.end).toBeGreaterThan(2.3);
    expect(r.segments[0]!.end).toBeLessThan(2.7);
  }, 60_000);

  it('carries the model state across pushes of a stream, whatever their sizes', async () => {
    const audio = concat(voiced(0.5), silence(0.3));
    const whole = (await ai.run(v5.pipeline, audio)).probabilities;
    const stream = v5.stream();
    const pieces = [1000, 333, 4096, 77, audio.length];
    const got: number[] = [];
    let at = 0;
    for (const size of pieces) {
      got.push(...(await stream.push(audio.subarray(at, at + size))));
      at += size;
    }
    got.push(...(await stream.flush()));
    expect(got).toHaveLength(whole.length);
    for (const [i, p] of got.entries()) expect(p).toBeCloseTo(whole[i]!, 5);
    // the state matters: the last chunk scored alone, from a fresh state, comes out different
    stream.reset();
    const tail = audio.subarray(512 * 10, 512 * 11);
    const fresh = await stream.push(tail);
    expect(Math.abs(fresh[0]! - whole[10]!)).toBeGreaterThan(1e-3);
    // 16-bit PCM works the same
    stream.reset();
    const pcm16 = Int16Array.from(audio.subarray(0, 1024), (v) => Math.round(v * 32767));
    const fromInt = await stream.push(pcm16);
    for (const [i, p] of fromInt.entries()) expect(p).toBeCloseTo(whole[i]!, 2);
  }, 60_000);

  it('is served by name: audio in, probabilities and segments out', async () => {
    const audio = concat(silence(0.5), voiced(1), silence(0.5));
    const out = await ai.infer('vad', { audio: new Tensor('float32', audio, [audio.length]) });
    expect(out.probabilities).toMatchObject({ type: 'float32', dims: [Math.ceil(audio.length / 512)] });
    expect(out.segments).toMatchObject({ type: 'float32', dims: [1, 2] });
    const steps = (await ai.stats('vad'))!.steps.map((s) => s.step);
    expect(steps).toEqual(['feeds', 'pcm', 'chunk', 'vad.model', 'vad.post', 'vad', 'results']);
  }, 60_000);

  it('runs the legacy model (h, c state) alike on native and onnxruntime', async () => {
    const audio = concat(silence(0.5), voiced(1));
    const results: Float32Array[] = [];
    for (const backend of ['native', 'onnxruntime']) {
      const p = await Platform.create({ logLevel: 'silent' });
      try {
        const legacy = await loadVad(p, { variant: 'legacy', backend });
        results.push((await p.run(legacy.pipeline, audio)).probabilities);
      } finally {
        await p.close();
      }
    }
    const [nat, ort] = results as [Float32Array, Float32Array];
    expect(max(nat.subarray(0, 15))).toBeLessThan(0.1);
    expect(max(nat.subarray(16))).toBeGreaterThan(0.8);
    for (const [i, p] of nat.entries()) expect(p).toBeCloseTo(ort[i]!, 3);
  }, 60_000);
});

describe('speech segments', () => {
  it('applies the thresholds with hysteresis and minimum lengths', () => {
    const p = [0, 0.9, 0.9, 0.4, 0.9, 0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.9, 0];
    expect(speechSegments(p, 32, { minSpeechMs: 100, minSilenceMs: 96 })).toEqual([
      { start: 0.032, end: 0.256 },
    ]);
    expect(speechSegments(p, 32, { minSpeechMs: 10, minSilenceMs: 96 })).toEqual([
      { start: 0.032, end: 0.256 },
      { start: 0.384, end: 0.416 },
    ]);
  });
});
