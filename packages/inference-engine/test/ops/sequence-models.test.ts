import type { DataType } from '@zai/common';
import { type GraphIR, graph, node, tensorInfo } from '@zai/onnx-parser';
import { float16ToNumber, numberToFloat16 } from '@zai/tensor-core';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import { type Attrs, outputNames, runNodeTensors } from './run-node.js';

const PREVIEW = 'ai.onnx.preview';

/** Runs one node through a native session; undefined inputs are omitted optional inputs. */
async function runOp(
  opType: string,
  inputs: readonly (Tensor | undefined)[],
  attrs: Attrs = {},
  outputs = 1,
  domain = '',
): Promise<Tensor[]> {
  return runNodeTensors(opType, inputs, attrs, { opset: 27, domain, outputs: outputNames(outputs) });
}

const f32 = (values: readonly number[], dims: readonly number[]) =>
  new Tensor('float32', Float32Array.from(values), dims);
const f64 = (values: readonly number[], dims: readonly number[]) =>
  new Tensor('float64', Float64Array.from(values), dims);
const f16 = (values: readonly number[], dims: readonly number[]) =>
  new Tensor('float16', Uint16Array.from(values.map(numberToFloat16)), dims);
const values = (t: Tensor) =>
  t.type === 'float16'
    ? Array.from(t.data as Uint16Array, float16ToNumber)
    : Array.from(t.data as Float32Array);

function close(actual: readonly number[], expected: readonly number[], tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (const [i, v] of actual.entries()) expect(v).toBeCloseTo(expected[i]!, -Math.log10(tol));
}

const silu = (x: number) => x / (1 + Math.exp(-x));

describe('CausalConvWithState', () => {
  const run = (inputs: (Tensor | undefined)[], attrs: Attrs = {}) =>
    runOp('CausalConvWithState', inputs, attrs, 2);

  it('zero-pads the causal window and carries the last k - 1 inputs', async () => {
    const [y, state] = await run([f32([1, 2, 3, 4], [1, 1, 4]), f32([1, 1, 1], [1, 1, 3])]);
    expect(y!.dims).toEqual([1, 1, 4]);
    // padded [0, 0, 1, 2, 3, 4], three-tap sums
    expect(values(y!)).toEqual([1, 3, 6, 9]);
    expect(state!.dims).toEqual([1, 1, 2]);
    expect(values(state!)).toEqual([3, 4]);
  });

  it('reads past_state in front of the input and adds a per-channel bias', async () => {
    const x = f32([1, 2, 3, 4, 1, 1, 1, 1], [1, 2, 4]);
    const w = f32([1, 2, 3, 0, 0, 1], [2, 1, 3]);
    const past = f32([10, 20, 7, 8], [1, 2, 2]);
    const [y, state] = await run([x, w, f32([0, 100], [2]), past]);
    // c0: padded [10, 20, 1, 2, 3, 4] with taps 1, 2, 3; c1: [7, 8, 1, 1, 1, 1], last tap + 100
    expect(values(y!)).toEqual([53, 28, 14, 20, 101, 101, 101, 101]);
    expect(values(state!)).toEqual([3, 4, 1, 1]);
  });

  it('keeps padding in the state when the input is shorter than k - 1', async () => {
    const w = f32([1, 1, 1, 1], [1, 1, 4]);
    const [y, state] = await run([f32([5], [1, 1, 1]), w, undefined, f32([1, 2, 3], [1, 1, 3])]);
    expect(values(y!)).toEqual([11]);
    expect(values(state!)).toEqual([2, 3, 5]);
    const [, zeroState] = await run([f32([5], [1, 1, 1]), w]);
    expect(values(zeroState!)).toEqual([0, 0, 5]);
  });

  it('applies silu / swish and handles kernel size one with an empty state', async () => {
    const x = f32([0, 1, -2], [1, 1, 3]);
    const w = f32([2], [1, 1, 1]);
    for (const activation of ['silu', 'swish']) {
      const [y, state] = await run([x, w], { activation });
      close(values(y!), [0, silu(2), silu(-4)]);
      expect(state!.dims).toEqual([1, 1, 0]);
    }
  });

  it('computes float16 in float32 and returns float16', async () => {
    const [y, state] = await run([f16([0.5, 1.5], [1, 1, 2]), f16([2, 1], [1, 1, 2])], {
      activation: 'silu',
    });
    expect(y!.type).toBe('float16');
    expect(state!.type).toBe('float16');
    close(values(y!), [silu(0.5), silu(2.5)], 1e-3);
    expect(values(state!)).toEqual([1.5]);
  });

  it('rejects a weight that is not (channels, 1, k) and unknown activations', async () => {
    await expect(run([f32([1, 2], [1, 2, 1]), f32([1, 1], [1, 1, 2])])).rejects.toMatchObject({
      code: 'ZAI_SHAPE',
    });
    await expect(run([f32([1], [1, 1, 1]), f32([1], [1, 1, 1])], { activation: 'relu' })).rejects.toThrow(
      /activation/,
    );
  });
});

