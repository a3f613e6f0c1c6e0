import type { DataType, ValueType } from '@zai/common';
import { graph, model, node, tensorInfo } from '@zai/onnx-parser';
import { describe, expect, it } from 'vitest';
import { defaultRegistry, InferenceSession, inferTypes, Tensor } from '../../src/index.js';

type Attrs = Parameters<typeof node>[3];

const ML = 'ai.onnx.ml';
const TRAINING = 'ai.onnx.preview.training';

/** Runs one node of `domain` through a native session; returns its outputs (tensors, or sequences for ZipMap). */
async function runOp(
  opType: string,
  inputs: readonly Tensor[],
  attrs: Attrs = {},
  options: { domain?: string; opset?: number; outputs?: number } = {},
): Promise<unknown[]> {
  const { domain = ML, outputs = 1 } = options;
  const opset = options.opset ?? (domain === ML ? 5 : 1);
  const names = inputs.map((_, i) => `in${i}`);
  const outNames = Array.from({ length: outputs }, (_, i) => `out${i}`);
  const seq: ValueType = { kind: 'sequence', elem: null };
  const g = graph({
    nodes: [node(opType, names, outNames, attrs, '', domain)],
    inputs: inputs.map((t, i) => tensorInfo(`in${i}`, t.type as DataType)),
    outputs: outNames.map((n) =>
      opType === 'ZipMap' ? { name: n, type: seq, docString: '' } : tensorInfo(n, 'float32'),
    ),
  });
  const m = model(g, [
    { domain: '', version: 21 },
    { domain, version: opset },
  ]);
  const s = await InferenceSession.create(m, { backend: 'native' });
  const feeds: Record<string, Tensor> = {};
  inputs.forEach((t, i) => {
    feeds[`in${i}`] = t;
  });
  const r = await s.run(feeds);
  await s.release();
  return outNames.map((n) => r[n]);
}

async function run1(...args: Parameters<typeof runOp>): Promise<Tensor> {
  return (await runOp(...args))[0] as Tensor;
}

const f32 = (values: readonly number[], dims: readonly number[]) =>
  new Tensor('float32', Float32Array.from(values), dims);
const f64 = (values: readonly number[], dims: readonly number[]) =>
  new Tensor('float64', Float64Array.from(values), dims);
const i64 = (values: readonly number[], dims: readonly number[]) =>
  new Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);
const str = (values: readonly string[]) => new Tensor('string', [...values], [values.length]);
const u8 = (values: readonly number[]) => new Tensor('uint8', Uint8Array.from(values), [values.length]);
const nums = (t: Tensor) => Array.from(t.data as ArrayLike<number | bigint>, Number);

function close(actual: readonly number[], expected: readonly number[], digits = 5): void {
  expect(actual.length).toBe(expected.length);
  for (const [i, v] of actual.entries()) {
    if (Number.isNaN(expected[i])) expect(v).toBeNaN();
    else expect(v).toBeCloseTo(expected[i]!, digits);
  }
}

/** One LEQ split on feature 0 at 0.5: true -> leaf 0 (weight 2), false -> leaf 1 (weight -3). */
const twoLeaf = {
  tree_roots: [0],
  nodes_modes: u8([0]),
  nodes_featureids: [0],
  nodes_splits: f32([0.5], [1]),
  nodes_truenodeids: [0],
  nodes_trueleafs: [1],
  nodes_falsenodeids: [1],
  nodes_falseleafs: [1],
  leaf_targetids: [0, 0],
  leaf_weights: f32([2, -3], [2]),
  n_targets: 1,
};

