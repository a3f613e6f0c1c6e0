// The WebAssembly SIMD path of the float32 GEMM.
//
// C += alpha * op(A) * op(B) for Float32Array operands. JS copies C into wasm
// memory (rows padded to a multiple of 8 columns and 4 rows), packs A into
// panels of 4 rows (scaled by alpha, transposes resolved) and B into panels of
// 8 columns, K-blocked by KCW, and the generated kernel (see
// scripts/gen-sgemm-wasm.mjs) runs a 4 x 8 register-blocked f32x4 micro-kernel
// over the packed blocks; C is then copied back. The module is instantiated
// synchronously on first use, once per thread (module state is per isolate),
// and its memory grows as needed and is reused across calls.

import { SGEMM_WASM_BASE64 } from './sgemm-wasm.generated.js';

/** Depth of one packed K block. */
const KCW = 256;
/** Columns of one packed B block (a multiple of 8). */
const NCW = 512;
/** Rows of A per kernel call (a multiple of 4): the packed A block stays in L2. */
const MCW = 128;
/** Rows of C held in wasm memory at once (a multiple of 4). */
const MAX_ROWS = 4096;
/** Floats of C held in wasm memory at once (bounds the memory kept). */
const MAX_C = 1 << 22;
/** Bytes of wasm memory this path will grow to; above it the JS path runs. */
const MAX_BYTES = 1 << 30;

// The few WebAssembly JS API members used here (the ES2022 lib has no typings for them).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

type KernelFn = (mc: number, nc: number, kc: number, pa: number, pb: number, pc: number, ldc: number) => void;

interface Wasm {
  mem: WasmMemory;
  kernel: KernelFn;
  f32: Float32Array;
}

let wasm: Wasm | null | undefined;

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function load(): Wasm | null {
  if (wasm !== undefined) return wasm;
  wasm = null;
  try {
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (api === undefined || typeof atob !== 'function') return null;
    const bytes = decodeBase64(SGEMM_WASM_BASE64);
    // validate() is false where the engine lacks SIMD.
    if (!api.validate(bytes)) return null;
    const instance = new api.Instance(new api.Module(bytes), {});
    const mem = instance.exports.mem as WasmMemory;
    const kernel = instance.exports.kernel as KernelFn;
    wasm = { mem, kernel, f32: new Float32Array(mem.buffer) };
  } catch {
    wasm = null;
  }
  return wasm;
}

/** Whether the WebAssembly SIMD kernel can run here (instantiates it on first call). */
export function sgemmWasmAvailable(): boolean {
  return load() !== null;
}

/** Makes the wasm memory at least `bytes` long; false when that is not possible. */
function reserve(w: Wasm, bytes: number): boolean {
  const have = w.mem.buffer.byteLength;
  if (bytes <= have) {
    if (w.f32.buffer !== w.mem.buffer) w.f32 = new Float32Array(w.mem.buffer);
    return true;
  }
  if (bytes > MAX_BYTES) return false;
  try {
    w.mem.grow(Math.ceil((bytes - have) / 65536));
  } catch {
    return false;
  }
  w.f32 = new Float32Array(w.mem.buffer);
  return true;
}

const up = (n: number, m: number) => Math.ceil(n / m) * m;

/**
 * C[cOff + i*N + j] += alpha * sum_k op(A)[i,k] op(B)[k,j] through the wasm
 * kernel. A at aOff is M x K (K x M when transA); B at bOff is K x N (N x K
 * when transB). `cZero` says C is known to be all zeros (beta = 0), which
 * skips copying it in. Returns false, leaving C untouched, when the kernel is
 * unavailable or the problem needs more memory than this path will take.
 */
export function sgemmWasm(
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
  C: Float32Array,
  cOff: number,
  cZero = false,
): boolean {
  const w = load();
  if (w === null) return false;
  if (M <= 0 || N <= 0 || K <= 0) return true;
  const Np = up(N, 8);
  const rows = Math.max(4, Math.min(MAX_ROWS, Math.floor(MAX_C / Np / 4) * 4));
  // Equal K blocks of at most KCW (288 = 144 + 144, not 256 + 32).
  const kcMax = Math.ceil(K / Math.ceil(K / KCW));
  const ncMax = Math.min(Np, NCW);
  for (let m0 = 0; m0 < M; m0 += rows) {
    const m = Math.min(rows, M - m0);
    const Mp = up(m, 4);
    // Layout (bytes): C [Mp x Np] | packed A [Mp x kc] | packed B [kc x nc].
    const cBytes = Mp * Np * 4;
    const aBase = cBytes;
    const bBase = aBase + Mp * kcMax * 4;
    if (!reserve(w, bBase + kcMax * ncMax * 4)) return false;
    const f = w.f32;
    copyIn(f, C, cOff + m0 * N, m, N, Np, cZero);
    for (let k0 = 0; k0 < K; k0 += kcMax) {
      const kc = Math.min(kcMax, K - k0);
      packA(f, aBase >> 2, A, aOff, transA, M, K, m0, m, Mp, k0, kc, alpha);
      for (let j0 = 0; j0 < Np; j0 += NCW) {
        const nc = Math.min(NCW, Np - j0);
        packB(f, bBase >> 2, B, bOff, transB, N, K, j0, nc, k0, kc);
        for (let i0 = 0; i0 < Mp; i0 += MCW) {
          const mc = Math.min(MCW, Mp - i0);
          w.kernel(mc, nc, kc, aBase + i0 * kc * 4, bBase, (i0 * Np + j0) * 4, Np * 4);
        }
      }
    }
    copyOut(w.f32, C, cOff + m0 * N, m, N, Np);
  }
  return true;
}

