import { describe, expect, it } from 'vitest';
import {
  castTensor,
  decodeMinifloat,
  encodeE8M0,
  encodeMinifloat,
  float32BitsRoundOdd,
  formatFloat,
  getPackedInt,
  packBits,
  parseFloatString,
  setPackedInt,
  Tensor,
  tensorValues,
  unpackInts,
} from '../src/index.js';

const INF = Number.POSITIVE_INFINITY;
const NAN = Number.NaN;
const hex = (xs: ArrayLike<number>) => Array.from(xs, (x) => `0x${x.toString(16)}`);

describe('float8e4m3fn', () => {
  const enc = (v: number, sat = true) => encodeMinifloat('float8e4m3fn', v, sat);
  it('encodes normal values, ties to even and subnormals', () => {
    expect(enc(1)).toBe(0x38);
    expect(enc(-2)).toBe(0xc0);
    expect(enc(448)).toBe(0x7e);
    expect(enc(1.0625)).toBe(0x38); // tie between 1 and 1.125 -> even mantissa
    expect(enc(1.1875)).toBe(0x3a); // tie between 1.125 and 1.25 -> even
    expect(enc(2 ** -9)).toBe(0x01); // smallest subnormal
    expect(enc(2 ** -10)).toBe(0x00); // tie with zero -> even
    expect(enc(1.5 * 2 ** -10)).toBe(0x01);
    expect(enc(3 * 2 ** -10)).toBe(0x02); // 1.5 units -> even 2
    expect(enc(7 * 2 ** -9)).toBe(0x07); // largest subnormal
    expect(enc(15 * 2 ** -10)).toBe(0x08); // rounds up into the smallest normal
    expect(enc(2 ** -6)).toBe(0x08);
  });
  it('saturates or produces NaN out of range', () => {
    expect(enc(464)).toBe(0x7e); // tie -> even 448
    expect(enc(465)).toBe(0x7e);
    expect(enc(465, false)).toBe(0x7f);
    expect(enc(-1e6, false)).toBe(0xff);
    expect(enc(INF)).toBe(0x7e);
    expect(enc(-INF)).toBe(0xfe);
    expect(enc(INF, false)).toBe(0x7f);
    expect(enc(-INF, false)).toBe(0xff);
    expect(enc(NAN)).toBe(0x7f);
    expect(enc(-0)).toBe(0x80);
    expect(enc(-1e-7)).toBe(0x80);
  });
  it('decodes', () => {
    expect(decodeMinifloat('float8e4m3fn', 0x7e)).toBe(448);
    expect(decodeMinifloat('float8e4m3fn', 0xfe)).toBe(-448);
    expect(decodeMinifloat('float8e4m3fn', 0x01)).toBe(2 ** -9);
    expect(decodeMinifloat('float8e4m3fn', 0x7f)).toBeNaN();
    expect(decodeMinifloat('float8e4m3fn', 0xff)).toBeNaN();
    expect(Object.is(decodeMinifloat('float8e4m3fn', 0x80), -0)).toBe(true);
  });
  it('round-trips every encoding', () => {
    for (let b = 0; b < 256; b++) {
      const v = decodeMinifloat('float8e4m3fn', b);
      if (!Number.isNaN(v)) expect(enc(v)).toBe(b);
    }
  });
  it('rounds float64 inputs once (no double rounding through float32)', () => {
    // just above the tie 1.0625: float32 would drop the 2^-30 and round down
    expect(enc(1 + 2 ** -4 + 2 ** -30)).toBe(0x39);
    expect(float32BitsRoundOdd(1 + 2 ** -30)).toBe(0x3f800001);
  });
});

