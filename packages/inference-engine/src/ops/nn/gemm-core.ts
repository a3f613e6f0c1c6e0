// The float GEMM core shared by MatMul, Gemm, Conv and ConvTranspose.
//
// C = alpha * op(A) * op(B) + beta * C, all row-major. The kernel walks rows
// of C (i-k-j order) so the innermost loop streams contiguous rows of B and C;
// it is register-blocked 4 rows of C x 4 rows of B, and cache-blocked so a
// KC x NC panel of B stays hot while every row of A passes over it.
// Transposed operands are packed once into row-major scratch first.
// Large float32 products go to the WebAssembly SIMD kernel (sgemm-wasm.ts)
// where the engine has SIMD; this JS code is the fallback.

import { sgemmWasm } from './sgemm-wasm.js';

export type FloatArray = Float32Array | Float64Array;

const KC = 256;
const NC = 512;
/** Smallest M*N*K worth copying into wasm memory (with M >= 2, N > 4). */
const WASM_MIN_WORK = 16384;

function scratch(like: FloatArray, n: number): FloatArray {
  return like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}

/** Copies the rows x cols matrix at src[off..] into a cols x rows row-major buffer. */
function transposeInto(src: FloatArray, off: number, rows: number, cols: number, dst: FloatArray): void {
  // 32 x 32 tiles keep both the reads and the writes cache friendly.
  for (let r0 = 0; r0 < rows; r0 += 32) {
    const r1 = Math.min(rows, r0 + 32);
    for (let c0 = 0; c0 < cols; c0 += 32) {
      const c1 = Math.min(cols, c0 + 32);
      for (let r = r0; r < r1; r++) {
        const s = off + r * cols;
        for (let c = c0; c < c1; c++) dst[c * rows + r] = src[s + c]!;
      }
    }
  }
}

/**
 * C[cOff + i*N + j] = alpha * sum_k op(A)[i,k] op(B)[k,j] + beta * C[...].
 * A at aOff is M x K (K x M when transA); B at bOff is K x N (N x K when transB).
 * With beta = 0, C's previous contents (even NaN) are ignored.
 */
export function sgemm(
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: FloatArray,
  aOff: number,
  transA: boolean,
  B: FloatArray,
  bOff: number,
  transB: boolean,
  beta: number,
  C: FloatArray,
  cOff: number,
): void {
  const size = M * N;
  if (beta === 0) C.fill(0, cOff, cOff + size);
  else if (beta !== 1) for (let i = cOff; i < cOff + size; i++) C[i] = C[i]! * beta;
  if (size === 0 || K === 0 || alpha === 0) return;
  if (
    M >= 2 &&
    N > 4 &&
    size * K >= WASM_MIN_WORK &&
    A instanceof Float32Array &&
    B instanceof Float32Array &&
    C instanceof Float32Array &&
    sgemmWasm(M, N, K, alpha, A, aOff, transA, B, bOff, transB, C, cOff, beta === 0)
  ) {
    return;
  }

  if (transA && M > 1) {
    const p = scratch(A, M * K);
    transposeInto(A, aOff, K, M, p);
    A = p;
    aOff = 0;
  }
  if (N <= 4) {
    // Narrow outputs (matrix x vector): dot products beat short j loops.
    gemvLike(M, N, K, alpha, A, aOff, B, bOff, transB, C, cOff);
    return;
  }
  if (transB) {
    const p = scratch(B, K * N);
    transposeInto(B, bOff, N, K, p);
    B = p;
    bOff = 0;
  }
  gemmNN(M, N, K, alpha, A, aOff, B, bOff, C, cOff);
}

