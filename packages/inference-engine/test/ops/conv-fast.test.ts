import { describe, expect, it } from 'vitest';
import { convolve, planConv } from '../../src/ops/nn/conv.js';
import type { ConvScratch } from '../../src/ops/nn/conv-im2col.js';
import type { AutoPad, WindowAttrs } from '../../src/ops/nn/conv-util.js';

// The specialised Conv paths (direct depthwise, 1x1 pointwise, im2col with a
// reused column buffer and the bias folded into the GEMM) against a naive
// float64 reference.

function rand(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 8) / 2 ** 24 - 0.5;
  }
  return out;
}

interface Case {
  x: number[];
  w: number[];
  group: number;
  strides?: number[];
  pads?: number[];
  dil?: number[];
  autoPad?: AutoPad;
  bias?: boolean;
}

const size = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

function attrsOf(c: Case): WindowAttrs {
  return {
    autoPad: c.autoPad ?? 'NOTSET',
    kernelShape: undefined,
    strides: c.strides,
    pads: c.pads,
    dilations: c.dil,
    ceilMode: false,
  };
}

/** Naive N-D convolution over the plan's resolved window, in float64. */
function reference(c: Case, X: ArrayLike<number>, W: ArrayLike<number>, B?: ArrayLike<number>): Float64Array {
  const plan = planConv('Conv', attrsOf(c), c.group, c.x, c.w);
  const { N, C, M, group, window: win } = plan;
  const nd = win.inDims.length;
  const Cg = C / group;
  const Mg = M / group;
  const out = new Float64Array(size(plan.outDims));
  const outSp = size(win.outDims);
  const kSp = size(win.kernel);
  const inSp = size(win.inDims);
  const unravel = (i: number, dims: readonly number[]) => {
    const r = new Array<number>(dims.length);
    for (let a = dims.length - 1; a >= 0; a--) {
      r[a] = i % dims[a]!;
      i = Math.floor(i / dims[a]!);
    }
    return r;
  };
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const g = Math.floor(m / Mg);
      for (let o = 0; o < outSp; o++) {
        const op = unravel(o, win.outDims);
        let s = B ? B[m]! : 0;
        for (let cg = 0; cg < Cg; cg++) {
          for (let k = 0; k < kSp; k++) {
            const kp = unravel(k, win.kernel);
            let idx = 0;
            let inside = true;
            for (let a = 0; a < nd; a++) {
              const p = op[a]! * win.strides[a]! - win.padsBegin[a]! + kp[a]! * win.dilations[a]!;
              if (p < 0 || p >= win.inDims[a]!) inside = false;
              idx = idx * win.inDims[a]! + p;
            }
            if (!inside) continue;
            s += X[(n * C + g * Cg + cg) * inSp + idx]! * W[(m * Cg + cg) * kSp + k]!;
          }
        }
        out[(n * M + m) * outSp + o] = s;
      }
    }
  }
  return out;
}

function check(c: Case, seed: number, scratch?: ConvScratch, f64 = false): void {
  const plan = planConv('Conv', attrsOf(c), c.group, c.x, c.w);
  const x32 = rand(size(c.x), seed);
  const w32 = rand(size(c.w), seed + 1);
  const b32 = c.bias === false ? undefined : rand(c.w[0]!, seed + 2);
  const X = f64 ? Float64Array.from(x32) : x32;
  const W = f64 ? Float64Array.from(w32) : w32;
  const out = f64 ? new Float64Array(size(plan.outDims)) : new Float32Array(size(plan.outDims));
  out.fill(Number.NaN);
  convolve(plan, X, W, b32, out, scratch);
  const ref = reference(c, X, W, b32);
  expect(out.length).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    if (Math.abs(out[i]! - ref[i]!) > 1e-5 * Math.max(1, Math.abs(ref[i]!))) {
      throw new Error(`${JSON.stringify(c)}: out[${i}] = ${out[i]}, expected ${ref[i]}`);
    }
  }
}

