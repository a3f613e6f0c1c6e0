import { float16ArrayToFloat32, float32ArrayToFloat16 } from '@zai/tensor-core';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import { type Attrs, outputNames, runNodeTensors } from './run-node.js';

/** Runs one node through a native session; undefined inputs are omitted optional inputs. */
async function runOp(
  opType: string,
  inputs: readonly (Tensor | undefined)[],
  attrs: Attrs = {},
  opset = 25,
  outputs = 1,
): Promise<Tensor[]> {
  return runNodeTensors(opType, inputs, attrs, { opset, outputs: outputNames(outputs) });
}

const f32 = (values: readonly number[], dims: readonly number[] = [values.length]) =>
  new Tensor('float32', Float32Array.from(values), dims);
const i32 = (values: readonly number[], dims: readonly number[] = [values.length]) =>
  new Tensor('int32', Int32Array.from(values), dims);
const i64 = (values: readonly number[], dims: readonly number[] = [values.length]) =>
  new Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);
const nums = (t: Tensor) => Array.from(t.data as ArrayLike<number>);
const bigs = (t: Tensor) => Array.from(t.data as BigInt64Array, Number);
const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

function close(actual: readonly number[], expected: readonly number[], digits = 4): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) expect(actual[i]).toBeCloseTo(expected[i]!, digits);
}

describe('Reduce*', () => {
  const x = f32(
    iota(24).map((v) => v - 7),
    [2, 3, 4],
  );

  it('reduces non-adjacent axes in one pass (axes input, opset 18)', async () => {
    const [y] = await runOp('ReduceSum', [x, i64([0, 2])], { keepdims: 0 });
    // sum over b and k of (b*12 + j*4 + k - 7)
    const expected = [0, 1, 2].map((j) => {
      let s = 0;
      for (let b = 0; b < 2; b++) for (let k = 0; k < 4; k++) s += b * 12 + j * 4 + k - 7;
      return s;
    });
    expect(y!.dims).toEqual([3]);
    expect(nums(y!)).toEqual(expected);
    const [m] = await runOp('ReduceMax', [x, i64([-1, 0])], { keepdims: 1 });
    expect(m!.dims).toEqual([1, 3, 1]);
    expect(nums(m!)).toEqual([8, 12, 16]);
  });

  it('reads axes from the attribute before opset 13/18 and reduces all when absent', async () => {
    const [s] = await runOp('ReduceSum', [x], { axes: [1] }, 11);
    expect(s!.dims).toEqual([2, 1, 4]);
    expect(nums(s!)).toEqual([-9, -6, -3, 0, 27, 30, 33, 36]);
    const [mean] = await runOp('ReduceMean', [x], { keepdims: 0 }, 13);
    expect(mean!.dims).toEqual([]);
    expect(nums(mean!)).toEqual([4.5]);
  });

  it('applies noop_with_empty_axes, still squaring / logging', async () => {
    const v = f32([1, -2, 3], [3]);
    const [same] = await runOp('ReduceSum', [v, i64([], [0])], { noop_with_empty_axes: 1 }, 13);
    expect(nums(same!)).toEqual([1, -2, 3]);
    const [sq] = await runOp('ReduceSumSquare', [v], { noop_with_empty_axes: 1 }, 18);
    expect(nums(sq!)).toEqual([1, 4, 9]);
    const [all] = await runOp('ReduceL1', [v, i64([], [0])], {}, 18);
    expect(nums(all!)).toEqual([6]);
  });

  it('gives the identity on empty sets', async () => {
    const e = f32([], [2, 0]);
    const ax = i64([1]);
    const cases: [string, number][] = [
      ['ReduceSum', 0],
      ['ReduceProd', 1],
      ['ReduceMax', Number.NEGATIVE_INFINITY],
      ['ReduceMin', Number.POSITIVE_INFINITY],
      ['ReduceLogSum', Number.NEGATIVE_INFINITY],
      ['ReduceLogSumExp', Number.NEGATIVE_INFINITY],
      ['ReduceL2', 0],
    ];
    for (const [op, v] of cases) {
      const [y] = await runOp(op, [e, ax], { keepdims: 0 }, 18);
      expect(y!.dims).toEqual([2]);
      expect(nums(y!)).toEqual([v, v]);
    }
    const [im] = await runOp('ReduceMax', [i32([], [0])], { keepdims: 0 }, 18);
    expect(nums(im!)).toEqual([-2147483648]);
  });

  it('keeps LogSumExp finite for large values and exact for -inf rows', async () => {
    const v = f32([1000, 1000, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY], [2, 2]);
    const [y] = await runOp('ReduceLogSumExp', [v, i64([1])], { keepdims: 0 }, 18);
    close([nums(y!)[0]!], [1000 + Math.LN2]);
    expect(nums(y!)[1]).toBe(Number.NEGATIVE_INFINITY);
  });

  it('handles integer, bool and float16 inputs', async () => {
    const [mean] = await runOp('ReduceMean', [i32([1, 2, 4, 7], [2, 2])], { axes: [1] }, 13);
    expect(mean!.type).toBe('int32');
    expect(nums(mean!)).toEqual([1, 5]);
    const [prod] = await runOp('ReduceProd', [i64([3, -4, 5, 1e6, 1e6, 1e6])], { keepdims: 0 }, 13);
    expect(prod!.type).toBe('int64');
    expect((prod!.data as BigInt64Array)[0]).toBe(BigInt.asIntN(64, -60n * 10n ** 18n));
    const b = new Tensor('bool', Uint8Array.from([1, 0, 1, 1]), [2, 2]);
    const [mn] = await runOp('ReduceMin', [b, i64([1])], {}, 20);
    expect(mn!.type).toBe('bool');
    expect(Array.from(mn!.data as Uint8Array)).toEqual([0, 1]);
    const h = new Tensor('float16', float32ArrayToFloat16(Float32Array.from([0.5, 1.5, 2, 4])), [4]);
    const [hs] = await runOp('ReduceL2', [h], { keepdims: 0 }, 13);
    expect(hs!.type).toBe('float16');
    close(Array.from(float16ArrayToFloat32(hs!.data as Uint16Array)), [Math.sqrt(0.25 + 2.25 + 4 + 16)], 2);
  });
});

