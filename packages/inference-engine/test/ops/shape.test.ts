import { graph, model, node, tensorInfo } from '@zai/onnx-parser';
import { float16ArrayToFloat32, float32ArrayToFloat16 } from '@zai/tensor-core';
import { describe, expect, it } from 'vitest';
import { defaultRegistry, inferTypes, Tensor } from '../../src/index.js';
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

async function run1(opType: string, inputs: readonly (Tensor | undefined)[], attrs: Attrs = {}, opset = 25) {
  return (await runOp(opType, inputs, attrs, opset))[0]!;
}

const f32 = (values: readonly number[], dims: readonly number[] = [values.length]) =>
  new Tensor('float32', Float32Array.from(values), dims);
const i32 = (values: readonly number[], dims: readonly number[] = [values.length]) =>
  new Tensor('int32', Int32Array.from(values), dims);
const i64 = (values: readonly number[], dims: readonly number[] = [values.length]) =>
  new Tensor(
    'int64',
    BigInt64Array.from(values, (v) => BigInt(v)),
    dims,
  );
const str = (values: readonly string[], dims: readonly number[] = [values.length]) =>
  new Tensor('string', values.slice(), dims);
const bool = (values: readonly number[], dims: readonly number[] = [values.length]) =>
  new Tensor('bool', Uint8Array.from(values), dims);
const f16 = (values: readonly number[], dims: readonly number[] = [values.length]) =>
  new Tensor('float16', float32ArrayToFloat16(Float32Array.from(values)), dims);
const iota = (n: number) => Array.from({ length: n }, (_, i) => i);
const nums = (t: Tensor) => Array.from(t.data as ArrayLike<number | bigint>, Number);

describe('reshape family', () => {
  it('Reshape copies 0 dims, infers -1 and shares storage', async () => {
    const x = f32(iota(24), [2, 3, 4]);
    const y = await run1('Reshape', [x, i64([0, -1, 2])]);
    expect(y.dims).toEqual([2, 6, 2]);
    expect(y.data).toBe(x.data);
  });

  it('Reshape with allowzero keeps a literal 0, and opset 1 reads the shape attribute', async () => {
    const y = await run1('Reshape', [f32([], [0, 3]), i64([3, 0])], { allowzero: 1 });
    expect(y.dims).toEqual([3, 0]);
    const z = await run1('Reshape', [f32(iota(6), [2, 3])], { shape: [3, -1] }, 1);
    expect(z.dims).toEqual([3, 2]);
  });

  it('Reshape names the shapes when the element counts differ', async () => {
    await expect(run1('Reshape', [f32(iota(6), [2, 3]), i64([4, 2])])).rejects.toThrow(
      'cannot reshape [2,3] (6 elements) to [4,2]',
    );
  });

  it('Squeeze and Unsqueeze read axes from attributes before 13 and inputs after', async () => {
    const x = str(['a', 'b', 'c'], [1, 3, 1]);
    expect((await run1('Squeeze', [x], { axes: [0] }, 11)).dims).toEqual([3, 1]);
    expect((await run1('Squeeze', [x, i64([-1])])).dims).toEqual([1, 3]);
    expect((await run1('Squeeze', [x])).dims).toEqual([3]);
    expect((await run1('Unsqueeze', [f32([1, 2]), i64([2, 0])])).dims).toEqual([1, 2, 1]);
    expect((await run1('Unsqueeze', [f32([1, 2])], { axes: [1] }, 11)).dims).toEqual([2, 1]);
    await expect(run1('Squeeze', [x, i64([1])])).rejects.toThrow('dimension 1 of [1,3,1] is 3, not 1');
  });

  it('Flatten, Shape with start/end, and Size', async () => {
    const x = f32(iota(24), [2, 3, 4]);
    expect((await run1('Flatten', [x], { axis: 0 })).dims).toEqual([1, 24]);
    expect((await run1('Flatten', [x], { axis: -1 })).dims).toEqual([6, 4]);
    expect(nums(await run1('Shape', [x], { start: -2 }))).toEqual([3, 4]);
    expect(nums(await run1('Shape', [x], { start: 2, end: 1 }))).toEqual([]);
    const s = await run1('Size', [x]);
    expect(s.type).toBe('int64');
    expect(s.dims).toEqual([]);
    expect(nums(s)).toEqual([24]);
  });
});

