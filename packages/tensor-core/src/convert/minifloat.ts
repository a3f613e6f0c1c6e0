// Exact conversions between numbers and the sub-16-bit float formats:
// float8 e4m3fn / e4m3fnuz / e5m2 / e5m2fnuz, float4 e2m1 and float8 e8m0.
// Encoding rounds to nearest, ties to even (e8m0: per round mode) and applies
// ONNX Cast's saturation tables. Decoding goes through 256-entry tables.

export type Float8Type = 'float8e4m3fn' | 'float8e4m3fnuz' | 'float8e5m2' | 'float8e5m2fnuz';
/** Formats with a sign, an exponent and a mantissa that `encodeMinifloat` handles. */
export type MinifloatType = Float8Type | 'float4e2m1';
/** Rounding of float8e8m0 encoding (Cast 25 `round_mode`). */
export type E8M0RoundMode = 'up' | 'down' | 'nearest';

interface Format {
  /** Mantissa bits. */
  readonly mant: number;
  readonly bias: number;
  /** The sign bit. */
  readonly sign: number;
  /** Largest finite magnitude, as an encoding without sign. */
  readonly max: number;
  /** Encoding of +Inf, or -1 when the format has none. */
  readonly inf: number;
  /** Encoding of NaN (sign added only when `signedNaN`). */
  readonly nan: number;
  readonly signedNaN: boolean;
  /** fnuz formats: no negative zero (0x80 is NaN). */
  readonly uz: boolean;
}

const FORMATS: Readonly<Record<MinifloatType, Format>> = {
  float8e4m3fn: { mant: 3, bias: 7, sign: 0x80, max: 0x7e, inf: -1, nan: 0x7f, signedNaN: true, uz: false },
  float8e4m3fnuz: { mant: 3, bias: 8, sign: 0x80, max: 0x7f, inf: -1, nan: 0x80, signedNaN: false, uz: true },
  float8e5m2: { mant: 2, bias: 15, sign: 0x80, max: 0x7b, inf: 0x7c, nan: 0x7e, signedNaN: true, uz: false },
  float8e5m2fnuz: {
    mant: 2,
    bias: 16,
    sign: 0x80,
    max: 0x7f,
    inf: -1,
    nan: 0x80,
    signedNaN: false,
    uz: true,
  },
  // float4 has neither NaN nor Inf: the ONNX test data (ml_dtypes) maps NaN to 0b1000.
  float4e2m1: { mant: 1, bias: 1, sign: 0x8, max: 0x7, inf: -1, nan: 0x8, signedNaN: false, uz: false },
};

// IEEE half precision through the same encoder: a fast float32-bits path for Cast.
const HALF: Format = {
  mant: 10,
  bias: 15,
  sign: 0x8000,
  max: 0x7bff,
  inf: 0x7c00,
  nan: 0x7e00,
  signedNaN: true,
  uz: false,
};

export function isMinifloat(type: string): type is MinifloatType {
  return type in FORMATS;
}

export function isFloat8(type: string): type is Float8Type {
  return type in FORMATS && type !== 'float4e2m1';
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The float32 bits of `v`, rounded to odd when inexact. Rounding the result
 * again to any format with at most 22 mantissa bits gives the same answer as
 * rounding `v` directly, so float64 inputs are not double-rounded.
 */
export function float32BitsRoundOdd(v: number): number {
  f32[0] = v;
  let b = u32[0]!;
  const f = f32[0]!;
  if (f !== v && !Number.isNaN(v)) {
    if (f === Number.POSITIVE_INFINITY || f === Number.NEGATIVE_INFINITY) b = (b & 0x80000000) | 0x7f7fffff;
    else if ((b & 1) === 0) b = Math.abs(f) > Math.abs(v) ? b - 1 : b + 1;
  }
  return b >>> 0;
}

function nanOf(fmt: Format, sign: number): number {
  return fmt.signedNaN ? sign | fmt.nan : fmt.nan;
}

function encodeBits(fmt: Format, x: number, saturate: boolean): number {
  const s = x & 0x80000000 ? fmt.sign : 0;
  const a = x & 0x7fffffff;
  if (a > 0x7f800000) return nanOf(fmt, s);
  if (a === 0x7f800000) {
    if (saturate) return s | fmt.max;
    return fmt.inf >= 0 ? s | fmt.inf : nanOf(fmt, s);
  }
  // value = m * 2^(e - 150), with the hidden bit in m for normal numbers
  let e = a >>> 23;
  let m = a & 0x7fffff;
  if (e === 0) e = 1;
  else m |= 0x800000;
  const emin = 1 - fmt.bias;
  const eu = e - 127;
  const eff = Math.max(eu, emin);
  const shift = eff - fmt.mant - (e - 150);
  let q = 0;
  if (shift < 26) {
    q = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && q & 1)) q++;
  }
  // the exponent field carries naturally when q rounds up to 2^(mant+1)
  const mag = ((eff + fmt.bias - 1) << fmt.mant) + q;
  if (mag > fmt.max) {
    if (saturate) return s | fmt.max;
    return fmt.inf >= 0 ? s | fmt.inf : nanOf(fmt, s);
  }
  if (mag === 0 && fmt.uz) return 0;
  return s | mag;
}

