import {
  DATA_TYPE_BITS,
  type DataType,
  type DataTypeStorage,
  InvalidArgumentError,
  type TensorData,
  type TensorLike,
} from '@zai/common';

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < dims.length; i++) n *= dims[i]!;
  return n;
}

/** Length of the storage array holding `size` elements of `type` (sub-byte types are packed). */
export function storageLength(type: DataType, size: number): number {
  const bits = DATA_TYPE_BITS[type];
  if (type === 'complex64' || type === 'complex128') return size * 2;
  if (bits === 4) return Math.ceil(size / 2);
  if (bits === 2) return Math.ceil(size / 4);
  return size;
}

/** Allocates zeroed storage for `size` elements of `type`. */
export function allocate<T extends DataType>(type: T, size: number): DataTypeStorage[T] {
  const n = storageLength(type, size);
  switch (type) {
    case 'float32':
    case 'complex64':
      return new Float32Array(n) as DataTypeStorage[T];
    case 'float64':
    case 'complex128':
      return new Float64Array(n) as DataTypeStorage[T];
    case 'int8':
      return new Int8Array(n) as DataTypeStorage[T];
    case 'int16':
      return new Int16Array(n) as DataTypeStorage[T];
    case 'int32':
      return new Int32Array(n) as DataTypeStorage[T];
    case 'int64':
      return new BigInt64Array(n) as DataTypeStorage[T];
    case 'uint16':
    case 'float16':
    case 'bfloat16':
      return new Uint16Array(n) as DataTypeStorage[T];
    case 'uint32':
      return new Uint32Array(n) as DataTypeStorage[T];
    case 'uint64':
      return new BigUint64Array(n) as DataTypeStorage[T];
    case 'string':
      return new Array<string>(n).fill('') as DataTypeStorage[T];
    default:
      return new Uint8Array(n) as DataTypeStorage[T];
  }
}

const STORAGE_CTOR: Partial<Record<DataType, unknown>> = {
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

function checkStorage(type: DataType, data: unknown): boolean {
  if (type === 'string') return Array.isArray(data);
  const ctor = STORAGE_CTOR[type] ?? Uint8Array;
  return data instanceof (ctor as typeof Uint8Array);
}

/**
 * A dense tensor: element type, flat row-major storage and dimensions.
 * `data` is used as given (no copy).
 */
export class Tensor<T extends DataType = DataType> implements TensorLike {
  readonly type: T;
  readonly data: DataTypeStorage[T];
  readonly dims: readonly number[];
  readonly size: number;

  constructor(
    type: T,
    data: DataTypeStorage[T] | readonly number[] | readonly bigint[],
    dims?: readonly number[],
  );
  constructor(
    type: T,
    data: DataTypeStorage[T] | readonly number[] | readonly bigint[],
    dims?: readonly number[],
  ) {
    let storage = data as DataTypeStorage[T];
    if (!checkStorage(type, data)) {
      if (Array.isArray(data)) storage = fromArray(type, data);
      else {
        throw new InvalidArgumentError(
          `Tensor: ${(data as object)?.constructor?.name ?? typeof data} is not valid storage for type '${type}'`,
        );
      }
    }
    const size = dims ? sizeOf(dims) : storage.length;
    const d = dims ? dims.slice() : [storage.length];
    for (const x of d) {
      if (!Number.isInteger(x) || x < 0)
        throw new InvalidArgumentError(`Tensor: invalid dimension ${x} in [${d}]`);
    }
    const expected = storageLength(type, size);
    if (storage.length !== expected) {
      throw new InvalidArgumentError(
        `Tensor: ${type} data of length ${storage.length} does not match dims [${d.join(',')}] (expected ${expected})`,
      );
    }
    this.type = type;
    this.data = storage;
    this.dims = Object.freeze(d);
    this.size = size;
  }

  get rank(): number {
    return this.dims.length;
  }

  /** Same data, new dims (the element count must not change). */
  reshape(dims: readonly number[]): Tensor<T> {
    return new Tensor(this.type, this.data, dims);
  }

  toString(): string {
    return `Tensor(${this.type}, [${this.dims.join(', ')}])`;
  }
}

function fromArray<T extends DataType>(type: T, values: readonly unknown[]): DataTypeStorage[T] {
  const out = allocate(type, values.length) as unknown as { [i: number]: unknown; length: number };
  const big = type === 'int64' || type === 'uint64';
  if (storageLength(type, values.length) !== values.length) {
    throw new InvalidArgumentError(`Tensor: build packed '${type}' tensors from a Uint8Array`);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (big) out[i] = typeof v === 'bigint' ? v : BigInt(v as number);
    else if (type === 'bool') out[i] = v ? 1 : 0;
    else if (type === 'string') out[i] = String(v);
    else out[i] = Number(v);
  }
  return out as unknown as DataTypeStorage[T];
}

/** True if `v` is a zai Tensor (works across duplicated module copies). */
export function isTensor(v: unknown): v is Tensor {
  return (
    v instanceof Tensor ||
    (typeof v === 'object' && v !== null && 'dims' in v && 'type' in v && 'data' in v && !Array.isArray(v))
  );
}

export type { TensorData };