function gemvLike(
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: FloatArray,
  aOff: number,
  B: FloatArray,
  bOff: number,
  transB: boolean,
  C: FloatArray,
  cOff: number,
): void {
  // B column j: element k at bOff + k*sk + j*sj.
  const sk = transB ? 1 : N;
  const sj = transB ? K : 1;
  for (let i = 0; i < M; i++) {
    const a = aOff + i * K;
    for (let j = 0; j < N; j++) {
      const b = bOff + j * sj;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let k = 0;
      for (; k + 3 < K; k += 4) {
        s0 += A[a + k]! * B[b + k * sk]!;
        s1 += A[a + k + 1]! * B[b + (k + 1) * sk]!;
        s2 += A[a + k + 2]! * B[b + (k + 2) * sk]!;
        s3 += A[a + k + 3]! * B[b + (k + 3) * sk]!;
      }
      for (; k < K; k++) s0 += A[a + k]! * B[b + k * sk]!;
      C[cOff + i * N + j] = C[cOff + i * N + j]! + alpha * (s0 + s1 + s2 + s3);
    }
  }
}

/** C += alpha * A * B with A M x K, B K x N, C M x N, all contiguous row-major. */
function gemmNN(
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: FloatArray,
  aOff: number,
  B: FloatArray,
  bOff: number,
  C: FloatArray,
  cOff: number,
): void {
  for (let j0 = 0; j0 < N; j0 += NC) {
    const j1 = Math.min(N, j0 + NC);
    for (let k0 = 0; k0 < K; k0 += KC) {
      const k1 = Math.min(K, k0 + KC);
      let i = 0;
      // 4 rows of C x 4 rows of B per pass: each B load feeds 4 rows, each C update sums 4 products.
      for (; i + 3 < M; i += 4) {
        const a0 = aOff + i * K;
        const a1 = a0 + K;
        const a2 = a1 + K;
        const a3 = a2 + K;
        const c0 = cOff + i * N;
        const c1 = c0 + N;
        const c2 = c1 + N;
        const c3 = c2 + N;
        let k = k0;
        for (; k + 3 < k1; k += 4) {
          const x0 = alpha * A[a0 + k]!;
          const x1 = alpha * A[a0 + k + 1]!;
          const x2 = alpha * A[a0 + k + 2]!;
          const x3 = alpha * A[a0 + k + 3]!;
          const y0 = alpha * A[a1 + k]!;
          const y1 = alpha * A[a1 + k + 1]!;
          const y2 = alpha * A[a1 + k + 2]!;
          const y3 = alpha * A[a1 + k + 3]!;
          const z0 = alpha * A[a2 + k]!;
          const z1 = alpha * A[a2 + k + 1]!;
          const z2 = alpha * A[a2 + k + 2]!;
          const z3 = alpha * A[a2 + k + 3]!;
          const w0 = alpha * A[a3 + k]!;
          const w1 = alpha * A[a3 + k + 1]!;
          const w2 = alpha * A[a3 + k + 2]!;
          const w3 = alpha * A[a3 + k + 3]!;
          const b0 = bOff + k * N;
          const b1 = b0 + N;
          const b2 = b1 + N;
          const b3 = b2 + N;
          for (let j = j0; j < j1; j++) {
            const v0 = B[b0 + j]!;
            const v1 = B[b1 + j]!;
            const v2 = B[b2 + j]!;
            const v3 = B[b3 + j]!;
            C[c0 + j] = C[c0 + j]! + (x0 * v0 + x1 * v1 + x2 * v2 + x3 * v3);
            C[c1 + j] = C[c1 + j]! + (y0 * v0 + y1 * v1 + y2 * v2 + y3 * v3);
            C[c2 + j] = C[c2 + j]! + (z0 * v0 + z1 * v1 + z2 * v2 + z3 * v3);
            C[c3 + j] = C[c3 + j]! + (w0 * v0 + w1 * v1 + w2 * v2 + w3 * v3);
          }
        }
        for (; k < k1; k++) {
          const x0 = alpha * A[a0 + k]!;
          const y0 = alpha * A[a1 + k]!;
          const z0 = alpha * A[a2 + k]!;
          const w0 = alpha * A[a3 + k]!;
          const b0 = bOff + k * N;
          for (let j = j0; j < j1; j++) {
            const v0 = B[b0 + j]!;
            C[c0 + j] = C[c0 + j]! + x0 * v0;
            C[c1 + j] = C[c1 + j]! + y0 * v0;
            C[c2 + j] = C[c2 + j]! + z0 * v0;
            C[c3 + j] = C[c3 + j]! + w0 * v0;
          }
        }
      }
      for (; i < M; i++) {
        const a0 = aOff + i * K;
        const c0 = cOff + i * N;
        let k = k0;
        for (; k + 3 < k1; k += 4) {
          const x0 = alpha * A[a0 + k]!;
          const x1 = alpha * A[a0 + k + 1]!;
          const x2 = alpha * A[a0 + k + 2]!;
          const x3 = alpha * A[a0 + k + 3]!;
          const b0 = bOff + k * N;
          const b1 = b0 + N;
          const b2 = b1 + N;
          const b3 = b2 + N;
          for (let j = j0; j < j1; j++) {
            C[c0 + j] = C[c0 + j]! + (x0 * B[b0 + j]! + x1 * B[b1 + j]! + x2 * B[b2 + j]! + x3 * B[b3 + j]!);
          }
        }
        for (; k < k1; k++) {
          const x0 = alpha * A[a0 + k]!;
          const b0 = bOff + k * N;
          for (let j = j0; j < j1; j++) C[c0 + j] = C[c0 + j]! + x0 * B[b0 + j]!;
        }
      }
    }
  }
}

