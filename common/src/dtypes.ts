/**
 * Element types. Names follow onnxruntime-common where it has one, and ONNX's
 * lower-cased names where it has none.
 */
export type DataType =
  | 'float32'
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'string'
  | 'bool'
  | 'float16'
  | 'float64'
  | 'uint32'
  | 'uint64'
  | 'complex64'
  | 'complex128'
  | 'bfloat16'
  | 'float8e4m3fn'
  | 'float8e4m3fnuz'
  | 'float8e5m2'
  | 'float8e5m2fnuz'
  | 'uint4'
  | 'int4'
  | 'float4e2m1'
  | 'float8e8m0'
  | 'uint2'
  | 'int2';

/** ONNX `TensorProto.DataType` numbers, indexed by our names. */
export const ONNX_ELEMENT_TYPE: Readonly<Record<DataType, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
  complex64: 14,
  complex128: 15,
  bfloat16: 16,
  float8e4m3fn: 17,
  float8e4m3fnuz: 18,
  float8e5m2: 19,
  float8e5m2fnuz: 20,
  uint4: 21,
  int4: 22,
  float4e2m1: 23,
  float8e8m0: 24,
  uint2: 25,
  int2: 26,
};

/** The ONNX upper-case names (`FLOAT`, `INT64`, …), indexed by our names. */
export const ONNX_ELEMENT_TYPE_NAME: Readonly<Record<DataType, string>> = {
  float32: 'FLOAT',
  uint8: 'UINT8',
  int8: 'INT8',
  uint16: 'UINT16',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  string: 'STRING',
  bool: 'BOOL',
  float16: 'FLOAT16',
  float64: 'DOUBLE',
  uint32: 'UINT32',
  uint64: 'UINT64',
  complex64: 'COMPLEX64',
  complex128: 'COMPLEX128',
  bfloat16: 'BFLOAT16',
  float8e4m3fn: 'FLOAT8E4M3FN',
  float8e4m3fnuz: 'FLOAT8E4M3FNUZ',
  float8e5m2: 'FLOAT8E5M2',
  float8e5m2fnuz: 'FLOAT8E5M2FNUZ',
  uint4: 'UINT4',
  int4: 'INT4',
  float4e2m1: 'FLOAT4E2M1',
  float8e8m0: 'FLOAT8E8M0',
  uint2: 'UINT2',
  int2: 'INT2',
};

const BY_NUMBER: ReadonlyMap<number, DataType> = new Map(
  (Object.entries(ONNX_ELEMENT_TYPE) as [DataType, number][]).map(([name, n]) => [n, name]),
);

/** The data type for an ONNX element type number, or undefined for 0 / unknown numbers. */
export function dataTypeFromOnnx(elemType: number): DataType | undefined {
  return BY_NUMBER.get(elemType);
}

/** Bits one element occupies in storage (0 for string). */
export const DATA_TYPE_BITS: Readonly<Record<DataType, number>> = {
  float32: 32,
  uint8: 8,
  int8: 8,
  uint16: 16,
  int16: 16,
  int32: 32,
  int64: 64,
  string: 0,
  bool: 8,
  float16: 16,
  float64: 64,
  uint32: 32,
  uint64: 64,
  complex64: 64,
  complex128: 128,
  bfloat16: 16,
  float8e4m3fn: 8,
  float8e4m3fnuz: 8,
  float8e5m2: 8,
  float8e5m2fnuz: 8,
  uint4: 4,
  int4: 4,
  float4e2m1: 4,
  float8e8m0: 8,
  uint2: 2,
  int2: 2,
};

/** Typed-array storage of each data type (string tensors hold `string[]`). */
export interface DataTypeStorage {
  float32: Float32Array;
  uint8: Uint8Array;
  int8: Int8Array;
  uint16: Uint16Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  string: string[];
  bool: Uint8Array;
  float16: Uint16Array;
  float64: Float64Array;
  uint32: Uint32Array;
  uint64: BigUint64Array;
  complex64: Float32Array;
  complex128: Float64Array;
  bfloat16: Uint16Array;
  float8e4m3fn: Uint8Array;
  float8e4m3fnuz: Uint8Array;
  float8e5m2: Uint8Array;
  float8e5m2fnuz: Uint8Array;
  uint4: Uint8Array;
  int4: Uint8Array;
  float4e2m1: Uint8Array;
  float8e8m0: Uint8Array;
  uint2: Uint8Array;
  int2: Uint8Array;
}

export type TensorData = DataTypeStorage[DataType];
export type NumericTypedArray = Exclude<TensorData, string[]>;
