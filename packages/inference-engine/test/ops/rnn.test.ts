import type { DataType } from '@zai/common';
import { graph, model, node, tensorInfo } from '@zai/onnx-parser';
import { float16ToNumber, numberToFloat16 } from '@zai/tensor-core';
import { describe, expect, it } from 'vitest';
import { defaultRegistry, InferenceSession, inferTypes, Tensor } from '../../src/index.js';
import { type Attrs, outputNames, runNodeTensors } from './run-node.js';

/** Runs one node through a native session; undefined inputs are omitted optional inputs ('' names). */
async function runOp(
  opType: string,
  inputs: readonly (Tensor | undefined)[],
  attrs: Attrs = {},
  outputs = 2,
  opset = 22,
): Promise<Tensor[]> {
  const type = (inputs[0]?.type ?? 'float32') as DataType;
  return runNodeTensors(opType, inputs, attrs, {
    opset,
    outputs: outputNames(outputs),
    outputTypes: Array(outputs).fill(type),
  });
}

const f32 = (values: readonly number[], dims: readonly number[]) =>
  new Tensor('float32', Float32Array.from(values), dims);
const i32 = (values: readonly number[], dims: readonly number[]) =>
  new Tensor('int32', Int32Array.from(values), dims);
const values = (t: Tensor) => Array.from(t.data as Float32Array);

