import { describe, expect, it } from 'vitest';
import {
  bfloat16ToNumber,
  broadcastShapes,
  broadcastStrides,
  collapseBroadcast,
  decodeNpy,
  encodeNpy,
  float16ToNumber,
  normalizeAxis,
  numberToBfloat16,
  numberToFloat16,
  stridesOf,
  Tensor,
} from '../src/index.js';

describe('Tensor', () => {
  it('wraps typed arrays without copying and converts plain arrays', () => {
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = new Tensor('float32', data, [2, 3]);
    expect(t.data).toBe(data);
    expect(t.size).toBe(6);
    expect(t.rank).toBe(2);
    expect(new Tensor('int64', [1, 2], [2]).data).toEqual(new BigInt64Array([1n, 2n]));
    expect(new Tensor('bool', [1, 0, 1], [3]).data).toEqual(new Uint8Array([1, 0, 1]));
    expect(new Tensor('string', ['a', 'b'], [2, 1]).dims).toEqual([2, 1]);
    expect(new Tensor('float32', new Float32Array(0), [0, 5]).size).toBe(0);
    expect(new Tensor('float32', new Float32Array([7]), []).size).toBe(1);
  });

  it('stores sub-byte types packed', () => {
    expect(new Tensor('int4', new Uint8Array(2), [3]).size).toBe(3);
    expect(new Tensor('uint2', new Uint8Array(1), [4]).size).toBe(4);
    expect(() => new Tensor('int4', new Uint8Array(1), [3])).toThrow(/expected 2/);
  });

  it('rejects storage of the wrong kind or length, and bad dims', () => {
    // The types already forbid these; the runtime check is for JavaScript callers.
    const wrongFloat = new Float64Array(2) as unknown as Float32Array;
    const wrongInt = new Int32Array(2) as unknown as BigInt64Array;
    expect(() => new Tensor('float32', wrongFloat, [2])).toThrow(/not valid storage/);
    expect(() => new Tensor('int64', wrongInt, [2])).toThrow(/not valid storage/);
    expect(() => new Tensor('float32', new Float32Array(5), [2, 3])).toThrow(/does not match dims \[2,3\]/);
    expect(() => new Tensor('float32', new Float32Array(0), [-1])).toThrow(/invalid dimension/);
  });
});

describe('float16 and bfloat16', () => {
  it('round-trips every float16 bit pattern exactly', () => {
    const mismatches: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      const v = float16ToNumber(h);
      if (!Number.isNaN(v) && numberToFloat16(v) !== h) mismatches.push(h);
    }
    expect(mismatches).toEqual([]);
  });

  it('rounds to nearest even, overflows to infinity and keeps subnormals', () => {
    expect(numberToFloat16(1 + 2 ** -11)).toBe(0x3c00); // tie → even (down)
    expect(numberToFloat16(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(numberToFloat16(65504)).toBe(0x7bff);
    expect(numberToFloat16(65520)).toBe(0x7c00);
    expect(numberToFloat16(-1e10)).toBe(0xfc00);
    expect(numberToFloat16(2 ** -24)).toBe(0x0001);
    expect(numberToFloat16(2 ** -26)).toBe(0x0000);
    expect(numberToFloat16(-0)).toBe(0x8000);
    expect(Number.isNaN(float16ToNumber(numberToFloat16(Number.NaN)))).toBe(true);
  });

  it('converts bfloat16 with round to nearest even', () => {
    expect(numberToBfloat16(1)).toBe(0x3f80);
    expect(bfloat16ToNumber(0x3f80)).toBe(1);
    expect(numberToBfloat16(1 + 2 ** -8)).toBe(0x3f80); // tie → even
    expect(numberToBfloat16(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(Number.isNaN(bfloat16ToNumber(numberToBfloat16(Number.NaN)))).toBe(true);
  });
});

describe('shapes', () => {
  it('broadcasts like numpy and names clashing shapes', () => {
    expect(broadcastShapes([2, 1, 4], [3, 1], [4])).toEqual([2, 3, 4]);
    expect(broadcastShapes([], [5])).toEqual([5]);
    expect(() => broadcastShapes([2, 3], [4])).toThrow(/cannot broadcast shapes \[2,3\] and \[4\]/);
    expect(broadcastStrides([3, 1], [2, 3, 4])).toEqual([0, 1, 0]);
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
    expect(normalizeAxis(-1, 3)).toBe(2);
    expect(() => normalizeAxis(3, 3)).toThrow(/out of range/);
  });

  it('collapses contiguous broadcast dims', () => {
    const out = [2, 3, 4];
    const c = collapseBroadcast(out, broadcastStrides([2, 3, 4], out), broadcastStrides([4], out));
    expect(c.dims).toEqual([6, 4]);
    expect(c.a).toEqual([4, 1]);
    expect(c.b).toEqual([0, 1]);
  });
});

describe('.npy', () => {
  it('round-trips tensors and rejects bad files', () => {
    const t = new Tensor('int64', new BigInt64Array([1n, -2n, 3n, 4n, 5n, 6n]), [2, 3]);
    const back = decodeNpy(encodeNpy(t));
    expect(back.type).toBe('int64');
    expect(back.dims).toEqual([2, 3]);
    expect(back.data).toEqual(t.data);
    const bytes = encodeNpy(new Tensor('float32', new Float32Array([1.5]), [1]));
    expect((bytes.length - 4) % 64).toBe(0); // header padded to 64 bytes
    expect(decodeNpy(bytes).dims).toEqual([1]);
    expect(() => decodeNpy(new Uint8Array(20))).toThrow(/not a .npy file/);
  });
});
