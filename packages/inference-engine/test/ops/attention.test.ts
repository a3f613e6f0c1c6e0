import { type DataType, ShapeError } from '@zai/common';
import { graph, model, node, tensorInfo } from '@zai/onnx-parser';
import { float16ToNumber, numberToFloat16 } from '@zai/tensor-core';
import { describe, expect, it } from 'vitest';
import { defaultRegistry, inferTypes, Tensor } from '../../src/index.js';
import { type Attrs, runNode } from './run-node.js';

/**
 * Runs one node through a native session. Undefined inputs are omitted
 * optional inputs; `outputs` lists the node's output slots, '' for unused ones.
 */
async function runOp(
  opType: string,
  inputs: readonly (Tensor | undefined)[],
  attrs: Attrs = {},
  opset = 23,
  outputs: readonly string[] = ['y'],
): Promise<Record<string, Tensor>> {
  const type = (inputs[0]?.type ?? 'float32') as DataType;
  return (await runNode(opType, inputs, attrs, {
    opset,
    outputs,
    outputTypes: outputs.map(() => type),
  })) as Record<string, Tensor>;
}

const f32 = (values: readonly number[], dims: readonly number[]) =>
  new Tensor('float32', Float32Array.from(values), dims);
const f16 = (values: readonly number[], dims: readonly number[]) =>
  new Tensor('float16', Uint16Array.from(values, numberToFloat16), dims);
const i64 = (values: readonly number[], dims: readonly number[]) =>
  new Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);
const bools = (values: readonly boolean[], dims: readonly number[]) =>
  new Tensor('bool', Uint8Array.from(values, Number), dims);
const zeros = (dims: readonly number[]) => f32(new Array(dims.reduce((a, b) => a * b, 1)).fill(0), dims);
const values = (t: Tensor) =>
  t.type === 'float16'
    ? Array.from(t.data as Uint16Array, float16ToNumber)
    : Array.from(t.data as Float32Array);

function close(actual: readonly number[], expected: readonly number[], digits = 5): void {
  expect(actual.length).toBe(expected.length);
  for (const [i, v] of actual.entries()) expect(v).toBeCloseTo(expected[i]!, digits);
}

/** Mean of the rows [from, to) of a row-major matrix with `width` columns. */
function meanRows(m: readonly number[], width: number, from: number, to: number): number[] {
  const out = new Array<number>(width).fill(0);
  for (let r = from; r < to; r++) for (let c = 0; c < width; c++) out[c]! += m[r * width + c]! / (to - from);
  return out;
}

// With Q = 0 every score is 0, so the softmax is uniform over the attended keys
// and each output row is the mean of the V rows it may see.
const V3 = [1, 2, 3, 4, 5, 6]; // 3 keys x 2

