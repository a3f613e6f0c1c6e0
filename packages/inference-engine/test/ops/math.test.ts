import { ShapeError, TypeMismatchError, ValidationError } from '@zai/common';
import { graph, model, node, tensorInfo } from '@zai/onnx-parser';
import { float16ToNumber, numberToFloat16 } from '@zai/tensor-core';
import { describe, expect, it } from 'vitest';
import { defaultRegistry, inferTypes, Tensor } from '../../src/index.js';
import { erf } from '../../src/ops/math/erf.js';
import { type Attrs, runNode } from './run-node.js';

/** Runs one node through a native session; undefined inputs become omitted ('') optional inputs. */
async function runOp(
  opType: string,
  inputs: readonly (Tensor | undefined)[],
  attrs: Attrs = {},
  opset = 22,
): Promise<Tensor> {
  return (await runNode(opType, inputs, attrs, { opset })).out0 as Tensor;
}

const f32 = (v: readonly number[], dims: readonly number[] = [v.length]) =>
  new Tensor('float32', Float32Array.from(v), dims);
const f64 = (v: readonly number[], dims: readonly number[] = [v.length]) =>
  new Tensor('float64', Float64Array.from(v), dims);
const f16 = (v: readonly number[], dims: readonly number[] = [v.length]) =>
  new Tensor('float16', Uint16Array.from(v.map(numberToFloat16)), dims);
const i8 = (v: readonly number[], dims: readonly number[] = [v.length]) =>
  new Tensor('int8', Int8Array.from(v), dims);
const u8 = (v: readonly number[], dims: readonly number[] = [v.length]) =>
  new Tensor('uint8', Uint8Array.from(v), dims);
const i32 = (v: readonly number[], dims: readonly number[] = [v.length]) =>
  new Tensor('int32', Int32Array.from(v), dims);
const u32 = (v: readonly number[], dims: readonly number[] = [v.length]) =>
  new Tensor('uint32', Uint32Array.from(v), dims);
const i64 = (v: readonly (number | bigint)[], dims: readonly number[] = [v.length]) =>
  new Tensor('int64', BigInt64Array.from(v.map((x) => BigInt(x))), dims);
const u64 = (v: readonly (number | bigint)[], dims: readonly number[] = [v.length]) =>
  new Tensor('uint64', BigUint64Array.from(v.map((x) => BigInt(x))), dims);
const bool = (v: readonly number[], dims: readonly number[] = [v.length]) =>
  new Tensor('bool', Uint8Array.from(v), dims);
const str = (v: readonly string[], dims: readonly number[] = [v.length]) =>
  new Tensor('string', [...v], dims);

const vals = (t: Tensor): number[] => Array.from(t.data as ArrayLike<number>);
const bigs = (t: Tensor): bigint[] => Array.from(t.data as ArrayLike<bigint>);
const halfVals = (t: Tensor): number[] => Array.from(t.data as Uint16Array, float16ToNumber);

