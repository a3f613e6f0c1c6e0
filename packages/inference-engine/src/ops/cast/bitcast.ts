import { DATA_TYPE_BITS, type DataType, TypeMismatchError } from '@zai/common';
import { Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { tensorInput, typeAttr } from './common.js';

// BitCast (26): the same bytes read as another type of the same bit width.
// Storage is little-endian on every platform Node runs on, and packed
// sub-byte types share their byte layout, so a byte copy is the whole job.

const STORAGE: Partial<Record<DataType, new (b: ArrayBuffer) => Tensor['data']>> = {
  float32: Float32Array,
  complex64: Float32Array,
  float64: Float64Array,
  complex128: Float64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint16: Uint16Array,
  float16: Uint16Array,
  bfloat16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
};

/** Reinterprets the bits of `x` as `to` (same bit width, no strings). */
export function bitcastTensor(x: Tensor, to: DataType): Tensor {
  if (x.type === 'string' || to === 'string')
    throw new TypeMismatchError('BitCast: string tensors cannot be bitcast');
  if (DATA_TYPE_BITS[x.type] !== DATA_TYPE_BITS[to]) {
    throw new TypeMismatchError(
      `BitCast: ${x.type} (${DATA_TYPE_BITS[x.type]} bits) and ${to} (${DATA_TYPE_BITS[to]} bits) differ in width`,
    );
  }
  const src = x.data as Exclude<Tensor['data'], string[]>;
  const bytes = new Uint8Array(src.buffer, src.byteOffset, src.byteLength).slice();
  const Ctor = STORAGE[to] ?? Uint8Array;
  return new Tensor<DataType>(to, new Ctor(bytes.buffer), x.dims);
}

function create(ctx: KernelContext): Kernel {
  const to = typeAttr(ctx, 'to');
  if (to === 'string') ctx.fail('cannot bitcast to string');
  return (inputs) => [bitcastTensor(tensorInput(inputs, 0, 'BitCast', 'input'), to)];
}

const shape: ShapeFn = (ctx) => {
  const s = ctx.shape(0);
  const elemType = typeAttr(ctx, 'to');
  return [s ? { kind: 'tensor', elemType, shape: s } : { kind: 'tensor', elemType }];
};

export const BITCAST: OperatorDef = defineOp('BitCast', '26+', create, '', shape);
