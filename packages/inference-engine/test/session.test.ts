import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InferenceSession, Tensor } from '../src/index.js';

const relu = readFileSync(
  new URL('../../../../shared/onnx-backend-tests/node/test_relu/model.onnx', import.meta.url),
);

describe('InferenceSession (native)', () => {
  it('runs a model from bytes and names its inputs and outputs', async () => {
    const s = await InferenceSession.create(relu, { backend: 'native' });
    expect(s.inputNames).toEqual(['x']);
    expect(s.outputNames).toEqual(['y']);
    const x = new Tensor(
      'float32',
      new Float32Array(60).map((_, i) => i - 30),
      [3, 4, 5],
    );
    const { y } = await s.run({ x });
    expect((y as Tensor).dims).toEqual([3, 4, 5]);
    expect((y as Tensor).data[0]).toBe(0);
    expect((y as Tensor).data[59]).toBe(29);
  });

  it('rejects unknown and missing feeds, wrong types and shapes with typed errors', async () => {
    const s = await InferenceSession.create(relu, { backend: 'native' });
    const x = new Tensor('float32', new Float32Array(60), [3, 4, 5]);
    await expect(s.run({ x, z: x })).rejects.toMatchObject({ code: 'ZAI_INVALID_ARGUMENT' });
    await expect(s.run({})).rejects.toThrow(/input 'x' is missing/);
    await expect(s.run({ x: new Tensor('int32', new Int32Array(60), [3, 4, 5]) })).rejects.toMatchObject({
      code: 'ZAI_TYPE',
    });
    await expect(s.run({ x: new Tensor('float32', new Float32Array(4), [4]) })).rejects.toMatchObject({
      code: 'ZAI_SHAPE',
    });
  });
});
