// Element type conversion between every pair of ONNX element types (Cast).
//
// Values travel as JS numbers (exact for every type but 64-bit integers
// beyond 2^53), 64-bit integers as their two 32-bit halves or bigints, and
// strings through the parsers/formatters in convert/strings.ts. Rules:
// - float -> float rounds to nearest even; float8 follows Cast's saturate table.
// - float -> integer truncates toward zero; NaN and values out of int32 range
//   give INT32_MIN's low bits as onnxruntime/numpy on x86 do (undefined in ONNX).
// - integer -> integer keeps the low bits (two's complement wrap), as do
//   float -> int4/uint4/int2/uint2 (the ONNX test data wraps).
// - anything -> bool is `value != 0`; bool -> number is 0 or 1.

import { type DataType, InvalidArgumentError, TypeMismatchError } from '@zai/common';
import {
  type E8M0RoundMode,
  encodeE8M0,
  encodeE8M0FromFloat32Bits,
  encodeFloat16FromFloat32Bits,
  encodeMinifloat,
  encodeMinifloatFromFloat32Bits,
  float16Table,
  float32BitsRoundOdd,
  isMinifloat,
  minifloatTable,
} from './convert/minifloat.js';
import { packBits, unpackBits, unpackInts } from './convert/packed.js';
import { formatFloat, parseBigIntString, parseFloatString } from './convert/strings.js';
import { bfloat16ToNumber, float16ToNumber, numberToBfloat16, numberToFloat16 } from './float16.js';
import { allocate, Tensor } from './tensor.js';

export interface CastOptions {
  /** Out-of-range handling for float8 targets (Cast's `saturate`); default true. */
  readonly saturate?: boolean;
  /** Rounding for float8e8m0 targets (Cast's `round_mode`); default 'up'. */
  readonly roundMode?: E8M0RoundMode;
}

const FLOAT_TYPES = new Set<DataType>([
  'float32',
  'float64',
  'float16',
  'bfloat16',
  'float8e4m3fn',
  'float8e4m3fnuz',
  'float8e5m2',
  'float8e5m2fnuz',
  'float4e2m1',
  'float8e8m0',
]);

/** True for every floating-point element type (not complex). */
export function isFloatType(type: DataType): boolean {
  return FLOAT_TYPES.has(type);
}

function checkCastable(type: DataType): void {
  if (type === 'complex64' || type === 'complex128') {
    throw new TypeMismatchError(`cannot convert ${type} elements: complex types are not castable`);
  }
}

/** int64/uint64 element i from its 32-bit halves, correctly rounded to a double. */
function bigHalvesToNumber(w: Int32Array, i: number, unsigned: boolean): number {
  const hi = unsigned ? w[2 * i + 1]! >>> 0 : w[2 * i + 1]!;
  return hi * 4294967296 + (w[2 * i]! >>> 0);
}

/** A bigint as a double rounded to odd when inexact (so a later narrowing rounds once). */
export function bigintToNumberRoundOdd(v: bigint): number {
  const a = v < 0n ? -v : v;
  if (a < 9007199254740992n) return Number(v);
  const shift = BigInt(a.toString(2).length - 53);
  let hi = a >> shift;
  if ((a & ((1n << shift) - 1n)) !== 0n) hi |= 1n;
  const r = Number(hi) * 2 ** Number(shift);
  return v < 0n ? -r : r;
}

function decodeBigToNumbers(t: Tensor): Float64Array {
  const src = t.data as BigInt64Array | BigUint64Array;
  const unsigned = t.type === 'uint64';
  const w = new Int32Array(src.buffer, src.byteOffset, src.length * 2);
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = bigHalvesToNumber(w, i, unsigned);
    out[i] = Math.abs(v) < 9007199254740992 ? v : bigintToNumberRoundOdd(src[i]!);
  }
  return out;
}

