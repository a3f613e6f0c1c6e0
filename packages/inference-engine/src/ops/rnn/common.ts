import { type DataType, ShapeError, TypeMismatchError, type ValueType } from '@zai/common';
import { isTensor, type Tensor } from '@zai/tensor-core';
import type { KernelContext, KernelInputs, NodeView, ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { type FloatArray, sgemm } from '../nn/gemm-core.js';
import { floatData, isFloat } from '../util/float-io.js';

// Shared by RNN, LSTM and GRU: attribute parsing (direction, layout, clip,
// activations with their alpha / beta), input checks, the per-direction
// weight layouts (built once per weight tensor, see GateWeights), the input
// projection of the whole sequence, and the sequence_lens / layout
// bookkeeping of the outputs. Kernels keep everything in typed arrays
// allocated once per run and reused across time steps.
//
// Inputs common to the three ops: X(0) W(1) R(2) B(3) sequence_lens(4) initial_h(5).

export type { FloatArray };

// ---- activations ----------------------------------------------------------

const RELU = 0;
const TANH = 1;
const SIGMOID = 2;
const AFFINE = 3;
const LEAKY_RELU = 4;
const THRESHOLDED_RELU = 5;
const SCALED_TANH = 6;
const HARD_SIGMOID = 7;
const ELU = 8;
const SOFTSIGN = 9;
const SOFTPLUS = 10;

/**
 * name (lower case) → [kind, default alpha or NaN when unused, default beta or NaN when unused].
 * Defaults are those of the ONNX operators of the same name (LeakyRelu 0.01,
 * ThresholdedRelu 1, HardSigmoid 0.2 / 0.5, Elu 1, the former Affine 1 / 0).
 * ScaledTanh never had defaults; 0 / 0 is what onnxruntime uses.
 */
const ACTIVATIONS: Readonly<Record<string, readonly [number, number, number]>> = {
  relu: [RELU, Number.NaN, Number.NaN],
  tanh: [TANH, Number.NaN, Number.NaN],
  sigmoid: [SIGMOID, Number.NaN, Number.NaN],
  affine: [AFFINE, 1, 0],
  leakyrelu: [LEAKY_RELU, 0.01, Number.NaN],
  thresholdedrelu: [THRESHOLDED_RELU, 1, Number.NaN],
  scaledtanh: [SCALED_TANH, 0, 0],
  hardsigmoid: [HARD_SIGMOID, 0.2, 0.5],
  elu: [ELU, 1, Number.NaN],
  softsign: [SOFTSIGN, Number.NaN, Number.NaN],
  softplus: [SOFTPLUS, Number.NaN, Number.NaN],
};

/** One activation function of the `activations` attribute, with its parameters resolved. */
export interface Activation {
  readonly kind: number;
  readonly alpha: number;
  readonly beta: number;
}

/** Applies `act` in place to buf[off, off + n). One switch per call, a tight loop per case. */
export function activate(act: Activation, buf: FloatArray, off: number, n: number): void {
  const end = off + n;
  const a = act.alpha;
  const b = act.beta;
  switch (act.kind) {
    case RELU:
      for (let i = off; i < end; i++) if (buf[i]! < 0) buf[i] = 0;
      return;
    case TANH:
      for (let i = off; i < end; i++) buf[i] = Math.tanh(buf[i]!);
      return;
    case SIGMOID:
      for (let i = off; i < end; i++) buf[i] = 1 / (1 + Math.exp(-buf[i]!));
      return;
    case AFFINE:
      for (let i = off; i < end; i++) buf[i] = a * buf[i]! + b;
      return;
    case LEAKY_RELU:
      for (let i = off; i < end; i++) {
        const v = buf[i]!;
        if (v < 0) buf[i] = a * v;
      }
      return;
    case THRESHOLDED_RELU:
      // x if x >= alpha else 0, as the RNN operators define it
      for (let i = off; i < end; i++) if (buf[i]! < a) buf[i] = 0;
      return;
    case SCALED_TANH:
      for (let i = off; i < end; i++) buf[i] = a * Math.tanh(b * buf[i]!);
      return;
    case HARD_SIGMOID:
      for (let i = off; i < end; i++) buf[i] = Math.min(Math.max(a * buf[i]! + b, 0), 1);
      return;
    case ELU:
      for (let i = off; i < end; i++) {
        const v = buf[i]!;
        if (v < 0) buf[i] = a * (Math.exp(v) - 1);
      }
      return;
    case SOFTSIGN:
      for (let i = off; i < end; i++) buf[i] = buf[i]! / (1 + Math.abs(buf[i]!));
      return;
    case SOFTPLUS:
      for (let i = off; i < end; i++) {
        const v = buf[i]!;
        // log(1 + e^v) without overflow for large v
        buf[i] = v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
      }
      return;
  }
}

/** dst[dOff + i] = src[sOff + i] for i < n (a loop: no view objects per time step). */
export function copy(src: FloatArray, sOff: number, dst: FloatArray, dOff: number, n: number): void {
  for (let i = 0; i < n; i++) dst[dOff + i] = src[sOff + i]!;
}

/** Bounds buf[off, off + n) to [-c, c]; a no-op for c = Infinity (no clip attribute). */
export function clip(buf: FloatArray, off: number, n: number, c: number): void {
  if (c === Number.POSITIVE_INFINITY) return;
  const lo = -c;
  for (let i = off, end = off + n; i < end; i++) {
    const v = buf[i]!;
    if (v > c) buf[i] = c;
    else if (v < lo) buf[i] = lo;
  }
}

// ---- attributes -----------------------------------------------------------

export type Direction = 'forward' | 'reverse' | 'bidirectional';

export interface RnnAttrs {
  /** hidden_size, or undefined when the attribute is absent (then read from R). */
  readonly hidden: number | undefined;
  readonly direction: Direction;
  readonly numDirections: number;
  /** 0: [seq, batch, …]; 1: [batch, seq, …]. Always 0 before opset 14. */
  readonly layout: number;
  /** The clip threshold, Infinity when absent. */
  readonly clip: number;
  /** Activations per direction: acts[d][k] is the k-th function of direction d. */
  readonly acts: readonly (readonly Activation[])[];
}

export function parseDirection(ctx: NodeView): Direction {
  const d = ctx.string('direction', 'forward');
  if (d !== 'forward' && d !== 'reverse' && d !== 'bidirectional') {
    return ctx.fail(`direction must be forward, reverse or bidirectional, got '${d}'`);
  }
  return d;
}

export function parseLayout(ctx: NodeView): number {
  if (ctx.opset < 14) return 0;
  const layout = ctx.int('layout', 0);
  if (layout !== 0 && layout !== 1) ctx.fail(`layout must be 0 or 1, got ${layout}`);
  return layout;
}

/**
 * Parses the attributes shared by RNN, LSTM and GRU. `defaults` are the
 * activations of one direction. alpha / beta values are consumed in order by
 * the functions that take them (Affine, LeakyRelu, …); the rest take none.
 */
export function parseAttrs(ctx: KernelContext, defaults: readonly string[]): RnnAttrs {
  const direction = parseDirection(ctx);
  const numDirections = direction === 'bidirectional' ? 2 : 1;
  const n = defaults.length;
  let names = ctx.has('activations') ? ctx.strings('activations') : [];
  if (names.length === 0) names = Array.from({ length: numDirections }, () => defaults).flat();
  else if (names.length === n && numDirections === 2) names = [...names, ...names];
  if (names.length !== n * numDirections) {
    ctx.fail(`expected ${n * numDirections} activations for direction ${direction}, got ${names.length}`);
  }
  const alphas = ctx.has('activation_alpha') ? ctx.floats('activation_alpha') : [];
  const betas = ctx.has('activation_beta') ? ctx.floats('activation_beta') : [];
  let ai = 0;
  let bi = 0;
  const flat = names.map((name): Activation => {
    const spec = ACTIVATIONS[name.toLowerCase()];
    if (!spec) return ctx.fail(`unsupported activation '${name}'`);
    const [kind, da, db] = spec;
    const alpha = Number.isNaN(da) ? 0 : ai < alphas.length ? alphas[ai++]! : da;
    const beta = Number.isNaN(db) ? 0 : bi < betas.length ? betas[bi++]! : db;
    return { kind, alpha, beta };
  });
  const acts = Array.from({ length: numDirections }, (_, d) => flat.slice(d * n, d * n + n));
  let c = Number.POSITIVE_INFINITY;
  if (ctx.has('clip')) {
    c = ctx.float('clip');
    if (!(c >= 0)) ctx.fail(`clip must be non-negative, got ${c}`);
  }
  const hidden = ctx.has('hidden_size') ? ctx.int('hidden_size') : undefined;
  if (hidden !== undefined && hidden <= 0) ctx.fail(`hidden_size must be positive, got ${hidden}`);
  return { hidden, direction, numDirections, layout: parseLayout(ctx), clip: c, acts };
}

// ---- inputs -----------------------------------------------------------------

export function floatInput(inputs: KernelInputs, i: number, op: string, name: string): Tensor {
  const t = inputs[i];
  if (!isTensor(t)) throw new TypeMismatchError(`${op}: input '${name}' must be a tensor`);
  if (!isFloat(t.type)) {
    throw new TypeMismatchError(`${op}: input '${name}' must be a float tensor, got ${t.type}`);
  }
  return t;
}

/** An optional float input of the same type as X, or undefined when omitted. */
export function optionalFloat(
  inputs: KernelInputs,
  i: number,
  type: DataType,
  op: string,
  name: string,
): Tensor | undefined {
  const t = inputs[i];
  if (!isTensor(t)) return undefined;
  if (t.type !== type) throw new TypeMismatchError(`${op}: '${name}' is ${t.type}, X is ${type}`);
  return t;
}

export function checkDims(t: Tensor, expected: readonly number[], op: string, name: string): void {
  if (t.dims.length !== expected.length || t.dims.some((d, i) => d !== expected[i])) {
    throw new ShapeError(
      `${op}: '${name}' has shape [${t.dims.join(',')}], expected [${expected.join(',')}]`,
    );
  }
}

/** The sizes every recurrent op works with, read from X, W and R. */
export interface Sizes {
  readonly seq: number;
  readonly batch: number;
  readonly input: number;
  readonly hidden: number;
  readonly dirs: number;
}

/** Reads and checks the shapes of X, W and R (`gates` rows per direction in W and R). */
export function sizes(x: Tensor, w: Tensor, r: Tensor, attrs: RnnAttrs, gates: number, op: string): Sizes {
  if (x.dims.length !== 3) throw new ShapeError(`${op}: X must be 3-D, got [${x.dims.join(',')}]`);
  if (w.type !== x.type || r.type !== x.type) {
    throw new TypeMismatchError(`${op}: X, W and R differ in type: ${x.type}, ${w.type}, ${r.type}`);
  }
  const [d0, d1, input] = x.dims as [number, number, number];
  const seq = attrs.layout === 0 ? d0 : d1;
  const batch = attrs.layout === 0 ? d1 : d0;
  const dirs = attrs.numDirections;
  const hidden = attrs.hidden ?? (r.dims.length === 3 ? r.dims[2]! : 0);
  checkDims(w, [dirs, gates * hidden, input], op, 'W');
  checkDims(r, [dirs, gates * hidden, hidden], op, 'R');
  return { seq, batch, input, hidden, dirs };
}

/** Per-batch sequence lengths (all `seq` when sequence_lens is omitted). */
export function sequenceLengths(inputs: KernelInputs, s: Sizes, op: string): Int32Array {
  const lens = new Int32Array(s.batch).fill(s.seq);
  const t = inputs[4];
  if (!isTensor(t)) return lens;
  if (t.type !== 'int32' && t.type !== 'int64') {
    throw new TypeMismatchError(`${op}: sequence_lens must be int32, got ${t.type}`);
  }
  checkDims(t, [s.batch], op, 'sequence_lens');
  const data = t.data as ArrayLike<number | bigint>;
  for (let b = 0; b < s.batch; b++) {
    const v = Number(data[b]!);
    if (!(v >= 0 && v <= s.seq)) {
      throw new ShapeError(`${op}: sequence_lens[${b}] = ${v} is outside [0, ${s.seq}]`);
    }
    lens[b] = v;
  }
  return lens;
}

/** A compute buffer of the element type kernels use for `type` (float64 stays float64). */
export function computeBuffer(type: DataType, n: number): FloatArray {
  return type === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

// ---- weights ----------------------------------------------------------------

/** Below this many rows of A a product runs as packed dot products, from it on as a GEMM. */
const GEMM_ROWS = 4;

/**
 * A block of `n` gate rows of W or R (each `k` wide) in the layouts the
 * products need: for a few rows of A (one batch item, one time step) the rows
 * are packed four at a time, interleaved by k, so each step is a stream of
 * dot products with four accumulators; for more rows the block is transposed
 * to k x n once and the product is a GEMM. Each layout is built on first use.
 */
export class GateWeights {
  private packed: FloatArray | undefined;
  private transposed: FloatArray | undefined;

  constructor(
    private readonly src: FloatArray,
    private readonly off: number,
    readonly n: number,
    readonly k: number,
  ) {}

  /** c[cOff + r * n + j] += sum_i a[aOff + r * k + i] * M[j, i] for r < rows. */
  accumulate(a: FloatArray, aOff: number, rows: number, c: FloatArray, cOff: number): void {
    const { n, k } = this;
    if (rows >= GEMM_ROWS) {
      this.transposed ??= this.transpose();
      sgemm(rows, n, k, 1, a, aOff, false, this.transposed, 0, false, 1, c, cOff);
      return;
    }
    this.packed ??= this.pack();
    const P = this.packed;
    const full = n & ~3;
    for (let r = 0; r < rows; r++) {
      const ao = aOff + r * k;
      const co = cOff + r * n;
      let o = 0;
      for (let j = 0; j < n; j += 4) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let i = 0; i < k; i++, o += 4) {
          const v = a[ao + i]!;
          s0 += v * P[o]!;
          s1 += v * P[o + 1]!;
          s2 += v * P[o + 2]!;
          s3 += v * P[o + 3]!;
        }
        const cj = co + j;
        c[cj] = c[cj]! + s0;
        if (j < full) {
          c[cj + 1] = c[cj + 1]! + s1;
          c[cj + 2] = c[cj + 2]! + s2;
          c[cj + 3] = c[cj + 3]! + s3;
        } else {
          // the last, partial group: padding rows are zero and are not written
          if (j + 1 < n) c[cj + 1] = c[cj + 1]! + s1;
          if (j + 2 < n) c[cj + 2] = c[cj + 2]! + s2;
        }
      }
    }
  }

  /** Rows in groups of 4 (the last zero-padded): P[(g * k + i) * 4 + q] = M[4g + q, i]. */
  private pack(): FloatArray {
    const { src, off, n, k } = this;
    const groups = (n + 3) >> 2;
    const P =
      src instanceof Float64Array ? new Float64Array(groups * k * 4) : new Float32Array(groups * k * 4);
    for (let j = 0; j < n; j++) {
      const base = (j >> 2) * k * 4 + (j & 3);
      const s = off + j * k;
      for (let i = 0; i < k; i++) P[base + i * 4] = src[s + i]!;
    }
    return P;
  }

  /** T[i * n + j] = M[j, i]. */
  private transpose(): FloatArray {
    const { src, off, n, k } = this;
    const T = src instanceof Float64Array ? new Float64Array(k * n) : new Float32Array(k * n);
    for (let j = 0; j < n; j++) {
      const s = off + j * k;
      for (let i = 0; i < k; i++) T[i * n + j] = src[s + i]!;
    }
    return T;
  }
}

