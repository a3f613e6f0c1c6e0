export {
  decodeMinifloat,
  type E8M0RoundMode,
  encodeE8M0,
  encodeE8M0FromFloat32Bits,
  encodeFloat16FromFloat32Bits,
  encodeMinifloat,
  encodeMinifloatFromFloat32Bits,
  type Float8Type,
  float16Table,
  float32BitsRoundOdd,
  isFloat8,
  isMinifloat,
  type MinifloatType,
  minifloatTable,
} from './convert/minifloat.js';
export {
  getPackedBits,
  getPackedInt,
  isPacked,
  isPackedInt,
  type PackedIntType,
  type PackedType,
  packBits,
  packedBits,
  packedIntRange,
  setPackedBits,
  setPackedInt,
  unpackBits,
  unpackInts,
} from './convert/packed.js';
export { formatFloat, parseBigIntString, parseFloatString } from './convert/strings.js';
export {
  bigintToNumberRoundOdd,
  type CastOptions,
  castTensor,
  encodeValues,
  isFloatType,
  tensorFromValues,
  tensorValues,
} from './convert.js';
export {
  bfloat16ArrayToFloat32,
  bfloat16ToNumber,
  float16ArrayToFloat32,
  float16ToNumber,
  float32ArrayToBfloat16,
  float32ArrayToFloat16,
  numberToBfloat16,
  numberToFloat16,
} from './float16.js';
export { decodeNpy, encodeNpy } from './npy.js';
export {
  broadcastShapes,
  broadcastStrides,
  collapseBroadcast,
  normalizeAxis,
  shapesEqual,
  stridesOf,
} from './shape.js';
export { allocate, isTensor, sizeOf, storageLength, Tensor } from './tensor.js';
