import { type DataType, ShapeError } from '@zai/common';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import { sgemm } from '../../src/ops/nn/gemm-core.js';
import { type Attrs, outputNames, runNodeTensors } from './run-node.js';

/** Runs one node through a native session; undefined inputs are omitted optional inputs. */
async function runOp(
  opType: string,
  inputs: readonly (Tensor | undefined)[],
  attrs: Attrs = {},
  opset = 22,
  outTypes: readonly DataType[] = ['float32'],
): Promise<Tensor[]> {
  return runNodeTensors(opType, inputs, attrs, {
    opset,
    outputs: outputNames(outTypes.length),
    outputTypes: outTypes,
  });
}

const f32 = (values: ArrayLike<number>, dims: readonly number[]) =>
  new Tensor('float32', Float32Array.from(values), dims);
const values = (t: Tensor) => Array.from(t.data as Float32Array);

/** Deterministic pseudo-random values in [-1, 1). */
function rand(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    if (Math.abs(actual[i]! - e) > tol * (1 + Math.abs(e))) {
      throw new Error(`value ${i}: got ${actual[i]}, expected ${e}`);
    }
  }
}

/** Naive Gemm: alpha * op(A) op(B) + beta * C (C broadcast from [cm, cn]). */
function gemmRef(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array | undefined,
  cDims: number[],
  M: number,
  N: number,
  K: number,
  transA: boolean,
  transB: boolean,
  alpha: number,
  beta: number,
): Float64Array {
  const y = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++)
        s += (transA ? a[k * M + i]! : a[i * K + k]!) * (transB ? b[j * K + k]! : b[k * N + j]!);
      let cv = 0;
      if (c) {
        const d = [1, 1, ...cDims].slice(-2);
        cv = c[(d[0] === 1 ? 0 : i) * d[1]! + (d[1] === 1 ? 0 : j)]!;
      }
      y[i * N + j] = alpha * s + beta * cv;
    }
  }
  return y;
}

/** Naive N-D (1-3 spatial axes) grouped convolution with explicit pads. */
function convRef(
  x: Float32Array,
  xDims: number[],
  w: Float32Array,
  wDims: number[],
  bias: Float32Array | undefined,
  strides: number[],
  pads: number[],
  dil: number[],
  group: number,
): { y: Float64Array; dims: number[] } {
  const r = xDims.length - 2;
  const lead = 3 - r;
  const ex = (v: number[], f: number) => [...new Array<number>(lead).fill(f), ...v];
  const [ID, IH, IW] = ex(xDims.slice(2), 1) as [number, number, number];
  const [KD, KH, KW] = ex(wDims.slice(2), 1) as [number, number, number];
  const [sd, sh, sw] = ex(strides, 1) as [number, number, number];
  const [dd, dh, dw] = ex(dil, 1) as [number, number, number];
  const [pd, ph, pw] = ex(pads.slice(0, r), 0) as [number, number, number];
  const [qd, qh, qw] = ex(pads.slice(r), 0) as [number, number, number];
  const OD = Math.floor((ID + pd + qd - (KD - 1) * dd - 1) / sd) + 1;
  const OH = Math.floor((IH + ph + qh - (KH - 1) * dh - 1) / sh) + 1;
  const OW = Math.floor((IW + pw + qw - (KW - 1) * dw - 1) / sw) + 1;
  const [N, C] = xDims as [number, number];
  const M = wDims[0]!;
  const Cg = C / group;
  const Mg = M / group;
  const y = new Float64Array(N * M * OD * OH * OW);
  let o = 0;
  for (let n = 0; n < N; n++)
    for (let m = 0; m < M; m++)
      for (let od = 0; od < OD; od++)
        for (let oh = 0; oh < OH; oh++)
          for (let ow = 0; ow < OW; ow++) {
            let s = bias ? bias[m]! : 0;
            const g = Math.floor(m / Mg);
            for (let c = 0; c < Cg; c++)
              for (let kd = 0; kd < KD; kd++)
                for (let kh = 0; kh < KH; kh++)
                  for (let kw = 0; kw < KW; kw++) {
                    const id = od * sd - pd + kd * dd;
                    const ih = oh * sh - ph + kh * dh;
                    const iw = ow * sw - pw + kw * dw;
                    if (id < 0 || id >= ID || ih < 0 || ih >= IH || iw < 0 || iw >= IW) continue;
                    const xv = x[(((n * C + g * Cg + c) * ID + id) * IH + ih) * IW + iw]!;
                    const wv = w[(((m * Cg + c) * KD + kd) * KH + kh) * KW + kw]!;
                    s += xv * wv;
                  }
            y[o++] = s;
          }
  return { y, dims: [N, M, ...[OD, OH, OW].slice(lead)] };
}

