// Sub-byte element access: int4/uint4/float4e2m1 pack two elements per byte,
// int2/uint2 four, the first element in the low bits (ONNX's order).

export type Packed4Type = 'int4' | 'uint4' | 'float4e2m1';
export type Packed2Type = 'int2' | 'uint2';
export type PackedType = Packed4Type | Packed2Type;
/** Packed integer types. */
export type PackedIntType = 'int4' | 'uint4' | 'int2' | 'uint2';

export function isPacked(type: string): type is PackedType {
  return type === 'int4' || type === 'uint4' || type === 'float4e2m1' || type === 'int2' || type === 'uint2';
}

export function isPackedInt(type: string): type is PackedIntType {
  return type === 'int4' || type === 'uint4' || type === 'int2' || type === 'uint2';
}

/** Bits per element of a packed type. */
export function packedBits(type: PackedType): 4 | 2 {
  return type === 'int2' || type === 'uint2' ? 2 : 4;
}

/** The range of a packed integer type: [min, max]. */
export function packedIntRange(type: PackedIntType): [number, number] {
  switch (type) {
    case 'int4':
      return [-8, 7];
    case 'uint4':
      return [0, 15];
    case 'int2':
      return [-2, 1];
    default:
      return [0, 3];
  }
}

/** The raw bit field of element i (0..15 or 0..3), without sign extension. */
export function getPackedBits(type: PackedType, data: Uint8Array, i: number): number {
  if (packedBits(type) === 4) return (data[i >> 1]! >> ((i & 1) << 2)) & 0xf;
  return (data[i >> 2]! >> ((i & 3) << 1)) & 0x3;
}

/** Writes the low bits of `bits` into element i, leaving its neighbours alone. */
export function setPackedBits(type: PackedType, data: Uint8Array, i: number, bits: number): void {
  if (packedBits(type) === 4) {
    const sh = (i & 1) << 2;
    const j = i >> 1;
    data[j] = (data[j]! & ~(0xf << sh)) | ((bits & 0xf) << sh);
  } else {
    const sh = (i & 3) << 1;
    const j = i >> 2;
    data[j] = (data[j]! & ~(0x3 << sh)) | ((bits & 0x3) << sh);
  }
}

/** Element i of a packed integer tensor as a number (sign-extended for int4/int2). */
export function getPackedInt(type: PackedIntType, data: Uint8Array, i: number): number {
  const b = getPackedBits(type, data, i);
  if (type === 'int4') return (b << 28) >> 28;
  if (type === 'int2') return (b << 30) >> 30;
  return b;
}

/** Sets element i of a packed integer tensor; out-of-range values wrap (keep the low bits). */
export function setPackedInt(type: PackedIntType, data: Uint8Array, i: number, v: number): void {
  setPackedBits(type, data, i, v);
}

/** Unpacks `n` raw fields into one byte each (codes, not sign-extended). */
export function unpackBits(
  type: PackedType,
  data: Uint8Array,
  n: number,
  out = new Uint8Array(n),
): Uint8Array {
  if (packedBits(type) === 4) {
    const pairs = n >> 1;
    for (let j = 0; j < pairs; j++) {
      const b = data[j]!;
      out[2 * j] = b & 0xf;
      out[2 * j + 1] = b >> 4;
    }
    if (n & 1) out[n - 1] = data[pairs]! & 0xf;
  } else {
    for (let i = 0; i < n; i++) out[i] = (data[i >> 2]! >> ((i & 3) << 1)) & 0x3;
  }
  return out;
}

/** Unpacks `n` elements of a packed integer type into an Int8Array of their values. */
export function unpackInts(type: PackedIntType, data: Uint8Array, n: number): Int8Array {
  const out = new Int8Array(n);
  unpackBits(type, data, n, new Uint8Array(out.buffer));
  if (type === 'int4') for (let i = 0; i < n; i++) out[i] = (out[i]! << 28) >> 28;
  else if (type === 'int2') for (let i = 0; i < n; i++) out[i] = (out[i]! << 30) >> 30;
  return out;
}

/** Packs the low bits of `n` integer codes; the padding bits of the last byte stay 0. */
export function packBits(type: PackedType, codes: ArrayLike<number>, n = codes.length): Uint8Array {
  if (packedBits(type) === 4) {
    const out = new Uint8Array((n + 1) >> 1);
    const pairs = n >> 1;
    for (let j = 0; j < pairs; j++) out[j] = (codes[2 * j]! & 0xf) | ((codes[2 * j + 1]! & 0xf) << 4);
    if (n & 1) out[pairs] = codes[n - 1]! & 0xf;
    return out;
  }
  const out = new Uint8Array((n + 3) >> 2);
  for (let i = 0; i < n; i++) out[i >> 2]! |= (codes[i]! & 0x3) << ((i & 3) << 1);
  return out;
}
