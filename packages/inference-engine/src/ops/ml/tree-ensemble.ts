import { tensorValues } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type ShapeFn } from '../../kernel.js';
import { floatTensor, isFloat } from '../util/float-io.js';
import {
  applyTransform,
  attrNumbers,
  batchShape,
  ML_DOMAIN,
  numericInput,
  postTransform,
  rows,
  tensorOut,
} from './common.js';
import { Aggregate, buildForest, evalForest, type Forest, Mode, oneEach, roundForest } from './forest.js';

// TreeEnsemble (ai.onnx.ml 5): X [N, F] -> Y [N, n_targets], same float type.
// Interior nodes are the nodes_* tuples; a branch goes to another node or,
// when nodes_trueleafs / nodes_falseleafs says so, to a leaf_* entry. The
// BRANCH_MEMBER sets are read from membership_values, NaN-delimited, in the
// order the MEMBER nodes appear. Thresholds are compared in float32 unless X is
// float64, as the splits have X's type.

/** The target count implied by leaf_targetids when n_targets is absent (no spread: lists can be long). */
function maxPlusOne(ids: readonly number[]): number {
  let m = -1;
  for (const v of ids) if (v > m) m = v;
  return m + 1;
}

function compile(ctx: KernelContext): Forest {
  const need = (name: string) => {
    if (!ctx.has(name)) ctx.fail(`attribute '${name}' is required`);
  };
  for (const a of [
    'tree_roots',
    'nodes_modes',
    'nodes_featureids',
    'nodes_splits',
    'leaf_targetids',
    'leaf_weights',
  ]) {
    need(a);
  }
  const featureIds = ctx.ints('nodes_featureids');
  const nNodes = featureIds.length;
  const modes = Uint8Array.from(tensorValues(ctx.tensor('nodes_modes')!));
  const split = attrNumbers(ctx.tensor('nodes_splits'));
  const trueIds = ctx.ints('nodes_truenodeids', []);
  const trueLeafs = ctx.ints('nodes_trueleafs', []);
  const falseIds = ctx.ints('nodes_falsenodeids', []);
  const falseLeafs = ctx.ints('nodes_falseleafs', []);
  const missing = ctx.ints('nodes_missing_value_tracks_true', []);
  const lists: [string, number][] = [
    ['nodes_modes', modes.length],
    ['nodes_splits', split.length],
    ['nodes_truenodeids', trueIds.length],
    ['nodes_trueleafs', trueLeafs.length],
    ['nodes_falsenodeids', falseIds.length],
    ['nodes_falseleafs', falseLeafs.length],
  ];
  if (missing.length > 0) lists.push(['nodes_missing_value_tracks_true', missing.length]);
  for (const [name, len] of lists) {
    if (len !== nNodes) ctx.fail(`'${name}' has ${len} entries, nodes_featureids has ${nNodes}`);
  }
  const targets = ctx.ints('leaf_targetids');
  const weights = attrNumbers(ctx.tensor('leaf_weights'));
  if (targets.length !== weights.length) ctx.fail(`leaf_targetids and leaf_weights lengths differ`);
  const nTargets = ctx.has('n_targets') ? ctx.int('n_targets') : maxPlusOne(targets);

  // Set-membership nodes take the NaN-delimited groups of membership_values in order.
  const members: (Set<number> | undefined)[] = new Array(nNodes).fill(undefined);
  const mv = attrNumbers(ctx.tensor('membership_values'));
  let pos = 0;
  for (let i = 0; i < nNodes; i++) {
    if (modes[i] !== Mode.MEMBER) continue;
    if (pos >= mv.length) ctx.fail(`membership_values has no set for node ${i}`);
    const set = new Set<number>();
    while (pos < mv.length && !Number.isNaN(mv[pos])) set.add(mv[pos++]!);
    pos++; // the NaN delimiter
    members[i] = set;
  }

  const ref = (leaf: number, id: number) => (leaf ? ~id : id);
  return buildForest(
    {
      roots: Int32Array.from(ctx.ints('tree_roots')),
      feature: Int32Array.from(featureIds),
      split,
      mode: modes,
      trueNext: Int32Array.from(trueIds, (id, i) => ref(trueLeafs[i]!, id)),
      falseNext: Int32Array.from(falseIds, (id, i) => ref(falseLeafs[i]!, id)),
      nanTrue: missing.length > 0 ? Uint8Array.from(missing, (m) => (m ? 1 : 0)) : new Uint8Array(nNodes),
      members,
      leafStart: oneEach(targets.length),
      leafTarget: Int32Array.from(targets),
      leafWeight: weights,
      nTargets,
    },
    (m) => ctx.fail(m),
  );
}

function treeEnsemble(ctx: KernelContext): Kernel {
  const forest64 = compile(ctx);
  const forest32 = roundForest(forest64);
  const agg = ctx.int('aggregate_function', Aggregate.Sum) as Aggregate;
  if (agg < Aggregate.Average || agg > Aggregate.Max)
    ctx.fail(`aggregate_function ${agg} is not one of 0..3`);
  const pt = postTransform(ctx, true);
  return (inputs) => {
    const x = numericInput(inputs, 0, 'TreeEnsemble');
    const { n, c } = rows(x);
    const forest = x.type === 'float64' ? forest64 : forest32;
    const { out } = evalForest(forest, tensorValues(x), n, c, agg);
    const k = forest.nTargets;
    for (let r = 0; r < n; r++) applyTransform(out, r * k, k, pt);
    return [floatTensor(isFloat(x.type) ? x.type : 'float32', out, [n, k])];
  };
}

const shape: ShapeFn = (ctx) => {
  const t = ctx.elemType(0);
  const k = ctx.has('n_targets')
    ? ctx.int('n_targets')
    : ctx.has('leaf_targetids')
      ? maxPlusOne(ctx.ints('leaf_targetids'))
      : ctx.unknownDim();
  return tensorOut(t && (isFloat(t) ? t : 'float32'), batchShape(ctx.shape(0), k));
};

export const TREE_ENSEMBLE = [defineOp('TreeEnsemble', '5+', treeEnsemble, ML_DOMAIN, shape)];