describe('GEMM core', () => {
  it('matches a naive product for every transpose combination and odd sizes', () => {
    for (const [M, N, K] of [
      [1, 1, 1],
      [3, 5, 7],
      [9, 17, 300],
      [4, 3, 2],
      [13, 600, 5],
    ] as const) {
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          const a = rand(M * K, M + K);
          const b = rand(K * N, N * 3 + K);
          const c = rand(M * N, 7);
          const out = c.slice();
          sgemm(M, N, K, 0.5, a, 0, tA, b, 0, tB, 2, out, 0);
          close(out, gemmRef(a, b, c, [M, N], M, N, K, tA, tB, 0.5, 2));
        }
      }
    }
  });

  it('ignores NaN in C when beta is 0', () => {
    const out = new Float32Array([NaN, NaN]);
    sgemm(1, 2, 1, 1, new Float32Array([2]), 0, false, new Float32Array([3, 4]), 0, false, 0, out, 0);
    expect(Array.from(out)).toEqual([6, 8]);
  });
});

describe('Gemm', () => {
  it('matches a naive reference on random shapes, transposes and C broadcasts', async () => {
    const cases = [
      { M: 5, N: 7, K: 3, tA: 0, tB: 0, alpha: 1, beta: 1, c: [5, 7] },
      { M: 8, N: 33, K: 20, tA: 1, tB: 0, alpha: 0.25, beta: 0.5, c: [33] },
      { M: 6, N: 2, K: 9, tA: 0, tB: 1, alpha: 2, beta: -1, c: [6, 1] },
      { M: 17, N: 19, K: 11, tA: 1, tB: 1, alpha: 1, beta: 3, c: [] },
      { M: 4, N: 4, K: 4, tA: 0, tB: 0, alpha: 1, beta: 1, c: undefined },
    ];
    for (const [t, cs] of cases.entries()) {
      const a = rand(cs.M * cs.K, 11 + t);
      const b = rand(cs.K * cs.N, 23 + t);
      const c = cs.c
        ? rand(
            cs.c.reduce((p, q) => p * q, 1),
            31 + t,
          )
        : undefined;
      const [y] = await runOp(
        'Gemm',
        [
          f32(a, cs.tA ? [cs.K, cs.M] : [cs.M, cs.K]),
          f32(b, cs.tB ? [cs.N, cs.K] : [cs.K, cs.N]),
          c && cs.c ? f32(c, cs.c) : undefined,
        ],
        { transA: cs.tA, transB: cs.tB, alpha: cs.alpha, beta: cs.beta },
        13,
      );
      expect(y!.dims).toEqual([cs.M, cs.N]);
      close(values(y!), gemmRef(a, b, c, cs.c ?? [], cs.M, cs.N, cs.K, !!cs.tA, !!cs.tB, cs.alpha, cs.beta));
    }
  });

  it('rejects mismatched inner dimensions with a ShapeError', async () => {
    await expect(runOp('Gemm', [f32(rand(6, 1), [2, 3]), f32(rand(8, 2), [4, 2])])).rejects.toThrow(
      /inner dimensions/,
    );
  });
});

