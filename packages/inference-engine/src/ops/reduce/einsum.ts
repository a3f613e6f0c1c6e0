import { type DataType, type Dim, type Shape, ShapeError, TypeMismatchError } from '@zai/common';
import { allocate, isTensor, Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { broadcastSymbolic, tensorType } from '../../shape/dims.js';
import { floatData, floatTensor, isFloat } from '../util/float-io.js';
import { isBig, SMALL_INT_TYPES } from './common.js';

// Einsum (12+). The equation is parsed once: each term becomes a list of
// labels (letters, or '...' standing for broadcast dims). At run time every
// label gets a size and, per input, a stride (repeated labels in one term add
// their strides, which walks the diagonal; broadcast size-1 dims get 0). The
// result is one strided loop nest: output labels outside, summed labels
// inside, the innermost summed label as a tight loop.

const ELLIPSIS = -1;

interface Parsed {
  /** Per input: labels as letter codes, ELLIPSIS for '...'. */
  readonly terms: number[][];
  /** Output labels, or undefined for the implicit form. */
  readonly output: number[] | undefined;
}

function parseTerm(s: string, what: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s.startsWith('...', i)) {
      if (out.includes(ELLIPSIS)) throw new ShapeError(`Einsum: ${what} has more than one ellipsis`);
      out.push(ELLIPSIS);
      i += 2;
      continue;
    }
    const c = s.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) {
      throw new ShapeError(`Einsum: invalid character '${s[i]}' in ${what}`);
    }
    out.push(c);
  }
  return out;
}

export function parseEquation(equation: string): Parsed {
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  const lhs = arrow >= 0 ? eq.slice(0, arrow) : eq;
  const terms = lhs.split(',').map((t, i) => parseTerm(t, `input term ${i}`));
  const output = arrow >= 0 ? parseTerm(eq.slice(arrow + 2), 'the output') : undefined;
  return { terms, output };
}

/** Label ids: 0..E-1 for broadcast (ellipsis) dims, 1000 + char code for letters. */
const LETTER = 1000;

interface Layout {
  readonly outLabels: number[];
  readonly sumLabels: number[];
  readonly sizes: Map<number, number>;
  /** Per input, stride for each label it uses. */
  readonly strides: Map<number, number>[];
}

function layout(p: Parsed, xs: readonly Tensor[]): Layout {
  let E = 0;
  const labelled: number[][] = [];
  p.terms.forEach((term, k) => {
    const letters = term.filter((l) => l !== ELLIPSIS).length;
    const rank = xs[k]!.dims.length;
    const hasEll = term.includes(ELLIPSIS);
    if (hasEll ? rank < letters : rank !== letters) {
      throw new ShapeError(`Einsum: input ${k} has rank ${rank}, its term names ${letters} dims`);
    }
    E = Math.max(E, hasEll ? rank - letters : 0);
  });
  const sizes = new Map<number, number>();
  const strides: Map<number, number>[] = [];
  const counts = new Map<number, number>();
  p.terms.forEach((term, k) => {
    const x = xs[k]!;
    const e = x.dims.length - term.filter((l) => l !== ELLIPSIS).length;
    const labels: number[] = [];
    for (const l of term) {
      if (l === ELLIPSIS) for (let i = 0; i < e; i++) labels.push(E - e + i);
      else labels.push(LETTER + l);
    }
    labelled.push(labels);
    const st = new Map<number, number>();
    let acc = 1;
    for (let a = labels.length - 1; a >= 0; a--) {
      const l = labels[a]!;
      const d = x.dims[a]!;
      const known = sizes.get(l);
      if (known === undefined || known === 1) sizes.set(l, d);
      else if (d !== known && !(l < E && d === 1)) {
        throw new ShapeError(`Einsum: dimension ${a} of input ${k} is ${d}, expected ${known}`);
      }
      st.set(l, (st.get(l) ?? 0) + (d === 1 ? 0 : acc));
      acc *= d;
      counts.set(l, (counts.get(l) ?? 0) + 1);
    }
    strides.push(st);
  });
  let outLabels: number[];
  if (p.output) {
    outLabels = [];
    for (const l of p.output) {
      if (l === ELLIPSIS) for (let i = 0; i < E; i++) outLabels.push(i);
      else {
        const id = LETTER + l;
        if (!sizes.has(id))
          throw new ShapeError(`Einsum: output label '${String.fromCharCode(l)}' is not in any input`);
        if (outLabels.includes(id))
          throw new ShapeError(`Einsum: output label '${String.fromCharCode(l)}' repeats`);
        outLabels.push(id);
      }
    }
  } else {
    // implicit form: broadcast dims, then labels seen once, in alphabetical order
    const once = [...counts].filter(([l, c]) => l >= LETTER && c === 1).map(([l]) => l);
    outLabels = [...Array.from({ length: E }, (_, i) => i), ...once.sort((a, b) => a - b)];
  }
  const sumLabels = [...sizes.keys()].filter((l) => !outLabels.includes(l));
  return { outLabels, sumLabels, sizes, strides };
}

