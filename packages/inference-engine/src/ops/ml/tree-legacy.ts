import { Tensor, tensorValues } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type ShapeFn } from '../../kernel.js';
import {
  applyTransform,
  batchShape,
  floatsOrTensor,
  logistic,
  ML_DOMAIN,
  numericInput,
  PostTransform,
  postTransform,
  rows,
  tensorOut,
} from './common.js';
import { Aggregate, buildForest, evalForest, type Forest, Mode, roundForest } from './forest.js';

// TreeEnsembleRegressor and TreeEnsembleClassifier (ai.onnx.ml 1-4, removed
// in 5 in favour of TreeEnsemble). Nodes are (tree id, node id) tuples whose
// children are node ids of the same tree; leaves are nodes of mode LEAF and
// carry any number of (target or class, weight) votes. Both compile to the
// same Forest as TreeEnsemble; the roots are the nodes no other node of their
// tree points to. Thresholds are float32 unless X is float64 (onnxruntime's
// ThresholdType), `*_as_tensor` attributes (opset 3) replace the float lists.

const MODES: Record<string, Mode | -1> = {
  BRANCH_LEQ: Mode.LEQ,
  BRANCH_LT: Mode.LT,
  BRANCH_GTE: Mode.GTE,
  BRANCH_GT: Mode.GT,
  BRANCH_EQ: Mode.EQ,
  BRANCH_NEQ: Mode.NEQ,
  LEAF: -1,
};

const AGGREGATES: Record<string, Aggregate> = {
  AVERAGE: Aggregate.Average,
  SUM: Aggregate.Sum,
  MIN: Aggregate.Min,
  MAX: Aggregate.Max,
};