/**
 * The values of a tensor as numbers, one per element: the storage itself for
 * float32/float64 and 8-32-bit integers and bool, a decoded array otherwise
 * (int64/uint64 beyond 2^53 are rounded, strings parsed).
 */
export function tensorValues(t: Tensor): ArrayLike<number> {
  checkCastable(t.type);
  switch (t.type) {
    case 'float16': {
      const table = float16Table();
      const src = t.data as Uint16Array;
      const out = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = table[src[i]!]!;
      return out;
    }
    case 'bfloat16': {
      const src = t.data as Uint16Array;
      const out = new Float32Array(src.length);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < src.length; i++) bits[i] = src[i]! << 16;
      return out;
    }
    case 'float8e4m3fn':
    case 'float8e4m3fnuz':
    case 'float8e5m2':
    case 'float8e5m2fnuz':
    case 'float8e8m0': {
      const table = minifloatTable(t.type);
      const src = t.data as Uint8Array;
      const out = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = table[src[i]!]!;
      return out;
    }
    case 'float4e2m1': {
      const table = minifloatTable('float4e2m1');
      const codes = unpackBits('float4e2m1', t.data as Uint8Array, t.size);
      const out = new Float32Array(t.size);
      for (let i = 0; i < codes.length; i++) out[i] = table[codes[i]!]!;
      return out;
    }
    case 'int4':
    case 'uint4':
    case 'int2':
    case 'uint2': {
      const v = unpackInts(t.type, t.data as Uint8Array, t.size);
      return t.type === 'uint4' || t.type === 'uint2' ? new Uint8Array(v.buffer) : v;
    }
    case 'int64':
    case 'uint64':
      return decodeBigToNumbers(t);
    case 'string': {
      const src = t.data as string[];
      const out = new Float64Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = parseFloatString(src[i]!);
      return out;
    }
    case 'bool': {
      const src = t.data as Uint8Array;
      const out = new Uint8Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = src[i] ? 1 : 0;
      return out;
    }
    default:
      return t.data as ArrayLike<number>;
  }
}

/** float -> integer as C's truncating conversion does on x86: NaN and overflow give INT32_MIN. */
function truncToInt32(v: number): number {
  const t = Math.trunc(v);
  return t >= -2147483648 && t <= 2147483647 ? t : -2147483648;
}

const TWO63 = 2 ** 63;
const INT64_MIN = -(2n ** 63n);

/**
 * Integers as int64/uint64 storage, written as two 32-bit halves (no bigint
 * per element). Float sources truncate; NaN and values out of range give
 * INT64_MIN's bits (0x8000000000000000) as x86 conversions do.
 */
function numbersToInt64(values: ArrayLike<number>, n: number, fromFloat: boolean, unsigned: boolean) {
  const out = unsigned ? new BigUint64Array(n) : new BigInt64Array(n);
  const w = new Int32Array(out.buffer);
  const top = unsigned ? 2 * TWO63 : TWO63;
  for (let i = 0; i < n; i++) {
    const t = fromFloat ? Math.trunc(values[i]!) : values[i]!;
    if (t > -TWO63 && t < top) {
      w[2 * i] = t >>> 0;
      w[2 * i + 1] = Math.floor(t / 4294967296);
    } else w[2 * i + 1] = -2147483648;
  }
  return out;
}

/** float32 bits of every value: a view for float32 storage, rounded to odd otherwise. */
function float32Bits(values: ArrayLike<number>, n: number): Uint32Array {
  if (values instanceof Float32Array) return new Uint32Array(values.buffer, values.byteOffset, n);
  const bits = new Uint32Array(n);
  for (let i = 0; i < n; i++) bits[i] = float32BitsRoundOdd(values[i]!);
  return bits;
}

function encodeBfloat16(values: ArrayLike<number>, n: number): Uint16Array {
  const out = new Uint16Array(n);
  const bits = float32Bits(values, n);
  for (let i = 0; i < n; i++) {
    const b = bits[i]!;
    if ((b & 0x7fffffff) > 0x7f800000) out[i] = (b >>> 16) | 0x40;
    else out[i] = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
  }
  return out;
}