describe('constants and generators', () => {
  it('Constant from value_ints, value_strings and value_float', async () => {
    const a = await run1('Constant', [], { value_ints: [3, -1] });
    expect(a.type).toBe('int64');
    expect(nums(a)).toEqual([3, -1]);
    const b = await run1('Constant', [], { value_strings: ['x', 'y'] });
    expect(b.data).toEqual(['x', 'y']);
    const c = await run1('Constant', [], { value_float: { float: 2.5 } });
    expect(c.dims).toEqual([]);
    expect(nums(c)).toEqual([2.5]);
  });

  it('ConstantOfShape fills with the value attribute, float32 0 by default', async () => {
    const y = await run1('ConstantOfShape', [i64([2, 2])], { value: i32([7], [1]) });
    expect(y.type).toBe('int32');
    expect(nums(y)).toEqual([7, 7, 7, 7]);
    const z = await run1('ConstantOfShape', [i64([3])]);
    expect(z.type).toBe('float32');
    expect(nums(z)).toEqual([0, 0, 0]);
  });

  it('EyeLike places ones on diagonal k in the requested type', async () => {
    const y = await run1('EyeLike', [f32(iota(6), [2, 3])], { k: 1, dtype: 7 });
    expect(y.type).toBe('int64');
    expect(nums(y)).toEqual([0, 1, 0, 0, 0, 1]);
    const h = await run1('EyeLike', [f16([0, 0, 0, 0], [2, 2])]);
    expect(Array.from(h.data as Uint16Array)).toEqual([0x3c00, 0, 0, 0x3c00]);
  });

  it('Range counts ceil((limit - start) / delta) values for int64 and float', async () => {
    const s = (v: number) => i64([v], []);
    expect(nums(await run1('Range', [s(10), s(4), s(-3)]))).toEqual([10, 7]);
    const f = (v: number) => f32([v], []);
    expect(nums(await run1('Range', [f(1), f(2), f(0.25)]))).toEqual([1, 1.25, 1.5, 1.75]);
    const h = await run1('Range', [f16([0], []), f16([1], []), f16([0.5], [])]);
    expect(Array.from(float16ArrayToFloat32(h.data as Uint16Array))).toEqual([0, 0.5]);
  });
});