function close(actual: readonly number[], expected: readonly number[], digits = 5): void {
  expect(actual.length).toBe(expected.length);
  for (const [i, v] of actual.entries()) expect(v).toBeCloseTo(expected[i]!, digits);
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

// A scalar RNN (input 1, hidden 1) with W = 1, R = 0.5 and Relu keeps every value exact:
// H(t) = relu(x(t) + 0.5 H(t-1)).
const W1 = f32([1], [1, 1, 1]);
const R1 = f32([0.5], [1, 1, 1]);
const relu = { hidden_size: 1, activations: ['Relu'] };

describe('RNN', () => {
  it('runs a forward sequence: Y holds every step, Y_h the last', async () => {
    const [y, yh] = await runOp('RNN', [f32([1, 2, 3], [3, 1, 1]), W1, R1], relu);
    expect(y!.dims).toEqual([3, 1, 1, 1]);
    expect(values(y!)).toEqual([1, 2.5, 4.25]);
    expect(yh!.dims).toEqual([1, 1, 1]);
    expect(values(yh!)).toEqual([4.25]);
  });

  it('defaults to Tanh and adds both biases and the initial state', async () => {
    const B = f32([0.1, 0.2], [1, 2]);
    const h0 = f32([0.4], [1, 1, 1]);
    const [y] = await runOp('RNN', [f32([1], [1, 1, 1]), W1, R1, B, undefined, h0], { hidden_size: 1 });
    close(values(y!), [Math.tanh(1 + 0.5 * 0.4 + 0.3)]);
  });

  it('bidirectional runs the second direction backwards; Y is [seq, dirs, batch, hidden]', async () => {
    const W = f32([1, 1], [2, 1, 1]);
    const R = f32([0.5, 0.5], [2, 1, 1]);
    const attrs = { hidden_size: 1, activations: ['Relu', 'Relu'], direction: 'bidirectional' };
    const [y, yh] = await runOp('RNN', [f32([1, 2, 3], [3, 1, 1]), W, R], attrs);
    // forward 1, 2.5, 4.25; backward from t = 2: 3, 3.5, 2.75
    expect(y!.dims).toEqual([3, 2, 1, 1]);
    expect(values(y!)).toEqual([1, 2.75, 2.5, 3.5, 4.25, 3]);
    expect(yh!.dims).toEqual([2, 1, 1]);
    expect(values(yh!)).toEqual([4.25, 2.75]);
  });

  it('reverse direction alone', async () => {
    const [y, yh] = await runOp('RNN', [f32([1, 2, 3], [3, 1, 1]), W1, R1], {
      ...relu,
      direction: 'reverse',
    });
    expect(values(y!)).toEqual([2.75, 3.5, 3]);
    expect(values(yh!)).toEqual([2.75]);
  });

  it('layout 1 puts batch first in X, Y and the states', async () => {
    // batch 2, seq 3: sequences [1, 2, 3] and [4, 5, 6]
    const x = f32([1, 2, 3, 4, 5, 6], [2, 3, 1]);
    const h0 = f32([0, 2], [2, 1, 1]);
    const [y, yh] = await runOp('RNN', [x, W1, R1, undefined, undefined, h0], { ...relu, layout: 1 });
    expect(y!.dims).toEqual([2, 3, 1, 1]);
    // second sequence: 4 + 1 = 5, 5 + 2.5 = 7.5, 6 + 3.75 = 9.75
    expect(values(y!)).toEqual([1, 2.5, 4.25, 5, 7.5, 9.75]);
    expect(yh!.dims).toEqual([2, 1, 1]);
    expect(values(yh!)).toEqual([4.25, 9.75]);
    // opset 13 has no layout: the same X reads as [seq 2, batch 3]
    const [z] = await runOp('RNN', [x, W1, R1], { ...relu, layout: 1 }, 2, 13);
    expect(z!.dims).toEqual([2, 1, 3, 1]);
  });

  it('sequence_lens stops each batch item early: zeros in Y, its last valid state in Y_h', async () => {
    // layout 0, seq 3, batch 2: item 0 = [1, 2, 3] (length 3), item 1 = [4, 5, 6] (length 1)
    const x = f32([1, 4, 2, 5, 3, 6], [3, 2, 1]);
    const lens = i32([3, 1], [2]);
    const [y, yh] = await runOp('RNN', [x, W1, R1, undefined, lens], relu);
    expect(values(y!)).toEqual([1, 4, 2.5, 0, 4.25, 0]);
    expect(values(yh!)).toEqual([4.25, 4]);
    // reverse starts from each item's own last valid step
    const [r, rh] = await runOp('RNN', [x, W1, R1, undefined, lens], { ...relu, direction: 'reverse' });
    expect(values(r!)).toEqual([2.75, 4, 3.5, 0, 3, 0]);
    expect(values(rh!)).toEqual([2.75, 4]);
  });

  it('clips pre-activations and consumes activation_alpha / beta in order', async () => {
    const x = f32([5, -5], [2, 1, 1]);
    const R0 = f32([0], [1, 1, 1]);
    const attrs = {
      hidden_size: 1,
      activations: ['Affine'],
      activation_alpha: [2.5],
      activation_beta: [0.5],
    };
    const [y] = await runOp('RNN', [x, W1, R0], { ...attrs, clip: 1.5 });
    expect(values(y!)).toEqual([4.25, -3.25]);
    // Tanh takes no alpha, so LeakyRelu (backward) gets the first one
    const W = f32([1, 1], [2, 1, 1]);
    const R = f32([0, 0], [2, 1, 1]);
    const bi = {
      hidden_size: 1,
      direction: 'bidirectional',
      activations: ['Tanh', 'LeakyRelu'],
      activation_alpha: [0.5],
    };
    const [z] = await runOp('RNN', [f32([-2], [1, 1, 1]), W, R], bi);
    close(values(z!), [Math.tanh(-2), -1]);
    // LeakyRelu's default alpha is 0.01
    const [d] = await runOp('RNN', [f32([-2], [1, 1, 1]), W1, R0], {
      hidden_size: 1,
      activations: ['LeakyRelu'],
    });
    close(values(d!), [-0.02]);
  });

  it('omitted outputs are not produced; Y_h alone works', async () => {
    const g = graph({
      nodes: [node('RNN', ['x', 'w', 'r'], ['', 'yh'], relu)],
      inputs: [tensorInfo('x', 'float32')],
      outputs: [tensorInfo('yh', 'float32')],
      initializers: { w: W1, r: R1 },
    });
    const s = await InferenceSession.create(model(g, [{ domain: '', version: 14 }]), { backend: 'native' });
    const x = f32([1, 2, 3], [3, 1, 1]);
    // twice: the second run reuses the prepared weights
    for (let i = 0; i < 2; i++) {
      const r = await s.run({ x });
      expect(values(r.yh as Tensor)).toEqual([4.25]);
    }
    await s.release();
  });

  it('rejects mis-shaped weights', async () => {
    await expect(runOp('RNN', [f32([1, 2, 3], [3, 1, 1]), f32([1, 1], [1, 2, 1]), R1], relu)).rejects.toThrow(
      /W/,
    );
  });
});

describe('LSTM', () => {
  // input 1, hidden 1; gates in W / R / B are ordered i, o, f, c
  const raw = {
    W: [
      [0.5, -0.3, 0.8, 1.2],
      [1, 4, 1],
    ],
    R: [
      [0.1, 0.2, -0.4, 0.3],
      [1, 4, 1],
    ],
    B: [
      [0.05, -0.1, 0.2, 0, 0.01, 0.02, 0.03, -0.04],
      [1, 8],
    ],
    h0: [[0.6], [1, 1, 1]],
    c0: [[-0.7], [1, 1, 1]],
  } as const;
  const W = f32(...raw.W);
  const R = f32(...raw.R);
  const B = f32(...raw.B);
  const h0 = f32(...raw.h0);
  const c0 = f32(...raw.c0);
  const x = 1.5;

  /** One step by hand, with optional peepholes [pi, po, pf]. */
  function step(p = [0, 0, 0], inputForget = false): { h: number; c: number } {
    const pre = (k: number) => [0.5, -0.3, 0.8, 1.2][k]! * x + [0.1, 0.2, -0.4, 0.3][k]! * 0.6;
    const bias = (k: number) => [0.05, -0.1, 0.2, 0][k]! + [0.01, 0.02, 0.03, -0.04][k]!;
    const i = sigmoid(pre(0) + bias(0) + p[0]! * -0.7);
    const f = inputForget ? 1 - i : sigmoid(pre(2) + bias(2) + p[2]! * -0.7);
    const g = Math.tanh(pre(3) + bias(3));
    const c = f * -0.7 + i * g;
    const o = sigmoid(pre(1) + bias(1) + p[1]! * c);
    return { h: o * Math.tanh(c), c };
  }

  it('one step matches the equations computed by hand (Y, Y_h, Y_c)', async () => {
    const [y, yh, yc] = await runOp(
      'LSTM',
      [f32([x], [1, 1, 1]), W, R, B, undefined, h0, c0],
      { hidden_size: 1 },
      3,
    );
    const { h, c } = step();
    expect(y!.dims).toEqual([1, 1, 1, 1]);
    close(values(y!), [h]);
    close(values(yh!), [h]);
    close(values(yc!), [c]);
  });

  it('peepholes feed the cell state into i, f (old C) and o (new C)', async () => {
    const P = f32([0.3, -0.5, 0.9], [1, 3]);
    const inputs = [f32([x], [1, 1, 1]), W, R, B, undefined, h0, c0, P];
    const [, yh, yc] = await runOp('LSTM', inputs, { hidden_size: 1 }, 3);
    const { h, c } = step([0.3, -0.5, 0.9]);
    close(values(yh!), [h]);
    close(values(yc!), [c]);
  });

  it('input_forget couples the forget gate to 1 - i', async () => {
    const inputs = [f32([x], [1, 1, 1]), W, R, B, undefined, h0, c0];
    const [, yh, yc] = await runOp('LSTM', inputs, { hidden_size: 1, input_forget: 1 }, 3);
    const { h, c } = step([0, 0, 0], true);
    close(values(yh!), [h]);
    close(values(yc!), [c]);
  });

  it('bidirectional with layout 1 gives [batch, seq, dirs, hidden] and [batch, dirs, hidden]', async () => {
    const H = 3;
    const I = 2;
    const ones = (n: number, v: number) => Array.from({ length: n }, () => v);
    const Wb = f32([...ones(4 * H * I, 0.1), ...ones(4 * H * I, -0.2)], [2, 4 * H, I]);
    const Rb = f32([...ones(4 * H * H, 0.05), ...ones(4 * H * H, 0.1)], [2, 4 * H, H]);
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((v) => v / 10);
    const attrs = { hidden_size: H, direction: 'bidirectional' };
    const [y1, h1, c1] = await runOp('LSTM', [f32(xs, [2, 3, I]), Wb, Rb], { ...attrs, layout: 1 }, 3);
    expect(y1!.dims).toEqual([2, 3, 2, H]);
    expect(h1!.dims).toEqual([2, 2, H]);
    expect(c1!.dims).toEqual([2, 2, H]);
    // the same data in layout 0 ([seq, batch, input]) gives the same numbers, transposed
    const x0: number[] = [];
    for (let t = 0; t < 3; t++)
      for (let b = 0; b < 2; b++) x0.push(...xs.slice((b * 3 + t) * I, (b * 3 + t + 1) * I));
    const [y0, h0b, c0b] = await runOp('LSTM', [f32(x0, [3, 2, I]), Wb, Rb], attrs, 3);
    expect(y0!.dims).toEqual([3, 2, 2, H]);
    const Y0 = values(y0!);
    const Y1 = values(y1!);
    for (let t = 0; t < 3; t++) {
      for (let d = 0; d < 2; d++) {
        for (let b = 0; b < 2; b++) {
          for (let j = 0; j < H; j++) {
            expect(Y1[((b * 3 + t) * 2 + d) * H + j]).toBeCloseTo(Y0[((t * 2 + d) * 2 + b) * H + j]!, 6);
          }
        }
      }
    }
    for (const [a, b] of [
      [h1!, h0b!],
      [c1!, c0b!],
    ] as const) {
      const A = values(a);
      const Bv = values(b);
      for (let d = 0; d < 2; d++) {
        for (let bb = 0; bb < 2; bb++) {
          for (let j = 0; j < H; j++)
            expect(A[(bb * 2 + d) * H + j]).toBeCloseTo(Bv[(d * 2 + bb) * H + j]!, 6);
        }
      }
    }
    // the backward direction ends at t = 0: its Y_h equals Y[t = 0, dir 1]
    for (let b = 0; b < 2; b++) {
      for (let j = 0; j < H; j++)
        expect(values(h0b!)[(2 + b) * H + j]).toBeCloseTo(Y0[((0 * 2 + 1) * 2 + b) * H + j]!, 6);
    }
  });

  it('keeps float64 and float16 types', async () => {
    const d = ([v, dims]: readonly [readonly number[], readonly number[]]) =>
      new Tensor('float64', Float64Array.from(v), dims);
    const x64 = d([[x], [1, 1, 1]]);
    const inputs = [x64, d(raw.W), d(raw.R), d(raw.B), undefined, d(raw.h0), d(raw.c0)];
    const [y] = await runOp('LSTM', inputs, { hidden_size: 1 }, 1);
    expect(y!.type).toBe('float64');
    expect((y!.data as Float64Array)[0]).toBeCloseTo(step().h, 12);
    const h = (t: Tensor) =>
      new Tensor('float16', Uint16Array.from(t.data as Float32Array, numberToFloat16), t.dims);
    const [z] = await runOp('LSTM', [h(f32([x], [1, 1, 1])), h(W), h(R), h(B), undefined, h(h0), h(c0)], {
      hidden_size: 1,
    });
    expect(z!.type).toBe('float16');
    expect(float16ToNumber((z!.data as Uint16Array)[0]!)).toBeCloseTo(step().h, 2);
  });
});

describe('GRU', () => {
  // input 1, hidden 1; gates ordered z, r, h
  const W = f32([0.4, -0.6, 0.9], [1, 3, 1]);
  const R = f32([0.3, 0.5, -0.8], [1, 3, 1]);
  const B = f32([0.1, 0.2, 0.3, -0.05, 0.15, 0.25], [1, 6]);
  const h0 = f32([0.5], [1, 1, 1]);
  const x = -1.2;

  function step(lbr: boolean): number {
    const z = sigmoid(0.4 * x + 0.3 * 0.5 + 0.1 - 0.05);
    const r = sigmoid(-0.6 * x + 0.5 * 0.5 + 0.2 + 0.15);
    const h = lbr
      ? Math.tanh(0.9 * x + r * (-0.8 * 0.5 + 0.25) + 0.3)
      : Math.tanh(0.9 * x + r * 0.5 * -0.8 + 0.25 + 0.3);
    return (1 - z) * h + z * 0.5;
  }

  it('one step by hand, with and without linear_before_reset', async () => {
    const inputs = [f32([x], [1, 1, 1]), W, R, B, undefined, h0];
    const [y, yh] = await runOp('GRU', inputs, { hidden_size: 1 });
    expect(y!.dims).toEqual([1, 1, 1, 1]);
    close(values(y!), [step(false)]);
    close(values(yh!), [step(false)]);
    const [, lh] = await runOp('GRU', inputs, { hidden_size: 1, linear_before_reset: 1 });
    close(values(lh!), [step(true)]);
    expect(step(true)).not.toBeCloseTo(step(false), 3);
  });

  it('sequence_lens with a bidirectional GRU: padded steps are zero in both directions', async () => {
    const Wd = f32([0.4, -0.6, 0.9, 0.4, -0.6, 0.9], [2, 3, 1]);
    const Rd = f32([0.3, 0.5, -0.8, 0.3, 0.5, -0.8], [2, 3, 1]);
    // seq 2, batch 2; item 1 has length 1
    const xs = f32([x, x, 0.7, 0.7], [2, 2, 1]);
    const [y, yh] = await runOp('GRU', [xs, Wd, Rd, undefined, i32([2, 1], [2])], {
      hidden_size: 1,
      direction: 'bidirectional',
    });
    expect(y!.dims).toEqual([2, 2, 2, 1]);
    const Y = values(y!);
    // Y[t = 1, d, b = 1] is padding in both directions
    expect(Y[(1 * 2 + 0) * 2 + 1]).toBe(0);
    expect(Y[(1 * 2 + 1) * 2 + 1]).toBe(0);
    // item 1 sees one step either way, so both directions agree on it
    expect(Y[(0 * 2 + 0) * 2 + 1]).toBeCloseTo(Y[(0 * 2 + 1) * 2 + 1]!, 6);
    const Yh = values(yh!);
    expect(Yh[0 * 2 + 1]).toBeCloseTo(Y[(0 * 2 + 0) * 2 + 1]!, 6);
    expect(Yh[1 * 2 + 1]).toBeCloseTo(Y[(0 * 2 + 1) * 2 + 1]!, 6);
    // item 0's backward state ends at t = 0
    expect(Yh[1 * 2 + 0]).toBeCloseTo(Y[(0 * 2 + 1) * 2 + 0]!, 6);
  });

  it('a larger batch takes the GEMM path and agrees with the per-item path', async () => {
    const H = 5;
    const I = 3;
    const rnd = (n: number, seed: number) =>
      Array.from({ length: n }, (_, i) => Math.sin(seed + i * 1.7) * 0.5);
    const Wg = f32(rnd(3 * H * I, 1), [1, 3 * H, I]);
    const Rg = f32(rnd(3 * H * H, 2), [1, 3 * H, H]);
    const Bg = f32(rnd(6 * H, 3), [1, 6 * H]);
    const xs = rnd(2 * 6 * I, 4); // seq 2, batch 6
    const [all] = await runOp('GRU', [f32(xs, [2, 6, I]), Wg, Rg, Bg], { hidden_size: H }, 1);
    const Y = values(all!);
    for (let b = 0; b < 6; b++) {
      const one = [...xs.slice(b * I, b * I + I), ...xs.slice((6 + b) * I, (6 + b) * I + I)];
      const [y] = await runOp('GRU', [f32(one, [2, 1, I]), Wg, Rg, Bg], { hidden_size: H }, 1);
      const Y1 = values(y!);
      for (let t = 0; t < 2; t++) {
        for (let j = 0; j < H; j++) expect(Y[(t * 6 + b) * H + j]).toBeCloseTo(Y1[t * H + j]!, 5);
      }
    }
  });
});

describe('recurrent shape inference', () => {
  it('infers Y / Y_h / Y_c from X, direction, layout and hidden_size', () => {
    const g = graph({
      nodes: [
        node('LSTM', ['x', 'w', 'r'], ['y', 'yh', 'yc'], { hidden_size: 4, direction: 'bidirectional' }),
        node('GRU', ['xb', 'wg', 'rg'], ['gy', 'gh'], { hidden_size: 4, layout: 1 }),
        node('RNN', ['x', 'wr', 'rr'], ['ry']),
      ],
      inputs: [
        tensorInfo('x', 'float32', ['S', 'N', 3]),
        tensorInfo('xb', 'float32', ['N', 'S', 3]),
        tensorInfo('w', 'float32', [2, 16, 3]),
        tensorInfo('r', 'float32', [2, 16, 4]),
        tensorInfo('wg', 'float32', [1, 12, 3]),
        tensorInfo('rg', 'float32', [1, 12, 4]),
        tensorInfo('wr', 'float32', [1, 6, 3]),
        tensorInfo('rr', 'float32', [1, 6, 6]),
      ],
      outputs: [tensorInfo('y', 'float32')],
    });
    const r = inferTypes(model(g, [{ domain: '', version: 22 }]), defaultRegistry).byName;
    const t = (shape: (number | string)[]) => ({ kind: 'tensor', elemType: 'float32', shape });
    expect(r.get('y')).toEqual(t(['S', 2, 'N', 4]));
    expect(r.get('yh')).toEqual(t([2, 'N', 4]));
    expect(r.get('yc')).toEqual(t([2, 'N', 4]));
    expect(r.get('gy')).toEqual(t(['N', 'S', 1, 4]));
    expect(r.get('gh')).toEqual(t(['N', 1, 4]));
    // hidden_size absent: read from R
    expect(r.get('ry')).toEqual(t(['S', 1, 'N', 6]));
  });
});

describe('weights fed at run time', () => {
  it('are re-read on every run, even when the caller refills the same tensor', async () => {
    // RNN with hidden 1, input 1, Tanh: h1 = tanh(W·x), so W = 0 gives 0
    const g = graph({
      nodes: [node('RNN', ['x', 'w', 'r'], ['', 'h'], { hidden_size: 1 })],
      inputs: [tensorInfo('x', 'float32'), tensorInfo('w', 'float32'), tensorInfo('r', 'float32')],
      outputs: [tensorInfo('h', 'float32')],
    });
    const s = await InferenceSession.create(model(g, [{ domain: '', version: 22 }]), { backend: 'native' });
    const x = f32([1], [1, 1, 1]);
    const w = f32([0], [1, 1, 1]);
    const r = f32([0], [1, 1, 1]);
    expect(values((await s.run({ x, w, r })).h as Tensor)).toEqual([0]);
    (w.data as Float32Array)[0] = 1;
    expect(values((await s.run({ x, w, r })).h as Tensor)[0]).toBeCloseTo(Math.tanh(1), 6);
    await s.release();
  });
});