describe('Attention', () => {
  it('averages V when the scores are uniform (4-D, one head)', async () => {
    const { y } = await runOp('Attention', [
      zeros([1, 1, 2, 2]),
      f32([1, 0, 0, 1, 1, 1], [1, 1, 3, 2]),
      f32(V3, [1, 1, 3, 2]),
    ]);
    expect(y!.dims).toEqual([1, 1, 2, 2]);
    close(values(y!), [3, 4, 3, 4]);
  });

  it('applies the default scale 1/sqrt(head_size) and the scale attribute', async () => {
    // Q.K = [4, 0]; default scale 1/2 → softmax([2, 0]); scale 0.25 → softmax([1, 0]).
    const q = f32([2, 2, 0, 0], [1, 1, 1, 4]);
    const k = f32([1, 1, 0, 0, 0, 0, 0, 0], [1, 1, 2, 4]);
    const v = f32([1, 0, 0, 0, 0, 1, 0, 0], [1, 1, 2, 4]);
    const w = (s: number) => [Math.exp(s) / (Math.exp(s) + 1), 1 / (Math.exp(s) + 1)];
    close(values((await runOp('Attention', [q, k, v])).y!), [...w(2), 0, 0]);
    close(values((await runOp('Attention', [q, k, v], { scale: 0.25 })).y!), [...w(1), 0, 0]);
  });

  it('is_causal masks future keys (lower triangle)', async () => {
    const { y } = await runOp(
      'Attention',
      [zeros([1, 1, 3, 2]), zeros([1, 1, 3, 2]), f32(V3, [1, 1, 3, 2])],
      {
        is_causal: 1,
      },
    );
    close(values(y!), [...meanRows(V3, 2, 0, 1), ...meanRows(V3, 2, 0, 2), ...meanRows(V3, 2, 0, 3)]);
  });

  it('appends past_key / past_value and aligns the causal mask bottom-right', async () => {
    const past = f32([1, 2], [1, 1, 1, 2]);
    const k = zeros([1, 1, 2, 2]);
    const v = f32([3, 4, 5, 6], [1, 1, 2, 2]);
    const r = await runOp(
      'Attention',
      [zeros([1, 1, 2, 2]), k, v, undefined, past, past],
      { is_causal: 1 },
      23,
      ['y', 'pk', 'pv'],
    );
    expect(r.pk!.dims).toEqual([1, 1, 3, 2]);
    close(values(r.pk!), [1, 2, 0, 0, 0, 0]);
    close(values(r.pv!), V3);
    // Query 0 sees the past key and key 0; query 1 sees all three.
    close(values(r.y!), [...meanRows(V3, 2, 0, 2), ...meanRows(V3, 2, 0, 3)]);
  });

  it('maps q heads to kv heads in groups (GQA), 4-D and 3-D', async () => {
    // 4 q heads, 2 kv heads: q heads 0, 1 read kv head 0 (V = 1), q heads 2, 3 kv head 1 (V = 2).
    const v4 = f32([1, 1, 1, 1, 2, 2, 2, 2], [1, 2, 2, 2]);
    const { y } = await runOp('Attention', [zeros([1, 4, 1, 2]), zeros([1, 2, 2, 2]), v4]);
    expect(y!.dims).toEqual([1, 4, 1, 2]);
    close(values(y!), [1, 1, 1, 1, 2, 2, 2, 2]);
    // Packed [batch, seq, heads * size]: one key whose kv head 0 holds 1s and kv head 1 holds 2s.
    const v3 = f32([1, 1, 2, 2], [1, 1, 4]);
    const r = await runOp('Attention', [zeros([1, 2, 8]), zeros([1, 1, 4]), v3], {
      q_num_heads: 4,
      kv_num_heads: 2,
    });
    expect(r.y!.dims).toEqual([1, 2, 8]);
    close(values(r.y!), [1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1, 2, 2, 2, 2]);
  });

  it('adds a float mask and pads a short mask with -inf', async () => {
    // Mask [0, ln 3] over 2 of the 3 keys: weights 1/4, 3/4, 0.
    const mask = f32([0, Math.log(3)], [1, 2]);
    const { y } = await runOp('Attention', [
      zeros([1, 1, 1, 2]),
      zeros([1, 1, 3, 2]),
      f32(V3, [1, 1, 3, 2]),
      mask,
    ]);
    close(values(y!), [0.25 * 1 + 0.75 * 3, 0.25 * 2 + 0.75 * 4]);
  });

  it('gives a zero row, not NaN, when a bool mask masks every key', async () => {
    const mask = bools([false, false, false, true, false, true], [2, 3]);
    const r = await runOp(
      'Attention',
      [zeros([1, 1, 2, 2]), zeros([1, 1, 3, 2]), f32(V3, [1, 1, 3, 2]), mask],
      { qk_matmul_output_mode: 3 },
      23,
      ['y', '', '', 'qk'],
    );
    close(values(r.y!), [0, 0, 3, 4]);
    close(values(r.qk!), [0, 0, 0, 0.5, 0, 0.5]);
  });

  it('reports the scores at each qk_matmul_output_mode, softcap before the mask', async () => {
    // Scores (scale 1): [2, 0]; softcap 1 → [tanh 2, 0]; mask [0, -1].
    const q = f32([1, 0], [1, 1, 1, 2]);
    const k = f32([2, 0, 0, 0], [1, 1, 2, 2]);
    const v = f32([1, 0, 0, 1], [1, 1, 2, 2]);
    const mask = f32([0, -1], [1, 2]);
    const t = Math.tanh(2);
    const p = Math.exp(t) / (Math.exp(t) + Math.exp(-1));
    const expected = [
      [2, 0],
      [t, 0],
      [t, -1],
      [p, 1 - p],
    ];
    for (const [mode, want] of expected.entries()) {
      const r = await runOp(
        'Attention',
        [q, k, v, mask],
        { scale: { float: 1 }, softcap: { float: 1 }, qk_matmul_output_mode: mode },
        23,
        ['y', '', '', 'qk'],
      );
      close(values(r.qk!), want);
      close(values(r.y!), [p, 1 - p]);
    }
  });

  it('nonpad_kv_seqlen masks padding keys and offsets the causal frontier (opset 24)', async () => {
    // 4 cache slots, 3 valid; 2 queries → offset 1: query 0 sees keys 0-1, query 1 keys 0-2.
    const v = f32([1, 2, 3, 4, 5, 6, 1000, 1000], [1, 1, 4, 2]);
    const r = await runOp(
      'Attention',
      [zeros([1, 1, 2, 2]), zeros([1, 1, 4, 2]), v, undefined, undefined, undefined, i64([3], [1])],
      { is_causal: 1 },
      24,
    );
    close(values(r.y!), [...meanRows(V3, 2, 0, 2), ...meanRows(V3, 2, 0, 3)]);
    // More queries than valid keys: the leading rows attend nothing and are zero.
    const e = await runOp(
      'Attention',
      [zeros([1, 1, 3, 2]), zeros([1, 1, 4, 2]), v, undefined, undefined, undefined, i64([1], [1])],
      { is_causal: 1 },
      24,
    );
    close(values(e.y!), [0, 0, 0, 0, 1, 2]);
  });

  it('limits each query to its sliding window (opset 25)', async () => {
    const { y } = await runOp(
      'Attention',
      [zeros([1, 1, 3, 2]), zeros([1, 1, 3, 2]), f32(V3, [1, 1, 3, 2])],
      { left_window_size: 1, right_window_size: 0 },
      25,
    );
    close(values(y!), [...meanRows(V3, 2, 0, 1), ...meanRows(V3, 2, 0, 2), ...meanRows(V3, 2, 1, 3)]);
  });

  it('computes float16 in float32 and returns float16', async () => {
    const { y } = await runOp('Attention', [
      f16([0, 0], [1, 1, 1, 2]),
      f16([0, 0, 0, 0], [1, 1, 2, 2]),
      f16([1, 2, 3, 4], [1, 1, 2, 2]),
    ]);
    expect(y!.type).toBe('float16');
    close(values(y!), [2, 3], 3);
  });

  it('rejects q heads that are not a multiple of kv heads', async () => {
    await expect(
      runOp('Attention', [zeros([1, 3, 1, 2]), zeros([1, 2, 1, 2]), zeros([1, 2, 1, 2])]),
    ).rejects.toThrow(ShapeError);
  });

  it('infers output shapes for 3-D inputs with a past cache', () => {
    const g = graph({
      nodes: [
        node('Attention', ['q', 'k', 'v', '', 'pk', 'pv'], ['y', 'ok', 'ov', 'qk'], {
          q_num_heads: 4,
          kv_num_heads: 2,
        }),
      ],
      inputs: [
        tensorInfo('q', 'float32', ['B', 5, 32]),
        tensorInfo('k', 'float32', ['B', 5, 16]),
        tensorInfo('v', 'float32', ['B', 5, 12]),
        tensorInfo('pk', 'float32', ['B', 2, 7, 8]),
        tensorInfo('pv', 'float32', ['B', 2, 7, 6]),
      ],
      outputs: [tensorInfo('y', 'float32')],
    });
    const r = inferTypes(model(g, [{ domain: '', version: 23 }]), defaultRegistry).byName;
    expect(r.get('y')).toEqual({ kind: 'tensor', elemType: 'float32', shape: ['B', 5, 24] });
    expect(r.get('ok')).toEqual({ kind: 'tensor', elemType: 'float32', shape: ['B', 2, 12, 8] });
    expect(r.get('ov')).toEqual({ kind: 'tensor', elemType: 'float32', shape: ['B', 2, 12, 6] });
    expect(r.get('qk')).toEqual({ kind: 'tensor', elemType: 'float32', shape: ['B', 4, 5, 12] });
  });
});