/** Compiles the nodes_* tuples and the `prefix`_* votes (target_ or class_). */
function compileLegacy(ctx: KernelContext, prefix: 'target' | 'class', nTargets: number): Forest {
  const fail = (m: string): never => ctx.fail(m);
  const treeIds = ctx.ints('nodes_treeids', []);
  const nodeIds = ctx.ints('nodes_nodeids', []);
  const features = ctx.ints('nodes_featureids', []);
  const values = floatsOrTensor(ctx, 'nodes_values');
  const modeNames = ctx.strings('nodes_modes', []);
  const trueIds = ctx.ints('nodes_truenodeids', []);
  const falseIds = ctx.ints('nodes_falsenodeids', []);
  const missing = ctx.ints('nodes_missing_value_tracks_true', []);
  const n = nodeIds.length;
  for (const [name, len] of [
    ['nodes_treeids', treeIds.length],
    ['nodes_featureids', features.length],
    ['nodes_modes', modeNames.length],
    ['nodes_truenodeids', trueIds.length],
    ['nodes_falsenodeids', falseIds.length],
  ] as const) {
    if (len !== n) fail(`'${name}' has ${len} entries, nodes_nodeids has ${n}`);
  }
  if (values.length !== n && values.length !== 0)
    fail(`'nodes_values' has ${values.length} entries, expected ${n}`);

  // (tree, node id) -> position; leaves get leaf numbers, interior nodes compact indices.
  const key = (t: number, id: number) => `${t}:${id}`;
  const pos = new Map<string, number>();
  const modes = modeNames.map((m, i) => {
    const v = MODES[m];
    if (v === undefined) fail(`node ${i} has an unknown mode '${m}'`);
    return v!;
  });
  const slot = new Int32Array(n); // interior index, or ~leaf
  let interior = 0;
  let leaves = 0;
  for (let i = 0; i < n; i++) {
    const k = key(treeIds[i]!, nodeIds[i]!);
    if (pos.has(k)) fail(`node ${nodeIds[i]} of tree ${treeIds[i]} is defined twice`);
    pos.set(k, i);
    slot[i] = modes[i] === -1 ? ~leaves++ : interior++;
  }
  const child = (i: number, id: number): number => {
    const p = pos.get(key(treeIds[i]!, id));
    if (p === undefined)
      return fail(`node ${nodeIds[i]} of tree ${treeIds[i]} points to a missing node ${id}`);
    return slot[p]!;
  };
  const feature = new Int32Array(interior);
  const split = new Float64Array(interior);
  const mode = new Uint8Array(interior);
  const trueNext = new Int32Array(interior);
  const falseNext = new Int32Array(interior);
  const nanTrue = new Uint8Array(interior);
  const referenced = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (modes[i] === -1) continue;
    const s = slot[i]!;
    feature[s] = features[i]!;
    split[s] = values[i] ?? 0;
    mode[s] = modes[i]!;
    trueNext[s] = child(i, trueIds[i]!);
    falseNext[s] = child(i, falseIds[i]!);
    nanTrue[s] = missing[i] ? 1 : 0;
    referenced[pos.get(key(treeIds[i]!, trueIds[i]!))!] = 1;
    referenced[pos.get(key(treeIds[i]!, falseIds[i]!))!] = 1;
  }
  // One root per tree, in order of first appearance.
  const roots: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    if (referenced[i] || seen.has(treeIds[i]!)) continue;
    seen.add(treeIds[i]!);
    roots.push(slot[i]!);
  }

  // Votes, grouped by leaf (CSR).
  const vTrees = ctx.ints(`${prefix}_treeids`, []);
  const vNodes = ctx.ints(`${prefix}_nodeids`, []);
  const vIds = ctx.ints(`${prefix}_ids`, []);
  const vWeights = floatsOrTensor(ctx, `${prefix}_weights`);
  const nv = vIds.length;
  if (vTrees.length !== nv || vNodes.length !== nv || vWeights.length !== nv) {
    fail(`the ${prefix}_* attributes must all have ${nv} entries`);
  }
  const leafOf = new Int32Array(nv);
  const counts = new Int32Array(leaves + 1);
  for (let j = 0; j < nv; j++) {
    const p = pos.get(key(vTrees[j]!, vNodes[j]!));
    if (p === undefined || slot[p]! >= 0) fail(`${prefix} vote ${j} does not point to a leaf`);
    leafOf[j] = ~slot[p!]!;
    counts[leafOf[j]! + 1]!++;
  }
  for (let l = 0; l < leaves; l++) counts[l + 1]! += counts[l]!;
  const fill = counts.slice(0, leaves);
  const leafTarget = new Int32Array(nv);
  const leafWeight = new Float64Array(nv);
  for (let j = 0; j < nv; j++) {
    const at = fill[leafOf[j]!]!++;
    leafTarget[at] = vIds[j]!;
    leafWeight[at] = vWeights[j]!;
  }
  const forest = {
    roots: Int32Array.from(roots),
    feature,
    split,
    mode,
    trueNext,
    falseNext,
    nanTrue,
    members: [],
    leafStart: counts,
    leafTarget,
    leafWeight,
    nTargets,
  };
  return buildForest(forest, fail);
}

function baseValues(ctx: KernelContext, k: number): Float64Array | undefined {
  const b = floatsOrTensor(ctx, 'base_values');
  if (b.length === 0) return undefined;
  if (b.length !== k) ctx.fail(`base_values has ${b.length} entries, expected ${k}`);
  return b;
}

function regressor(ctx: KernelContext): Kernel {
  const k = ctx.int('n_targets', 1);
  const forest64 = compileLegacy(ctx, 'target', k);
  const forest32 = roundForest(forest64);
  const aggName = ctx.string('aggregate_function', 'SUM');
  const agg = AGGREGATES[aggName] ?? ctx.fail(`unknown aggregate_function '${aggName}'`);
  const base = baseValues(ctx, k);
  const pt = postTransform(ctx);
  return (inputs) => {
    const x = numericInput(inputs, 0, 'TreeEnsembleRegressor');
    const { n, c } = rows(x);
    const { out } = evalForest(x.type === 'float64' ? forest64 : forest32, tensorValues(x), n, c, agg);
    if (base) for (let i = 0; i < out.length; i++) out[i] = out[i]! + base[i % k]!;
    for (let r = 0; r < n; r++) applyTransform(out, r * k, k, pt);
    return [new Tensor('float32', Float32Array.from(out), [n, k])];
  };
}

