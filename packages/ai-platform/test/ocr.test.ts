import { ErrorCode } from '@zai/common';
import { Tensor } from '@zai/tensor-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOcr, type OcrPipelines, Platform } from '../src/index.js';
import { renderText, renderTextJpeg } from './helpers/render.js';

const PANGRAM = ['The quick brown fox', 'jumps over the lazy dog'];

let native: Platform;
let nativeOcr: OcrPipelines;
let ort: Platform;
let ortOcr: OcrPipelines;

beforeAll(async () => {
  native = await Platform.create({ backend: 'native', logLevel: 'silent' });
  nativeOcr = await loadOcr(native);
  ort = await Platform.create({ backend: 'onnxruntime', logLevel: 'silent' });
  ortOcr = await loadOcr(ort, { name: 'ocr', useAngleClassifier: true });
  await ort.addPipeline(ortOcr.served);
});
afterAll(async () => {
  await native?.close();
  await ort?.close();
});

describe('OCR pipeline (PP-OCRv4 detection + recognition)', () => {
  it('reads rendered text back on the native backend, lines in order with their boxes', async () => {
    const image = renderText(PANGRAM, { width: 720 });
    const r = await native.run(nativeOcr.pipeline, image);
    expect(r.lines.map((l) => l.text)).toEqual(PANGRAM);
    expect(r.text).toBe(PANGRAM.join('\n'));
    for (const [i, line] of r.lines.entries()) {
      expect(line.score).toBeGreaterThan(0.9);
      const [tl, , br] = line.box;
      // drawn at x = 24, line i centred at y = 20 + 56 * (i + 0.5)
      expect(tl[0]).toBeGreaterThan(10);
      expect(tl[0]).toBeLessThan(40);
      const cy = (tl[1] + br[1]) / 2;
      expect(Math.abs(cy - (20 + 56 * (i + 0.5)))).toBeLessThan(8);
    }
    const steps = nativeOcr.pipeline.stats().steps.map((s) => s.step);
    expect(steps).toEqual([
      'decode',
      'detect.pre',
      'detect.model',
      'detect.post',
      'crop',
      'recognize.pre',
      'recognize.model',
      'recognize.post',
    ]);
  }, 180_000);

  it('agrees with the onnxruntime backend, and turns upside-down lines with the direction classifier', async () => {
    const upright = await ort.run(ortOcr.pipeline, renderText(PANGRAM, { width: 720 }));
    expect(upright.lines.map((l) => l.text)).toEqual(PANGRAM);
    const turned = await ort.run(
      ortOcr.pipeline,
      renderText(['Hello, World!'], { width: 720, upsideDown: true }),
    );
    expect(turned.text).toBe('Hello, World!');
    const without = await native.run(
      nativeOcr.pipeline,
      renderText(['Hello, World!'], { width: 720, upsideDown: true }),
    );
    expect(without.text).not.toBe('Hello, World!');
  }, 180_000);

  it('is served as a V2 model: JPEG bytes in, text, scores and boxes out', async () => {
    const jpeg = renderTextJpeg(['zai reads text 123'], { width: 720, font: '40px "DejaVu Serif"' });
    const out = await ort.infer('ocr', { image: new Tensor('uint8', jpeg, [jpeg.length]) });
    expect((out.text as Tensor<'string'>).data).toEqual(['zai reads text 123']);
    expect(out.boxes!).toMatchObject({ type: 'float32', dims: [1, 4, 2] });
    expect((out.scores as Tensor<'float32'>).data[0]).toBeGreaterThan(0.9);
    const blank = renderText([''], { width: 200, height: 100 });
    const none = await ort.infer('ocr', { image: new Tensor('uint8', blank, [blank.length]) });
    expect(none.text).toMatchObject({ dims: [0] });
    await expect(ort.infer('ocr', { image: new Tensor('uint8', [1, 2, 3], [3]) })).rejects.toMatchObject({
      step: 'decode',
      causeCode: ErrorCode.Decode,
    });
  }, 60_000);
});