/** Gate rows [r0, r0 + rows) of direction d of W or R ([dirs, gates * hidden, cols]). */
export function gateWeights(t: Tensor, d: number, r0: number, rows: number): GateWeights {
  const total = t.dims[1]!;
  const cols = t.dims[2]!;
  return new GateWeights(floatData(t), (d * total + r0) * cols, rows, cols);
}

/**
 * Caches what a kernel derives from its weight inputs (transposed W / R,
 * summed biases). Weights are nearly always initializers, handed to the
 * kernel as the same tensor objects on every run, so the layout work happens
 * on the first run only. Weights fed at run time are never cached: a caller
 * may refill the same tensor between runs.
 */
export class WeightCache<T> {
  private keys: readonly (Tensor | undefined)[] = [];
  private value: T | undefined;
  private readonly enabled: boolean;

  /** `weightInputs`: the node's weight input indices; caching only when all are initializers (or omitted). */
  constructor(ctx: KernelContext, weightInputs: readonly number[]) {
    this.enabled = weightInputs.every((i) => !ctx.hasInput(i) || ctx.isConstantInput(i));
  }

  get(keys: readonly (Tensor | undefined)[], build: () => T): T {
    if (!this.enabled) return build();
    if (
      this.value !== undefined &&
      keys.length === this.keys.length &&
      keys.every((k, i) => k === this.keys[i])
    ) {
      return this.value;
    }
    this.value = build();
    this.keys = keys;
    return this.value;
  }
}