describe('ArgMax / ArgMin', () => {
  it('picks first or last ties along an inner axis', async () => {
    const x = f32([1, 5, 5, 2, 0, 0], [2, 3]);
    const [first] = await runOp('ArgMax', [x], { axis: 1 }, 13);
    expect(first!.dims).toEqual([2, 1]);
    expect(bigs(first!)).toEqual([1, 0]);
    const [last] = await runOp('ArgMax', [x], { axis: -1, keepdims: 0, select_last_index: 1 }, 13);
    expect(bigs(last!)).toEqual([2, 0]);
    const [mn] = await runOp('ArgMin', [x], { axis: 1, select_last_index: 1 }, 13);
    expect(bigs(mn!)).toEqual([0, 2]);
  });

  it('reduces an outer axis of int64 data', async () => {
    const [y] = await runOp('ArgMin', [i64([4, -9, 3, 2, 8, 3], [3, 2])], { keepdims: 0 }, 11);
    expect(y!.dims).toEqual([2]);
    expect(bigs(y!)).toEqual([1, 0]);
  });
});

describe('CumSum / CumProd', () => {
  it('scans an axis forward, reversed and exclusive', async () => {
    const x = f32([1, 2, 3, 4, 5, 6], [2, 3]);
    const [a] = await runOp('CumSum', [x, i32([1], [])], {}, 14);
    expect(nums(a!)).toEqual([1, 3, 6, 4, 9, 15]);
    const [b] = await runOp('CumSum', [x, i64([0], [])], { reverse: 1, exclusive: 1 }, 14);
    expect(nums(b!)).toEqual([4, 5, 6, 0, 0, 0]);
    const [c] = await runOp('CumProd', [i64([2, 3, 4]), i32([-1], [])], { exclusive: 1 }, 26);
    expect(c!.type).toBe('int64');
    expect(bigs(c!)).toEqual([1, 2, 6]);
  });
});

