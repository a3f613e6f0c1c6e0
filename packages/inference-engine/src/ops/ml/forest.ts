import { InvalidArgumentError } from '@zai/common';

// The compiled form of a tree ensemble, shared by TreeEnsemble (ai.onnx.ml 5)
// and the older TreeEnsembleRegressor / TreeEnsembleClassifier. Built once at
// kernel creation: flat typed arrays indexed by node, where a child (or a
// root) that is a leaf is stored as ~leaf (a negative number), and each leaf
// owns a run [leafStart[l], leafStart[l+1]) of (target, weight) pairs.

export enum Mode {
  LEQ = 0,
  LT = 1,
  GTE = 2,
  GT = 3,
  EQ = 4,
  NEQ = 5,
  MEMBER = 6,
}

export enum Aggregate {
  Average = 0,
  Sum = 1,
  Min = 2,
  Max = 3,
}

export interface Forest {
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  readonly split: Float64Array;
  readonly mode: Uint8Array;
  readonly trueNext: Int32Array;
  readonly falseNext: Int32Array;
  /** 1 where a NaN feature takes the true branch. */
  readonly nanTrue: Uint8Array;
  /** The set of a MEMBER node. */
  readonly members: readonly (ReadonlySet<number> | undefined)[];
  readonly leafStart: Int32Array;
  readonly leafTarget: Int32Array;
  readonly leafWeight: Float64Array;
  readonly nTargets: number;
  /** Largest feature id used, -1 when none. */
  readonly maxFeature: number;
  /** Every interior node is LEQ and no NaN goes to the true branch (the common case, a faster loop). */
  readonly allLeq: boolean;
}

export interface ForestSpec {
  roots: Int32Array;
  feature: Int32Array;
  split: Float64Array;
  mode: Uint8Array;
  trueNext: Int32Array;
  falseNext: Int32Array;
  nanTrue: Uint8Array;
  members: (ReadonlySet<number> | undefined)[];
  leafStart: Int32Array;
  leafTarget: Int32Array;
  leafWeight: Float64Array;
  nTargets: number;
}

/** Validates indices and acyclicity; fails with `fail` on a malformed ensemble. */
export function buildForest(s: ForestSpec, fail: (m: string) => never): Forest {
  const nNodes = s.feature.length;
  const nLeaves = s.leafStart.length - 1;
  const checkRef = (r: number, what: string) => {
    if (r >= 0 ? r >= nNodes : ~r >= nLeaves)
      fail(`${what} references a missing ${r >= 0 ? 'node' : 'leaf'}`);
  };
  let maxFeature = -1;
  let allLeq = true;
  for (let i = 0; i < nNodes; i++) {
    checkRef(s.trueNext[i]!, `node ${i}`);
    checkRef(s.falseNext[i]!, `node ${i}`);
    if (s.feature[i]! < 0) fail(`node ${i} has a negative feature id`);
    if (s.mode[i]! > Mode.MEMBER) fail(`node ${i} has an unknown mode ${s.mode[i]}`);
    if (s.mode[i] === Mode.MEMBER && !s.members[i]) fail(`node ${i} is BRANCH_MEMBER without a set`);
    maxFeature = Math.max(maxFeature, s.feature[i]!);
    if (s.mode[i] !== Mode.LEQ || s.nanTrue[i]) allLeq = false;
  }
  for (let l = 0; l < s.leafTarget.length; l++) {
    const t = s.leafTarget[l]!;
    if (t < 0 || t >= s.nTargets) fail(`leaf target ${t} is out of range [0, ${s.nTargets})`);
  }
  for (const r of s.roots) checkRef(r, 'a tree root');
  // Cycle check: iterative DFS with colors (0 new, 1 on stack, 2 done).
  const color = new Uint8Array(nNodes);
  const stack: number[] = [];
  for (const r of s.roots) {
    if (r < 0 || color[r] === 2) continue;
    stack.push(r);
    while (stack.length > 0) {
      const nd = stack[stack.length - 1]!;
      if (color[nd] === 0) {
        color[nd] = 1;
        for (const c of [s.trueNext[nd]!, s.falseNext[nd]!]) {
          if (c < 0 || color[c] === 2) continue;
          if (color[c] === 1) fail(`the trees contain a cycle through node ${c}`);
          stack.push(c);
        }
      } else {
        if (color[nd] === 1) color[nd] = 2;
        stack.pop();
      }
    }
  }
  return { ...s, maxFeature, allLeq };
}

