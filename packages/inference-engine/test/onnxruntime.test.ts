import { encodeModel, graph, model, node, tensorInfo } from '@zai/onnx-parser';
import { describe, expect, it } from 'vitest';
import {
  InferenceSession,
  loadOnnxruntime,
  type OnnxruntimeSession,
  probeProvider,
  Tensor,
} from '../src/index.js';

const addRelu = encodeModel(
  model(
    graph({
      nodes: [node('Add', ['a', 'b'], ['s']), node('Relu', ['s'], ['y'])],
      inputs: [tensorInfo('a', 'float32', ['n']), tensorInfo('b', 'float32', ['n'])],
      outputs: [tensorInfo('y', 'float32', ['n'])],
    }),
    [{ domain: '', version: 17 }],
  ),
);

describe('onnxruntime backend', () => {
  it('runs the same model as the native backend with the same API and results', async () => {
    const a = new Tensor('float32', new Float32Array([1, -2, 3]), [3]);
    const b = new Tensor('float32', new Float32Array([0.5, 0.5, -4]), [3]);
    const ort = await InferenceSession.create(addRelu, { backend: 'onnxruntime' });
    const native = await InferenceSession.create(addRelu, { backend: 'native' });
    expect(ort.backend).toBe('onnxruntime');
    expect(ort.inputNames).toEqual(native.inputNames);
    expect(ort.inputMetadata).toEqual(native.inputMetadata);
    const x = (await ort.run({ a, b })).y as Tensor;
    const y = (await native.run({ a, b })).y as Tensor;
    expect(x).toBeInstanceOf(Tensor);
    expect(Array.from(x.data as Float32Array)).toEqual(Array.from(y.data as Float32Array));
    await expect(ort.run({ a })).rejects.toThrow(/input 'b' is missing/);
    await ort.release();
  });

  it('refuses models whose outputs onnxruntime-node cannot return (sub-byte types) instead of aborting', async () => {
    const toInt4 = encodeModel(
      model(
        graph({
          nodes: [node('Cast', ['x'], ['y'], { to: 22 })],
          inputs: [tensorInfo('x', 'float32', [4])],
          outputs: [tensorInfo('y', 'int4', [4])],
        }),
        [{ domain: '', version: 21 }],
      ),
    );
    await expect(InferenceSession.create(toInt4, { backend: 'onnxruntime' })).rejects.toThrow(
      /output 'y' is int4, which onnxruntime-node cannot return/,
    );
    const native = await InferenceSession.create(toInt4, { backend: 'native' });
    const y = (await native.run({ x: new Tensor('float32', new Float32Array([1, -2, 7, -8]), [4]) }))
      .y as Tensor;
    expect(y.type).toBe('int4');
    expect(Array.from(y.data as Uint8Array)).toEqual([0xe1, 0x87]); // (1, -2), (7, -8): low nibble first
  });

  it("'auto' picks onnxruntime where it loads and says so", async () => {
    const s = await InferenceSession.create(addRelu);
    expect(s.backend).toBe('onnxruntime');
  });

  it('probes providers and names what a missing one lacks; falls back only when asked', async () => {
    const ort = await loadOnnxruntime();
    expect((await probeProvider(ort, 'cpu')).available).toBe(true);
    const cuda = await probeProvider(ort, 'cuda');
    if (!cuda.available) {
      expect(cuda.reason).toMatch(/CUDA/);
      await expect(
        InferenceSession.create(addRelu, { backend: 'onnxruntime', executionProviders: ['cuda'] }),
      ).rejects.toThrow(/execution provider 'cuda' is not available/);
      const s = (await InferenceSession.create(addRelu, {
        backend: 'onnxruntime',
        executionProviders: ['cuda'],
        providerFallback: true,
      })) as OnnxruntimeSession;
      expect(s.executionProviders).toEqual(['cpu']);
    }
    expect((await probeProvider(ort, 'no-such-provider')).available).toBe(false);
  });

  it('the native backend refuses GPU providers with a clear message', async () => {
    await expect(
      InferenceSession.create(addRelu, { backend: 'native', executionProviders: ['cuda'] }),
    ).rejects.toThrow(/native backend runs on the CPU only/);
  });
});