describe('TreeEnsemble (ai.onnx.ml 5)', () => {
  it('routes rows through a two-leaf tree; NaN goes false unless tracked true', async () => {
    const x = f32([0.2, 0.5, 0.9, Number.NaN], [4, 1]);
    const y = await run1('TreeEnsemble', [x], twoLeaf);
    expect(y.type).toBe('float32');
    expect(y.dims).toEqual([4, 1]);
    close(nums(y), [2, 2, -3, -3]);
    const z = await run1('TreeEnsemble', [x], { ...twoLeaf, nodes_missing_value_tracks_true: [1] });
    close(nums(z), [2, 2, -3, 2]);
  });

  it('aggregates two trees (AVERAGE, MIN, MAX) and applies LOGISTIC', async () => {
    // Tree 2: a single leaf (both branches to leaf 2, weight 4).
    const attrs = {
      ...twoLeaf,
      tree_roots: [0, 1],
      nodes_modes: u8([0, 0]),
      nodes_featureids: [0, 0],
      nodes_splits: f32([0.5, 0], [2]),
      nodes_truenodeids: [0, 2],
      nodes_trueleafs: [1, 1],
      nodes_falsenodeids: [1, 2],
      nodes_falseleafs: [1, 1],
      leaf_targetids: [0, 0, 0],
      leaf_weights: f32([2, -3, 4], [3]),
    };
    const x = f32([0, 1], [2, 1]);
    close(nums(await run1('TreeEnsemble', [x], { ...attrs, aggregate_function: 0 })), [3, 0.5]);
    close(nums(await run1('TreeEnsemble', [x], { ...attrs, aggregate_function: 2 })), [2, -3]);
    close(nums(await run1('TreeEnsemble', [x], { ...attrs, aggregate_function: 3 })), [4, 4]);
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    close(nums(await run1('TreeEnsemble', [x], { ...attrs, post_transform: 2 })), [sig(6), sig(1)]);
  });

  it('keeps float64 inputs in float64 and compares against double splits', async () => {
    const attrs = { ...twoLeaf, nodes_splits: f64([0.1], [1]), leaf_weights: f64([1, 0], [2]) };
    // fround(0.1) > 0.1: false branch in double, where float32 would say true.
    const y = await run1('TreeEnsemble', [f64([Math.fround(0.1), 0.1], [2, 1])], attrs);
    expect(y.type).toBe('float64');
    expect(nums(y)).toEqual([0, 1]);
  });

  it('tests set membership, with sets delimited by NaN', async () => {
    const attrs = {
      ...twoLeaf,
      nodes_modes: u8([6]),
      nodes_splits: f32([0], [1]),
      membership_values: f32([1, 3, Number.NaN], [3]),
      n_targets: 2,
      leaf_targetids: [0, 1],
      leaf_weights: f32([1, 1], [2]),
    };
    const y = await run1('TreeEnsemble', [f32([3, 2, 1], [3, 1])], attrs);
    expect(y.dims).toEqual([3, 2]);
    close(nums(y), [1, 0, 0, 1, 1, 0]);
  });

  it('rejects malformed trees and out-of-range features', async () => {
    await expect(
      run1('TreeEnsemble', [f32([0], [1, 1])], { ...twoLeaf, nodes_truenodeids: [5], nodes_trueleafs: [0] }),
    ).rejects.toThrow(/missing node/);
    await expect(
      run1('TreeEnsemble', [f32([0], [1, 1])], { ...twoLeaf, nodes_featureids: [3] }),
    ).rejects.toThrow(/feature/);
  });
});

describe('TreeEnsembleRegressor / TreeEnsembleClassifier (ai.onnx.ml 1-4)', () => {
  const nodes = {
    nodes_treeids: [0, 0, 0],
    nodes_nodeids: [0, 1, 2],
    nodes_featureids: [1, 0, 0],
    nodes_values: { floats: [1.5, 0, 0] },
    nodes_modes: ['BRANCH_LEQ', 'LEAF', 'LEAF'],
    nodes_truenodeids: [1, 0, 0],
    nodes_falsenodeids: [2, 0, 0],
  };

  it('regressor sums votes, adds base_values', async () => {
    const attrs = {
      ...nodes,
      target_treeids: [0, 0],
      target_nodeids: [1, 2],
      target_ids: [0, 0],
      target_weights: { floats: [10, 20] },
      base_values: { floats: [0.5] },
    };
    const y = await run1('TreeEnsembleRegressor', [f32([0, 1, 0, 2], [2, 2])], attrs, { opset: 3 });
    expect(y.dims).toEqual([2, 1]);
    close(nums(y), [10.5, 20.5]);
  });

  it('classifier picks the best class and writes per-class scores', async () => {
    const attrs = {
      ...nodes,
      class_treeids: [0, 0, 0],
      class_nodeids: [1, 2, 2],
      class_ids: [0, 1, 2],
      class_weights: { floats: [1, 0.25, 0.75] },
      classlabels_strings: ['a', 'b', 'c'],
    };
    const [y, z] = (await runOp('TreeEnsembleClassifier', [f32([0, 1, 0, 2], [2, 2])], attrs, {
      opset: 3,
      outputs: 2,
    })) as Tensor[];
    expect(Array.from(y!.data as string[])).toEqual(['a', 'c']);
    close(nums(z!), [1, 0, 0, 0, 0.25, 0.75]);
  });
});

