import { ShapeError, TypeMismatchError } from '@zai/common';
import { allocate, Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { floatData, floatTensor, isFloat } from '../util/float-io.js';
import { optionalTensor, tensorInput } from './conv-util.js';
import { type FloatArray, type IntArray, igemm, sgemm } from './gemm-core.js';

// Gemm, every version: Y = alpha * op(A) * op(B) + beta * C.
//   1, 6   C required; `broadcast` attribute allows C to broadcast (we always allow it)
//   7, 9   C broadcasts unidirectionally; 9 adds integer types
//   11+    C optional; 13 adds bfloat16

/** Strides of C (rank <= 2) read as an M x N matrix under unidirectional broadcasting. */
function cStrides(dims: readonly number[], M: number, N: number): [number, number] {
  if (dims.length > 2) throw new ShapeError(`Gemm: C of shape [${dims.join(',')}] has rank > 2`);
  const d = [1, 1, ...dims].slice(-2);
  if ((d[0] !== 1 && d[0] !== M) || (d[1] !== 1 && d[1] !== N)) {
    throw new ShapeError(`Gemm: C of shape [${dims.join(',')}] does not broadcast to [${M},${N}]`);
  }
  return [d[0] === 1 ? 0 : d[1]!, d[1] === 1 ? 0 : 1];
}

function create(ctx: KernelContext): Kernel {
  const alpha = ctx.float('alpha', 1);
  const beta = ctx.float('beta', 1);
  const transA = ctx.int('transA', 0) !== 0;
  const transB = ctx.int('transB', 0) !== 0;
  return (inputs) => {
    const a = tensorInput(inputs, 0, 'Gemm', 'A');
    const b = tensorInput(inputs, 1, 'Gemm', 'B');
    const c = optionalTensor(inputs, 2);
    if (a.dims.length !== 2 || b.dims.length !== 2) {
      throw new ShapeError(`Gemm: A [${a.dims.join(',')}] and B [${b.dims.join(',')}] must be 2-D`);
    }
    if (a.type !== b.type || (c && c.type !== a.type)) {
      throw new TypeMismatchError(
        `Gemm: inputs differ in type: A ${a.type}, B ${b.type}${c ? `, C ${c.type}` : ''}`,
      );
    }
    const M = transA ? a.dims[1]! : a.dims[0]!;
    const K = transA ? a.dims[0]! : a.dims[1]!;
    const N = transB ? b.dims[0]! : b.dims[1]!;
    const Kb = transB ? b.dims[1]! : b.dims[0]!;
    if (K !== Kb) {
      throw new ShapeError(
        `Gemm: inner dimensions differ: op(A) is ${M}x${K} (A [${a.dims.join(',')}]), op(B) is ${Kb}x${N} (B [${b.dims.join(',')}])`,
      );
    }
    const useC = c !== undefined && beta !== 0;
    const float = isFloat(a.type);
    if (!float && a.type !== 'int32' && a.type !== 'uint32' && a.type !== 'int64' && a.type !== 'uint64') {
      throw new TypeMismatchError(`Gemm does not support ${a.type}`);
    }
    const out = float
      ? a.type === 'float64'
        ? new Float64Array(M * N)
        : new Float32Array(M * N)
      : allocate(a.type, M * N);
    if (useC) {
      // Y starts as broadcast C; the GEMM then scales it by beta and accumulates.
      const [si, sj] = cStrides(c.dims, M, N);
      const src = float ? floatData(c) : (c.data as ArrayLike<number | bigint>);
      const dst = out as { [i: number]: number | bigint };
      for (let i = 0, o = 0; i < M; i++) for (let j = 0; j < N; j++, o++) dst[o] = src[i * si + j * sj]!;
    }
    if (float) {
      sgemm(
        M,
        N,
        K,
        alpha,
        floatData(a),
        0,
        transA,
        floatData(b),
        0,
        transB,
        useC ? beta : 0,
        out as FloatArray,
        0,
      );
      return [floatTensor(a.type, out as FloatArray, [M, N])];
    }
    igemm(
      M,
      N,
      K,
      alpha,
      a.data as IntArray,
      0,
      transA,
      b.data as IntArray,
      0,
      transB,
      useC ? beta : 0,
      out as IntArray,
      0,
    );
    return [new Tensor(a.type, out, [M, N])];
  };
}

/** Y is [M, N] of op(A) = A or Aᵀ (transA) and op(B) = B or Bᵀ (transB). */
const inferTypes: ShapeFn = (ctx) => {
  const type = ctx.elemType(0);
  if (!type) return [null];
  const a = ctx.shape(0);
  const b = ctx.shape(1);
  if (!a || !b) return [tensorType(type, [ctx.unknownDim(), ctx.unknownDim()])];
  if (a.length !== 2 || b.length !== 2) ctx.fail('A and B must be 2-D');
  const M = ctx.int('transA', 0) !== 0 ? a[1]! : a[0]!;
  const N = ctx.int('transB', 0) !== 0 ? b[0]! : b[1]!;
  return [tensorType(type, [M, N])];
};

export const GEMM_OPS = [defineOp('Gemm', '1+', create, '', inferTypes)];