describe('Conv depthwise path', () => {
  const cases: Case[] = [
    { x: [1, 4, 9, 11], w: [4, 1, 3, 3], group: 4, pads: [1, 1, 1, 1] },
    { x: [2, 3, 10, 9], w: [3, 1, 3, 3], group: 3, strides: [2, 2], pads: [1, 1, 1, 1] },
    { x: [1, 3, 12, 12], w: [3, 1, 3, 3], group: 3, dil: [2, 3], pads: [2, 1, 0, 3] },
    { x: [1, 2, 11, 13], w: [2, 1, 3, 3], group: 2, strides: [3, 2], dil: [2, 2], pads: [0, 2, 1, 0] },
    { x: [1, 5, 10, 10], w: [5, 1, 5, 5], group: 5, pads: [2, 2, 2, 2] },
    { x: [1, 4, 5, 5], w: [4, 1, 5, 5], group: 4, pads: [2, 2, 2, 2], bias: false },
    { x: [1, 3, 10, 10], w: [3, 1, 5, 5], group: 3, strides: [2, 2], pads: [2, 2, 2, 2] },
    { x: [1, 2, 9, 8], w: [2, 1, 4, 2], group: 2, pads: [0, 1, 3, 0], dil: [1, 2] },
    { x: [1, 3, 7, 9], w: [3, 1, 3, 3], group: 3, autoPad: 'SAME_UPPER', strides: [2, 2] },
    { x: [1, 3, 8, 6], w: [3, 1, 4, 3], group: 3, autoPad: 'SAME_LOWER', strides: [1, 2] },
    { x: [1, 3, 8, 9], w: [3, 1, 3, 3], group: 3, autoPad: 'VALID' },
    { x: [1, 2, 2, 3], w: [2, 1, 5, 5], group: 2, pads: [3, 2, 4, 1] },
    // Larger planes: mostly interior, so the border ring runs separately.
    { x: [1, 3, 24, 20], w: [3, 1, 3, 3], group: 3, pads: [1, 1, 1, 1] },
    { x: [1, 2, 30, 28], w: [2, 1, 3, 3], group: 2, strides: [2, 2], pads: [1, 1, 1, 1] },
    { x: [1, 2, 40, 36], w: [2, 1, 3, 3], group: 2, dil: [2, 3], pads: [2, 1, 0, 3] },
    { x: [1, 2, 41, 37], w: [2, 1, 3, 3], group: 2, strides: [3, 2], dil: [2, 2], pads: [0, 2, 1, 0] },
    { x: [1, 2, 32, 32], w: [2, 1, 5, 5], group: 2, pads: [2, 2, 2, 2] },
    { x: [1, 2, 30, 30], w: [2, 1, 4, 2], group: 2, pads: [0, 1, 3, 0], dil: [1, 2] },
    { x: [1, 2, 29, 31], w: [2, 1, 3, 3], group: 2, autoPad: 'SAME_LOWER', strides: [2, 1] },
    { x: [2, 3, 26, 27], w: [6, 1, 3, 3], group: 3, pads: [1, 1, 1, 1] },
    { x: [2, 4, 60], w: [4, 1, 5], group: 4, strides: [2], pads: [2, 1], dil: [2] },
    // Channel multiplier 2, 1-D, and a 3-D kernel (im2col fallback).
    { x: [2, 3, 6, 7], w: [6, 1, 3, 3], group: 3, pads: [1, 1, 1, 1] },
    { x: [2, 4, 17], w: [4, 1, 5], group: 4, strides: [2], pads: [2, 1], dil: [2] },
    { x: [1, 2, 4, 5, 6], w: [2, 1, 3, 3, 3], group: 2, pads: [1, 1, 1, 1, 1, 1] },
  ];
  it('matches the naive reference with strides, dilations and pads', () => {
    for (const [i, c] of cases.entries()) check(c, 10 + i);
  });
  it('matches in float64', () => {
    for (const [i, c] of cases.entries()) check(c, 50 + i, undefined, true);
  });
});

describe('Conv pointwise path', () => {
  it('runs 1x1 stride-1 unpadded kernels on the input directly', () => {
    check({ x: [2, 8, 5, 6], w: [5, 8, 1, 1], group: 1 }, 1);
    check({ x: [1, 6, 7, 3], w: [4, 3, 1, 1], group: 2 }, 2);
    check({ x: [1, 16, 20, 20], w: [24, 16, 1, 1], group: 1, bias: false }, 3);
    check({ x: [2, 5, 9], w: [7, 5, 1], group: 1 }, 4);
  });
  it('keeps 1x1 kernels with stride or padding on the general path', () => {
    check({ x: [1, 4, 6, 6], w: [3, 4, 1, 1], group: 1, strides: [2, 2] }, 5);
    check({ x: [1, 4, 5, 5], w: [3, 4, 1, 1], group: 1, pads: [1, 0, 0, 2] }, 6);
  });
});

describe('Conv im2col path', () => {
  it('folds the bias into the GEMM output (large and small problems)', () => {
    check({ x: [1, 32, 16, 16], w: [16, 32, 3, 3], group: 1, pads: [1, 1, 1, 1] }, 7);
    check({ x: [2, 3, 5, 5], w: [2, 3, 3, 3], group: 1, pads: [1, 1, 1, 1] }, 8);
    check({ x: [1, 4, 6, 6], w: [4, 2, 3, 3], group: 2, pads: [1, 1, 1, 1] }, 9, undefined, true);
  });
  it('reuses its column buffer across runs and geometries', () => {
    const scratch: ConvScratch = {};
    const cases: Case[] = [
      { x: [1, 3, 8, 8], w: [4, 3, 3, 3], group: 1, pads: [1, 1, 1, 1] },
      { x: [1, 3, 8, 8], w: [4, 3, 3, 3], group: 1, pads: [1, 1, 1, 1] },
      { x: [2, 3, 6, 10], w: [4, 3, 3, 3], group: 1, pads: [1, 1, 1, 1] },
      { x: [1, 3, 7, 7], w: [4, 3, 3, 3], group: 1, pads: [0, 2, 2, 0], strides: [2, 1] },
      { x: [1, 3, 8, 8], w: [4, 3, 3, 3], group: 1, pads: [1, 1, 1, 1] },
      { x: [1, 2, 3, 4, 5], w: [3, 2, 2, 2, 2], group: 1, pads: [1, 0, 1, 0, 1, 0] },
      { x: [1, 3, 12, 12], w: [4, 3, 3, 3], group: 1, dil: [2, 2], pads: [2, 2, 2, 2] },
      { x: [1, 3, 8, 8], w: [4, 3, 3, 3], group: 1, pads: [1, 1, 1, 1] },
    ];
    for (const [i, c] of cases.entries()) check(c, 20 + i, scratch);
    expect(scratch.col).toBeDefined();
  });
});
