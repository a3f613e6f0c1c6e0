import type { DataType, Dim } from '@zai/common';
import { graph, model, node, tensorInfo } from '@zai/onnx-parser';
import { describe, expect, it } from 'vitest';
import { defaultRegistry, inferTypes, Tensor } from '../../src/index.js';

const t = (shape: Dim[], elemType: DataType = 'float32') => ({ kind: 'tensor', elemType, shape });
const i64 = (...v: number[]) => new Tensor('int64', BigInt64Array.from(v, BigInt), [v.length]);
const f32 = (...v: number[]) => new Tensor('float32', Float32Array.from(v), [v.length]);

function infer(
  nodes: Parameters<typeof graph>[0]['nodes'],
  inputs: Parameters<typeof graph>[0]['inputs'],
  initializers: Record<string, Tensor> = {},
  version = 21,
) {
  const g = graph({ nodes, inputs, outputs: [], initializers });
  return inferTypes(model(g, [{ domain: '', version }]), defaultRegistry).byName;
}

describe('normalization shape functions', () => {
  it('carry symbolic dims through outputs and statistics', () => {
    const r = infer(
      [
        node('LayerNormalization', ['x', 's'], ['y', 'mean', 'inv'], { axis: -1 }),
        node('Softmax', ['x'], ['sm']),
        node('Dropout', ['x'], ['d', 'mask']),
        node('BatchNormalization', ['img', 'c', 'c', 'c', 'c'], ['bn', 'rm', 'rv'], { training_mode: 1 }),
        node('NegativeLogLikelihoodLoss', ['x', 'target'], ['nll'], { reduction: 'none' }),
        node('SoftmaxCrossEntropyLoss', ['x', 'target'], ['sce', 'logp']),
      ],
      [
        tensorInfo('x', 'float32', ['N', 'C', 'T']),
        tensorInfo('s', 'float32', ['T']),
        tensorInfo('img', 'float32', ['N', 3, 'H', 'W']),
        tensorInfo('c', 'float32', [3]),
        tensorInfo('target', 'int64', ['N', 'T']),
      ],
    );
    expect(r.get('y')).toEqual(t(['N', 'C', 'T']));
    expect(r.get('mean')).toEqual(t(['N', 'C', 1]));
    expect(r.get('inv')).toEqual(t(['N', 'C', 1]));
    expect(r.get('sm')).toEqual(t(['N', 'C', 'T']));
    expect(r.get('mask')).toEqual(t(['N', 'C', 'T'], 'bool'));
    expect(r.get('bn')).toEqual(t(['N', 3, 'H', 'W']));
    expect(r.get('rv')).toEqual(t([3]));
    expect(r.get('nll')).toEqual(t(['N', 'T']));
    expect(r.get('sce')).toEqual(t([]));
    expect(r.get('logp')).toEqual(t(['N', 'C', 'T']));
  });
});

describe('image shape functions', () => {
  it('resize by constant scales keeps symbolic dims scaled by 1', () => {
    const r = infer(
      [
        node('Resize', ['x', '', 'scales'], ['y']),
        node('Resize', ['x', '', '', 'sizes'], ['z'], {
          axes: [2, 3],
          keep_aspect_ratio_policy: 'not_larger',
        }),
        node('GridSample', ['x', 'grid'], ['g']),
        node('NonMaxSuppression', ['boxes', 'scores'], ['sel']),
        node('DepthToSpace', ['x'], ['d2s'], { blocksize: 2 }),
      ],
      [
        tensorInfo('x', 'float32', ['N', 8, 4, 6]),
        tensorInfo('grid', 'float32', ['N', 5, 7, 2]),
        tensorInfo('boxes', 'float32', [1, 'B', 4]),
        tensorInfo('scores', 'float32', [1, 1, 'B']),
      ],
      { scales: f32(1, 1, 2, 0.5), sizes: i64(8, 8) },
    );
    expect(r.get('y')).toEqual(t(['N', 8, 8, 3]));
    expect(r.get('z')).toEqual(t(['N', 8, 5, 8]));
    expect(r.get('g')).toEqual(t(['N', 8, 5, 7]));
    const sel = r.get('sel');
    expect(sel?.kind === 'tensor' && sel.shape?.[1]).toBe(3);
    expect(sel?.kind === 'tensor' && typeof sel.shape?.[0]).toBe('string');
    expect(r.get('d2s')).toEqual(t(['N', 2, 8, 12]));
  });
});

describe('shape op shape functions', () => {
  it('split, einsum, gatherND, onehot, range and squeeze', () => {
    const r = infer(
      [
        node('Split', ['x', 'parts'], ['a', 'b'], { axis: 1 }),
        node('Split', ['x'], ['c', 'd', 'e'], { axis: 2, num_outputs: 3 }),
        node('Einsum', ['m', 'k'], ['ein'], { equation: 'bij,bjk->bik' }),
        node('Einsum', ['m'], ['tr'], { equation: '...ii' }),
        node('GatherND', ['x', 'idx'], ['gnd']),
        node('OneHot', ['idx', 'depth', 'vals'], ['oh'], { axis: 1 }),
        node('Range', ['r0', 'r1', 'r2'], ['rng']),
        node('Squeeze', ['x', 'axes'], ['sq']),
      ],
      [
        tensorInfo('x', 'float32', ['N', 6, 8]),
        tensorInfo('m', 'float32', ['B', 'I', 'I']),
        tensorInfo('k', 'float32', ['B', 'I', 5]),
        tensorInfo('idx', 'int64', ['Q', 2]),
        tensorInfo('vals', 'float32', [2]),
        tensorInfo('axes', 'int64', [1]),
      ],
      {
        parts: i64(2, 4),
        depth: i64(10),
        r0: new Tensor('int64', BigInt64Array.of(1n), []),
        r1: new Tensor('int64', BigInt64Array.of(10n), []),
        r2: new Tensor('int64', BigInt64Array.of(3n), []),
      },
    );
    expect(r.get('a')).toEqual(t(['N', 2, 8]));
    expect(r.get('b')).toEqual(t(['N', 4, 8]));
    expect(r.get('c')).toEqual(t(['N', 6, 3]));
    expect(r.get('e')).toEqual(t(['N', 6, 2]));
    expect(r.get('ein')).toEqual(t(['B', 'I', 5]));
    expect(r.get('tr')).toEqual(t(['B']));
    expect(r.get('gnd')).toEqual(t(['Q', 8]));
    expect(r.get('oh')).toEqual(t(['Q', 10, 2]));
    expect(r.get('rng')).toEqual(t([3], 'int64'));
    // axes known only at run time: the rank is still known
    const sq = r.get('sq');
    expect(sq?.kind === 'tensor' && sq.shape?.length).toBe(2);
  });
});
