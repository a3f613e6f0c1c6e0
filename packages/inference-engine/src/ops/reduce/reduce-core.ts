// The reduction engine. The input's dims are merged into alternating blocks of
// kept and reduced axes (size-1 axes dropped), and the input is walked once in
// memory order with an odometer over the blocks. The innermost block runs as
// a tight loop: when it is kept, it accumulates a contiguous row of outputs;
// when it is reduced, it folds into one scalar. Arbitrary axis sets thus cost
// one pass and no transpose. Loops are generated per accumulation expression
// (as in util/elementwise) so each one is monomorphic.

/** A walk over a reduction: merged input blocks and their output strides (0 = reduced). */
export interface ReducePlan {
  readonly dims: number[];
  readonly ostr: number[];
  readonly outDims: number[];
  readonly outSize: number;
  /** Input elements folded into each output. */
  readonly count: number;
  /** True when the input has no elements (outputs are the identity). */
  readonly empty: boolean;
}

/** Plans a reduction of `inDims` over `axes` (normalised, sorted). */
export function planReduce(
  inDims: readonly number[],
  axes: readonly number[],
  keepdims: boolean,
): ReducePlan {
  const reduced = new Array<boolean>(inDims.length).fill(false);
  for (const a of axes) reduced[a] = true;
  const outDims: number[] = [];
  let count = 1;
  let inSize = 1;
  for (let i = 0; i < inDims.length; i++) {
    const d = inDims[i]!;
    inSize *= d;
    if (reduced[i]) {
      count *= d;
      if (keepdims) outDims.push(1);
    } else outDims.push(d);
  }
  let outSize = 1;
  for (const d of outDims) outSize *= d;
  // merge adjacent axes of the same kind, dropping size-1 axes
  const dims: number[] = [];
  const kinds: boolean[] = [];
  for (let i = 0; i < inDims.length; i++) {
    const d = inDims[i]!;
    if (d === 1) continue;
    const n = dims.length;
    if (n > 0 && kinds[n - 1] === reduced[i]) dims[n - 1]! *= d;
    else {
      dims.push(d);
      kinds.push(reduced[i]!);
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    kinds.push(false);
  }
  const ostr = new Array<number>(dims.length).fill(0);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    if (!kinds[i]) {
      ostr[i] = acc;
      acc *= dims[i]!;
    }
  }
  return { dims, ostr, outDims, outSize, count, empty: inSize === 0 };
}

/** Writable indexed storage (typed arrays of numbers or bigints). */
export type Acc = { [i: number]: unknown; readonly length: number };

type ReduceLoop = (
  X: ArrayLike<unknown>,
  A: Acc,
  dims: number[],
  ostr: number[],
  M?: ArrayLike<unknown>,
) => void;

const loops = new Map<string, ReduceLoop>();

/**
 * A loop folding X into A with `expr` over the accumulator `a` and element `x`;
 * when `expr` mentions `m`, `m` is M at the output position (LogSumExp's shift).
 */
export function reduceLoop(expr: string): ReduceLoop {
  let f = loops.get(expr);
  if (!f) {
    const withM = /\bm\b/.test(expr);
    const body = `
      const r = dims.length;
      const n = dims[r - 1], keep = ostr[r - 1] !== 0;
      let outer = 1; for (let d = 0; d < r - 1; d++) outer *= dims[d];
      const idx = new Int32Array(r);
      let xi = 0, o = 0;
      for (let k = 0; k < outer; k++) {
        if (keep) {
          for (let i = 0; i < n; i++) { const x = X[xi + i], a = A[o + i]; ${withM ? 'const m = M[o + i];' : ''} A[o + i] = ${expr}; }
        } else {
          let a = A[o]; ${withM ? 'const m = M[o];' : ''}
          for (let i = 0; i < n; i++) { const x = X[xi + i]; a = ${expr}; }
          A[o] = a;
        }
        xi += n;
        for (let d = r - 2; d >= 0; d--) {
          o += ostr[d];
          if (++idx[d] < dims[d]) break;
          o -= ostr[d] * dims[d]; idx[d] = 0;
        }
      }`;
    f = new Function('X', 'A', 'dims', 'ostr', 'M', body) as ReduceLoop;
    loops.set(expr, f);
  }
  return f;
}

/** Runs `expr` over the plan, unless the input is empty (A then keeps its identity fill). */
export function runReduce(
  plan: ReducePlan,
  expr: string,
  X: ArrayLike<unknown>,
  A: Acc,
  M?: ArrayLike<unknown>,
): void {
  if (plan.empty || plan.outSize === 0) return;
  reduceLoop(expr)(X, A, plan.dims, plan.ostr, M);
}