/** The strided loop nest; returns float64 results in output order. */
function contract(X: ArrayLike<number>[], L: Layout): Float64Array {
  const n = X.length;
  const od = L.outLabels.map((l) => L.sizes.get(l)!);
  const sd = L.sumLabels.map((l) => L.sizes.get(l)!);
  const ost = X.map((_, k) => L.outLabels.map((l) => L.strides[k]!.get(l) ?? 0));
  const sst = X.map((_, k) => L.sumLabels.map((l) => L.strides[k]!.get(l) ?? 0));
  let outSize = 1;
  for (const d of od) outSize *= d;
  let sumSize = 1;
  for (const d of sd) sumSize *= d;
  const out = new Float64Array(outSize);
  if (outSize === 0 || sumSize === 0) return out;
  // innermost summed label runs tight; a scalar sum is a 1-long loop
  const S = sd.length;
  const inN = S > 0 ? sd[S - 1]! : 1;
  const inSt = X.map((_, k) => (S > 0 ? sst[k]![S - 1]! : 0));
  let sumOuter = 1;
  for (let d = 0; d < S - 1; d++) sumOuter *= sd[d]!;
  const base = new Array<number>(n).fill(0);
  const off = new Array<number>(n).fill(0);
  const oIdx = new Int32Array(od.length);
  const sIdx = new Int32Array(Math.max(S, 1));
  const A = X[0]!;
  const B = X[1] ?? A;
  const sa = inSt[0]!;
  const sb = inSt[1] ?? 0;
  for (let o = 0; o < outSize; o++) {
    for (let k = 0; k < n; k++) off[k] = base[k]!;
    sIdx.fill(0);
    let acc = 0;
    for (let s = 0; s < sumOuter; s++) {
      if (n === 1) {
        let p = off[0]!;
        for (let i = 0; i < inN; i++, p += sa) acc += A[p]!;
      } else if (n === 2) {
        let p = off[0]!;
        let q = off[1]!;
        for (let i = 0; i < inN; i++, p += sa, q += sb) acc += A[p]! * B[q]!;
      } else {
        for (let i = 0; i < inN; i++) {
          let prod = 1;
          for (let k = 0; k < n; k++) prod *= X[k]![off[k]! + i * inSt[k]!]!;
          acc += prod;
        }
      }
      for (let d = S - 2; d >= 0; d--) {
        for (let k = 0; k < n; k++) off[k]! += sst[k]![d]!;
        if (++sIdx[d]! < sd[d]!) break;
        for (let k = 0; k < n; k++) off[k]! -= sst[k]![d]! * sd[d]!;
        sIdx[d] = 0;
      }
    }
    out[o] = acc;
    for (let d = od.length - 1; d >= 0; d--) {
      for (let k = 0; k < n; k++) base[k]! += ost[k]![d]!;
      if (++oIdx[d]! < od[d]!) break;
      for (let k = 0; k < n; k++) base[k]! -= ost[k]![d]! * od[d]!;
      oIdx[d] = 0;
    }
  }
  return out;
}