function copyIn(
  f: Float32Array,
  C: Float32Array,
  off: number,
  m: number,
  N: number,
  Np: number,
  zero: boolean,
): void {
  if (zero) {
    f.fill(0, 0, up(m, 4) * Np);
  } else if (N === Np) {
    f.set(C.subarray(off, off + m * N), 0);
  } else {
    for (let r = 0; r < m; r++) f.set(C.subarray(off + r * N, off + r * N + N), r * Np);
  }
}

function copyOut(f: Float32Array, C: Float32Array, off: number, m: number, N: number, Np: number): void {
  if (N === Np) {
    C.set(f.subarray(0, m * N), off);
  } else {
    for (let r = 0; r < m; r++) C.set(f.subarray(r * Np, r * Np + N), off + r * N);
  }
}

/**
 * Packs rows m0..m0+m of op(A), columns k0..k0+kc, times alpha, as panels of
 * 4 rows: panel p, depth k, row r at dst + p*kc*4 + k*4 + r. Rows past m are 0.
 */
function packA(
  f: Float32Array,
  dst: number,
  A: Float32Array,
  aOff: number,
  transA: boolean,
  M: number,
  K: number,
  m0: number,
  m: number,
  Mp: number,
  k0: number,
  kc: number,
  alpha: number,
): void {
  for (let p = 0; p < Mp; p += 4) {
    const d = dst + p * kc;
    const live = Math.min(4, m - p);
    if (transA) {
      // A is K x M: row i of op(A) is column i of A.
      const s = aOff + k0 * M + m0 + p;
      if (live === 4) {
        for (let k = 0; k < kc; k++) {
          const sk = s + k * M;
          const dk = d + k * 4;
          f[dk] = alpha * A[sk]!;
          f[dk + 1] = alpha * A[sk + 1]!;
          f[dk + 2] = alpha * A[sk + 2]!;
          f[dk + 3] = alpha * A[sk + 3]!;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          for (let r = 0; r < 4; r++) f[d + k * 4 + r] = r < live ? alpha * A[s + k * M + r]! : 0;
        }
      }
    } else {
      for (let r = 0; r < 4; r++) {
        if (r >= live) {
          for (let k = 0; k < kc; k++) f[d + k * 4 + r] = 0;
          continue;
        }
        const s = aOff + (m0 + p + r) * K + k0;
        for (let k = 0; k < kc; k++) f[d + k * 4 + r] = alpha * A[s + k]!;
      }
    }
  }
}

/**
 * Packs columns j0..j0+nc of op(B), rows k0..k0+kc, as panels of 8 columns:
 * panel q, depth k, column c at dst + q*kc*8 + k*8 + c. Columns past N are 0.
 */
function packB(
  f: Float32Array,
  dst: number,
  B: Float32Array,
  bOff: number,
  transB: boolean,
  N: number,
  K: number,
  j0: number,
  nc: number,
  k0: number,
  kc: number,
): void {
  for (let q = 0; q < nc; q += 8) {
    const d = dst + q * kc;
    const j = j0 + q;
    const live = Math.min(8, N - j);
    if (transB) {
      // B is N x K: column j of op(B) is row j of B.
      for (let c = 0; c < 8; c++) {
        if (c >= live) {
          for (let k = 0; k < kc; k++) f[d + k * 8 + c] = 0;
          continue;
        }
        const s = bOff + (j + c) * K + k0;
        for (let k = 0; k < kc; k++) f[d + k * 8 + c] = B[s + k]!;
      }
    } else if (live === 8) {
      let s = bOff + k0 * N + j;
      for (let k = 0; k < kc; k++, s += N) {
        const dk = d + k * 8;
        f[dk] = B[s]!;
        f[dk + 1] = B[s + 1]!;
        f[dk + 2] = B[s + 2]!;
        f[dk + 3] = B[s + 3]!;
        f[dk + 4] = B[s + 4]!;
        f[dk + 5] = B[s + 5]!;
        f[dk + 6] = B[s + 6]!;
        f[dk + 7] = B[s + 7]!;
      }
    } else {
      let s = bOff + k0 * N + j;
      for (let k = 0; k < kc; k++, s += N) {
        for (let c = 0; c < 8; c++) f[d + k * 8 + c] = c < live ? B[s + c]! : 0;
      }
    }
  }
}
