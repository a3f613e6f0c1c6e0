import { graph, model, node, tensorInfo } from '@zai/onnx-parser';
import { describe, expect, it } from 'vitest';
import { defaultRegistry, inferTypes, Tensor } from '../../src/index.js';

type Dims = (number | string)[];
const t = (shape: Dims, elemType = 'float32') => ({ kind: 'tensor', elemType, shape });
const isFresh = (d: unknown) => typeof d === 'string' && d.startsWith('unk__');

/** Infers the types of one node's outputs from graph inputs of the given shapes. */
function infer(
  opType: string,
  inputs: Record<string, Dims>,
  attrs: Parameters<typeof node>[3] = {},
  outputs = ['y'],
  initializers: Record<string, Tensor> = {},
  elem: Parameters<typeof tensorInfo>[1] = 'float32',
) {
  const names = [...Object.keys(inputs), ...Object.keys(initializers)];
  const g = graph({
    nodes: [node(opType, names, outputs, attrs)],
    inputs: Object.entries(inputs).map(([n, s]) => tensorInfo(n, elem, s)),
    outputs: outputs.map((o) => tensorInfo(o, elem)),
    initializers,
  });
  return inferTypes(model(g, [{ domain: '', version: 22 }]), defaultRegistry).byName;
}

describe('nn shape inference', () => {
  it('Conv keeps N symbolic and takes M from W; spatial sizes exact when known', () => {
    const w = new Tensor('float32', new Float32Array(8 * 3 * 3 * 3), [8, 3, 3, 3]);
    const sym = infer('Conv', { x: ['N', 3, 'H', 'W'] }, { strides: [2, 2] }, ['y'], { w }).get('y');
    expect(sym?.kind === 'tensor' && sym.shape?.slice(0, 2)).toEqual(['N', 8]);
    expect(sym?.kind === 'tensor' && sym.shape?.slice(2).every(isFresh)).toBe(true);
    // stride 1 with padding that cancels the kernel keeps the symbolic dims
    expect(infer('Conv', { x: ['N', 3, 'H', 'W'] }, { pads: [1, 1, 1, 1] }, ['y'], { w }).get('y')).toEqual(
      t(['N', 8, 'H', 'W']),
    );
    expect(
      infer('Conv', { x: ['N', 3, 32, 31] }, { strides: [2, 2], pads: [1, 1, 1, 1] }, ['y'], { w }).get('y'),
    ).toEqual(t(['N', 8, 16, 16]));
    expect(
      infer('Conv', { x: ['N', 3, 'H', 'W'] }, { auto_pad: 'SAME_UPPER' }, ['y'], { w }).get('y'),
    ).toEqual(t(['N', 8, 'H', 'W']));
  });

  it('ConvTranspose applies strides, output_padding and output_shape', () => {
    const shapes = { x: ['N', 2, 3, 3], w: [2, 4, 3, 3] };
    expect(infer('ConvTranspose', shapes, { strides: [3, 2], output_padding: [1, 1] }).get('y')).toEqual(
      t(['N', 4, 10, 8]),
    );
    expect(infer('ConvTranspose', shapes, { group: 2, output_shape: [10, 8] }).get('y')).toEqual(
      t(['N', 8, 10, 8]),
    );
    expect(infer('ConvTranspose', shapes, { strides: [2, 2], auto_pad: 'SAME_UPPER' }).get('y')).toEqual(
      t(['N', 4, 6, 6]),
    );
  });

  it('MaxPool gives both outputs with ceil_mode and dilations; global pools reduce to 1', () => {
    const r = infer(
      'MaxPool',
      { x: ['N', 'C', 32, 'W'] },
      { kernel_shape: [3, 1], strides: [2, 1], ceil_mode: 1, dilations: [2, 1] },
      ['y', 'i'],
    );
    expect(r.get('y')).toEqual(t(['N', 'C', 15, 'W']));
    expect(r.get('i')).toEqual(t(['N', 'C', 15, 'W'], 'int64'));
    expect(infer('GlobalAveragePool', { x: ['N', 'C', 'H', 'W'] }).get('y')).toEqual(t(['N', 'C', 1, 1]));
  });

  it('MaxUnpool reads a constant output_shape, else inverts the window', () => {
    const shape = new Tensor('int64', BigInt64Array.from([1n, 1n, 5n, 5n]), [4]);
    expect(
      infer(
        'MaxUnpool',
        { x: [1, 1, 2, 2], i: [1, 1, 2, 2] },
        { kernel_shape: [2, 2], strides: [2, 2] },
        ['y'],
        {
          s: shape,
        },
      ).get('y'),
    ).toEqual(t([1, 1, 5, 5]));
    expect(
      infer(
        'MaxUnpool',
        { x: ['N', 1, 2, 2], i: ['N', 1, 2, 2] },
        { kernel_shape: [2, 2], strides: [2, 2] },
      ).get('y'),
    ).toEqual(t(['N', 1, 4, 4]));
  });

  it('MatMul promotes 1-D operands and broadcasts batch dims; Gemm honours transA/transB', () => {
    expect(infer('MatMul', { a: ['B', 1, 'S', 4], b: [3, 4, 'K'] }).get('y')).toEqual(t(['B', 3, 'S', 'K']));
    expect(infer('MatMul', { a: [4], b: ['B', 4, 5] }).get('y')).toEqual(t(['B', 5]));
    expect(infer('MatMul', { a: ['B', 'S', 4], b: [4] }).get('y')).toEqual(t(['B', 'S']));
    expect(infer('Gemm', { a: [4, 'M'], b: ['N', 4] }, { transA: 1, transB: 1 }).get('y')).toEqual(
      t(['M', 'N']),
    );
  });
});
