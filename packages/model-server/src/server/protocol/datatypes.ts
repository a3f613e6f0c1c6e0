import type { DataType } from '@zai/common';

/** The datatypes of the KServe V2 protocol, with the zai element type each maps to. */
export const V2_TO_DTYPE = {
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP16: 'float16',
  FP32: 'float32',
  FP64: 'float64',
  BF16: 'bfloat16',
  BYTES: 'string',
} as const satisfies Record<string, DataType>;

export type V2Datatype = keyof typeof V2_TO_DTYPE;
export type ServableDataType = (typeof V2_TO_DTYPE)[V2Datatype];

const DTYPE_TO_V2 = new Map<DataType, V2Datatype>(
  (Object.entries(V2_TO_DTYPE) as [V2Datatype, DataType][]).map(([v2, t]) => [t, v2]),
);

export function isV2Datatype(s: unknown): s is V2Datatype {
  return typeof s === 'string' && Object.hasOwn(V2_TO_DTYPE, s);
}

/** The V2 name of an element type, or undefined when V2 cannot carry it (float8, int4, complex…). */
export function v2DatatypeOf(t: DataType): V2Datatype | undefined {
  return DTYPE_TO_V2.get(t);
}

/** Triton's model-config names (`TYPE_FP32`), used by `GET /v2/models/{m}/config`. */
export function tritonConfigType(t: DataType): string {
  const v2 = v2DatatypeOf(t);
  if (!v2) return 'TYPE_INVALID';
  return v2 === 'BYTES' ? 'TYPE_STRING' : `TYPE_${v2}`;
}

/** Bytes per element in the binary extension (0 for BYTES, which is length-prefixed). */
export const V2_ELEMENT_BYTES: Readonly<Record<V2Datatype, number>> = {
  BOOL: 1,
  UINT8: 1,
  UINT16: 2,
  UINT32: 4,
  UINT64: 8,
  INT8: 1,
  INT16: 2,
  INT32: 4,
  INT64: 8,
  FP16: 2,
  FP32: 4,
  FP64: 8,
  BF16: 2,
  BYTES: 0,
};