/**
 * The summed bias Wb + Rb of direction d as one vector of n = gates * hidden
 * values; Rb is left out from index `rFrom` on (GRU with linear_before_reset
 * applies Rbh inside the reset product). Undefined when B is omitted.
 */
export function biasSum(b: Tensor | undefined, d: number, n: number, rFrom: number): FloatArray | undefined {
  if (!b) return undefined;
  const B = floatData(b);
  const out = computeBuffer(b.type, n);
  const o = d * 2 * n;
  for (let j = 0; j < n; j++) out[j] = B[o + j]! + (j < rFrom ? B[o + n + j]! : 0);
  return out;
}

/** B[d, from : from + n] ([dirs, 2 * gates * hidden]); undefined when B is omitted. */
export function biasPart(b: Tensor | undefined, d: number, from: number, n: number): FloatArray | undefined {
  if (!b) return undefined;
  const o = d * b.dims[1]! + from;
  const out = computeBuffer(b.type, n);
  out.set(floatData(b).subarray(o, o + n));
  return out;
}

/** What every run starts from: checked shapes, X as floats, sequence lengths, initial hidden state. */
export interface RunSetup {
  readonly type: DataType;
  readonly s: Sizes;
  readonly X: FloatArray;
  readonly w: Tensor;
  readonly r: Tensor;
  readonly b: Tensor | undefined;
  readonly lens: Int32Array;
  readonly maxLen: number;
  readonly h0: FloatArray | undefined;
}