/** The same forest with thresholds and set members rounded to float32 (for float32 / integer inputs). */
export function roundForest(f: Forest): Forest {
  const members = f.members.map((m) => m && new Set(Array.from(m, Math.fround)));
  return { ...f, split: f.split.map(Math.fround), members };
}

/** Starts of the runs of one (target, weight) pair per leaf: 0, 1, 2, …, n. */
export function oneEach(n: number): Int32Array {
  const a = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) a[i] = i;
  return a;
}

function branch(f: Forest, nd: number, v: number): boolean {
  if (f.nanTrue[nd] && Number.isNaN(v)) return true;
  const t = f.split[nd]!;
  switch (f.mode[nd]) {
    case Mode.LEQ:
      return v <= t;
    case Mode.LT:
      return v < t;
    case Mode.GTE:
      return v >= t;
    case Mode.GT:
      return v > t;
    case Mode.EQ:
      return v === t;
    case Mode.NEQ:
      return v !== t;
    default:
      return f.members[nd]!.has(v);
  }
}

/** The leaf (as ~leaf) that row `base` of X reaches from `root`, for any mix of modes. */
function walk(f: Forest, root: number, X: ArrayLike<number>, base: number): number {
  let nd = root;
  while (nd >= 0) nd = branch(f, nd, X[base + f.feature[nd]!]!) ? f.trueNext[nd]! : f.falseNext[nd]!;
  return nd;
}

/** Leaves (as ~leaf) reached by each of the n rows from `root`, into `leaf`. */
function walkRows(
  f: Forest,
  root: number,
  X: ArrayLike<number>,
  n: number,
  c: number,
  leaf: Int32Array,
): void {
  if (!f.allLeq) {
    for (let r = 0; r < n; r++) leaf[r] = walk(f, root, X, r * c);
    return;
  }
  const { feature, split, trueNext, falseNext } = f;
  for (let r = 0, base = 0; r < n; r++, base += c) {
    let nd = root;
    while (nd >= 0) nd = X[base + feature[nd]!]! <= split[nd]! ? trueNext[nd]! : falseNext[nd]!;
    leaf[r] = nd;
  }
}

/**
 * Runs every tree on each of the n rows of X ([n, c]) and aggregates the leaf
 * weights per target into `out` ([n, nTargets], float64); `has` marks targets
 * that got at least one weight. AVERAGE divides by the tree count; targets
 * without any weight are 0 under MIN / MAX.
 */
export function evalForest(
  f: Forest,
  X: ArrayLike<number>,
  n: number,
  c: number,
  agg: Aggregate,
): { out: Float64Array; has: Uint8Array } {
  if (f.maxFeature >= c) {
    throw new InvalidArgumentError(
      `tree ensemble: feature id ${f.maxFeature} out of range for ${c} features`,
    );
  }
  const k = f.nTargets;
  const out = new Float64Array(n * k);
  const has = new Uint8Array(n * k);
  const { roots, leafStart, leafTarget, leafWeight } = f;
  // Tree-major: one tree's nodes stay in cache while every row walks it. Each
  // row still meets the trees in order, so sums are accumulated as row-major.
  const leaves = new Int32Array(n);
  const additive = agg === Aggregate.Sum || agg === Aggregate.Average;
  for (let t = 0; t < roots.length; t++) {
    walkRows(f, roots[t]!, X, n, c, leaves);
    for (let r = 0; r < n; r++) {
      const leaf = ~leaves[r]!;
      const ob = r * k;
      const end = leafStart[leaf + 1]!;
      for (let j = leafStart[leaf]!; j < end; j++) {
        const o = ob + leafTarget[j]!;
        const w = leafWeight[j]!;
        if (additive) out[o] = out[o]! + w;
        else if (!has[o] || (agg === Aggregate.Min ? w < out[o]! : w > out[o]!)) out[o] = w;
        has[o] = 1;
      }
    }
  }
  if (agg === Aggregate.Average && roots.length > 0) {
    for (let i = 0; i < out.length; i++) out[i] = out[i]! / roots.length;
  }
  return { out, has };
}
