import { type DataType, type Dim, ShapeError, TypeMismatchError } from '@zai/common';
import { allocate, broadcastShapes, broadcastStrides, Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type ShapeContext, type ShapeFn } from '../../kernel.js';
import { broadcastSymbolic, tensorType } from '../../shape/dims.js';
import { floatData, floatTensor, isFloat } from '../util/float-io.js';
import { numbers, optionalTensor, product, roundEven, tensorInput } from './conv-util.js';
import { type FloatArray, type IntArray, igemm, sgemm } from './gemm-core.js';

// MatMul (numpy semantics), MatMulInteger and QLinearMatMul.

/** How two operands of a numpy matmul line up: per output batch, the offsets of each matrix. */
export interface MatMulPlan {
  readonly M: number;
  readonly K: number;
  readonly N: number;
  readonly outDims: number[];
  readonly batch: number;
  readonly aOffsets: Int32Array;
  readonly bOffsets: Int32Array;
  /** B is one shared matrix and A's batches are contiguous: one GEMM with batch*M rows. */
  readonly foldable: boolean;
}

export function planMatMul(op: string, aDims: readonly number[], bDims: readonly number[]): MatMulPlan {
  if (aDims.length === 0 || bDims.length === 0) {
    throw new ShapeError(
      `${op}: inputs must have rank >= 1, got [${aDims.join(',')}] and [${bDims.join(',')}]`,
    );
  }
  const a = aDims.length === 1 ? [1, aDims[0]!] : aDims.slice();
  const b = bDims.length === 1 ? [bDims[0]!, 1] : bDims.slice();
  const M = a[a.length - 2]!;
  const K = a[a.length - 1]!;
  const N = b[b.length - 1]!;
  if (b[b.length - 2] !== K) {
    throw new ShapeError(
      `${op}: inner dimensions differ: A [${aDims.join(',')}] has K=${K}, B [${bDims.join(',')}] has ${b[b.length - 2]}`,
    );
  }
  const aBatch = a.slice(0, -2);
  const bBatch = b.slice(0, -2);
  const batchDims = broadcastShapes(aBatch, bBatch);
  const batch = product(batchDims);
  const as = broadcastStrides(aBatch, batchDims);
  const bs = broadcastStrides(bBatch, batchDims);
  const aOffsets = new Int32Array(batch);
  const bOffsets = new Int32Array(batch);
  const idx = new Array<number>(batchDims.length).fill(0);
  for (let t = 0; t < batch; t++) {
    let ao = 0;
    let bo = 0;
    for (let d = 0; d < idx.length; d++) {
      ao += idx[d]! * as[d]!;
      bo += idx[d]! * bs[d]!;
    }
    aOffsets[t] = ao * M * K;
    bOffsets[t] = bo * K * N;
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d]! < batchDims[d]!) break;
      idx[d] = 0;
    }
  }
  const outDims = [...batchDims];
  if (aDims.length > 1) outDims.push(M);
  if (bDims.length > 1) outDims.push(N);
  const foldable = product(bBatch) === 1 && product(aBatch) === batch;
  return { M, K, N, outDims, batch, aOffsets, bOffsets, foldable };
}

function matmulFloat(plan: MatMulPlan, A: FloatArray, B: FloatArray, out: FloatArray): void {
  const { M, K, N } = plan;
  if (plan.foldable) {
    sgemm(plan.batch * M, N, K, 1, A, 0, false, B, 0, false, 0, out, 0);
    return;
  }
  for (let t = 0; t < plan.batch; t++) {
    sgemm(M, N, K, 1, A, plan.aOffsets[t]!, false, B, plan.bOffsets[t]!, false, 0, out, t * M * N);
  }
}