describe('float8e4m3fnuz / e5m2 / e5m2fnuz', () => {
  it('e4m3fnuz: bias 8, no negative zero, NaN 0x80', () => {
    const enc = (v: number, sat = true) => encodeMinifloat('float8e4m3fnuz', v, sat);
    expect(enc(1)).toBe(0x40);
    expect(enc(240)).toBe(0x7f);
    expect(enc(1e6)).toBe(0x7f);
    expect(enc(1e6, false)).toBe(0x80);
    expect(enc(-INF)).toBe(0xff);
    expect(enc(-INF, false)).toBe(0x80);
    expect(enc(-0)).toBe(0x00);
    expect(enc(-1e-7)).toBe(0x00);
    expect(enc(NAN)).toBe(0x80);
    expect(enc(2 ** -10)).toBe(0x01);
    expect(decodeMinifloat('float8e4m3fnuz', 0x80)).toBeNaN();
    expect(decodeMinifloat('float8e4m3fnuz', 0xff)).toBe(-240);
  });
  it('e5m2: IEEE-like with infinities', () => {
    const enc = (v: number, sat = true) => encodeMinifloat('float8e5m2', v, sat);
    expect(enc(1)).toBe(0x3c);
    expect(enc(57344)).toBe(0x7b);
    expect(enc(61440)).toBe(0x7b); // tie rounds to the even overflow -> saturates
    expect(enc(61440, false)).toBe(0x7c);
    expect(enc(INF)).toBe(0x7b);
    expect(enc(INF, false)).toBe(0x7c);
    expect(enc(-INF, false)).toBe(0xfc);
    expect(enc(NAN)).toBe(0x7e);
    expect(enc(2 ** -16)).toBe(0x01);
    expect(enc(-0)).toBe(0x80);
    expect(decodeMinifloat('float8e5m2', 0x7c)).toBe(INF);
    expect(decodeMinifloat('float8e5m2', 0xfc)).toBe(-INF);
    expect(decodeMinifloat('float8e5m2', 0x7d)).toBeNaN();
  });
  it('e5m2fnuz', () => {
    const enc = (v: number, sat = true) => encodeMinifloat('float8e5m2fnuz', v, sat);
    expect(enc(1)).toBe(0x40);
    expect(enc(57344)).toBe(0x7f);
    expect(enc(INF, false)).toBe(0x80);
    expect(enc(-0)).toBe(0);
    expect(enc(2 ** -17)).toBe(0x01);
    expect(decodeMinifloat('float8e5m2fnuz', 0x7f)).toBe(57344);
  });
});

describe('float4e2m1 and float8e8m0', () => {
  it('float4e2m1 rounds to even and always saturates', () => {
    const enc = (v: number) => encodeMinifloat('float4e2m1', v, false);
    expect(enc(0.25)).toBe(0x0); // tie 0 / 0.5 -> even
    expect(enc(0.75)).toBe(0x2); // tie 0.5 / 1 -> even
    expect(enc(5)).toBe(0x6); // tie 4 / 6 -> even
    expect(enc(-3.5)).toBe(0xe);
    expect(enc(7)).toBe(0x7);
    expect(enc(1e6)).toBe(0x7);
    expect(enc(-INF)).toBe(0xf);
    expect(enc(NAN)).toBe(0x8);
    expect(enc(-0)).toBe(0x8);
    expect(decodeMinifloat('float4e2m1', 0xf)).toBe(-6);
    expect(decodeMinifloat('float4e2m1', 0x1)).toBe(0.5);
  });
  it('float8e8m0 round modes and saturation', () => {
    expect(encodeE8M0(1)).toBe(127);
    expect(encodeE8M0(1.5, true, 'up')).toBe(128);
    expect(encodeE8M0(1.5, true, 'down')).toBe(127);
    expect(encodeE8M0(1.5, true, 'nearest')).toBe(128); // ties up
    expect(encodeE8M0(1.4, true, 'nearest')).toBe(127);
    expect(encodeE8M0(0.124)).toBe(124);
    expect(encodeE8M0(0)).toBe(0);
    expect(encodeE8M0(0, false, 'nearest')).toBe(0xff);
    expect(encodeE8M0(INF)).toBe(0xfe);
    expect(encodeE8M0(INF, false)).toBe(0xff);
    expect(encodeE8M0(NAN)).toBe(0xff);
    expect(encodeE8M0(2 ** 127)).toBe(254);
    expect(encodeE8M0(1.5 * 2 ** 127)).toBe(254);
    expect(encodeE8M0(1.5 * 2 ** 127, false)).toBe(255);
    expect(encodeE8M0(2 ** -127)).toBe(0);
    expect(decodeMinifloat('float8e8m0', 0)).toBe(2 ** -127);
    expect(decodeMinifloat('float8e8m0', 254)).toBe(2 ** 127);
    expect(decodeMinifloat('float8e8m0', 255)).toBeNaN();
  });
});

