import { ErrorCode, PipelineError } from '@zai/common';
import { Tensor } from '@zai/tensor-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTextDirection, Platform, type TextDirectionPipelines } from '../src/index.js';
import { renderLine } from './helpers/render.js';

let ai: Platform;
let direction: TextDirectionPipelines;

beforeAll(async () => {
  ai = await Platform.create({ backend: 'native', logLevel: 'silent' });
  direction = await loadTextDirection(ai);
  await ai.addPipeline(direction.served);
});
afterAll(() => ai?.close());

describe('image classification: PP-OCR text direction (native backend)', () => {
  it.each(['Hello world', 'zai 2024', 'ONNX inference in TypeScript'])(
    'tells upright from upside-down text: %s',
    async (text) => {
      const up = await ai.run(direction.pipeline, renderLine(text));
      const down = await ai.run(direction.pipeline, renderLine(text, { upsideDown: true }));
      expect(up).toMatchObject({ label: '0', index: 0 });
      expect(down).toMatchObject({ label: '180', index: 1 });
      expect(up.score).toBeGreaterThan(0.95);
      expect(down.score).toBeGreaterThan(0.95);
      expect(up.top.map((t) => t.label)).toEqual(['0', '180']);
      expect(up.top[0]!.score + up.top[1]!.score).toBeCloseTo(1, 4);
    },
    60_000,
  );

  it('is served by name with top-k outputs, and times each step', async () => {
    const bytes = renderLine('upside down', { upsideDown: true });
    const out = await ai.infer('text-direction', { image: new Tensor('uint8', bytes, [bytes.length]) });
    expect((out.label as Tensor<'string'>).data).toEqual(['180', '0']);
    expect((out.score as Tensor<'float32'>).data[0]).toBeGreaterThan(0.95);
    expect(Array.from((out.index as Tensor<'int64'>).data)).toEqual([1n, 0n]);
    const steps = (await ai.stats('text-direction'))!.steps.map((s) => s.step);
    expect(steps).toEqual(
      expect.arrayContaining([
        'feeds',
        'decode',
        'classify.pre',
        'classify.model',
        'classify.post',
        'results',
      ]),
    );
  });

  it('says which step failed on an image it cannot decode', async () => {
    const junk = new Tensor('uint8', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5), [9]);
    const e = await ai.infer('text-direction', { image: junk }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PipelineError);
    expect(e).toMatchObject({ pipeline: 'text-direction', step: 'decode', causeCode: ErrorCode.Decode });
    await expect(
      ai.infer('text-direction', { image: new Tensor('float32', [1], [1]) }),
    ).rejects.toMatchObject({
      step: 'feeds',
      causeCode: ErrorCode.Type,
    });
  });
});