/** Encodes a number; float4e2m1 always saturates (Cast's `saturate` covers float8 only). */
export function encodeMinifloat(type: MinifloatType, v: number, saturate = true): number {
  return encodeBits(FORMATS[type], float32BitsRoundOdd(v), saturate || type === 'float4e2m1');
}

/** Encodes float32 bits (as from a Uint32Array view) without going through a number. */
export function encodeMinifloatFromFloat32Bits(type: MinifloatType, bits: number, saturate = true): number {
  return encodeBits(FORMATS[type], bits, saturate || type === 'float4e2m1');
}

/** float32 bits -> float16 bits, round to nearest even, overflow to infinity. */
export function encodeFloat16FromFloat32Bits(x: number): number {
  const s = (x >>> 16) & 0x8000;
  const a = x & 0x7fffffff;
  if (a >= 0x7f800000) return s | (a > 0x7f800000 ? 0x7e00 : 0x7c00);
  if (a >= 0x477ff000) return s | 0x7c00; // 65520 and up round to infinity
  if (a >= 0x38800000) {
    // normal: rebias the exponent (127 -> 15) and round away 13 mantissa bits
    const r = a - 0x38000000;
    return s | ((r + 0xfff + ((r >>> 13) & 1)) >>> 13);
  }
  if (a <= 0x33000000) return s; // up to 2^-25 (a tie) rounds to zero
  // subnormal: units of 2^-24
  const shift = 126 - (a >>> 23);
  const m = (a & 0x7fffff) | 0x800000;
  let q = m >>> shift;
  const rem = m & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (rem > half || (rem === half && q & 1)) q++;
  return s | q;
}

let halfTable: Float32Array | undefined;

/** The value of every float16 encoding (65536 entries, built on first use). */
export function float16Table(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let b = 0; b < 65536; b++) halfTable[b] = decodeBits(HALF, b);
  }
  return halfTable;
}

function decodeBits(fmt: Format, b: number): number {
  const neg = (b & fmt.sign) !== 0;
  const mag = b & (fmt.sign - 1);
  if (fmt.uz) {
    if (b === 0x80) return Number.NaN;
  } else if (fmt.signedNaN && (mag === fmt.nan || (fmt.inf >= 0 && mag > fmt.inf))) return Number.NaN;
  if (fmt.inf >= 0 && mag === fmt.inf) return neg ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  const e = mag >> fmt.mant;
  const m = mag & ((1 << fmt.mant) - 1);
  const v =
    e === 0 ? m * 2 ** (1 - fmt.bias - fmt.mant) : (m + (1 << fmt.mant)) * 2 ** (e - fmt.bias - fmt.mant);
  return neg ? -v : v;
}

const tables = new Map<MinifloatType | 'float8e8m0', Float32Array>();

/** The value of every encoding (256 entries; 16 for float4e2m1). Exact in float32. */
export function minifloatTable(type: MinifloatType | 'float8e8m0'): Float32Array {
  let t = tables.get(type);
  if (!t) {
    if (type === 'float8e8m0') {
      t = new Float32Array(256);
      for (let b = 0; b < 256; b++) t[b] = b === 255 ? Number.NaN : 2 ** (b - 127);
    } else {
      const fmt = FORMATS[type];
      t = new Float32Array(fmt.sign * 2);
      for (let b = 0; b < t.length; b++) t[b] = decodeBits(fmt, b);
    }
    tables.set(type, t);
  }
  return t;
}

/** Decodes one encoding of a float8 / float4 format. */
export function decodeMinifloat(type: MinifloatType | 'float8e8m0', bits: number): number {
  return minifloatTable(type)[bits & (type === 'float4e2m1' ? 0xf : 0xff)]!;
}

/**
 * Encodes float32 bits as float8e8m0 (a power of two 2^(b-127); 255 is NaN).
 * The sign is ignored (negative inputs are unspecified in ONNX). Without
 * saturation, values out of range (including 0 and Inf) become NaN.
 */
export function encodeE8M0FromFloat32Bits(bits: number, saturate = true, mode: E8M0RoundMode = 'up'): number {
  const a = bits & 0x7fffffff;
  if (a > 0x7f800000) return 0xff;
  if (a === 0x7f800000) return saturate ? 0xfe : 0xff;
  if (a === 0) return saturate ? 0 : 0xff;
  let e = a >>> 23;
  let frac = a & 0x7fffff; // fraction below the leading bit, in units of 2^-23 of it
  if (e === 0) {
    // subnormal: normalise so the leading bit sits at bit 23
    const lead = 31 - Math.clz32(frac);
    e = lead - 22;
    frac = (frac << (23 - lead)) & 0x7fffff;
  }
  let up = false;
  if (mode === 'up') up = frac !== 0;
  else if (mode === 'nearest') up = frac >= 0x400000;
  let r = e + (up ? 1 : 0); // biased float32 exponent, same bias (127) as e8m0
  if (r < 0) return saturate ? 0 : 0xff;
  if (r > 0xfe) r = saturate ? 0xfe : 0xff;
  return r;
}

/** Encodes a number as float8e8m0. */
export function encodeE8M0(v: number, saturate = true, mode: E8M0RoundMode = 'up'): number {
  return encodeE8M0FromFloat32Bits(float32BitsRoundOdd(v), saturate, mode);
}