describe('LinearAttention', () => {
  const run = (inputs: (Tensor | undefined)[], attrs: Attrs) =>
    runOp('LinearAttention', inputs, { q_num_heads: 1, kv_num_heads: 1, scale: { float: 1 }, ...attrs }, 2);
  // B = 1, T = 2, one head, d_k = 2, d_v = 1
  const q = f32([1, 0, 1, 1], [1, 2, 2]);
  const k = f32([1, 1, 0, 1], [1, 2, 2]);
  const v = f32([2, 3], [1, 2, 1]);

  it('linear: accumulates k ⊗ v and reads qᵀ S after each update', async () => {
    const [y, state] = await run([q, k, v], { update_rule: 'linear' });
    // S1 = [2, 2], o1 = 2; S2 = [2, 5], o2 = 7
    expect(y!.dims).toEqual([1, 2, 1]);
    expect(values(y!)).toEqual([2, 7]);
    expect(state!.dims).toEqual([1, 1, 2, 1]);
    expect(values(state!)).toEqual([2, 5]);
  });

  it('defaults the scale to 1 / sqrt(d_k)', async () => {
    const [y] = await runOp(
      'LinearAttention',
      [q, k, v],
      { q_num_heads: 1, kv_num_heads: 1, update_rule: 'linear' },
      2,
    );
    close(values(y!), [2 / Math.SQRT2, 7 / Math.SQRT2]);
  });

  it('gated: decays per key dimension or per head', async () => {
    const h = Math.log(0.5);
    const [perKey, perKeyState] = await run([q, k, v, undefined, f32([h, h, h, 0], [1, 2, 2])], {
      update_rule: 'gated',
    });
    // S2 = [2 * 0.5, 2 * 1] + [0, 3]
    expect(values(perKey!)).toEqual([2, 6]);
    expect(values(perKeyState!)).toEqual([1, 5]);
    const [perHead] = await run([q, k, v, undefined, f32([h, h], [1, 2, 1])], { update_rule: 'gated' });
    // S2 = [1, 1] + [0, 3]
    expect(values(perHead!)).toEqual([2, 5]);
  });

  it('delta: writes β (v - Sᵀ k) from the past state', async () => {
    const one = (x: number[]) => f32(x, [1, 1, x.length]);
    const past = f32([4, 0], [1, 1, 2, 1]);
    const [y, state] = await run([one([1, 0]), one([1, 0]), one([2]), past, undefined, one([0.5])], {
      update_rule: 'delta',
    });
    // retrieved 4, update 0.5 * (2 - 4) = -1
    expect(values(y!)).toEqual([3]);
    expect(values(state!)).toEqual([3, 0]);
    // gated_delta retrieves from the decayed state: [2, 0], update 0
    const [g, gs] = await run(
      [one([1, 0]), one([1, 0]), one([2]), past, one([Math.log(0.5)]), one([0.5])],
      {},
    );
    close(values(g!), [2]);
    close(values(gs!), [2, 0]);
  });

  it('shares each KV head and its state with a group of query heads (GQA / MQA)', async () => {
    // T = 1, 4 query heads over 2 KV heads, d_k = d_v = 1
    const [y, state] = await run(
      [f32([1, 2, 3, 4], [1, 1, 4]), f32([1, 1], [1, 1, 2]), f32([10, 20], [1, 1, 2])],
      { update_rule: 'linear', q_num_heads: 4, kv_num_heads: 2 },
    );
    expect(values(y!)).toEqual([10, 20, 60, 80]);
    expect(state!.dims).toEqual([1, 2, 1, 1]);
    expect(values(state!)).toEqual([10, 20]);
  });

  it('broadcasts a (B, T, 1) beta over the KV heads', async () => {
    const z = f32([0, 0], [1, 1, 2]);
    const [y] = await run(
      [
        f32([1, 1], [1, 1, 2]),
        f32([1, 1], [1, 1, 2]),
        f32([2, 4], [1, 1, 2]),
        undefined,
        z,
        f32([0.5], [1, 1, 1]),
      ],
      {
        kv_num_heads: 2,
        q_num_heads: 2,
      },
    );
    expect(values(y!)).toEqual([1, 2]);
  });

  it('computes float16 in float32; present_state takes past_state type', async () => {
    const past = f32([1, 0], [1, 1, 2, 1]);
    const [y, state] = await run(
      [f16([1, 1], [1, 1, 2]), f16([0, 1], [1, 1, 2]), f16([3], [1, 1, 1]), past],
      {
        update_rule: 'linear',
      },
    );
    expect(y!.type).toBe('float16');
    expect(values(y!)).toEqual([4]);
    expect(state!.type).toBe('float32');
    expect(values(state!)).toEqual([1, 3]);
  });

  it('needs decay for the gated rules and a multiple of kv heads', async () => {
    await expect(run([q, k, v], { update_rule: 'gated' })).rejects.toThrow(/decay/);
    await expect(run([q, k, v], { update_rule: 'linear', q_num_heads: 3, kv_num_heads: 2 })).rejects.toThrow(
      /multiple/,
    );
  });
});