describe('LabelEncoder', () => {
  it('maps strings to int64 with default_int64 and its -1 fallback', async () => {
    const x = str(['a', 'z', 'b']);
    const base = { keys_strings: ['a', 'b'], values_int64s: [7, 8] };
    expect(nums(await run1('LabelEncoder', [x], { ...base, default_int64: 42 }, { opset: 2 }))).toEqual([
      7, 42, 8,
    ]);
    const y = await run1('LabelEncoder', [x], base, { opset: 2 });
    expect(y.type).toBe('int64');
    expect(nums(y)).toEqual([7, -1, 8]);
  });

  it('maps int64 to strings and floats (NaN key) with the default values', async () => {
    const y = await run1(
      'LabelEncoder',
      [i64([1, 5], [2])],
      { keys_int64s: [1, 2], values_strings: ['one', 'two'] },
      { opset: 2 },
    );
    expect(Array.from(y.data as string[])).toEqual(['one', '_Unused']);
    const z = await run1(
      'LabelEncoder',
      [f32([Number.NaN, 2, 3], [3])],
      { keys_floats: { floats: [Number.NaN, 2] }, values_floats: { floats: [0.5, 1.5] } },
      { opset: 2 },
    );
    expect(nums(z)).toEqual([0.5, 1.5, -0]);
    expect(Object.is(nums(z)[2], -0)).toBe(true);
  });

  it('uses values_tensor types and default_tensor (opset 4); a repeated key keeps the last value', async () => {
    const keys = str(['a', 'b', 'a']);
    const values = new Tensor('int16', Int16Array.from([1, 2, 3]), [3]);
    const x = str(['a', 'b', 'q']);
    const y = await run1('LabelEncoder', [x], { keys_tensor: keys, values_tensor: values }, { opset: 4 });
    expect(y.type).toBe('int16');
    expect(nums(y)).toEqual([3, 2, -1]);
    const d = new Tensor('int16', Int16Array.from([9]), [1]);
    expect(
      nums(
        await run1(
          'LabelEncoder',
          [x],
          { keys_tensor: keys, values_tensor: values, default_tensor: d },
          { opset: 4 },
        ),
      ),
    ).toEqual([3, 2, 9]);
  });

  it('opset 1 maps strings to class indices and back', async () => {
    const attrs = { classes_strings: ['x', 'y'], default_int64: -7, default_string: 'none' };
    expect(nums(await run1('LabelEncoder', [str(['y', 'q'])], attrs, { opset: 1 }))).toEqual([1, -7]);
    const back = await run1('LabelEncoder', [i64([0, 3], [2])], attrs, { opset: 1 });
    expect(Array.from(back.data as string[])).toEqual(['x', 'none']);
  });
});

