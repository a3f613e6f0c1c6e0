import { ONNX_ELEMENT_TYPE } from '@zai/common';
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
const u8 = (values: readonly number[], dims: readonly number[] = [values.length]) =>
  new Tensor('uint8', Uint8Array.from(values), dims);
const bytes = (t: Tensor) => Array.from(t.data as Uint8Array);
const nums = (t: Tensor) => Array.from(t.data as ArrayLike<number>);
const T = ONNX_ELEMENT_TYPE;

describe('Cast', () => {
  it('casts float to float8 with and without saturation', async () => {
    const x = f32([1, 448, 1e6, Number.NaN, Number.NEGATIVE_INFINITY, -1e-7]);
    const [sat] = await runOp('Cast', [x], { to: T.float8e4m3fn });
    expect(sat!.type).toBe('float8e4m3fn');
    expect(bytes(sat!)).toEqual([0x38, 0x7e, 0x7e, 0x7f, 0xfe, 0x80]);
    const [raw] = await runOp('Cast', [x], { to: T.float8e4m3fn, saturate: 0 });
    expect(bytes(raw!)).toEqual([0x38, 0x7e, 0x7f, 0x7f, 0xff, 0x80]);
    const [e5] = await runOp('Cast', [x], { to: T.float8e5m2, saturate: 0 });
    expect(bytes(e5!)).toEqual([0x3c, 0x5f, 0x7c, 0x7e, 0xfc, 0x80]);
  });

  it('ignores saturate before opset 19 (it did not exist) and reads string types at opset 1', async () => {
    const [y] = await runOp('Cast', [f32([1.7, -2.2])], { to: 'INT32' }, 1);
    expect(y!.type).toBe('int32');
    expect(nums(y!)).toEqual([1, -2]);
  });

  it('casts to float8e8m0 with round_mode', async () => {
    const x = f32([1.5, 0.124, 3]);
    const [up] = await runOp('Cast', [x], { to: T.float8e8m0 });
    expect(bytes(up!)).toEqual([128, 124, 129]);
    const [down] = await runOp('Cast', [x], { to: T.float8e8m0, round_mode: 'down' });
    expect(bytes(down!)).toEqual([127, 123, 128]);
    const [nearest] = await runOp('Cast', [x], { to: T.float8e8m0, round_mode: 'nearest' });
    expect(bytes(nearest!)).toEqual([128, 124, 129]);
  });

  it('packs int4 and wraps out-of-range integers', async () => {
    const [y] = await runOp('Cast', [f32([-9, -8, 7, 8, 1])], { to: T.int4 });
    expect(y!.type).toBe('int4');
    expect(bytes(y!)).toEqual([0x87, 0x87, 0x01]);
    const [back] = await runOp('Cast', [y!], { to: T.int8 });
    expect(nums(back!)).toEqual([7, -8, 7, -8, 1]);
  });

  it('round-trips strings', async () => {
    const [s] = await runOp('Cast', [f32([0.5, -3, Number.POSITIVE_INFINITY])], { to: T.string });
    expect(s!.data).toEqual(['0.5', '-3.0', 'INF']);
    const [v] = await runOp('Cast', [s!], { to: T.float64 });
    expect(nums(v!)).toEqual([0.5, -3, Number.POSITIVE_INFINITY]);
  });

  it('CastLike takes the type of its second input', async () => {
    const [y] = await runOp('CastLike', [f32([1.5, 1e6]), new Tensor('float16', new Uint16Array(1), [1])]);
    expect(y!.type).toBe('float16');
    expect(Array.from(y!.data as Uint16Array)).toEqual([0x3e00, 0x7c00]);
    const [z] = await runOp('CastLike', [f32([1e6]), new Tensor('float8e5m2fnuz', new Uint8Array(1), [1])], {
      saturate: 0,
    });
    expect(bytes(z!)).toEqual([0x80]);
  });
});

describe('BitCast', () => {
  it('reinterprets bits between types of one width', async () => {
    const [y] = await runOp('BitCast', [f32([1, -2], [2, 1])], { to: T.int32 }, 26);
    expect(y!.type).toBe('int32');
    expect(y!.dims).toEqual([2, 1]);
    expect(nums(y!)).toEqual([0x3f800000, -0x40000000]);
    const [h] = await runOp(
      'BitCast',
      [new Tensor('uint16', Uint16Array.from([0x3c00]), [1])],
      { to: T.float16 },
      26,
    );
    expect(Array.from(h!.data as Uint16Array)).toEqual([0x3c00]);
  });
  it('rejects types of different widths', async () => {
    await expect(runOp('BitCast', [f32([1])], { to: T.int64 }, 26)).rejects.toThrow(/width/);
  });
});