describe('MatMul', () => {
  it('broadcasts batches and promotes 1-D operands', async () => {
    const a = rand(2 * 1 * 3 * 4, 5);
    const b = rand(3 * 4 * 5, 6);
    const [y] = await runOp('MatMul', [f32(a, [2, 1, 3, 4]), f32(b, [3, 4, 5])], {}, 13);
    expect(y!.dims).toEqual([2, 3, 3, 5]);
    const expected: number[] = [];
    for (let p = 0; p < 2; p++)
      for (let q = 0; q < 3; q++)
        expected.push(
          ...gemmRef(
            a.subarray(p * 12, p * 12 + 12),
            b.subarray(q * 20, q * 20 + 20),
            undefined,
            [],
            3,
            5,
            4,
            false,
            false,
            1,
            0,
          ),
        );
    close(values(y!), expected);

    const [v] = await runOp('MatMul', [f32([1, 2, 3], [3]), f32([1, 0, 0, 1, 1, 1], [3, 2])], {}, 13);
    expect(v!.dims).toEqual([2]);
    expect(values(v!)).toEqual([4, 5]);
  });

  it('multiplies int32 matrices with wrap-around', async () => {
    const a = new Tensor('int32', Int32Array.from([1, 2, 3, 4]), [2, 2]);
    const b = new Tensor('int32', Int32Array.from([5, 6, 7, 2 ** 30]), [2, 2]);
    const [y] = await runOp('MatMul', [a, b], {}, 13, ['int32']);
    expect(Array.from(y!.data as Int32Array)).toEqual([
      19,
      (6 + 2 * 2 ** 30) | 0,
      43,
      (18 + 4 * 2 ** 30) | 0,
    ]);
  });

  it('names both shapes when K differs', async () => {
    await expect(runOp('MatMul', [f32(rand(6, 1), [2, 3]), f32(rand(8, 2), [4, 2])], {}, 13)).rejects.toThrow(
      ShapeError,
    );
  });
});