describe('layout', () => {
  it('Transpose moves bigints, strings and float16 bits unchanged', async () => {
    const y = await run1('Transpose', [i64(iota(6), [2, 3])]);
    expect(y.dims).toEqual([3, 2]);
    expect(nums(y)).toEqual([0, 3, 1, 4, 2, 5]);
    const s = await run1('Transpose', [str(['a', 'b', 'c', 'd', 'e', 'f'], [1, 2, 3])], { perm: [2, 0, 1] });
    expect(s.dims).toEqual([3, 1, 2]);
    expect(s.data).toEqual(['a', 'd', 'b', 'e', 'c', 'f']);
    const h = f16([1, 2, 3, 4], [2, 2]);
    const t = await run1('Transpose', [h]);
    const bits = h.data as Uint16Array;
    expect(Array.from(t.data as Uint16Array)).toEqual([bits[0], bits[2], bits[1], bits[3]]);
  });

  it('Transpose agrees with a naive permutation on tiled shapes', async () => {
    const dims = [3, 9, 40, 17];
    const n = dims.reduce((a, b) => a * b, 1);
    const x = i32(iota(n), dims);
    for (const perm of [
      [3, 2, 1, 0],
      [0, 3, 2, 1],
      [2, 0, 3, 1],
    ]) {
      const y = await run1('Transpose', [x], { perm });
      const od = perm.map((p) => dims[p]!);
      const expected: number[] = [];
      const inStrides = [9 * 40 * 17, 40 * 17, 17, 1];
      const pos = [0, 0, 0, 0];
      for (let k = 0; k < n; k++) {
        expected.push(pos.reduce((acc, v, i) => acc + v * inStrides[perm[i]!]!, 0));
        for (let d = 3; d >= 0; d--) {
          if (++pos[d]! < od[d]!) break;
          pos[d] = 0;
        }
      }
      expect(y.dims).toEqual(od);
      expect(nums(y)).toEqual(expected);
    }
  });

  it('Transpose of packed int4 repacks two per byte', async () => {
    // values [[1, 2, 3], [-1, -2, -3]] packed low nibble first
    const x = new Tensor('int4', Uint8Array.of(0x21, 0xf3, 0xde), [2, 3]);
    const y = await run1('Transpose', [x]);
    expect(y.type).toBe('int4');
    expect(Array.from(y.data as Uint8Array)).toEqual([0xf1, 0xe2, 0xd3]);
  });

  it('DepthToSpace in DCR and CRD order, SpaceToDepth inverts DCR', async () => {
    const x = f32(iota(8), [1, 8, 1, 1]);
    const dcr = await run1('DepthToSpace', [x], { blocksize: 2 });
    expect(dcr.dims).toEqual([1, 2, 2, 2]);
    expect(nums(dcr)).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
    const crd = await run1('DepthToSpace', [x], { blocksize: 2, mode: 'CRD' });
    expect(nums(crd)).toEqual(iota(8));
    const back = await run1('SpaceToDepth', [dcr], { blocksize: 2 });
    expect(back.dims).toEqual([1, 8, 1, 1]);
    expect(nums(back)).toEqual(iota(8));
  });

  it('Concat joins strings and bools, and opset 1 defaults to axis 1', async () => {
    const y = await run1('Concat', [str(['a', 'b'], [2, 1]), str(['c', 'd'], [2, 1])], { axis: -1 });
    expect(y.data).toEqual(['a', 'c', 'b', 'd']);
    const b = await run1('Concat', [bool([1], [1, 1]), bool([0, 1], [1, 2])], {}, 1);
    expect(b.dims).toEqual([1, 3]);
    expect(nums(b)).toEqual([1, 0, 1]);
    await expect(run1('Concat', [f32([1], [1, 1]), f32([1, 2], [2, 1])], { axis: 1 })).rejects.toThrow(
      'cannot join [2,1] with [1,1] on axis 1',
    );
  });

  it('Split by num_outputs (uneven), by attribute (opset 2) and by input (opset 13)', async () => {
    const x = i64(iota(7));
    const parts = await runOp('Split', [x], { num_outputs: 3 }, 18, 3);
    expect(parts.map(nums)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    const a = await runOp('Split', [f32(iota(6), [2, 3])], { axis: 1, split: [1, 2] }, 2, 2);
    expect(a.map((t) => t.dims)).toEqual([
      [2, 1],
      [2, 2],
    ]);
    expect(nums(a[1]!)).toEqual([1, 2, 4, 5]);
    const b = await runOp('Split', [x, i64([5, 2])], {}, 13, 2);
    expect(b.map(nums)).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6],
    ]);
  });

  it('Slice with negative steps, clamped bounds and opset 1 attributes', async () => {
    const x = f32(iota(12), [3, 4]);
    const y = await run1('Slice', [x, i64([100, -1]), i64([-100, 0]), i64([0, 1]), i64([-2, -1])]);
    expect(y.dims).toEqual([2, 3]);
    expect(nums(y)).toEqual([11, 10, 9, 3, 2, 1]);
    const z = await run1('Slice', [x], { starts: [1], ends: [1000], axes: [1] }, 1);
    expect(nums(z)).toEqual([1, 2, 3, 5, 6, 7, 9, 10, 11]);
    const e = await run1('Slice', [x, i64([2]), i64([1])]);
    expect(e.dims).toEqual([0, 4]);
  });
});