describe('packed int4/int2', () => {
  it('packs the first element in the low bits and sign-extends', () => {
    const data = packBits('int4', [-8, 7, 1]);
    expect(hex(data)).toEqual(['0x78', '0x1']);
    expect(getPackedInt('int4', data, 0)).toBe(-8);
    expect(getPackedInt('int4', data, 1)).toBe(7);
    setPackedInt('int4', data, 2, -1);
    expect(hex(data)).toEqual(['0x78', '0xf']);
    expect(Array.from(unpackInts('int4', data, 3))).toEqual([-8, 7, -1]);
    const two = packBits('int2', [1, -2, -1, 0, 1]);
    expect(hex(two)).toEqual(['0x39', '0x1']);
    expect(Array.from(unpackInts('int2', two, 5))).toEqual([1, -2, -1, 0, 1]);
    expect(Array.from(tensorValues(new Tensor('uint2', two, [5])))).toEqual([1, 2, 3, 0, 1]);
  });
});

describe('castTensor', () => {
  const f32 = (xs: number[]) => new Tensor('float32', Float32Array.from(xs), [xs.length]);
  it('float -> integers truncates toward zero and wraps', () => {
    const x = f32([200.7, -1.5, 2.9, NAN, 3e9]);
    expect(Array.from(castTensor(x, 'int8').data as Int8Array)).toEqual([-56, -1, 2, 0, 0]);
    expect(Array.from(castTensor(x, 'int32').data as Int32Array)).toEqual([
      200,
      -1,
      2,
      -(2 ** 31),
      -(2 ** 31),
    ]);
    expect(Array.from(castTensor(x, 'uint32').data as Uint32Array)).toEqual([200, 2 ** 32 - 1, 2, 0, 3e9]);
    expect(Array.from(castTensor(f32([-2.9, 1e19]), 'int64').data as BigInt64Array)).toEqual([
      -2n,
      -(2n ** 63n),
    ]);
    expect(hex(castTensor(f32([-9, -8, 15]), 'int4').data as Uint8Array)).toEqual(['0x87', '0xf']);
  });
  it('integers wrap; int64 keeps its low bits', () => {
    const big = new Tensor('int64', BigInt64Array.from([2n ** 32n + 5n, -1n, 2n ** 40n]), [3]);
    expect(Array.from(castTensor(big, 'int32').data as Int32Array)).toEqual([5, -1, 0]);
    expect(Array.from(castTensor(big, 'bool').data as Uint8Array)).toEqual([1, 1, 1]);
    expect(Array.from(castTensor(big, 'uint64').data as BigUint64Array)).toEqual([
      2n ** 32n + 5n,
      2n ** 64n - 1n,
      2n ** 40n,
    ]);
    const u8 = new Tensor('uint8', Uint8Array.from([200, 17]), [2]);
    expect(Array.from(castTensor(u8, 'int8').data as Int8Array)).toEqual([-56, 17]);
    expect(hex(castTensor(u8, 'uint4').data as Uint8Array)).toEqual(['0x18']);
    const i4 = new Tensor('int4', Uint8Array.from([0x8f]), [2]);
    expect(Array.from(castTensor(i4, 'int8').data as Int8Array)).toEqual([-1, -8]);
  });
  it('int64 -> float rounds once', () => {
    const v = 2n ** 60n + 2n ** 36n + 1n; // just above a float32 tie
    const t = new Tensor('int64', BigInt64Array.from([v, 2n ** 24n + 1n]), [2]);
    expect(Array.from(castTensor(t, 'float32').data as Float32Array)).toEqual([2 ** 60 + 2 ** 37, 2 ** 24]);
  });
  it('float64 -> bfloat16 / float16 round once', () => {
    const t = new Tensor(
      'float64',
      Float64Array.from([1 + 2 ** -8 + 2 ** -40, 1 + 2 ** -11 + 2 ** -40, NAN]),
      [3],
    );
    expect(hex(castTensor(t, 'bfloat16').data as Uint16Array)).toEqual(['0x3f81', '0x3f80', '0x7fc0']);
    expect((castTensor(t, 'float16').data as Uint16Array)[1]).toBe(0x3c01);
  });
  it('bool conversions', () => {
    const x = f32([0, -0, NAN, 2, 0.1]);
    expect(Array.from(castTensor(x, 'bool').data as Uint8Array)).toEqual([0, 0, 1, 1, 1]);
    const b = new Tensor('bool', Uint8Array.from([1, 0]), [2]);
    expect(Array.from(castTensor(b, 'float32').data as Float32Array)).toEqual([1, 0]);
    expect(Array.from(castTensor(b, 'int64').data as BigInt64Array)).toEqual([1n, 0n]);
  });
  it('float8 targets honour saturate', () => {
    const x = f32([1e6, -INF, NAN]);
    expect(hex(castTensor(x, 'float8e4m3fn').data as Uint8Array)).toEqual(['0x7e', '0xfe', '0x7f']);
    expect(hex(castTensor(x, 'float8e4m3fn', { saturate: false }).data as Uint8Array)).toEqual([
      '0x7f',
      '0xff',
      '0x7f',
    ]);
    expect(hex(castTensor(x, 'float8e5m2', { saturate: false }).data as Uint8Array)).toEqual([
      '0x7c',
      '0xfc',
      '0x7e',
    ]);
  });
  it('strings parse and print', () => {
    const s = new Tensor('string', ['INF', '+inf', '-INF', 'nan', '1e-5', ' 3.5 ', '1E8', '-0.25'], [8]);
    const f = Array.from(castTensor(s, 'float32').data as Float32Array);
    expect(f.slice(0, 3)).toEqual([INF, INF, -INF]);
    expect(f[3]).toBeNaN();
    expect(f.slice(4)).toEqual([Math.fround(1e-5), 3.5, 1e8, -0.25]);
    const i = new Tensor('string', ['9007199254740993', '-7', '100.5'], [3]);
    expect(Array.from(castTensor(i, 'int64').data as BigInt64Array)).toEqual([9007199254740993n, -7n, 100n]);
    const x = f32([0.1, 1, 1e-7, 1e16, 123456789, -2.5, NAN, INF, -INF, 0.0001]);
    expect(castTensor(x, 'string').data).toEqual([
      '0.1',
      '1.0',
      '1e-07',
      '1e+16',
      '123456790.0',
      '-2.5',
      'NaN',
      'INF',
      '-INF',
      '0.0001',
    ]);
    expect(formatFloat(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(castTensor(new Tensor('int64', BigInt64Array.from([-(2n ** 63n)]), [1]), 'string').data).toEqual([
      '-9223372036854775808',
    ]);
    expect(parseFloatString('-Infinity')).toBe(-INF);
    const ints = new Tensor('string', ['3000000000', '-1', '7.9', '300'], [4]);
    expect(Array.from(castTensor(ints, 'uint32').data as Uint32Array)).toEqual([
      3000000000,
      2 ** 32 - 1,
      7,
      300,
    ]);
    expect(Array.from(castTensor(ints, 'uint8').data as Uint8Array)).toEqual([0, 255, 7, 44]);
  });
  it('rejects complex types', () => {
    expect(() => castTensor(new Tensor('complex64', new Float32Array(2), [1]), 'float32')).toThrow(/complex/);
  });
});