/**
 * Encodes numbers as storage of `type`. `fromFloat` says the numbers may be
 * fractional, NaN or infinite (float sources); integer sources wrap instead.
 */
export function encodeValues(
  type: DataType,
  values: ArrayLike<number>,
  n: number,
  options: CastOptions = {},
  fromFloat = true,
): Exclude<Tensor['data'], string[]> {
  checkCastable(type);
  const saturate = options.saturate ?? true;
  switch (type) {
    case 'float32':
    case 'float64': {
      const out = allocate(type, n);
      out.set(values);
      return out;
    }
    case 'float16': {
      const out = new Uint16Array(n);
      const bits = float32Bits(values, n);
      for (let i = 0; i < n; i++) out[i] = encodeFloat16FromFloat32Bits(bits[i]!);
      return out;
    }
    case 'bfloat16':
      return encodeBfloat16(values, n);
    case 'float8e4m3fn':
    case 'float8e4m3fnuz':
    case 'float8e5m2':
    case 'float8e5m2fnuz': {
      const out = new Uint8Array(n);
      const bits = float32Bits(values, n);
      for (let i = 0; i < n; i++) out[i] = encodeMinifloatFromFloat32Bits(type, bits[i]!, saturate);
      return out;
    }
    case 'float8e8m0': {
      const out = new Uint8Array(n);
      const mode = options.roundMode ?? 'up';
      const bits = float32Bits(values, n);
      for (let i = 0; i < n; i++) out[i] = encodeE8M0FromFloat32Bits(bits[i]!, saturate, mode);
      return out;
    }
    case 'float4e2m1': {
      const codes = new Uint8Array(n);
      const bits = float32Bits(values, n);
      for (let i = 0; i < n; i++) codes[i] = encodeMinifloatFromFloat32Bits('float4e2m1', bits[i]!);
      return packBits('float4e2m1', codes, n);
    }
    case 'int4':
    case 'uint4':
    case 'int2':
    case 'uint2': {
      const codes = new Int32Array(n);
      for (let i = 0; i < n; i++) codes[i] = fromFloat ? truncToInt32(values[i]!) : values[i]!;
      return packBits(type, codes, n);
    }
    case 'bool': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = values[i] !== 0 ? 1 : 0;
      return out;
    }
    case 'int64':
    case 'uint64':
      return numbersToInt64(values, n, fromFloat, type === 'uint64');
    case 'uint32': {
      const out = new Uint32Array(n);
      if (!fromFloat) out.set(values);
      else
        for (let i = 0; i < n; i++) {
          // via int64 as C compilers do: low 32 bits, 0 for NaN / out of int64 range
          const t = Math.trunc(values[i]!);
          out[i] = t > -TWO63 && t < TWO63 ? t : 0;
        }
      return out;
    }
    case 'string':
      throw new InvalidArgumentError('encodeValues: use castTensor for string targets');
    default: {
      const out = allocate(type, n) as Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array;
      if (!fromFloat) out.set(values);
      else for (let i = 0; i < n; i++) out[i] = truncToInt32(values[i]!);
      return out;
    }
  }
}

/** A tensor of `type` from numbers (see `encodeValues`). */
export function tensorFromValues(
  type: DataType,
  values: ArrayLike<number>,
  dims: readonly number[],
  options: CastOptions = {},
): Tensor {
  let n = 1;
  for (const d of dims) n *= d;
  return new Tensor(type, encodeValues(type, values, n, options, true), dims);
}

/** Maps a number to the nearest value of `type`, for shortest round-trip printing. */
function roundTripOf(type: DataType): (x: number) => number {
  switch (type) {
    case 'float32':
      return Math.fround;
    case 'float16':
      return (x) => float16ToNumber(numberToFloat16(x));
    case 'bfloat16':
      return (x) => bfloat16ToNumber(numberToBfloat16(x));
    case 'float8e8m0':
      return (x) => minifloatTable('float8e8m0')[encodeE8M0(x, true, 'nearest')]!;
    default:
      if (isMinifloat(type)) return (x) => minifloatTable(type)[encodeMinifloat(type, x)]!;
      return (x) => x;
  }
}