export function setup(inputs: KernelInputs, attrs: RnnAttrs, gates: number, op: string): RunSetup {
  const x = floatInput(inputs, 0, op, 'X');
  const w = floatInput(inputs, 1, op, 'W');
  const r = floatInput(inputs, 2, op, 'R');
  const s = sizes(x, w, r, attrs, gates, op);
  const b = optionalFloat(inputs, 3, x.type, op, 'B');
  if (b) checkDims(b, [s.dirs, 2 * gates * s.hidden], op, 'B');
  const h = optionalFloat(inputs, 5, x.type, op, 'initial_h');
  if (h) checkDims(h, stateDims(attrs.layout, s), op, 'initial_h');
  const lens = sequenceLengths(inputs, s, op);
  let maxLen = 0;
  for (const l of lens) maxLen = Math.max(maxLen, l);
  return { type: x.type, s, X: floatData(x), w, r, b, lens, maxLen, h0: h && floatData(h) };
}

// ---- time steps and layouts ---------------------------------------------------

/**
 * Input projection of the whole sequence for one direction:
 * xw[row * n + j] = sum_k X[row, k] * W[j, k] + bias[j], rows in X's own
 * order (layout 0: t * batch + b; layout 1: b * seq + t).
 */
export function projectInput(
  X: FloatArray,
  rows: number,
  w: GateWeights,
  bias: FloatArray | undefined,
  xw: FloatArray,
): void {
  const n = w.n;
  if (bias) for (let r = 0; r < rows; r++) xw.set(bias, r * n);
  else xw.fill(0, 0, rows * n);
  w.accumulate(X, 0, rows, xw, 0);
}