describe('binary arithmetic', () => {
  it('Add broadcasts and wraps integers like C', async () => {
    const y = await runOp('Add', [f32([1, 2, 3, 4, 5, 6], [2, 3]), f32([10, 20, 30])]);
    expect(y.dims).toEqual([2, 3]);
    expect(vals(y)).toEqual([11, 22, 33, 14, 25, 36]);
    expect(vals(await runOp('Add', [i32([2147483647]), i32([1])]))).toEqual([-2147483648]);
    expect(vals(await runOp('Add', [u8([250]), u8([10])]))).toEqual([4]);
    expect(bigs(await runOp('Add', [i64([2n ** 63n - 1n]), i64([1])]))).toEqual([-(2n ** 63n)]);
  });

  it('Sub and Mul wrap unsigned and 32-bit products', async () => {
    expect(vals(await runOp('Sub', [u32([1]), u32([2])]))).toEqual([4294967295]);
    expect(vals(await runOp('Mul', [i32([65536, -3]), i32([65536, 5])]))).toEqual([0, -15]);
    expect(vals(await runOp('Mul', [u32([4294967295]), u32([2])]))).toEqual([4294967294]);
    expect(bigs(await runOp('Mul', [u64([2n ** 63n]), u64([2])]))).toEqual([0n]);
  });

  it('Div truncates integers toward zero', async () => {
    expect(vals(await runOp('Div', [i32([7, -7, 7, -7]), i32([2, 2, -2, -2])]))).toEqual([3, -3, -3, 3]);
    expect(bigs(await runOp('Div', [i64([-7, 9]), i64([2, 0])]))).toEqual([-3n, 0n]);
    expect(vals(await runOp('Div', [i8([-128]), i8([-1])]))).toEqual([-128]);
    expect(vals(await runOp('Div', [f32([1, -1]), f32([0, 4])]))).toEqual([Infinity, -0.25]);
  });

  it('Mod follows the divisor sign by default and the dividend with fmod=1', async () => {
    const a = [-4, 7, 5, 4, -7, 8];
    const b = [2, -3, 8, -2, 3, 5];
    expect(vals(await runOp('Mod', [i32(a), i32(b)]))).toEqual([0, -2, 5, 0, 2, 3]);
    expect(vals(await runOp('Mod', [i32(a), i32(b)], { fmod: 1 }))).toEqual([0, 1, 5, 0, -1, 3]);
    expect(bigs(await runOp('Mod', [i64([-7, 7]), i64([3, -3])]))).toEqual([2n, -2n]);
    expect(vals(await runOp('Mod', [f32([-4.3, 7.2]), f32([2.1, -3.4])], { fmod: 1 }))).toEqual(
      vals(f32([Math.fround(-4.3) % Math.fround(2.1), Math.fround(7.2) % Math.fround(-3.4)])),
    );
  });

  it('Pow keeps the base type with mixed exponent types', async () => {
    const y = await runOp('Pow', [f32([1, 2, 3]), i64([2, 3, -1])], {}, 15);
    expect(y.type).toBe('float32');
    expect(vals(y)).toEqual(vals(f32([1, 8, 1 / 3])));
    expect(vals(await runOp('Pow', [i32([2, 3, 4]), f32([2, 0.5, 0.5])], {}, 15))).toEqual([4, 1, 2]);
    expect(bigs(await runOp('Pow', [i64([3, 2, 5]), i64([4, 64, -1])], {}, 15))).toEqual([81n, 0n, 0n]);
    await expect(runOp('Pow', [f32([2]), i32([2])], {}, 7)).rejects.toBeInstanceOf(TypeMismatchError);
  });

  it('rejects mismatched types and shapes', async () => {
    await expect(runOp('Add', [f32([1]), f64([1])])).rejects.toBeInstanceOf(TypeMismatchError);
    await expect(runOp('Mul', [f32([1, 2, 3]), f32([1, 2])])).rejects.toBeInstanceOf(ShapeError);
    await expect(runOp('Mod', [i32([1]), i32([1])], { fmod: 2 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('opset 6 honours broadcast and axis attributes', async () => {
    const a = f32([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = await runOp('Add', [a, f32([10, 20])], { broadcast: 1, axis: 0 }, 6);
    expect(y.dims).toEqual([2, 3]);
    expect(vals(y)).toEqual([11, 12, 13, 24, 25, 26]);
    await expect(runOp('Add', [a, f32([1, 2, 3])], {}, 6)).rejects.toBeInstanceOf(ShapeError);
  });
});

describe('bits and logic', () => {
  it('BitShift shifts unsigned values and drops bits past the width', async () => {
    const x = u8([16, 4, 1, 255]);
    expect(vals(await runOp('BitShift', [x, u8([1, 2, 3, 1])], { direction: 'LEFT' }))).toEqual([
      32, 16, 8, 254,
    ]);
    expect(vals(await runOp('BitShift', [u32([1, 8]), u32([32, 3])], { direction: 'LEFT' }))).toEqual([
      0, 64,
    ]);
    expect(vals(await runOp('BitShift', [u32([4294967295]), u32([31])], { direction: 'RIGHT' }))).toEqual([
      1,
    ]);
    expect(bigs(await runOp('BitShift', [u64([1]), u64([63])], { direction: 'LEFT' }))).toEqual([2n ** 63n]);
    await expect(runOp('BitShift', [x, x], { direction: 'UP' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('Bitwise ops work on signed, unsigned and 64-bit values', async () => {
    expect(vals(await runOp('BitwiseAnd', [u32([0xffffffff]), u32([0xf0f0f0f0])]))).toEqual([0xf0f0f0f0]);
    expect(vals(await runOp('BitwiseOr', [i32([-8]), i32([3])]))).toEqual([-5]);
    expect(bigs(await runOp('BitwiseXor', [u64([2n ** 64n - 1n]), u64([1])]))).toEqual([2n ** 64n - 2n]);
    expect(bigs(await runOp('BitwiseNot', [u64([0])]))).toEqual([2n ** 64n - 1n]);
    expect(vals(await runOp('BitwiseNot', [u8([0, 255])]))).toEqual([255, 0]);
  });

  it('And/Or/Xor/Not on booleans with broadcasting', async () => {
    const a = bool([1, 1, 0, 0], [2, 2]);
    const b = bool([1, 0]);
    expect(vals(await runOp('And', [a, b]))).toEqual([1, 0, 0, 0]);
    expect(vals(await runOp('Or', [a, b]))).toEqual([1, 1, 1, 0]);
    expect(vals(await runOp('Xor', [a, b]))).toEqual([0, 1, 1, 0]);
    expect(vals(await runOp('Not', [a]))).toEqual([0, 0, 1, 1]);
  });
});

describe('comparisons', () => {
  it('return bool for every type, including strings and float16', async () => {
    const y = await runOp('Equal', [str(['a', 'b', 'c'], [3, 1]), str(['b'])]);
    expect(y.type).toBe('bool');
    expect(y.dims).toEqual([3, 1]);
    expect(vals(y)).toEqual([0, 1, 0]);
    expect(vals(await runOp('Less', [f16([1, 2, NaN]), f16([2, 2, 1])]))).toEqual([1, 0, 0]);
    expect(vals(await runOp('GreaterOrEqual', [u64([2n ** 63n, 1]), u64([1, 1])]))).toEqual([1, 1]);
    expect(vals(await runOp('LessOrEqual', [i8([-1, 3]), i8([0, 2])]))).toEqual([1, 0]);
    expect(vals(await runOp('Greater', [f32([NaN, 3]), f32([0, 2])]))).toEqual([0, 1]);
  });
});

describe('unary math', () => {
  it('Round is half to even', async () => {
    const y = await runOp('Round', [f32([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6, 3])]);
    expect(vals(y)).toEqual([0, 2, 2, -0, -2, -2, 2, -3, 3]);
  });

  it('Abs, Neg and Sign handle integer edge values', async () => {
    expect(vals(await runOp('Abs', [i8([-128, -3, 4])]))).toEqual([-128, 3, 4]);
    expect(vals(await runOp('Neg', [i32([-2147483648, 5])]))).toEqual([-2147483648, -5]);
    expect(bigs(await runOp('Sign', [i64([-9, 0, 4])]))).toEqual([-1n, 0n, 1n]);
    expect(vals(await runOp('Sign', [f32([-2, 0, 3, NaN])]))).toEqual([-1, 0, 1, NaN]);
  });

  it('IsNaN and IsInf (with detect flags)', async () => {
    const x = f32([1, NaN, Infinity, -Infinity]);
    expect(vals(await runOp('IsNaN', [x]))).toEqual([0, 1, 0, 0]);
    expect(vals(await runOp('IsInf', [x]))).toEqual([0, 0, 1, 1]);
    expect(vals(await runOp('IsInf', [x], { detect_positive: 0 }))).toEqual([0, 0, 0, 1]);
    expect(vals(await runOp('IsInf', [f16([Infinity, 1])], { detect_negative: 0 }))).toEqual([1, 0]);
  });

  it('float16 results are rounded once from the float32 computation', async () => {
    const y = await runOp('Sqrt', [f16([2, 4])]);
    expect(y.type).toBe('float16');
    expect(halfVals(y)).toEqual([float16ToNumber(numberToFloat16(Math.SQRT2)), 2]);
  });

  it('Erf is accurate across its range', async () => {
    expect(erf(0)).toBe(0);
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 15);
    expect(erf(-1)).toBeCloseTo(-0.8427007929497149, 15);
    expect(erf(3)).toBeCloseTo(0.9999779095030014, 15);
    expect(erf(10)).toBe(1);
    expect(erf(Number.NaN)).toBeNaN();
    const y = await runOp('Erf', [f64([1e-9, 2.5, -4])]);
    expect(vals(y)[0]).toBeCloseTo(1.1283791670955127e-9, 20);
    expect(vals(y)[1]).toBeCloseTo(0.999593047982555, 14);
    expect(vals(y)[2]).toBeCloseTo(-0.9999999845827421, 14);
  });

  it('trigonometric and hyperbolic ops', async () => {
    const y = await runOp('Atanh', [f64([0, 0.5])]);
    expect(vals(y)).toEqual([0, Math.atanh(0.5)]);
    expect(vals(await runOp('Acosh', [f64([1])]))).toEqual([0]);
    await expect(runOp('Cos', [i32([1])])).rejects.toBeInstanceOf(TypeMismatchError);
  });
});

describe('activations', () => {
  const x = [-2, -0.5, 0, 0.5, 2];
  const close = (got: number[], want: number[]) => {
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 6);
  };

  it('Relu keeps NaN and supports integers', async () => {
    expect(vals(await runOp('Relu', [f32([-1, NaN, 2])]))).toEqual([0, NaN, 2]);
    expect(bigs(await runOp('Relu', [i64([-1, 3])]))).toEqual([0n, 3n]);
  });

  it('parametric activations use their attribute defaults', async () => {
    close(
      vals(await runOp('LeakyRelu', [f64(x)])),
      [-0.02, -0.005, 0, 0.5, 2].map((v) => Math.fround(v)),
    );
    close(
      vals(await runOp('Elu', [f64(x)], { alpha: 2 })),
      x.map((v) => (v < 0 ? 2 * Math.expm1(v) : v)),
    );
    const a = 1.6732631921768188;
    const g = 1.0507010221481323;
    close(
      vals(await runOp('Selu', [f64(x)])),
      x.map((v) => (v > 0 ? g * v : g * a * Math.expm1(v))),
    );
    close(vals(await runOp('HardSigmoid', [f64([-10, 0, 1, 10])])), [0, 0.5, 0.7, 1]);
    close(vals(await runOp('HardSwish', [f64([-4, 1, 4])])), [0, 1 * (1 / 6 + 0.5), 4]);
    close(vals(await runOp('ThresholdedRelu', [f64([0.5, 1, 1.5])])), [0, 0, 1.5]);
    close(vals(await runOp('Celu', [f64([-1, 1])], { alpha: 2 })), [2 * Math.expm1(-0.5), 1]);
    close(vals(await runOp('Swish', [f64([1, -1])], { alpha: 2 }, 24)), [
      1 / (1 + Math.exp(-2)),
      -1 / (1 + Math.exp(2)),
    ]);
  });

  it('Softplus and Mish are stable at large magnitudes', async () => {
    const y = vals(await runOp('Softplus', [f64([-800, 0, 800])]));
    expect(y[0]).toBe(0);
    expect(y[1]).toBeCloseTo(Math.LN2, 15);
    expect(y[2]).toBe(800);
    const m = vals(await runOp('Mish', [f32([100, -100])]));
    expect(m[0]).toBe(100);
    expect(m[1]).toBeCloseTo(0, 30);
    close(vals(await runOp('Softsign', [f64([-3, 1])])), [-0.75, 0.5]);
  });

  it('Shrink on floats and integers', async () => {
    expect(vals(await runOp('Shrink', [f32([-2, -0.5, 0.5, 2])], { lambd: 1, bias: 0.5 }))).toEqual([
      -1.5, 0, 0, 1.5,
    ]);
    expect(vals(await runOp('Shrink', [i32([-5, 1, 5])], { lambd: 1.5, bias: 1 }))).toEqual([-4, 0, 4]);
  });

  it('Gelu exact and tanh forms', async () => {
    const ex = vals(await runOp('Gelu', [f64([-1, 0, 1, 3])], {}, 20));
    close(ex, [-0.15865525393145707, 0, 0.8413447460685429, 2.9959502043214]);
    const th = vals(await runOp('Gelu', [f64([1])], { approximate: 'tanh' }, 20));
    expect(th[0]).toBeCloseTo(0.8411919906082768, 12);
  });

  it('PRelu broadcasts the slope onto X only', async () => {
    const y = await runOp('PRelu', [f32([-1, 2, -3, 4, -5, 6], [2, 3]), f32([0.5, 1, 2])]);
    expect(vals(y)).toEqual([-0.5, 2, -6, 4, -5, 6]);
    await expect(runOp('PRelu', [f32([-1]), f32([1, 2])])).rejects.toBeInstanceOf(ShapeError);
  });
});

describe('Clip', () => {
  it('takes bounds from attributes before opset 11', async () => {
    expect(vals(await runOp('Clip', [f32([-5, 0, 5])], { min: -1, max: 1 }, 6))).toEqual([-1, 0, 1]);
    expect(vals(await runOp('Clip', [f64([-1e39])], {}, 6))).toEqual([-3.4028234663852886e38]);
  });

  it('takes optional scalar inputs from opset 11, integers included', async () => {
    expect(vals(await runOp('Clip', [f32([-5, 0, 5]), undefined, f32([1], [])], {}, 13))).toEqual([-5, 0, 1]);
    expect(vals(await runOp('Clip', [i8([-128, 0, 127]), i8([-3], [])], {}, 13))).toEqual([-3, 0, 127]);
    expect(bigs(await runOp('Clip', [u64([2n ** 64n - 1n, 3]), undefined, u64([10], [])], {}, 13))).toEqual([
      10n,
      3n,
    ]);
    // min > max: everything becomes max
    expect(vals(await runOp('Clip', [f32([-5, 0, 5]), f32([2], []), f32([1], [])], {}, 13))).toEqual([
      1, 1, 1,
    ]);
    expect(vals(await runOp('Clip', [f32([NaN])], {}, 13))).toEqual([NaN]);
    await expect(runOp('Clip', [f32([1]), f32([1, 2])], {}, 13)).rejects.toBeInstanceOf(ShapeError);
  });
});

describe('variadic ops', () => {
  it('Sum, Max, Min, Mean broadcast any number of inputs', async () => {
    const a = f32([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = f32([10, 0, -10]);
    const c = f32([100, 200], [2, 1]);
    const sum = await runOp('Sum', [a, b, c], {}, 13);
    expect(sum.dims).toEqual([2, 3]);
    expect(vals(sum)).toEqual([111, 102, 93, 214, 205, 196]);
    expect(vals(await runOp('Max', [a, b, c], {}, 13))).toEqual([100, 100, 100, 200, 200, 200]);
    expect(vals(await runOp('Min', [a, b], {}, 13))).toEqual([1, 0, -10, 4, 0, -10]);
    expect(vals(await runOp('Mean', [f32([1, 2]), f32([3, 6])], {}, 13))).toEqual([2, 4]);
    expect(vals(await runOp('Sum', [f32([1, 2])], {}, 13))).toEqual([1, 2]);
  });

  it('Max/Min propagate NaN and support integers', async () => {
    expect(vals(await runOp('Max', [f32([NaN, 1]), f32([1, NaN])], {}, 13))).toEqual([NaN, NaN]);
    expect(bigs(await runOp('Min', [u64([2n ** 63n, 5]), u64([3, 2n ** 64n - 1n])], {}, 13))).toEqual([
      3n,
      5n,
    ]);
    expect(vals(await runOp('Max', [i8([-3, 7]), i8([2, -8]), i8([0])], {}, 13))).toEqual([2, 7]);
  });

  it('float16 Sum rounds once at the end', async () => {
    // 2048 + 1 + 1: rounding after each step would give 2048 (1 is half an ulp, ties to even)
    const y = await runOp('Sum', [f16([2048]), f16([1]), f16([1])], {}, 13);
    expect(halfVals(y)).toEqual([2050]);
  });

  it('rejects mixed input types', async () => {
    await expect(runOp('Sum', [f32([1]), f64([1])], {}, 13)).rejects.toBeInstanceOf(TypeMismatchError);
  });
});

describe('Where', () => {
  it('broadcasts condition, X and Y of any type', async () => {
    const cond = bool([1, 0, 1], [3]);
    const y = await runOp('Where', [cond, str(['a', 'b', 'c', 'd', 'e', 'f'], [2, 3]), str(['z'])], {}, 16);
    expect(y.dims).toEqual([2, 3]);
    expect(y.data).toEqual(['a', 'z', 'c', 'd', 'z', 'f']);
    const z = await runOp('Where', [bool([1, 0], [2, 1]), i64([1, 2]), i64([-1])], {}, 16);
    expect(z.dims).toEqual([2, 2]);
    expect(bigs(z)).toEqual([1n, 2n, -1n, -1n]);
    const h = await runOp('Where', [bool([0, 1]), f16([1, 2]), f16([3, 4])], {}, 16);
    expect(halfVals(h)).toEqual([3, 2]);
  });

  it('rejects a non-bool condition', async () => {
    await expect(runOp('Where', [f32([1]), f32([1]), f32([2])], {}, 16)).rejects.toBeInstanceOf(
      TypeMismatchError,
    );
  });
});

describe('shape inference', () => {
  it('broadcasts symbolic shapes and sets comparison and Where types', () => {
    const g = graph({
      nodes: [
        node('Add', ['a', 'b'], ['sum']),
        node('Less', ['a', 'b'], ['lt']),
        node('Where', ['c', 's', 's'], ['w']),
        node('IsNaN', ['a'], ['nan']),
      ],
      inputs: [
        tensorInfo('a', 'float32', ['N', 1, 4]),
        tensorInfo('b', 'float32', [3, 1]),
        tensorInfo('c', 'bool', [2, 1, 1, 1]),
        tensorInfo('s', 'string', [4]),
      ],
      outputs: [tensorInfo('sum', 'float32')],
    });
    const r = inferTypes(model(g, [{ domain: '', version: 22 }]), defaultRegistry).byName;
    expect(r.get('sum')).toEqual({ kind: 'tensor', elemType: 'float32', shape: ['N', 3, 4] });
    expect(r.get('lt')).toEqual({ kind: 'tensor', elemType: 'bool', shape: ['N', 3, 4] });
    expect(r.get('w')).toEqual({ kind: 'tensor', elemType: 'string', shape: [2, 1, 1, 4] });
    expect(r.get('nan')).toEqual({ kind: 'tensor', elemType: 'bool', shape: ['N', 1, 4] });
  });
});