function createMatMul(): Kernel {
  return (inputs) => {
    const a = tensorInput(inputs, 0, 'MatMul', 'A');
    const b = tensorInput(inputs, 1, 'MatMul', 'B');
    if (a.type !== b.type) throw new TypeMismatchError(`MatMul: A is ${a.type} but B is ${b.type}`);
    const plan = planMatMul('MatMul', a.dims, b.dims);
    const size = product(plan.outDims);
    if (isFloat(a.type)) {
      const A = floatData(a);
      const B = floatData(b);
      const out = a.type === 'float64' ? new Float64Array(size) : new Float32Array(size);
      matmulFloat(plan, A, B, out);
      return [floatTensor(a.type, out, plan.outDims)];
    }
    if (a.type !== 'int32' && a.type !== 'uint32' && a.type !== 'int64' && a.type !== 'uint64') {
      throw new TypeMismatchError(`MatMul does not support ${a.type}`);
    }
    const out = allocate(a.type, size) as IntArray;
    for (let t = 0; t < plan.batch; t++) {
      igemm(
        plan.M,
        plan.N,
        plan.K,
        1,
        a.data as IntArray,
        plan.aOffsets[t]!,
        false,
        b.data as IntArray,
        plan.bOffsets[t]!,
        false,
        0,
        out,
        t * plan.M * plan.N,
      );
    }
    return [new Tensor(a.type, out, plan.outDims)];
  };
}

/**
 * Zero point (or scale) per row of A: scalar, one per row M, or one per
 * (batch, row) as in [D1, D2, M, 1]. Returns a table over batch*M rows.
 */
function perRow(
  t: Tensor | undefined,
  batchRows: number,
  M: number,
  what: string,
  fill: number,
): Float64Array {
  const r = new Float64Array(batchRows).fill(fill);
  if (!t) return r;
  const v = isFloat(t.type) ? floatData(t) : numbers(t);
  if (v.length === 1) r.fill(v[0]!);
  else if (v.length === M) for (let i = 0; i < batchRows; i++) r[i] = v[i % M]!;
  else if (v.length === batchRows) for (let i = 0; i < batchRows; i++) r[i] = v[i]!;
  else throw new ShapeError(`${what} has ${v.length} values; expected 1 or one per row (${M})`);
  return r;
}

/** Zero point (or scale) per column of B: scalar, one per column N, or per (batch, column). */
function perCol(
  t: Tensor | undefined,
  batchCols: number,
  N: number,
  what: string,
  fill: number,
): Float64Array {
  return perRow(t, batchCols, N, what, fill);
}

/** A - zero point as float64 matrices (exact for 8-bit products), rows of length `len`. */
function centered(x: Tensor, zp: Float64Array, len: number, byRow: boolean): Float64Array {
  const src = x.data as ArrayLike<number>;
  const out = new Float64Array(x.size);
  if (byRow) {
    for (let r = 0, i = 0; i < x.size; r++) {
      const z = zp[r % zp.length]!;
      for (let j = 0; j < len; j++, i++) out[i] = src[i]! - z;
    }
  } else {
    for (let i = 0; i < x.size; ) {
      for (let j = 0; j < len; j++, i++) out[i] = src[i]! - zp[j]!;
    }
  }
  return out;
}

function checkQuant(t: Tensor, op: string, name: string): void {
  if (t.type !== 'uint8' && t.type !== 'int8') {
    throw new TypeMismatchError(`${op}: input '${name}' must be uint8 or int8, got ${t.type}`);
  }
}

/** Integer product of two zero-point-centered 8-bit matrices, as exact float64 sums. */
function integerProduct(
  op: string,
  a: Tensor,
  b: Tensor,
  aZp: Tensor | undefined,
  bZp: Tensor | undefined,
): { plan: MatMulPlan; acc: Float64Array } {
  checkQuant(a, op, 'A');
  checkQuant(b, op, 'B');
  const plan = planMatMul(op, a.dims, b.dims);
  const aRows = a.size / Math.max(plan.K, 1);
  const za = perRow(aZp, aRows, plan.M, `${op}: a_zero_point`, 0);
  const zbAll = perCol(bZp, plan.N, plan.N, `${op}: b_zero_point`, 0);
  // Per-column zero points of B apply to every K row of every batch.
  const A = centered(a, za, plan.K, true);
  const B = centered(b, zbAll, plan.N, false);
  const acc = new Float64Array(product(plan.outDims));
  matmulFloat(plan, A, B, acc);
  return { plan, acc };
}

