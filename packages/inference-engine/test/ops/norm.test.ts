import { float16ToNumber, numberToFloat16 } from '@zai/tensor-core';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import { type Attrs, outputNames, runNodeTensors } from './run-node.js';

/** Runs one node through a native session; input names '' are omitted optional inputs. */
async function runOp(
  opType: string,
  inputs: readonly (Tensor | undefined)[],
  attrs: Attrs = {},
  opset = 22,
  outputs = 1,
): Promise<Tensor[]> {
  return runNodeTensors(opType, inputs, attrs, { opset, outputs: outputNames(outputs) });
}

const f32 = (values: readonly number[], dims: readonly number[]) =>
  new Tensor('float32', Float32Array.from(values), dims);
const i64 = (values: readonly number[], dims: readonly number[]) =>
  new Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);
const bool = (v: boolean) => new Tensor('bool', new Uint8Array([v ? 1 : 0]), []);
const values = (t: Tensor) => Array.from(t.data as Float32Array);

function close(actual: readonly number[], expected: readonly number[], tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (const [i, v] of actual.entries()) expect(v).toBeCloseTo(expected[i]!, -Math.log10(tol));
}

function softmaxRef(xs: readonly number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe('Softmax family', () => {
  it('opset 13 reduces the last axis by default and is stable for large inputs', async () => {
    const [y] = await runOp('Softmax', [f32([1, 2, 3, 1000, 1001, 1002], [2, 3])], {}, 13);
    expect(y!.dims).toEqual([2, 3]);
    const row = softmaxRef([1, 2, 3]);
    close(values(y!), [...row, ...row]);
  });

  it('opset 13 reduces a middle axis (strided)', async () => {
    const x = [0, 1, 2, 3, 4, 5, 6, 7]; // [2, 2, 2]
    const [y] = await runOp('Softmax', [f32(x, [2, 2, 2])], { axis: 1 }, 13);
    const a = softmaxRef([0, 2]);
    const b = softmaxRef([1, 3]);
    close(values(y!), [a[0]!, b[0]!, a[1]!, b[1]!, a[0]!, b[0]!, a[1]!, b[1]!]);
  });

  it('opset < 13 coerces the input to 2-D at axis', async () => {
    const x = [0, 1, 2, 3, 4, 5, 6, 7];
    const [y] = await runOp('Softmax', [f32(x, [2, 2, 2])], { axis: 1 }, 11);
    close(values(y!), [...softmaxRef([0, 1, 2, 3]), ...softmaxRef([4, 5, 6, 7])]);
    // Default axis 1 in the old semantics.
    const [z] = await runOp('LogSoftmax', [f32(x, [2, 2, 2])], {}, 1);
    close(values(z!), [...softmaxRef([0, 1, 2, 3]), ...softmaxRef([4, 5, 6, 7])].map(Math.log));
  });

  it('LogSoftmax matches log(softmax) on axis 0', async () => {
    const [y] = await runOp('LogSoftmax', [f32([1, 5, 2, -1], [2, 2])], { axis: 0 }, 13);
    const a = softmaxRef([1, 2]).map(Math.log);
    const b = softmaxRef([5, -1]).map(Math.log);
    close(values(y!), [a[0]!, b[0]!, a[1]!, b[1]!]);
  });

  it('Hardmax marks the first maximum', async () => {
    const [y] = await runOp('Hardmax', [f32([3, 1, 3, 0, 2, 2, 5, 5], [2, 4])], {}, 13);
    expect(values(y!)).toEqual([1, 0, 0, 0, 0, 0, 1, 0]);
    const [z] = await runOp('Hardmax', [f32([1, 2, 3, 0, 9, 2, 5, 5], [2, 2, 2])], { axis: 1 }, 11);
    expect(values(z!)).toEqual([0, 0, 1, 0, 1, 0, 0, 0]);
  });

  it('keeps float16 and float64 types', async () => {
    const h = new Tensor('float16', Uint16Array.from([0, 1, 2].map(numberToFloat16)), [3]);
    const [y] = await runOp('Softmax', [h], {}, 13);
    expect(y!.type).toBe('float16');
    close(Array.from(y!.data as Uint16Array, float16ToNumber), softmaxRef([0, 1, 2]), 1e-3);
    const d = new Tensor('float64', Float64Array.from([0, 1, 2]), [3]);
    const [z] = await runOp('Softmax', [d], {}, 13);
    expect(z!.type).toBe('float64');
    close(Array.from(z!.data as Float64Array), softmaxRef([0, 1, 2]), 1e-12);
  });

  it('rejects integer input with a typed error', async () => {
    const x = new Tensor('int32', Int32Array.from([1, 2]), [2]);
    await expect(runOp('Softmax', [x], {}, 13)).rejects.toMatchObject({ code: 'ZAI_TYPE' });
  });
});

describe('BatchNormalization', () => {
  const x = f32([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]); // N=2, C=2, D=2
  const scale = f32([1, 2], [2]);
  const bias = f32([0, 1], [2]);
  const mean = f32([1, 2], [2]);
  const variance = f32([4, 1], [2]);

  it('normalizes with the given statistics in inference mode', async () => {
    const [y] = await runOp('BatchNormalization', [x, scale, bias, mean, variance], { epsilon: 0 }, 15);
    // c0: (x - 1) / 2, c1: (x - 2) * 2 + 1
    close(values(y!), [0, 0.5, 3, 5, 2, 2.5, 11, 13]);
  });

  it('training_mode uses batch statistics and updates the running ones', async () => {
    const [y, rm, rv] = await runOp(
      'BatchNormalization',
      [x, scale, bias, mean, variance],
      { epsilon: 0, momentum: 0.5, training_mode: 1 },
      15,
      3,
    );
    // c0 values 1,2,5,6: mean 3.5, var 4.25; c1 values 3,4,7,8: mean 5.5, var 4.25
    const s = Math.sqrt(4.25);
    close(values(y!), [
      (1 - 3.5) / s,
      (2 - 3.5) / s,
      ((3 - 5.5) / s) * 2 + 1,
      ((4 - 5.5) / s) * 2 + 1,
      (5 - 3.5) / s,
      (6 - 3.5) / s,
      ((7 - 5.5) / s) * 2 + 1,
      ((8 - 5.5) / s) * 2 + 1,
    ]);
    close(values(rm!), [0.5 * 1 + 0.5 * 3.5, 0.5 * 2 + 0.5 * 5.5]);
    close(values(rv!), [0.5 * 4 + 0.5 * 4.25, 0.5 * 1 + 0.5 * 4.25]);
  });

  it('opset 7 spatial=0 uses one parameter per activation', async () => {
    const p = (v: number[]) => f32(v, [2, 2]);
    const [y] = await runOp(
      'BatchNormalization',
      [x, p([1, 1, 2, 2]), p([0, 0, 0, 1]), p([1, 2, 3, 4]), p([1, 1, 1, 1])],
      { epsilon: 0, spatial: 0 },
      7,
    );
    close(values(y!), [0, 0, 0, 1, 4, 4, 8, 9]);
  });

  it('accepts rank-1 input (C = 1) and rejects mis-sized parameters', async () => {
    const one = f32([1], [1]);
    const [y] = await runOp('BatchNormalization', [f32([1, 3], [2]), one, one, one, one], { epsilon: 0 }, 15);
    close(values(y!), [1, 3]);
    await expect(
      runOp('BatchNormalization', [x, f32([1, 2, 3], [3]), bias, mean, variance], {}, 15),
    ).rejects.toMatchObject({ code: 'ZAI_SHAPE' });
  });
});

describe('LayerNormalization / RMSNormalization', () => {
  it('normalizes trailing dims and returns Mean / InvStdDev shaped [.., 1]', async () => {
    const x = f32([1, 2, 3, 4, 2, 2, 2, 2], [2, 4]);
    const [y, m, inv] = await runOp(
      'LayerNormalization',
      [x, f32([1, 1, 2, 2], [4]), f32([0, 0, 0, 1], [4])],
      { epsilon: 0.01 },
      17,
      3,
    );
    const s = 1 / Math.sqrt(1.25 + 0.01);
    close(values(y!), [-1.5 * s, -0.5 * s, 2 * 0.5 * s, 2 * 1.5 * s + 1, 0, 0, 0, 1]);
    expect(m!.dims).toEqual([2, 1]);
    close(values(m!), [2.5, 2]);
    close(values(inv!), [s, 1 / Math.sqrt(0.01)], 1e-4);
  });

  it('axis 0 normalizes everything; bias is optional; scale broadcasts', async () => {
    const x = f32([1, 3, 5, 7], [2, 2]);
    const [y] = await runOp('LayerNormalization', [x, f32([2], [1])], { axis: 0, epsilon: 0 }, 17);
    const s = Math.sqrt(5);
    close(
      values(y!),
      [-3, -1, 1, 3].map((d) => (2 * d) / s),
    );
  });

  it('computes float16 inputs with float32 statistics', async () => {
    const h = (v: number[]) => new Tensor('float16', Uint16Array.from(v.map(numberToFloat16)), [v.length]);
    const [y, m] = await runOp('LayerNormalization', [h([0, 2]), h([1, 1])], { epsilon: 0 }, 17, 2);
    expect(y!.type).toBe('float16');
    expect(Array.from(y!.data as Uint16Array, float16ToNumber)).toEqual([-1, 1]);
    expect(m!.type).toBe('float32');
    expect(values(m!)).toEqual([1]);
  });

  it('RMSNormalization divides by the root mean square', async () => {
    const [y] = await runOp(
      'RMSNormalization',
      [f32([3, 4, 0, 0], [2, 2]), f32([1, 2], [2])],
      { epsilon: 0 },
      23,
    );
    const r = Math.sqrt(12.5);
    expect(values(y!).slice(0, 2)).toEqual([Math.fround(3 / r), Math.fround(8 / r)]);
    // An all-zero row with epsilon 0 divides 0 by 0.
    expect(Number.isNaN(values(y!)[2])).toBe(true);
  });
});

describe('Instance / Group normalization', () => {
  const x = f32([1, 3, 2, 6, 0, 4, 10, 10], [1, 4, 2]); // C = 4, 2 values each

  it('InstanceNormalization normalizes each (n, c)', async () => {
    const xi = f32([1, 3, 2, 6, 0, 4, 10, 12], [1, 4, 2]);
    const [y] = await runOp(
      'InstanceNormalization',
      [xi, f32([1, 2, 1, 3], [4]), f32([0, 0, 5, 0], [4])],
      { epsilon: 0 },
      22,
    );
    expect(values(y!)).toEqual([-1, 1, -2, 2, 4, 6, -3, 3]);
  });

  it('opset 21 scales per channel, opset 18 per group', async () => {
    const eps = { epsilon: 0, num_groups: 2 };
    // group 0: 1,3,2,6 mean 3 var 3.5; group 1: 0,4,10,10 mean 6 var 18
    const g0 = [1, 3, 2, 6].map((v) => (v - 3) / Math.sqrt(3.5));
    const g1 = [0, 4, 10, 10].map((v) => (v - 6) / Math.sqrt(18));
    const [y21] = await runOp(
      'GroupNormalization',
      [x, f32([1, 2, 1, 1], [4]), f32([0, 0, 0, 1], [4])],
      eps,
      21,
    );
    close(values(y21!), [g0[0]!, g0[1]!, 2 * g0[2]!, 2 * g0[3]!, ...g1.slice(0, 2), g1[2]! + 1, g1[3]! + 1]);
    const [y18] = await runOp('GroupNormalization', [x, f32([2, 1], [2]), f32([0, 1], [2])], eps, 18);
    close(values(y18!), [...g0.map((v) => 2 * v), ...g1.map((v) => v + 1)]);
    await expect(
      runOp('GroupNormalization', [x, f32([1, 1, 1], [3]), f32([1, 1, 1], [3])], eps, 21),
    ).rejects.toMatchObject({
      code: 'ZAI_SHAPE',
    });
  });
});

describe('LRN, MeanVarianceNormalization, LpNormalization', () => {
  it('LRN sums squares over a channel window', async () => {
    const x = f32([1, 2, 3], [1, 3, 1, 1]);
    const [y] = await runOp('LRN', [x], { size: 3, alpha: 3, beta: 1, bias: 1 }, 13);
    // window c0: {0,1} -> 1+4=5; c1: {0,1,2} -> 14; c2: {1,2} -> 13; alpha/size = 1
    close(values(y!), [1 / 6, 2 / 15, 3 / 14]);
  });

  it('MVN normalizes over axes [0, 2, 3] by default', async () => {
    const x = f32([1, 3, 10, 10, 5, 7, 20, 40], [2, 2, 1, 2]);
    const [y] = await runOp('MeanVarianceNormalization', [x], {}, 13);
    // channel 0: 1,3,5,7 mean 4 std sqrt(5); channel 1: 10,10,20,40 mean 20 std sqrt(150)
    const a = Math.sqrt(5);
    const b = Math.sqrt(150);
    close(values(y!), [-3 / a, -1 / a, -10 / b, -10 / b, 1 / a, 3 / a, 0, 20 / b]);
  });

  it('LpNormalization supports p = 1 and 2 and maps a zero norm to 0', async () => {
    const x = f32([3, 4, 0, 0], [2, 2]);
    const [y2] = await runOp('LpNormalization', [x], {}, 22);
    expect(values(y2!)).toEqual([0.6, 0.8, 0, 0].map(Math.fround));
    const [y1] = await runOp('LpNormalization', [x], { p: 1, axis: 0 }, 1);
    expect(values(y1!)).toEqual([1, 1, 0, 0]);
  });
});

describe('Dropout', () => {
  const x = f32([1, -2, 3, 4], [4]);

  it('is an identity with an all-true mask in inference', async () => {
    const [y, mask] = await runOp('Dropout', [x], {}, 22, 2);
    expect(values(y!)).toEqual([1, -2, 3, 4]);
    expect(mask!.type).toBe('bool');
    expect(Array.from(mask!.data as Uint8Array)).toEqual([1, 1, 1, 1]);
    const [z] = await runOp('Dropout', [x, f32([0.5], []), bool(false)], {}, 22);
    expect(values(z!)).toEqual([1, -2, 3, 4]);
  });

  it('opset < 10 returns a mask of the input type', async () => {
    const [, mask] = await runOp('Dropout', [x], { ratio: 0.3 }, 7, 2);
    expect(mask!.type).toBe('float32');
    expect(values(mask!)).toEqual([1, 1, 1, 1]);
  });

  it('training drops and rescales consistently with the mask', async () => {
    const [z] = await runOp('Dropout', [x, f32([0], []), bool(true)], {}, 22);
    expect(values(z!)).toEqual([1, -2, 3, 4]);
    const big = f32(
      Array.from({ length: 1000 }, () => 1),
      [1000],
    );
    const [y, mask] = await runOp('Dropout', [big, f32([0.25], []), bool(true)], { seed: 7 }, 22, 2);
    const m = Array.from(mask!.data as Uint8Array);
    for (const [i, v] of values(y!).entries()) expect(v).toBeCloseTo(m[i] ? 1 / 0.75 : 0, 6);
    const kept = m.reduce((a, b) => a + b, 0);
    expect(kept).toBeGreaterThan(650);
    expect(kept).toBeLessThan(850);
  });
});

describe('NegativeLogLikelihoodLoss / SoftmaxCrossEntropyLoss', () => {
  // The spec's examples: N=2, C=3, d1=2.
  const input = f32([1, 2, 2, 2, 3, 2, 0, 1, 2, 2, 1, 2], [2, 3, 2]);
  const target = i64([2, 1, 0, 2], [2, 2]);
  const weight = f32([0.2, 0.3, 0.1], [3]);

  it('computes none / sum / mean reductions with weights', async () => {
    const [none] = await runOp('NegativeLogLikelihoodLoss', [input, target], { reduction: 'none' }, 22);
    expect(none!.dims).toEqual([2, 2]);
    expect(values(none!)).toEqual([-3, -2, -0, -2]);
    const [sum] = await runOp('NegativeLogLikelihoodLoss', [input, target, weight], { reduction: 'sum' }, 13);
    expect(sum!.dims).toEqual([]);
    close(values(sum!), [-1.1]);
    const [mean] = await runOp('NegativeLogLikelihoodLoss', [input, target, weight], {}, 12);
    close(values(mean!), [-1.1 / 0.7]);
  });

  it('ignore_index zeroes a target and leaves it out of the mean', async () => {
    const t = i64([2, -1, 0, 2], [2, 2]);
    const [mean] = await runOp('NegativeLogLikelihoodLoss', [input, t], { ignore_index: -1 }, 22);
    close(values(mean!), [(-3 - 0 - 2) / 3]);
    await expect(runOp('NegativeLogLikelihoodLoss', [input, t], {}, 22)).rejects.toMatchObject({
      code: 'ZAI_INVALID_ARGUMENT',
    });
  });

  it('SoftmaxCrossEntropyLoss returns the loss and log_prob', async () => {
    const scores = f32([1, 2, 3, 0, 0, 0], [2, 3]);
    const labels = i64([2, 0], [2]);
    const [loss, logp] = await runOp(
      'SoftmaxCrossEntropyLoss',
      [scores, labels],
      { reduction: 'none' },
      13,
      2,
    );
    const a = softmaxRef([1, 2, 3]).map(Math.log);
    const b = softmaxRef([0, 0, 0]).map(Math.log);
    close(values(logp!), [...a, ...b]);
    close(values(loss!), [-a[2]!, -b[0]!]);
    const [mean] = await runOp('SoftmaxCrossEntropyLoss', [scores, labels, f32([1, 2, 3], [3])], {}, 12);
    close(values(mean!), [(-3 * a[2]! - 1 * b[0]!) / 4]);
  });
});