describe('TopK', () => {
  const x = f32([3, 1, 3, 2, 9, 9, 0, 9], [2, 4]);

  it('returns the largest k sorted, ties by lower index', async () => {
    const [v, i] = await runOp('TopK', [x, i64([3])], {}, 11, 2);
    expect(v!.dims).toEqual([2, 3]);
    expect(nums(v!)).toEqual([3, 3, 2, 9, 9, 9]);
    expect(bigs(i!)).toEqual([0, 2, 3, 0, 1, 3]);
  });

  it('returns the smallest along axis 0, and reads k from the attribute at opset 1', async () => {
    const [v, i] = await runOp('TopK', [x, i64([1])], { axis: 0, largest: 0 }, 11, 2);
    expect(nums(v!)).toEqual([3, 1, 0, 2]);
    expect(bigs(i!)).toEqual([0, 0, 1, 0]);
    const [v1] = await runOp('TopK', [x], { k: 2 }, 1, 2);
    expect(nums(v1!)).toEqual([3, 3, 9, 9]);
  });

  it('selects from long rows with a small k', async () => {
    const n = 1000;
    const data = iota(n).map((i) => (i * 7919) % n);
    const [v, i] = await runOp('TopK', [i32(data), i64([4])], {}, 11, 2);
    expect(nums(v!)).toEqual([999, 998, 997, 996]);
    expect(bigs(i!).map((j) => data[j])).toEqual([999, 998, 997, 996]);
  });
});

describe('Einsum', () => {
  const a = f32(iota(6), [2, 3]);
  const b = f32(
    iota(12).map((v) => v - 3),
    [3, 4],
  );

  it('contracts in implicit form (matmul) and explicit transposed output', async () => {
    const [y] = await runOp('Einsum', [a, b], { equation: 'ij,jk' }, 12);
    const expected: number[] = [];
    for (let i = 0; i < 2; i++)
      for (let k = 0; k < 4; k++) {
        let s = 0;
        for (let j = 0; j < 3; j++) s += (i * 3 + j) * (j * 4 + k - 3);
        expected.push(s);
      }
    expect(y!.dims).toEqual([2, 4]);
    expect(nums(y!)).toEqual(expected);
    const [t] = await runOp('Einsum', [a, b], { equation: 'ij, jk -> ki' }, 12);
    expect(t!.dims).toEqual([4, 2]);
    expect(nums(t!)[1]).toBe(expected[4]);
  });

  it('walks diagonals and traces', async () => {
    const m = f32(iota(9), [3, 3]);
    const [d] = await runOp('Einsum', [m], { equation: 'ii->i' }, 12);
    expect(nums(d!)).toEqual([0, 4, 8]);
    const [tr] = await runOp('Einsum', [m], { equation: 'ii' }, 12);
    expect(tr!.dims).toEqual([]);
    expect(nums(tr!)).toEqual([12]);
  });

  it('broadcasts ellipsis dims and multiplies three operands', async () => {
    const x = f32([1, 2, 3, 4], [2, 1, 2]);
    const w = f32([1, 10, 100, 1000], [2, 2]);
    const [y] = await runOp('Einsum', [x, w], { equation: '...j,jk->...k' }, 12);
    expect(y!.dims).toEqual([2, 1, 2]);
    expect(nums(y!)).toEqual([201, 2010, 403, 4030]);
    const v = f32([1, 2, 3]);
    const [s] = await runOp('Einsum', [v, v, v], { equation: 'i,i,i->' }, 12);
    expect(nums(s!)).toEqual([36]);
  });
});

describe('Det', () => {
  it('computes batched determinants with pivoting', async () => {
    const x = f32([0, 2, 1, 1, 0, 3, 4, 1, 0, 1, 2, 2, 4, 0, 0, 0, 0, 0], [2, 3, 3]);
    const [y] = await runOp('Det', [x], {}, 22);
    expect(y!.dims).toEqual([2]);
    // first: 0*(0-3) - 2*(0-12) + 1*(1-0) = 25; second has a zero row
    close(nums(y!), [25, 0]);
  });
});