/** Row of X (and of the input projection) holding time t of batch item b. */
export function xRow(layout: number, s: Sizes, t: number, b: number): number {
  return layout === 0 ? t * s.batch + b : b * s.seq + t;
}

/** Offset of Y[t, d, b, :] (layout 0: [seq, dirs, batch, hidden]; 1: [batch, seq, dirs, hidden]). */
export function yOffset(layout: number, s: Sizes, t: number, d: number, b: number): number {
  return layout === 0
    ? ((t * s.dirs + d) * s.batch + b) * s.hidden
    : ((b * s.seq + t) * s.dirs + d) * s.hidden;
}

/** Offset of a state tensor's [d, b, :] (layout 0: [dirs, batch, hidden]; 1: [batch, dirs, hidden]). */
export function stateOffset(layout: number, s: Sizes, d: number, b: number): number {
  return layout === 0 ? (d * s.batch + b) * s.hidden : (b * s.dirs + d) * s.hidden;
}

export function yDims(layout: number, s: Sizes): number[] {
  return layout === 0 ? [s.seq, s.dirs, s.batch, s.hidden] : [s.batch, s.seq, s.dirs, s.hidden];
}

export function stateDims(layout: number, s: Sizes): number[] {
  return layout === 0 ? [s.dirs, s.batch, s.hidden] : [s.batch, s.dirs, s.hidden];
}

