import { type DataType, dataTypeFromOnnx, ShapeError, TypeMismatchError } from '@zai/common';
import {
  type CompiledSubgraph,
  defineOp,
  type Kernel,
  type KernelContext,
  type OperatorDef,
  type RunContext,
  type ShapeFn,
} from '../../kernel.js';
import { sgemm } from '../nn/gemm-core.js';
import { floatBuffer, floatData, floatTensor, isFloat } from '../util/float-io.js';
import { expectDims, type FloatArray, floatInput, roundTo, tensorResult, tensorValue } from './common.js';

// FlexAttention (ai.onnx.preview 1): scaled dot-product attention over
// (batch, heads, sequence, head size) inputs, with two optional graph
// attributes run on the whole (B, Hq, L, S) tensor:
//
//   scores = (Q Kᵀ) * scale  ->  score_mod  ->  softmax over S  ->  prob_mod  ->  probs V
//
// Masks are written by score_mod as -inf scores. Query head h reads KV head
// floor(h / (Hq / Hkv)); the heads of one group are contiguous in Q, scores
// and Y, so each (batch, KV head) is one GEMM of group * L rows. Scores and
// probabilities are held in softmax_precision (float32, or float64 for
// float64 inputs, by default).

const OP = 'FlexAttention';

/** The softmax_precision attribute (a TensorProto data type), when given. */
function precisionAttr(ctx: KernelContext): DataType | undefined {
  if (!ctx.has('softmax_precision')) return undefined;
  const n = ctx.int('softmax_precision');
  const t = dataTypeFromOnnx(n);
  return t && isFloat(t) ? t : ctx.fail(`softmax_precision ${n} is not a float type`);
}

/** A modifier subgraph: one tensor in, one tensor out. */
function modifier(ctx: KernelContext, name: string): CompiledSubgraph | undefined {
  if (!ctx.has(name)) return undefined;
  const g = ctx.graph(name);
  if (g.inputNames.length !== 1 || g.outputNames.length !== 1) {
    ctx.fail(
      `${name} must take 1 input and yield 1 output, got ${g.inputNames.length} and ${g.outputNames.length}`,
    );
  }
  return g;
}

/** Runs a modifier on the (B, Hq, L, S) tensor held in `values`; returns its result as float storage. */
function applyModifier(
  g: CompiledSubgraph,
  name: string,
  precision: DataType,
  values: FloatArray,
  dims: readonly number[],
  run: RunContext,
): FloatArray {
  const outs = g.run([floatTensor(precision, values, dims)], run);
  const y = tensorResult(outs[0], `${OP} ${name}`);
  if (y.type !== precision)
    throw new TypeMismatchError(`${OP}: ${name} yields ${y.type}, expected ${precision}`);
  expectDims(OP, `${name} output`, y.dims, dims);
  return floatData(y);
}

/** Softmax of each row of n values of x into y. */
function softmaxRows(x: FloatArray, y: FloatArray, rows: number, n: number): void {
  for (let r = 0, base = 0; r < rows; r++, base += n) {
    const end = base + n;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = base; i < end; i++) if (x[i]! > max) max = x[i]!;
    let sum = 0;
    for (let i = base; i < end; i++) {
      const e = Math.exp(x[i]! - max);
      y[i] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let i = base; i < end; i++) y[i] = y[i]! * inv;
  }
}

function create(ctx: KernelContext): Kernel {
  const scoreMod = modifier(ctx, 'score_mod');
  const probMod = modifier(ctx, 'prob_mod');
  const scaleAttr = ctx.has('scale') ? ctx.float('scale') : undefined;
  const precisionSet = precisionAttr(ctx);
  return (inputs, run) => {
    const q = floatInput(inputs, 0, OP, 'Q', 4);
    const k = floatInput(inputs, 1, OP, 'K', 4);
    const v = floatInput(inputs, 2, OP, 'V', 4);
    if (k.type !== q.type || v.type !== q.type) {
      throw new TypeMismatchError(`${OP}: Q, K and V must share a type, got ${q.type}, ${k.type}, ${v.type}`);
    }
    const [B, Hq, L, E] = q.dims as [number, number, number, number];
    const Hkv = k.dims[1]!;
    const S = k.dims[2]!;
    const Ev = v.dims[3]!;
    expectDims(OP, 'K', k.dims, [B, Hkv, S, E]);
    expectDims(OP, 'V', v.dims, [B, Hkv, S, Ev]);
    if (Hkv < 1 || Hq % Hkv !== 0) {
      throw new ShapeError(`${OP}: q_num_heads ${Hq} is not a multiple of kv_num_heads ${Hkv}`);
    }
    const group = Hq / Hkv;
    const scale = scaleAttr ?? 1 / Math.sqrt(E);
    const precision = precisionSet ?? (q.type === 'float64' ? 'float64' : 'float32');
    const Qd = floatData(q);
    const Kd = floatData(k);
    const Vd = floatData(v);
    const sDims = [B, Hq, L, S];
    const rows = group * L;
    const size = B * Hq * L * S;

    let scores = floatBuffer(precision, size);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < Hkv; h++) {
        const qo = (b * Hq + h * group) * L * E;
        const ko = (b * Hkv + h) * S * E;
        sgemm(rows, S, E, scale, Qd, qo, false, Kd, ko, true, 0, scores, (b * Hq + h * group) * L * S);
      }
    }
    scores = roundTo(precision, scores, sDims);
    if (scoreMod) scores = applyModifier(scoreMod, 'score_mod', precision, scores, sDims, run);
    let probs = floatBuffer(precision, size);
    softmaxRows(scores, probs, B * Hq * L, S);
    probs = roundTo(precision, probs, sDims);
    if (probMod) probs = applyModifier(probMod, 'prob_mod', precision, probs, sDims, run);

    const yDims = [B, Hq, L, Ev];
    const Y = floatBuffer(q.type, B * Hq * L * Ev);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < Hkv; h++) {
        const po = (b * Hq + h * group) * L * S;
        const vo = (b * Hkv + h) * S * Ev;
        sgemm(rows, Ev, S, 1, probs, po, false, Vd, vo, false, 0, Y, (b * Hq + h * group) * L * Ev);
      }
    }
    return [floatTensor(q.type, Y, yDims)];
  };
}

const shape: ShapeFn = (ctx) => {
  const q = ctx.shape(0);
  const v = ctx.shape(2);
  const fresh = () => ctx.unknownDim();
  const dims = q && q.length === 4 ? [q[0]!, q[1]!, q[2]!, v?.[3] ?? fresh()] : undefined;
  return [tensorValue(ctx.elemType(0), dims)];
};

export const FLEX_ATTENTION: OperatorDef[] = [defineOp(OP, '1+', create, 'ai.onnx.preview', shape)];
