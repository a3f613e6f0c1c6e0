import { BackendError, type DataType, type ValueType } from '@zai/common';
import { Tensor } from '@zai/tensor-core';
import type { RuntimeValue } from '../kernel.js';
import type { OrtModule, OrtTensor, OrtValueMetadata } from './load.js';

// onnxruntime-node's JS API has no bfloat16, float8, float4 or 2-bit types.
const SHARED_TYPES = new Set<DataType>([
  'float32',
  'float64',
  'float16',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'bool',
  'string',
  'int4',
  'uint4',
]);

export function toOrt(ort: OrtModule, name: string, v: RuntimeValue): OrtTensor {
  if (!(v instanceof Tensor)) {
    throw new BackendError(
      'onnxruntime',
      `input '${name}': onnxruntime-node accepts only tensors, not sequences, maps or optionals`,
    );
  }
  if (!SHARED_TYPES.has(v.type)) {
    throw new BackendError(
      'onnxruntime',
      `input '${name}': onnxruntime-node has no ${v.type} tensors; use backend 'native'`,
    );
  }
  return new ort.Tensor(v.type, v.data, v.dims);
}

export function fromOrt(name: string, t: OrtTensor): Tensor {
  const type = t.type as DataType;
  if (!SHARED_TYPES.has(type))
    throw new BackendError('onnxruntime', `output '${name}' has unsupported type ${t.type}`);
  return new Tensor(type, t.data as Tensor['data'], t.dims);
}

export function metadataType(m: OrtValueMetadata): ValueType | null {
  if (!m.isTensor || !m.type) return null;
  const shape = m.shape?.map((d) =>
    typeof d === 'number' && d >= 0 ? d : typeof d === 'string' && d !== '' ? d : null,
  );
  return shape
    ? { kind: 'tensor', elemType: m.type as DataType, shape }
    : { kind: 'tensor', elemType: m.type as DataType };
}