describe('QuantizeLinear', () => {
  it('rounds half to even, adds the zero point and saturates', async () => {
    const x = f32([0, 1, 2, 3, 5, -300, 1000, -1]);
    const [y] = await runOp('QuantizeLinear', [x, f32([2], []), u8([128], [])]);
    expect(nums(y!)).toEqual([128, 128, 129, 130, 130, 0, 255, 128]);
    const [i8] = await runOp('QuantizeLinear', [
      x,
      f32([2], []),
      new Tensor('int8', Int8Array.from([0]), []),
    ]);
    expect(nums(i8!)).toEqual([0, 0, 1, 2, 2, -128, 127, 0]);
  });

  it('defaults to uint8 without a zero point', async () => {
    const [y] = await runOp('QuantizeLinear', [f32([-1, 3]), f32([1], [])], {}, 10);
    expect(y!.type).toBe('uint8');
    expect(nums(y!)).toEqual([0, 3]);
  });

  it('quantizes per axis and per block', async () => {
    const x = f32([1, 2, 3, 4, 5, 6], [2, 3]);
    const [axis] = await runOp('QuantizeLinear', [x, f32([1, 2]), u8([0, 10])], { axis: 0 });
    expect(nums(axis!)).toEqual([1, 2, 3, 12, 12, 13]);
    const [blocked] = await runOp(
      'QuantizeLinear',
      [x, f32([1, 2, 1, 4], [2, 2]), u8([0, 0, 0, 0], [2, 2])],
      {
        axis: 1,
        block_size: 2,
      },
    );
    expect(nums(blocked!)).toEqual([1, 2, 2, 4, 5, 2]);
  });

  it('quantizes to int4 (saturating) and float8', async () => {
    const x = f32([-20, -1, 3, 20, 1]);
    const [q4] = await runOp('QuantizeLinear', [x, f32([1], []), new Tensor('int4', new Uint8Array(1), [])]);
    expect(q4!.type).toBe('int4');
    expect(bytes(q4!)).toEqual([0xf8, 0x73, 0x01]);
    const [f8] = await runOp('QuantizeLinear', [
      f32([1, 1e6]),
      f32([1], []),
      new Tensor('float8e4m3fn', new Uint8Array(1), [1]),
    ]);
    expect(bytes(f8!)).toEqual([0x38, 0x7e]);
  });

  it('uses output_dtype when no zero point is given', async () => {
    const [y] = await runOp('QuantizeLinear', [f32([5, -5]), f32([1], [])], { output_dtype: T.uint2 }, 25);
    expect(y!.type).toBe('uint2');
    expect(bytes(y!)).toEqual([0x03]);
  });
});

describe('DequantizeLinear', () => {
  it('computes (x - zero_point) * scale per tensor and per axis', async () => {
    const [y] = await runOp('DequantizeLinear', [u8([0, 128, 255]), f32([0.5], []), u8([128], [])]);
    expect(nums(y!)).toEqual([-64, 0, 63.5]);
    const [ax] = await runOp('DequantizeLinear', [u8([1, 2, 3, 4], [2, 2]), f32([1, 10]), u8([0, 1])], {
      axis: 0,
    });
    expect(nums(ax!)).toEqual([1, 2, 20, 30]);
  });

  it('dequantizes int4 and float8 inputs, and honours output_dtype', async () => {
    const x4 = new Tensor('int4', Uint8Array.from([0x8f, 0x07]), [3]);
    const [y] = await runOp('DequantizeLinear', [x4, f32([2], [])]);
    expect(nums(y!)).toEqual([-2, -16, 14]);
    const x8 = new Tensor('float8e4m3fn', Uint8Array.from([0x38, 0x7e]), [2]);
    const [h] = await runOp('DequantizeLinear', [x8, f32([2], [])], { output_dtype: T.float16 });
    expect(h!.type).toBe('float16');
    expect(Array.from(h!.data as Uint16Array)).toEqual([0x4000, 0x6300]);
  });
});

describe('DynamicQuantizeLinear', () => {
  it('derives scale and zero point from the range including zero', async () => {
    const [y, scale, zp] = await runOp('DynamicQuantizeLinear', [f32([0, 2, -3, -25.5, 100])], {}, 11, 3);
    expect(scale!.dims).toEqual([]);
    expect(nums(scale!)[0]).toBeCloseTo(125.5 / 255, 6);
    expect(nums(zp!)).toEqual([52]);
    expect(nums(y!)).toEqual([52, 56, 46, 0, 255]);
  });
  it('uses scale 1 for an all-zero input', async () => {
    const [y, scale, zp] = await runOp('DynamicQuantizeLinear', [f32([0, 0])], {}, 11, 3);
    expect(nums(scale!)).toEqual([1]);
    expect(nums(zp!)).toEqual([0]);
    expect(nums(y!)).toEqual([0, 0]);
  });
});