function createMatMulInteger(): Kernel {
  return (inputs) => {
    const a = tensorInput(inputs, 0, 'MatMulInteger', 'A');
    const b = tensorInput(inputs, 1, 'MatMulInteger', 'B');
    const { plan, acc } = integerProduct(
      'MatMulInteger',
      a,
      b,
      optionalTensor(inputs, 2),
      optionalTensor(inputs, 3),
    );
    return [new Tensor('int32', Int32Array.from(acc), plan.outDims)];
  };
}

function createQLinearMatMul(ctx: KernelContext): Kernel {
  const op = 'QLinearMatMul';
  if (!ctx.hasInput(7)) ctx.fail('QLinearMatMul needs 8 inputs');
  return (inputs) => {
    const a = tensorInput(inputs, 0, op, 'a');
    const aScale = tensorInput(inputs, 1, op, 'a_scale');
    const aZp = tensorInput(inputs, 2, op, 'a_zero_point');
    const b = tensorInput(inputs, 3, op, 'b');
    const bScale = tensorInput(inputs, 4, op, 'b_scale');
    const bZp = tensorInput(inputs, 5, op, 'b_zero_point');
    const yScale = tensorInput(inputs, 6, op, 'y_scale');
    const yZp = tensorInput(inputs, 7, op, 'y_zero_point');
    checkQuant(yZp, op, 'y_zero_point');
    const { plan, acc } = integerProduct(op, a, b, aZp, bZp);
    const { M, N } = plan;
    const rows = acc.length / Math.max(N, 1);
    const sa = perRow(aScale, rows, M, `${op}: a_scale`, 1);
    const sy = perRow(yScale, rows, M, `${op}: y_scale`, 1);
    const zy = perRow(yZp, rows, M, `${op}: y_zero_point`, 0);
    const sb = perCol(bScale, N, N, `${op}: b_scale`, 1);
    const lo = yZp.type === 'uint8' ? 0 : -128;
    const hi = yZp.type === 'uint8' ? 255 : 127;
    const out = allocate(yZp.type, acc.length) as Uint8Array | Int8Array;
    for (let r = 0, i = 0; r < rows; r++) {
      const zr = zy[r]!;
      for (let j = 0; j < N; j++, i++) {
        const scale = Math.fround((sa[r]! * sb[j]!) / sy[r]!);
        const v = roundEven(acc[i]! * scale) + zr;
        out[i] = Math.min(hi, Math.max(lo, v));
      }
    }
    return [new Tensor(yZp.type, out, plan.outDims)];
  };
}

/**
 * Numpy matmul shape of A (input `ai`) and B (input `bi`): broadcast batch
 * dims, then M and N; a 1-D operand's promoted axis is dropped again.
 */
function matmulShape(ai: number, bi: number, elem: (ctx: ShapeContext) => DataType | undefined): ShapeFn {
  return (ctx) => {
    const type = elem(ctx);
    if (!type) return [null];
    const a = ctx.shape(ai);
    const b = ctx.shape(bi);
    if (!a || !b) return [tensorType(type)];
    if (a.length === 0 || b.length === 0) ctx.fail('inputs must have rank >= 1');
    const fresh = () => ctx.unknownDim();
    const batch = broadcastSymbolic([a.slice(0, -2), b.slice(0, -2)], fresh);
    const K = a[a.length - 1];
    const Kb = b.length === 1 ? b[0] : b[b.length - 2];
    if (typeof K === 'number' && typeof Kb === 'number' && K !== Kb) {
      ctx.fail(`inner dimensions differ: ${K} vs ${Kb}`);
    }
    const out: Dim[] = [...batch];
    if (a.length > 1) out.push(a[a.length - 2]!);
    if (b.length > 1) out.push(b[b.length - 1]!);
    return [tensorType(type, out)];
  };
}

export const MATMUL_OPS = [
  defineOp(
    'MatMul',
    '1+',
    createMatMul,
    '',
    matmulShape(0, 1, (ctx) => ctx.elemType(0)),
  ),
  defineOp(
    'MatMulInteger',
    '10+',
    createMatMulInteger,
    '',
    matmulShape(0, 1, () => 'int32'),
  ),
  defineOp(
    'QLinearMatMul',
    '10+',
    createQLinearMatMul,
    '',
    matmulShape(0, 3, (ctx) => ctx.elemType(7)),
  ),
];