/**
 * Classifier: class scores are summed votes plus base_values; the label is the
 * best-scoring class. The binary case (two labels, votes for a single class id)
 * follows onnxruntime: the one score s gives label 1 when s > 0.5 (all weights
 * non-negative, scores [1 - s, s]) or when s > 0 (mixed signs, scores [-s, s],
 * or logistic(∓s) under LOGISTIC; PROBIT maps both columns).
 */
function classifier(ctx: KernelContext): Kernel {
  const intLabels = ctx.has('classlabels_int64s');
  const labels: (string | bigint)[] = intLabels
    ? ctx.ints('classlabels_int64s').map(BigInt)
    : ctx.strings('classlabels_strings', []);
  const k = labels.length;
  if (k === 0) ctx.fail('classlabels_strings or classlabels_int64s is required');
  const forest64 = compileLegacy(ctx, 'class', k);
  const forest32 = roundForest(forest64);
  const base = baseValues(ctx, k);
  const pt = postTransform(ctx);
  const classIds = new Set(forest64.leafTarget);
  const binary = k === 2 && classIds.size === 1;
  const positive = forest64.leafWeight.every((w) => w >= 0);
  const binaryCol = binary ? [...classIds][0]! : 0;
  return (inputs) => {
    const x = numericInput(inputs, 0, 'TreeEnsembleClassifier');
    const { n, c } = rows(x);
    const f = x.type === 'float64' ? forest64 : forest32;
    const { out, has } = evalForest(f, tensorValues(x), n, c, Aggregate.Sum);
    if (base) for (let i = 0; i < out.length; i++) out[i] = out[i]! + base[i % k]!;
    const Y: (string | bigint)[] = new Array(n);
    for (let r = 0; r < n; r++) {
      const o = r * k;
      if (binary) {
        const s = out[o + binaryCol]!;
        const pos = positive ? s > 0.5 : s > 0;
        Y[r] = labels[pos ? 1 : 0]!;
        if (positive) {
          out[o] = 1 - s;
          out[o + 1] = s;
        } else if (pt === PostTransform.Logistic) {
          out[o] = logistic(-s);
          out[o + 1] = logistic(s);
        } else {
          out[o] = -s;
          out[o + 1] = s;
        }
        if (pt === PostTransform.Probit) applyTransform(out, o, 2, pt);
        continue;
      }
      let best = -1;
      for (let j = 0; j < k; j++) {
        if ((has[o + j] || base) && (best < 0 || out[o + j]! > out[o + best]!)) best = j;
      }
      Y[r] = labels[Math.max(best, 0)]!;
      applyTransform(out, o, k, pt);
    }
    const labelsOut = intLabels
      ? new Tensor('int64', BigInt64Array.from(Y as bigint[]), [n])
      : new Tensor('string', Y as string[], [n]);
    return [labelsOut, new Tensor('float32', Float32Array.from(out), [n, k])];
  };
}

const regressorShape: ShapeFn = (ctx) =>
  tensorOut('float32', batchShape(ctx.shape(0), ctx.int('n_targets', 1)));

const classifierShape: ShapeFn = (ctx) => {
  const intLabels = ctx.has('classlabels_int64s');
  const k = intLabels ? ctx.ints('classlabels_int64s').length : ctx.strings('classlabels_strings', []).length;
  const scores = batchShape(ctx.shape(0), k);
  return [
    ...tensorOut(intLabels ? 'int64' : 'string', scores && [scores[0]!]),
    ...tensorOut('float32', scores),
  ];
};

export const TREE_ENSEMBLE_LEGACY = [
  defineOp('TreeEnsembleRegressor', '1-4', regressor, ML_DOMAIN, regressorShape),
  defineOp('TreeEnsembleClassifier', '1-4', classifier, ML_DOMAIN, classifierShape),
];