describe('indexing', () => {
  it('Gather with negative indices on strings and inner runs', async () => {
    const y = await run1('Gather', [str(['a', 'b', 'c']), i64([-1, 0], [1, 2])]);
    expect(y.dims).toEqual([1, 2]);
    expect(y.data).toEqual(['c', 'a']);
    const z = await run1('Gather', [f32(iota(40), [2, 20]), i32([1])]);
    expect(nums(z)).toEqual(iota(20).map((v) => v + 20));
    await expect(run1('Gather', [f32([1, 2]), i64([2])])).rejects.toThrow('index 2 is out of range');
  });

  it('GatherElements and GatherND with batch_dims', async () => {
    const x = f32([1, 2, 3, 4], [2, 2]);
    expect(nums(await run1('GatherElements', [x, i64([0, 0, 1, 0], [2, 2])], { axis: 1 }))).toEqual([
      1, 1, 4, 3,
    ]);
    const d = i32(iota(8), [2, 2, 2]);
    const y = await run1('GatherND', [d, i64([1, 0, 0, 1], [2, 2])], { batch_dims: 1 });
    expect(y.dims).toEqual([2]);
    expect(nums(y)).toEqual([2, 5]);
    const z = await run1('GatherND', [d, i64([1], [1, 1])]);
    expect(z.dims).toEqual([1, 2, 2]);
    expect(nums(z)).toEqual([4, 5, 6, 7]);
  });

  it('ScatterElements reductions, including float16 and bool', async () => {
    const data = f32([1, 2, 3, 4, 5]);
    const idx = i64([1, 1, -1]);
    const upd = f32([10, 20, 7]);
    expect(nums(await run1('ScatterElements', [data, idx, upd], { reduction: 'add' }))).toEqual([
      1, 32, 3, 4, 12,
    ]);
    expect(nums(await run1('ScatterElements', [data, idx, upd], { reduction: 'min' }))).toEqual([
      1, 2, 3, 4, 5,
    ]);
    const h = await run1('ScatterElements', [f16([1, 2]), i64([0]), f16([0.5])], { reduction: 'mul' });
    expect(Array.from(float16ArrayToFloat32(h.data as Uint16Array))).toEqual([0.5, 2]);
    const b = await run1(
      'ScatterElements',
      [bool([0, 1]), i64([0, 1]), bool([1, 0])],
      { reduction: 'mul' },
      16,
    );
    expect(nums(b)).toEqual([0, 0]);
    const old = await run1('Scatter', [i64([0, 0, 0]), i64([2]), i64([9])], {}, 9);
    expect(nums(old)).toEqual([0, 0, 9]);
  });

  it('ScatterND writes slices and reduces with max', async () => {
    const data = i64(iota(4), [2, 2]);
    const y = await run1('ScatterND', [data, i64([1], [1, 1]), i64([8, 9], [1, 2])]);
    expect(nums(y)).toEqual([0, 1, 8, 9]);
    const m = await run1('ScatterND', [data, i64([0, 1, 0, 1], [2, 2]), i64([5, -5])], { reduction: 'max' });
    expect(nums(m)).toEqual([0, 5, 2, 3]);
    expect(nums(data)).toEqual([0, 1, 2, 3]);
  });

  it('TensorScatter writes at per-batch positions, wrapping in circular mode', async () => {
    const past = f32(new Array<number>(8).fill(0), [2, 4, 1]);
    const upd = f32([1, 2, 3, 4], [2, 2, 1]);
    const y = await run1('TensorScatter', [past, upd, i64([1, 3])], { mode: 'circular' });
    expect(nums(y)).toEqual([0, 1, 2, 0, 4, 0, 0, 3]);
  });

  it('OneHot with negative and out-of-range indices along an axis', async () => {
    const y = await run1('OneHot', [i64([-1, 5, 0]), f32([3], []), i32([0, 1])], { axis: 0 });
    expect(y.type).toBe('int32');
    expect(y.dims).toEqual([3, 3]);
    expect(nums(y)).toEqual([0, 0, 1, 0, 0, 0, 1, 0, 0]);
  });
});

