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
export {
  broadcastShapes,
  broadcastStrides,
  collapseBroadcast,
  normalizeAxis,
  shapesEqual,
  stridesOf,
} from './shape.js';
export { Tensor, allocate, isTensor, sizeOf, storageLength } from './tensor.js';
export { decodeNpy, encodeNpy } from './npy.js';