/** Integer and 64-bit storage the non-float GEMM handles. */
export type IntArray = Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/**
 * C = alpha * op(A) op(B) + beta * C for integer element types, with the
 * wrap-around arithmetic of fixed-width integers (int32/uint32 via Math.imul,
 * 64-bit via BigInt).
 */
export function igemm(
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: IntArray,
  aOff: number,
  transA: boolean,
  B: IntArray,
  bOff: number,
  transB: boolean,
  beta: number,
  C: IntArray,
  cOff: number,
): void {
  const sai = transA ? 1 : K;
  const sak = transA ? M : 1;
  const sbk = transB ? 1 : N;
  const sbj = transB ? K : 1;
  if (C instanceof BigInt64Array || C instanceof BigUint64Array) {
    const bits = 64;
    const wrap = C instanceof BigInt64Array ? BigInt.asIntN : BigInt.asUintN;
    const al = BigInt(alpha);
    const be = BigInt(beta);
    const a = A as BigInt64Array | BigUint64Array;
    const b = B as BigInt64Array | BigUint64Array;
    const row = new Array<bigint>(N);
    for (let i = 0; i < M; i++) {
      row.fill(0n);
      for (let k = 0; k < K; k++) {
        const x = a[aOff + i * sai + k * sak]!;
        if (x === 0n) continue;
        for (let j = 0; j < N; j++) row[j] = row[j]! + x * b[bOff + k * sbk + j * sbj]!;
      }
      for (let j = 0; j < N; j++) {
        const o = cOff + i * N + j;
        C[o] = wrap(bits, al * row[j]! + (beta === 0 ? 0n : be * C[o]!));
      }
    }
    return;
  }
  const unsigned = C instanceof Uint32Array;
  const a = A as Int32Array | Uint32Array;
  const b = B as Int32Array | Uint32Array;
  const row = new Int32Array(N);
  for (let i = 0; i < M; i++) {
    row.fill(0);
    for (let k = 0; k < K; k++) {
      const x = a[aOff + i * sai + k * sak]!;
      if (x === 0) continue;
      const bk = bOff + k * sbk;
      for (let j = 0; j < N; j++) row[j] = (row[j]! + Math.imul(x, b[bk + j * sbj]!)) | 0;
    }
    for (let j = 0; j < N; j++) {
      const o = cOff + i * N + j;
      const v = (Math.imul(alpha, row[j]!) + (beta === 0 ? 0 : Math.imul(beta, C[o] as number))) | 0;
      C[o] = unsigned ? v >>> 0 : v;
    }
  }
}