describe('padding, tiling and masks', () => {
  it('Expand broadcasts both ways and Tile repeats every axis', async () => {
    const y = await run1('Expand', [str(['a', 'b'], [2, 1]), i64([1, 3])]);
    expect(y.dims).toEqual([2, 3]);
    expect(y.data).toEqual(['a', 'a', 'a', 'b', 'b', 'b']);
    const t = await run1('Tile', [i64([1, 2], [1, 2]), i64([2, 2])]);
    expect(nums(t)).toEqual([1, 2, 1, 2, 1, 2, 1, 2]);
    const old = await run1('Tile', [f32([1, 2], [1, 2]), f32([3], []), f32([0], [])], {}, 1);
    expect(old.dims).toEqual([3, 2]);
  });

  it('Pad in every mode, with negative pads cropping', async () => {
    const x = f32([1, 2, 3]);
    const pads = i64([2, 1]);
    expect(nums(await run1('Pad', [x, pads, f32([9], [])]))).toEqual([9, 9, 1, 2, 3, 9]);
    expect(nums(await run1('Pad', [x, pads], { mode: 'reflect' }))).toEqual([3, 2, 1, 2, 3, 2]);
    expect(nums(await run1('Pad', [x, pads], { mode: 'edge' }))).toEqual([1, 1, 1, 2, 3, 3]);
    expect(nums(await run1('Pad', [x, pads], { mode: 'wrap' }))).toEqual([2, 3, 1, 2, 3, 1]);
    expect(nums(await run1('Pad', [x, i64([-1, 1])]))).toEqual([2, 3, 0]);
    const old = await run1('Pad', [f32([1, 2], [1, 2])], { pads: [0, 1, 0, 0], value: { float: 5 } }, 2);
    expect(nums(old)).toEqual([5, 1, 2]);
  });

  it('Pad on one axis of a string tensor and CenterCropPad', async () => {
    const y = await run1('Pad', [str(['a', 'b'], [1, 2]), i64([1, 0]), undefined, i64([0])]);
    expect(y.dims).toEqual([2, 2]);
    expect(y.data).toEqual(['', '', 'a', 'b']);
    const c = await run1('CenterCropPad', [f32(iota(5)), i64([2])]);
    expect(nums(c)).toEqual([1, 2]);
    const p = await run1('CenterCropPad', [f32([1, 2]), i64([5])]);
    expect(nums(p)).toEqual([0, 1, 2, 0, 0]);
  });

  it('Compress, NonZero, Trilu and ReverseSequence', async () => {
    const x = f32(iota(6), [3, 2]);
    expect(nums(await run1('Compress', [x, bool([0, 1, 1])], { axis: 0 }))).toEqual([2, 3, 4, 5]);
    expect(nums(await run1('Compress', [x, bool([0, 1, 0, 1])]))).toEqual([1, 3]);
    const nz = await run1('NonZero', [f16([0, -0, 2, 0], [2, 2])]);
    expect(nz.dims).toEqual([2, 1]);
    expect(nums(nz)).toEqual([1, 0]);
    const m = i64(
      iota(9).map((v) => v + 1),
      [3, 3],
    );
    expect(nums(await run1('Trilu', [m, i64([-1], [])], { upper: 0 }))).toEqual([0, 0, 0, 4, 0, 0, 7, 8, 0]);
    expect(nums(await run1('Trilu', [m]))).toEqual([1, 2, 3, 0, 5, 6, 0, 0, 9]);
    const seq = f32(iota(6), [3, 2]);
    const r = await run1('ReverseSequence', [seq, i64([3, 1])], { time_axis: 0, batch_axis: 1 });
    expect(nums(r)).toEqual([4, 1, 2, 3, 0, 5]);
  });

  it('Unique sorted and in first-occurrence order, with all four outputs', async () => {
    const x = f32([2, 1, 1, 3, 4, 3]);
    const [y, idx, inv, counts] = await runOp('Unique', [x], { sorted: 0 }, 11, 4);
    expect(nums(y!)).toEqual([2, 1, 3, 4]);
    expect(nums(idx!)).toEqual([0, 1, 3, 4]);
    expect(nums(inv!)).toEqual([0, 1, 1, 2, 3, 2]);
    expect(nums(counts!)).toEqual([1, 2, 2, 1]);
    const rows = i64([1, 0, 0, 0, 1, 0, 1, 0], [4, 2]);
    const [u, , ui, uc] = await runOp('Unique', [rows], { axis: 0 }, 11, 4);
    expect(u!.dims).toEqual([2, 2]);
    expect(nums(u!)).toEqual([0, 0, 1, 0]);
    expect(nums(ui!)).toEqual([1, 0, 1, 1]);
    expect(nums(uc!)).toEqual([1, 3]);
  });
});

describe('shape inference', () => {
  it('carries a symbolic batch dim through Reshape, Transpose, Concat, Gather and Unsqueeze', () => {
    const g = graph({
      nodes: [
        node('Reshape', ['x', 'shape'], ['r']),
        node('Transpose', ['r'], ['t'], { perm: [1, 0, 2] }),
        node('Concat', ['x', 'x'], ['c'], { axis: 2 }),
        node('Gather', ['x', 'idx'], ['g'], { axis: 1 }),
        node('Unsqueeze', ['x', 'axes'], ['u']),
        node('Flatten', ['x'], ['f']),
        node('Shape', ['x'], ['s'], { start: 1 }),
      ],
      inputs: [tensorInfo('x', 'float16', ['N', 3, 4]), tensorInfo('idx', 'int64', [5])],
      outputs: [tensorInfo('t', 'float16')],
      initializers: { shape: i64([0, -1, 2]), axes: i64([-1]) },
    });
    const r = inferTypes(model(g, [{ domain: '', version: 21 }]), defaultRegistry).byName;
    const t = (shape: (number | string)[]) => ({ kind: 'tensor', elemType: 'float16', shape });
    expect(r.get('r')).toEqual(t(['N', 6, 2]));
    expect(r.get('t')).toEqual(t([6, 'N', 2]));
    expect(r.get('c')).toEqual(t(['N', 3, 8]));
    expect(r.get('g')).toEqual(t(['N', 5, 4]));
    expect(r.get('u')).toEqual(t(['N', 3, 4, 1]));
    expect(r.get('f')).toEqual(t(['N', 12]));
    expect(r.get('s')).toEqual({ kind: 'tensor', elemType: 'int64', shape: [2] });
  });
});
