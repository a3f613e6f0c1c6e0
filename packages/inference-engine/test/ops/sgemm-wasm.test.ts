import { describe, expect, it } from 'vitest';
import { sgemm } from '../../src/ops/nn/gemm-core.js';
import { sgemmWasm, sgemmWasmAvailable } from '../../src/ops/nn/sgemm-wasm.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 8) / 2 ** 24 - 0.5;
  };
}

function fill(n: number, next: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = next();
  return out;
}

/** alpha * op(A) op(B) + beta * C in float64, C M x N at cOff. */
function reference(
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: Float32Array,
  aOff: number,
  transA: boolean,
  B: Float32Array,
  bOff: number,
  transB: boolean,
  beta: number,
  C: Float32Array,
  cOff: number,
): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        const a = transA ? A[aOff + k * M + i]! : A[aOff + i * K + k]!;
        const b = transB ? B[bOff + j * K + k]! : B[bOff + k * N + j]!;
        s += a * b;
      }
      out[i * N + j] = alpha * s + (beta === 0 ? 0 : beta * C[cOff + i * N + j]!);
    }
  }
  return out;
}

/** Largest |got - want| relative to the scale of the sums (K-sized dot products of [-0.5, 0.5] values). */
function expectClose(got: Float32Array, off: number, want: Float64Array, K: number): void {
  const tol = 1e-5 * Math.max(1, Math.sqrt(K)) + 1e-6;
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[off + i]! - want[i]!) / Math.max(1, Math.abs(want[i]!));
    if (!(d <= worst)) worst = d;
  }
  expect(worst).toBeLessThanOrEqual(tol);
}

interface Case {
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  beta?: number;
}

function runCase(c: Case, seed: number, via: 'wasm' | 'sgemm'): void {
  const { M, N, K, transA = false, transB = false, alpha = 1, beta = 0 } = c;
  const next = rng(seed);
  const aOff = 3;
  const bOff = 5;
  const cOff = 7;
  const A = fill(aOff + M * K + 2, next);
  const B = fill(bOff + K * N + 2, next);
  const C = fill(cOff + M * N + 2, next);
  const want = reference(M, N, K, alpha, A, aOff, transA, B, bOff, transB, beta, C, cOff);
  const guardBefore = [C[cOff - 1], C[cOff + M * N]];
  if (via === 'wasm') {
    // sgemmWasm accumulates; apply beta first as sgemm does.
    if (beta === 0) C.fill(0, cOff, cOff + M * N);
    else for (let i = cOff; i < cOff + M * N; i++) C[i] = C[i]! * beta;
    expect(sgemmWasm(M, N, K, alpha, A, aOff, transA, B, bOff, transB, C, cOff, beta === 0)).toBe(true);
  } else {
    sgemm(M, N, K, alpha, A, aOff, transA, B, bOff, transB, beta, C, cOff);
  }
  expectClose(C, cOff, want, K);
  expect([C[cOff - 1], C[cOff + M * N]]).toEqual(guardBefore);
}

const shapes: [number, number, number][] = [
  [1, 1, 1],
  [1, 37, 19],
  [1, 300, 64],
  [37, 1, 19],
  [200, 1, 65],
  [4, 8, 1],
  [3, 7, 5],
  [5, 9, 3],
  [17, 23, 29],
  [64, 64, 64],
  [33, 65, 257],
  [129, 31, 300],
  [7, 1030, 13],
  [130, 520, 40],
  [2, 3, 600],
  [256, 256, 256],
];

describe('sgemm wasm SIMD kernel', () => {
  it('is available on Node 20', () => {
    expect(sgemmWasmAvailable()).toBe(true);
  });

  it('matches a float64 reference on many shapes, transposes, alpha and beta', () => {
    let seed = 1;
    for (const [M, N, K] of shapes) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          runCase({ M, N, K, transA, transB }, seed++, 'wasm');
          runCase({ M, N, K, transA, transB, alpha: 0.75, beta: 1 }, seed++, 'wasm');
          runCase({ M, N, K, transA, transB, alpha: -1.5, beta: 0.5 }, seed++, 'wasm');
        }
      }
    }
  });

  it('matches on random shapes', () => {
    const next = rng(12345);
    const pick = (n: number) => 1 + Math.floor((next() + 0.5) * n);
    for (let t = 0; t < 60; t++) {
      const c: Case = {
        M: pick(70),
        N: pick(90),
        K: pick(80),
        transA: next() > 0,
        transB: next() > 0,
        alpha: next() > 0.25 ? 1 : 2 * next(),
        beta: next() > 0 ? 0 : next() > 0 ? 1 : 0.3,
      };
      runCase(c, 1000 + t, 'wasm');
      runCase(c, 2000 + t, 'sgemm');
    }
  });

  it('treats K = 0 as a no-op and ignores NaN in C when beta = 0', () => {
    const C = new Float32Array([1, 2, 3, 4]);
    expect(sgemmWasm(2, 2, 0, 1, new Float32Array(0), 0, false, new Float32Array(0), 0, false, C, 0)).toBe(
      true,
    );
    expect(Array.from(C)).toEqual([1, 2, 3, 4]);
    sgemm(2, 2, 0, 1, new Float32Array(0), 0, false, new Float32Array(0), 0, false, 0, C, 0);
    expect(Array.from(C)).toEqual([0, 0, 0, 0]);
    const M = 40;
    const N = 48;
    const K = 32;
    const next = rng(7);
    const A = fill(M * K, next);
    const B = fill(K * N, next);
    const out = new Float32Array(M * N).fill(Number.NaN);
    sgemm(M, N, K, 1, A, 0, false, B, 0, false, 0, out, 0);
    expectClose(out, 0, reference(M, N, K, 1, A, 0, false, B, 0, false, 0, out, 0), K);
  });

  it('routes large sgemm calls through the kernel and keeps the result', () => {
    // Large enough for the wasm path, with a tail in every dimension and a K split.
    for (const [M, N, K] of [
      [67, 131, 300],
      [256, 600, 70],
      [9, 2000, 520],
    ] as const) {
      runCase({ M, N, K }, M + N + K, 'sgemm');
      runCase({ M, N, K, transA: true, transB: true, alpha: 0.5, beta: 2 }, M * N, 'sgemm');
    }
  });

  it('gives the same result as the JS path for float64 operands (never routed)', () => {
    const next = rng(99);
    const M = 20;
    const N = 24;
    const K = 30;
    const A = Float64Array.from(fill(M * K, next));
    const B = Float64Array.from(fill(K * N, next));
    const C = new Float64Array(M * N);
    sgemm(M, N, K, 1, A, 0, false, B, 0, false, 0, C, 0);
    const want = reference(
      M,
      N,
      K,
      1,
      new Float32Array(A),
      0,
      false,
      new Float32Array(B),
      0,
      false,
      0,
      new Float32Array(M * N),
      0,
    );
    for (let i = 0; i < M * N; i++) expect(Math.abs(C[i]! - want[i]!)).toBeLessThan(1e-12);
  });
});