describe('RotaryEmbedding', () => {
  // cos 0 / sin 1 (a quarter turn) at position 1, identity at position 0.
  const cos = f32([1, 1, 0, 0], [2, 2]);
  const sin = f32([0, 0, 1, 1], [2, 2]);

  it('rotates the two halves of each head by the angle of its position', async () => {
    const x = f32([1, 2, 3, 4, 1, 2, 3, 4], [1, 1, 2, 4]); // [batch, heads, seq, head]
    const { y } = await runOp('RotaryEmbedding', [x, cos, sin, i64([0, 1], [1, 2])]);
    // Position 1: (x1, x2) → (-x2, x1) pairwise over halves [1, 2] / [3, 4].
    close(values(y!), [1, 2, 3, 4, -3, -4, 1, 2]);
  });

  it('pairs neighbours when interleaved, and leaves dims past rotary_embedding_dim', async () => {
    const x = f32([1, 2, 3, 4, 5, 6], [1, 1, 1, 6]);
    const c = f32([0, 0], [1, 2]);
    const s = f32([1, 1], [1, 2]);
    const { y } = await runOp('RotaryEmbedding', [x, c, s, i64([0], [1, 1])], {
      interleaved: 1,
      rotary_embedding_dim: 4,
    });
    close(values(y!), [-2, 1, -4, 3, 5, 6]);
  });

  it('takes 3-D input with num_heads and per-token caches without position_ids', async () => {
    // [batch 1, seq 1, 2 heads x 2]; cache [batch, seq, 1]: a quarter turn for both heads.
    const x = f32([1, 2, 3, 4], [1, 1, 4]);
    const { y } = await runOp('RotaryEmbedding', [x, f32([0], [1, 1, 1]), f32([1], [1, 1, 1])], {
      num_heads: 2,
    });
    close(values(y!), [-2, 1, -4, 3]);
  });

  it('rejects position ids outside the cache', async () => {
    const x = f32([1, 2, 3, 4], [1, 1, 1, 4]);
    await expect(runOp('RotaryEmbedding', [x, cos, sin, i64([2], [1, 1])])).rejects.toThrow(ShapeError);
  });
});

describe('SwiGLU', () => {
  it('multiplies swish(a) by b, with alpha inside the sigmoid', async () => {
    const a = f32([0, 1, -2, 3], [2, 2]);
    const b = f32([5, 2, 1, -1], [2, 2]);
    const swish = (x: number, al: number) => x / (1 + Math.exp(-al * x));
    close(values((await runOp('SwiGLU', [a, b], {}, 28)).y!), [
      0,
      2 * swish(1, 1),
      swish(-2, 1),
      -swish(3, 1),
    ]);
    close(values((await runOp('SwiGLU', [a, b], { alpha: 0.5 }, 28)).y!), [
      0,
      2 * swish(1, 0.5),
      swish(-2, 0.5),
      -swish(3, 0.5),
    ]);
  });

  it('rejects inputs of different shapes', async () => {
    await expect(runOp('SwiGLU', [f32([1, 2], [2]), f32([1, 2], [1, 2])], {}, 28)).rejects.toThrow(
      ShapeError,
    );
  });
});
