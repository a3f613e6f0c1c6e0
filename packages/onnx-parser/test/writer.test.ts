import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '@zai/tensor-core';
import { describe, expect, it } from 'vitest';
import { graph, loadModel, model, node, tensorInfo, writeModel } from '../src/index.js';

function weights(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 8) / 2 ** 24 - 0.5;
  }
  return out;
}

const mlp = model(
  graph({
    nodes: [node('MatMul', ['x', 'w1'], ['h']), node('Add', ['h', 'b1'], ['y'])],
    inputs: [tensorInfo('x', 'float32', ['batch', 64])],
    outputs: [tensorInfo('y', 'float32', ['batch', 32])],
    initializers: {
      w1: new Tensor('float32', weights(64 * 32, 1), [64, 32]),
      b1: new Tensor('float32', weights(32, 2), [32]),
    },
  }),
  [{ domain: '', version: 17 }],
);

describe('writeModel', () => {
  it('writes embedded and external-data models that onnxruntime-node loads with identical outputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zai-write-'));
    const embedded = join(dir, 'embedded.onnx');
    const external = join(dir, 'external.onnx');
    await writeModel(embedded, mlp);
    await writeModel(external, mlp, { externalData: { threshold: 1024 } });
    // the big weight moved out, the small bias stayed in
    expect(statSync(join(dir, 'external.onnx.data')).size).toBe(64 * 32 * 4);
    expect(statSync(external).size).toBeLessThan(1024);

    const back = await loadModel(external);
    const w1 = back.graph.initializers.find((i) => i.name === 'w1')!;
    expect(w1.location).toMatchObject({
      kind: 'external',
      path: 'external.onnx.data',
      offset: 0,
      length: 8192,
    });
    expect(Array.from((await w1.load()).data as Float32Array)).toEqual(Array.from(weights(64 * 32, 1)));

    const ort = await import('onnxruntime-node');
    const x = new ort.Tensor('float32', weights(2 * 64, 3), [2, 64]);
    const a = await (await ort.InferenceSession.create(embedded)).run({ x });
    const b = await (await ort.InferenceSession.create(external)).run({ x });
    const c = await (await ort.InferenceSession.create(readFileSync(embedded))).run({ x });
    expect(Array.from(b.y!.data as Float32Array)).toEqual(Array.from(a.y!.data as Float32Array));
    expect(Array.from(c.y!.data as Float32Array)).toEqual(Array.from(a.y!.data as Float32Array));
  });

  it('refuses external locations outside the model folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zai-write-'));
    await expect(
      writeModel(join(dir, 'm.onnx'), mlp, { externalData: { location: '../w.bin' } }),
    ).rejects.toThrow(/plain file name/);
  });
});