describe('ai.onnx.ml preprocessing', () => {
  it('ArrayFeatureExtractor gathers on the last axis; 1-D inputs give [1, k]', async () => {
    const y = await run1('ArrayFeatureExtractor', [f32([0, 1, 2, 3, 4, 5], [2, 3]), i64([2, 0], [2])]);
    expect(y.dims).toEqual([2, 2]);
    expect(nums(y)).toEqual([2, 0, 5, 3]);
    const s = await run1('ArrayFeatureExtractor', [str(['a', 'b', 'c']), i64([1], [1])]);
    expect(s.dims).toEqual([1, 1]);
    expect(s.data).toEqual(['b']);
    await expect(run1('ArrayFeatureExtractor', [f32([1, 2], [2]), i64([2], [1])])).rejects.toThrow(
      /out of range/,
    );
  });

  it('Binarizer, Scaler, Normalizer, Imputer', async () => {
    const x = f32([-1, 0.5, 2, Number.NaN], [2, 2]);
    expect(nums(await run1('Binarizer', [x], { threshold: { float: 0.5 } }))).toEqual([0, 0, 1, 0]);
    const sc = await run1('Scaler', [f32([1, 2, 3, 4], [2, 2])], {
      offset: { floats: [1, 2] },
      scale: { floats: [2, 0.5] },
    });
    expect(nums(sc)).toEqual([0, 0, 4, 1]);
    const l2 = await run1('Normalizer', [f32([3, -4, 0, 0], [2, 2])], { norm: 'L2' });
    close(nums(l2), [0.6, -0.8, 0, 0]);
    const l1 = await run1('Normalizer', [f32([1, -3], [1, 2])], { norm: 'L1' });
    close(nums(l1), [0.25, -0.75]);
    const im = await run1('Imputer', [x], {
      imputed_value_floats: { floats: [7, 8] },
      replaced_value_float: { float: Number.NaN },
    });
    close(nums(im), [-1, 0.5, 2, 8]);
    const ii = await run1('Imputer', [i64([0, 5, 0], [3])], {
      imputed_value_int64s: [9],
      replaced_value_int64: 0,
    });
    expect(ii.type).toBe('int64');
    expect(nums(ii)).toEqual([9, 5, 9]);
  });

  it('OneHotEncoder and ZipMap', async () => {
    const y = await run1('OneHotEncoder', [str(['b', 'q', 'a'])], { cats_strings: ['a', 'b'] });
    expect(y.dims).toEqual([3, 2]);
    expect(nums(y)).toEqual([0, 1, 0, 0, 1, 0]);
    await expect(run1('OneHotEncoder', [i64([3], [1])], { cats_int64s: [1, 2], zeros: 0 })).rejects.toThrow(
      /category/,
    );
    const [maps] = (await runOp('ZipMap', [f32([0.25, 0.75, 1, 0], [2, 2])], {
      classlabels_int64s: [10, 20],
    })) as [Map<bigint, Tensor>[]];
    expect(maps).toHaveLength(2);
    expect(nums(maps[0]!.get(20n)!)).toEqual([0.75]);
    expect(nums(maps[1]!.get(10n)!)).toEqual([1]);
  });
});

describe('ai.onnx.ml linear models and SVM', () => {
  it('LinearRegressor and LinearClassifier', async () => {
    const x = f32([1, 2, 3, 4], [2, 2]);
    const y = await run1('LinearRegressor', [x], {
      coefficients: { floats: [1, -1, 0.5, 0.5] },
      intercepts: { floats: [1, 0] },
      targets: 2,
    });
    expect(nums(y)).toEqual([0, 1.5, 0, 3.5]);
    const [labels, scores] = (await runOp(
      'LinearClassifier',
      [x],
      { coefficients: { floats: [1, -1, -1, 1] }, classlabels_ints: [5, 6] },
      { outputs: 2 },
    )) as Tensor[];
    expect(nums(labels!)).toEqual([6, 6]);
    expect(nums(scores!)).toEqual([-1, 1, -1, 1]);
  });

  it('SVMRegressor with an RBF kernel', async () => {
    const attrs = {
      kernel_type: 'RBF',
      kernel_params: { floats: [0.5, 0, 0] },
      n_supports: 2,
      support_vectors: { floats: [0, 0, 1, 1] },
      coefficients: { floats: [1, -2] },
      rho: { floats: [0.25] },
    };
    const y = await run1('SVMRegressor', [f32([1, 0], [1, 2])], attrs);
    close(nums(y), [Math.exp(-0.5) - 2 * Math.exp(-0.5) + 0.25]);
  });
});