function numbers(x: Tensor): ArrayLike<number> {
  if (isFloat(x.type)) return floatData(x);
  if (SMALL_INT_TYPES.has(x.type)) return x.data as ArrayLike<number>;
  if (isBig(x.type)) {
    // int64 operands compute in float64: exact up to 2^53
    const d = x.data as BigInt64Array | BigUint64Array;
    const out = new Float64Array(d.length);
    for (let i = 0; i < d.length; i++) out[i] = Number(d[i]!);
    return out;
  }
  throw new TypeMismatchError(`Einsum does not support ${x.type} input`);
}

function resultTensor(type: DataType, values: Float64Array, dims: number[]): Tensor {
  if (isFloat(type)) return floatTensor(type, values, dims);
  const out = allocate(type, values.length);
  if (isBig(type)) {
    const o = out as BigInt64Array | BigUint64Array;
    for (let i = 0; i < values.length; i++) o[i] = BigInt(Math.trunc(values[i]!));
  } else (out as Int32Array).set(values);
  return new Tensor(type, out, dims);
}

function einsumKernel(ctx: KernelContext): Kernel {
  const parsed = parseEquation(ctx.string('equation'));
  if (parsed.terms.length !== ctx.inputCount) {
    ctx.fail(`equation has ${parsed.terms.length} input terms for ${ctx.inputCount} inputs`);
  }
  return (inputs) => {
    const xs: Tensor[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const t = inputs[i];
      if (!isTensor(t)) throw new TypeMismatchError(`${ctx.label}: Einsum input ${i} must be a tensor`);
      if (i > 0 && t.type !== xs[0]!.type) {
        throw new TypeMismatchError(
          `${ctx.label}: Einsum inputs differ in type: ${xs[0]!.type} and ${t.type}`,
        );
      }
      xs.push(t);
    }
    const L = layout(parsed, xs);
    const outDims = L.outLabels.map((l) => L.sizes.get(l)!);
    return [resultTensor(xs[0]!.type, contract(xs.map(numbers), L), outDims)];
  };
}

/** Each letter takes its input dim (a number beats 1 or a name); '...' dims broadcast across inputs. */
const einsumShape: ShapeFn = (ctx) => {
  const elem = ctx.elemType(0);
  if (!elem) return [null];
  const p = parseEquation(ctx.string('equation'));
  const shapes: Shape[] = [];
  for (let k = 0; k < p.terms.length; k++) {
    const s = ctx.shape(k);
    if (!s) return [tensorType(elem)];
    shapes.push(s);
  }
  const dims = new Map<number, Dim>();
  const counts = new Map<number, number>();
  const ellipses: Shape[] = [];
  p.terms.forEach((term, k) => {
    const s = shapes[k]!;
    const e = s.length - term.filter((l) => l !== ELLIPSIS).length;
    let a = 0;
    for (const l of term) {
      if (l === ELLIPSIS) {
        ellipses.push(s.slice(a, a + e));
        a += e;
        continue;
      }
      const d = s[a++] ?? null;
      const known = dims.get(l);
      if (
        known === undefined ||
        known === 1 ||
        (typeof known !== 'number' && typeof d === 'number' && d !== 1)
      )
        dims.set(l, d);
      counts.set(l, (counts.get(l) ?? 0) + 1);
    }
  });
  const ell = broadcastSymbolic(ellipses, () => ctx.unknownDim());
  const labels = p.output ?? [
    ...(ellipses.length ? [ELLIPSIS] : []),
    ...[...counts]
      .filter(([, c]) => c === 1)
      .map(([l]) => l)
      .sort((a, b) => a - b),
  ];
  const out: Dim[] = [];
  for (const l of labels) {
    if (l === ELLIPSIS) out.push(...ell);
    else out.push(dims.get(l) ?? ctx.unknownDim());
  }
  return [
    tensorType(
      elem,
      out.map((d) => d ?? ctx.unknownDim()),
    ),
  ];
};

export const EINSUM_ROWS: readonly OperatorDef[] = [defineOp('Einsum', '12+', einsumKernel, '', einsumShape)];