describe('FlexAttention', () => {
  /** A one-node modifier graph over a (B, H, L, S) tensor of `type`. */
  function modGraph(op: string, constant: Tensor, type: DataType = 'float32', constFirst = false): GraphIR {
    return graph({
      name: 'mod',
      nodes: [node(op, constFirst ? ['c', 'x'] : ['x', 'c'], ['y'])],
      inputs: [tensorInfo('x', type, ['B', 'H', 'L', 'S'])],
      outputs: [tensorInfo('y', type, ['B', 'H', 'L', 'S'])],
      initializers: { c: constant },
    });
  }
  const run = (inputs: Tensor[], attrs: Attrs = {}) => runOp('FlexAttention', inputs, attrs, 1, PREVIEW);
  // B = H = 1, L = 2, S = 2, E = 1
  const q = f32([1, 0], [1, 1, 2, 1]);
  const k = f32([0, Math.log(3)], [1, 1, 2, 1]);
  const v = f32([4, 8], [1, 1, 2, 1]);

  it('softmax(Q Kᵀ * scale) V with an explicit scale', async () => {
    const [y] = await run([q, k, v], { scale: { float: 1 } });
    // row 0: probs [1/4, 3/4] -> 7; row 1: uniform -> 6
    expect(y!.dims).toEqual([1, 1, 2, 1]);
    close(values(y!), [7, 6]);
  });

  it('defaults the scale to 1 / sqrt(head_size) and allows a wider V', async () => {
    // E = 4: q · k0 = 0, q · k1 = 2 ln 3, scaled by 1/2
    const q4 = f32([1, 1, 0, 0], [1, 1, 1, 4]);
    const k4 = f32([0, 0, 0, 0, Math.log(3), Math.log(3), 0, 0], [1, 1, 2, 4]);
    const [y] = await run([q4, k4, f32([4, 0, 8, 1], [1, 1, 2, 2])]);
    close(values(y!), [7, 0.75]);
  });

  it('maps contiguous query heads onto shared KV heads', async () => {
    const q2 = f32([1, 0, 0, 0, 1, 0, 0, 0], [1, 4, 2, 1]);
    const k2 = f32([0, Math.log(3), 0, 0], [1, 2, 2, 1]);
    const v2 = f32([4, 8, 1, 3], [1, 2, 2, 1]);
    const [y] = await run([q2, k2, v2], { scale: { float: 1 } });
    // heads 0-1 read KV head 0, heads 2-3 KV head 1 (uniform scores)
    close(values(y!), [7, 6, 6, 6, 2, 2, 2, 2]);
  });

  it('score_mod masks with -inf and prob_mod rescales probabilities', async () => {
    const causal = f32([0, Number.NEGATIVE_INFINITY, 0, 0], [1, 1, 2, 2]);
    const [masked] = await run([q, k, v], { scale: { float: 1 }, score_mod: modGraph('Add', causal) });
    close(values(masked!), [4, 6]);
    const [halved] = await run([q, k, v], { scale: { float: 1 }, prob_mod: modGraph('Mul', f32([0.5], [])) });
    close(values(halved!), [3.5, 3]);
    const [shifted] = await run([q, k, v], {
      scale: { float: 1 },
      score_mod: modGraph('Add', f32([100], [])),
    });
    close(values(shifted!), [7, 6]);
  });

  it('runs float64 inputs and softmax_precision = double in float64', async () => {
    const [y] = await run(
      [f64([1, 0], [1, 1, 2, 1]), f64([0, Math.log(3)], [1, 1, 2, 1]), f64([4, 8], [1, 1, 2, 1])],
      {
        scale: { float: 1 },
      },
    );
    expect(y!.type).toBe('float64');
    close(Array.from(y!.data as Float64Array), [7, 6], 1e-12);
    // the score_mod sees float64 scores only when softmax_precision asks for them
    const mod = modGraph('Mul', f64([1], []), 'float64');
    const [z] = await run([q, k, v], { scale: { float: 1 }, softmax_precision: 11, score_mod: mod });
    expect(z!.type).toBe('float32');
    close(values(z!), [7, 6]);
    await expect(run([q, k, v], { scale: { float: 1 }, score_mod: mod })).rejects.toThrow();
  });

  it('keeps float16 inputs as float16', async () => {
    const [y] = await run(
      [f16([1, 0], [1, 1, 2, 1]), f16([0, Math.log(3)], [1, 1, 2, 1]), f16([4, 8], [1, 1, 2, 1])],
      {
        scale: { float: 1 },
      },
    );
    expect(y!.type).toBe('float16');
    close(values(y!), [7, 6], 1e-2);
  });

  it('rejects a modifier that changes the shape and mismatched heads', async () => {
    const reduce = graph({
      name: 'mod',
      nodes: [node('ReduceSum', ['x'], ['y'], { keepdims: 1 })],
      inputs: [tensorInfo('x', 'float32')],
      outputs: [tensorInfo('y', 'float32')],
    });
    await expect(run([q, k, v], { score_mod: reduce })).rejects.toMatchObject({ code: 'ZAI_SHAPE' });
    const q3 = f32([1, 2, 3, 4, 5, 6], [1, 3, 2, 1]);
    await expect(run([q3, f32([1, 2, 3, 4], [1, 2, 2, 1]), f32([1, 2, 3, 4], [1, 2, 2, 1])])).rejects.toThrow(
      /multiple/,
    );
  });
});