describe('ai.onnx.preview.training optimizers', () => {
  const r = (v: number) => f32([v], []);
  const t = (v: number) => i64([v], []);

  it('Adam: one step by hand', async () => {
    // g = 0.5, v = 0.05, h = 0.00025, R_adj = 0.1·sqrt(1 - 0.999)/(1 - 0.9), x = 1 - R_adj·v/sqrt(h) = 0.9
    const [x, v, h] = (await runOp(
      'Adam',
      [r(0.1), t(1), f32([1], [1]), f32([0.5], [1]), f32([0], [1]), f32([0], [1])],
      {},
      {
        domain: TRAINING,
        outputs: 3,
      },
    )) as Tensor[];
    close(nums(x!), [0.9]);
    close(nums(v!), [0.05]);
    close(nums(h!), [0.00025]);
  });

  it('Adagrad updates several tensors, outputs grouped X then H', async () => {
    const outs = (await runOp(
      'Adagrad',
      [
        r(1),
        t(1),
        f32([1], [1]),
        f64([2, 3], [2]),
        f32([2], [1]),
        f64([1, -1], [2]),
        f32([0], [1]),
        f64([3, 0], [2]),
      ],
      { decay_factor: { float: 1 }, epsilon: { float: 0 } },
      { domain: TRAINING, outputs: 4 },
    )) as Tensor[];
    // r = 1 / (1 + 1) = 0.5; X1: h = 4, x = 1 - 0.5·2/2 = 0.5. X2: h = [4, 1], x = [2 - 0.25, 3 + 0.5]
    expect(outs.map((o) => o.type)).toEqual(['float32', 'float64', 'float32', 'float64']);
    close(nums(outs[0]!), [0.5]);
    close(nums(outs[1]!), [1.75, 3.5]);
    close(nums(outs[2]!), [4]);
    close(nums(outs[3]!), [4, 1]);
  });

  it('Momentum, standard and nesterov; beta is 1 on the first update', async () => {
    const attrs = { alpha: { float: 0.5 }, beta: { float: 0.25 }, norm_coefficient: { float: 0 } };
    const inputs = (step: number) => [r(0.1), t(step), f32([1], [1]), f32([2], [1]), f32([4], [1])];
    const opts = { domain: TRAINING, outputs: 2 };
    const [x0, v0] = (await runOp('Momentum', inputs(0), { ...attrs, mode: 'standard' }, opts)) as Tensor[];
    close(nums(v0!), [4]); // 0.5·4 + 1·2
    close(nums(x0!), [0.6]);
    const [x1, v1] = (await runOp('Momentum', inputs(3), { ...attrs, mode: 'nesterov' }, opts)) as Tensor[];
    close(nums(v1!), [2.5]); // 0.5·4 + 0.25·2
    close(nums(x1!), [1 - 0.1 * (2 + 0.5 * 2.5)]);
  });
});

describe('static types', () => {
  it('infers ml and training output types with the batch dim carried', () => {
    const g = graph({
      nodes: [
        node('TreeEnsemble', ['x'], ['tree'], { ...twoLeaf, n_targets: 3 }, '', ML),
        node('LabelEncoder', ['s'], ['le'], { keys_strings: ['a'], values_int64s: [1] }, '', ML),
        node('ArrayFeatureExtractor', ['x', 'idx'], ['afe'], {}, '', ML),
        node('ZipMap', ['x'], ['zm'], { classlabels_strings: ['a', 'b'] }, '', ML),
        node(
          'Momentum',
          ['r', 't', 'x', 'x', 'x'],
          ['xn', 'vn'],
          { alpha: 0.5, beta: 0.5, mode: 'standard', norm_coefficient: 0 },
          '',
          TRAINING,
        ),
      ],
      inputs: [
        tensorInfo('x', 'float32', ['N', 2]),
        tensorInfo('s', 'string', ['N']),
        tensorInfo('idx', 'int64', [4]),
        tensorInfo('r', 'float32', []),
        tensorInfo('t', 'int64', []),
      ],
      outputs: [tensorInfo('tree', 'float32')],
    });
    const m = model(g, [
      { domain: '', version: 21 },
      { domain: ML, version: 5 },
      { domain: TRAINING, version: 1 },
    ]);
    const r = inferTypes(m, defaultRegistry).byName;
    expect(r.get('tree')).toEqual({ kind: 'tensor', elemType: 'float32', shape: ['N', 3] });
    expect(r.get('le')).toEqual({ kind: 'tensor', elemType: 'int64', shape: ['N'] });
    expect(r.get('afe')).toEqual({ kind: 'tensor', elemType: 'float32', shape: ['N', 4] });
    expect(r.get('zm')).toMatchObject({ kind: 'sequence', elem: { kind: 'map', keyType: 'string' } });
    expect(r.get('vn')).toEqual({ kind: 'tensor', elemType: 'float32', shape: ['N', 2] });
  });
});