describe('Conv', () => {
  it('matches a naive reference on random 1-D, 2-D and 3-D shapes', async () => {
    const cases = [
      { x: [2, 3, 11], w: [4, 3, 3], strides: [2], pads: [1, 2], dil: [1], group: 1 },
      { x: [1, 4, 9, 8], w: [6, 2, 3, 2], strides: [1, 2], pads: [1, 0, 2, 1], dil: [2, 1], group: 2 },
      { x: [2, 6, 7, 7], w: [6, 1, 3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dil: [1, 1], group: 6 },
      { x: [1, 8, 5, 6], w: [5, 8, 1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dil: [1, 1], group: 1 },
      {
        x: [1, 2, 5, 4, 6],
        w: [3, 2, 2, 3, 2],
        strides: [1, 2, 1],
        pads: [0, 1, 1, 1, 0, 0],
        dil: [1, 1, 2],
        group: 1,
      },
    ];
    for (const [t, cs] of cases.entries()) {
      const x = rand(
        cs.x.reduce((p, q) => p * q, 1),
        100 + t,
      );
      const w = rand(
        cs.w.reduce((p, q) => p * q, 1),
        200 + t,
      );
      const bias = rand(cs.w[0]!, 300 + t);
      const [y] = await runOp('Conv', [f32(x, cs.x), f32(w, cs.w), f32(bias, [cs.w[0]!])], {
        strides: cs.strides,
        pads: cs.pads,
        dilations: cs.dil,
        group: cs.group,
      });
      const ref = convRef(x, cs.x, w, cs.w, bias, cs.strides, cs.pads, cs.dil, cs.group);
      expect(y!.dims).toEqual(ref.dims);
      close(values(y!), ref.y);
    }
  });

  it('pads SAME_UPPER and SAME_LOWER asymmetrically', async () => {
    const x = f32([1, 2, 3, 4], [1, 1, 4]);
    const w = f32([1, 10], [1, 1, 2]);
    const [up] = await runOp('Conv', [x, w], { auto_pad: 'SAME_UPPER' });
    expect(values(up!)).toEqual([21, 32, 43, 4]);
    const [low] = await runOp('Conv', [x, w], { auto_pad: 'SAME_LOWER' });
    expect(values(low!)).toEqual([10, 21, 32, 43]);
  });

  it('rejects channel counts that do not match W', async () => {
    await expect(runOp('Conv', [f32(rand(12, 1), [1, 3, 4]), f32(rand(4, 1), [2, 2, 1])])).rejects.toThrow(
      /channels/,
    );
  });
});

describe('ConvTranspose', () => {
  it('is the adjoint of Conv (stride 2, pads, groups)', async () => {
    // <Conv(x), y> == <x, ConvTranspose(y)> for the same weights.
    const xDims = [1, 4, 7, 6];
    const wDims = [4, 2, 3, 3];
    const x = rand(4 * 7 * 6, 1);
    const w = rand(4 * 2 * 9, 2);
    const attrs = { strides: [2, 2], pads: [1, 1, 1, 1], group: 2 };
    const [cx] = await runOp('Conv', [f32(x, xDims), f32(w, wDims)], attrs);
    const yv = rand(cx!.size, 3);
    const [ty] = await runOp('ConvTranspose', [f32(yv, cx!.dims), f32(w, wDims)], {
      ...attrs,
      output_shape: [7, 6],
    });
    expect(ty!.dims).toEqual(xDims);
    let lhs = 0;
    let rhs = 0;
    for (const [i, v] of values(cx!).entries()) lhs += v * yv[i]!;
    for (const [i, v] of values(ty!).entries()) rhs += v * x[i]!;
    expect(rhs).toBeCloseTo(lhs, 3);
  });
});

describe('pooling', () => {
  const x = f32(
    Array.from({ length: 16 }, (_, i) => i + 1),
    [1, 1, 4, 4],
  );

  it('MaxPool returns column-major indices with storage_order=1', async () => {
    const [y, idx] = await runOp(
      'MaxPool',
      [x],
      { kernel_shape: [2, 2], strides: [2, 2], storage_order: 1 },
      12,
      ['float32', 'int64'],
    );
    expect(values(y!)).toEqual([6, 8, 14, 16]);
    expect(Array.from(idx!.data as BigInt64Array, Number)).toEqual([5, 13, 7, 15]);
  });

  it('AveragePool counts pads only with count_include_pad', async () => {
    const [ex] = await runOp('AveragePool', [x], { kernel_shape: [2, 2], pads: [1, 1, 0, 0] });
    expect(values(ex!).slice(0, 3)).toEqual([1, 1.5, 2.5]);
    const [inc] = await runOp('AveragePool', [x], {
      kernel_shape: [2, 2],
      pads: [1, 1, 0, 0],
      count_include_pad: 1,
    });
    expect(values(inc!).slice(0, 3)).toEqual([0.25, 0.75, 1.25]);
  });

  it('LpPool-1 reads a float p; GlobalLpPool reduces all spatial axes', async () => {
    const v = f32([3, 4], [1, 1, 2]);
    const [lp] = await runOp('LpPool', [v], { kernel_shape: [2], p: { float: 2 } }, 1);
    expect(values(lp!)).toEqual([5]);
    const [g] = await runOp('GlobalLpPool', [f32([3, 0, 0, 4], [1, 1, 2, 2])], { p: 2 }, 2);
    expect(g!.dims).toEqual([1, 1, 1, 1]);
    expect(values(g!)).toEqual([5]);
  });
});

describe('quantized', () => {
  it('QLinearMatMul requantizes with round-half-even and saturation', async () => {
    const u8 = (v: number[], dims: number[]) => new Tensor('uint8', Uint8Array.from(v), dims);
    const s = (v: number) => f32([v], []);
    const [y] = await runOp(
      'QLinearMatMul',
      [
        u8([10, 20], [1, 2]),
        s(0.5),
        u8([0], []),
        u8([1, 3, 2, 255], [2, 2]),
        s(1),
        u8([1], []),
        s(2),
        u8([100], []),
      ],
      {},
      10,
      ['uint8'],
    );
    // acc = [10*0 + 20*1, 10*2 + 20*254] = [20, 5100]; * 0.5 / 2 = [5, 1275] + 100 -> [105, 255 (saturated)]
    expect(Array.from(y!.data as Uint8Array)).toEqual([105, 255]);
  });

  it('ConvInteger subtracts zero points before the product', async () => {
    const x = new Tensor('uint8', Uint8Array.from([2, 3, 4, 5]), [1, 1, 2, 2]);
    const w = new Tensor('uint8', Uint8Array.from([1, 1, 1, 1]), [1, 1, 2, 2]);
    const zp = new Tensor('uint8', Uint8Array.from([1]), []);
    const [y] = await runOp('ConvInteger', [x, w, zp], {}, 10, ['int32']);
    expect(Array.from(y!.data as Int32Array)).toEqual([10]);
  });
});