/** Copies direction d of an initial state (zeros when omitted) into the [batch, hidden] state buffer. */
export function loadState(
  data: FloatArray | undefined,
  layout: number,
  s: Sizes,
  d: number,
  state: FloatArray,
): void {
  if (!data) {
    state.fill(0);
    return;
  }
  const H = s.hidden;
  for (let b = 0; b < s.batch; b++) {
    const o = stateOffset(layout, s, d, b);
    for (let j = 0; j < H; j++) state[b * H + j] = data[o + j]!;
  }
}

/** Copies the [batch, hidden] state of direction d into a state output. */
export function storeState(state: FloatArray, layout: number, s: Sizes, d: number, out: FloatArray): void {
  const H = s.hidden;
  for (let b = 0; b < s.batch; b++) {
    const o = stateOffset(layout, s, d, b);
    for (let j = 0; j < H; j++) out[o + j] = state[b * H + j]!;
  }
}

/**
 * The time index batch item b visits at step `step` of direction d, or -1
 * when its sequence is over. Reverse directions start from each item's own
 * last valid time step.
 */
export function timeAt(reverse: boolean, step: number, len: number): number {
  if (step >= len) return -1;
  return reverse ? len - 1 - step : step;
}

export function isReverse(attrs: RnnAttrs, d: number): boolean {
  return attrs.direction === 'reverse' || (attrs.direction === 'bidirectional' && d === 1);
}

// ---- shape inference ----------------------------------------------------------

/** Output types of RNN / GRU (Y, Y_h) and LSTM (Y, Y_h, Y_c). */
export function recurrentShape(outputs: number): ShapeFn {
  return (ctx) => {
    const elem = ctx.elemType(0);
    if (!elem) return Array.from({ length: outputs }, () => null);
    const x = ctx.shape(0);
    const dirs = parseDirection(ctx) === 'bidirectional' ? 2 : 1;
    const layout = parseLayout(ctx);
    const hidden = ctx.has('hidden_size') ? ctx.int('hidden_size') : (ctx.shape(2)?.[2] ?? ctx.unknownDim());
    const known = x?.length === 3;
    const seq = known ? x[layout === 0 ? 0 : 1]! : ctx.unknownDim();
    const batch = known ? x[layout === 0 ? 1 : 0]! : ctx.unknownDim();
    const y = layout === 0 ? [seq, dirs, batch, hidden] : [batch, seq, dirs, hidden];
    const state = layout === 0 ? [dirs, batch, hidden] : [batch, dirs, hidden];
    const out: (ValueType | null)[] = [tensorType(elem, y)];
    for (let i = 1; i < outputs; i++) out.push(tensorType(elem, state));
    return out;
  };
}