function toStrings(t: Tensor): string[] {
  const n = t.size;
  const out = new Array<string>(n);
  if (t.type === 'int64' || t.type === 'uint64') {
    const src = t.data as BigInt64Array | BigUint64Array;
    for (let i = 0; i < n; i++) out[i] = src[i]!.toString();
    return out;
  }
  const values = tensorValues(t);
  if (isFloatType(t.type)) {
    const rt = roundTripOf(t.type);
    for (let i = 0; i < n; i++) out[i] = formatFloat(values[i]!, rt);
  } else for (let i = 0; i < n; i++) out[i] = String(values[i]);
  return out;
}

function fromStrings(t: Tensor, to: DataType, options: CastOptions): Tensor {
  const src = t.data as string[];
  if (to === 'int64' || to === 'uint64') {
    const out = to === 'int64' ? new BigInt64Array(src.length) : new BigUint64Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = parseBigIntString(src[i]!) ?? INT64_MIN;
    return new Tensor(to, out, t.dims);
  }
  if (!isFloatType(to) && to !== 'bool') {
    // integers parse exactly and keep their low bits, like the other integer casts
    const lo = new Int32Array(src.length);
    for (let i = 0; i < src.length; i++) lo[i] = Number(BigInt.asIntN(32, parseBigIntString(src[i]!) ?? 0n));
    return new Tensor<DataType>(to, encodeValues(to, lo, t.size, options, false), t.dims);
  }
  return new Tensor<DataType>(to, encodeValues(to, tensorValues(t), t.size, options, true), t.dims);
}

function fromBig(t: Tensor, to: DataType, options: CastOptions): Tensor {
  const src = t.data as BigInt64Array | BigUint64Array;
  const n = src.length;
  if (to === 'int64' || to === 'uint64') {
    const bytes = new Uint8Array(src.buffer, src.byteOffset, src.byteLength).slice();
    return new Tensor(
      to,
      to === 'int64' ? new BigInt64Array(bytes.buffer) : new BigUint64Array(bytes.buffer),
      t.dims,
    );
  }
  if (isFloatType(to))
    return new Tensor<DataType>(to, encodeValues(to, decodeBigToNumbers(t), n, options), t.dims);
  // integer and bool targets only need the low word (or both words for bool)
  const w = new Int32Array(src.buffer, src.byteOffset, n * 2);
  const lo = new Int32Array(n);
  for (let i = 0; i < n; i++) lo[i] = to === 'bool' ? w[2 * i]! | w[2 * i + 1]! : w[2 * i]!;
  return new Tensor<DataType>(to, encodeValues(to, lo, n, options, false), t.dims);
}

/**
 * Converts a tensor to another element type, as ONNX's Cast does. Always
 * returns new storage, also when the type does not change.
 */
export function castTensor(t: Tensor, to: DataType, options: CastOptions = {}): Tensor {
  checkCastable(t.type);
  checkCastable(to);
  if (t.type === to) return new Tensor(to, t.data.slice() as Tensor['data'], t.dims);
  if (to === 'string') return new Tensor('string', toStrings(t), t.dims);
  if (t.type === 'string') return fromStrings(t, to, options);
  if (t.type === 'int64' || t.type === 'uint64') return fromBig(t, to, options);
  const values = tensorValues(t);
  const fromFloat = isFloatType(t.type);
  // decoded float32 values are already float32 storage
  if (to === 'float32' && values instanceof Float32Array && values !== t.data) {
    return new Tensor('float32', values, t.dims);
  }
  return new Tensor<DataType>(to, encodeValues(to, values, t.size, options, fromFloat), t.dims);
}
