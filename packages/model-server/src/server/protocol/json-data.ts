import {
  bfloat16ArrayToFloat32,
  float16ArrayToFloat32,
  float32ArrayToBfloat16,
  float32ArrayToFloat16,
  Tensor,
} from '@zai/tensor-core';
import { BadRequestError } from '../errors.js';
import { V2_TO_DTYPE, type V2Datatype } from './datatypes.js';

const INT_RANGE: Partial<Record<V2Datatype, readonly [number, number]>> = {
  UINT8: [0, 0xff],
  UINT16: [0, 0xffff],
  UINT32: [0, 0xffffffff],
  INT8: [-0x80, 0x7f],
  INT16: [-0x8000, 0x7fff],
  INT32: [-0x80000000, 0x7fffffff],
};

const NON_FINITE: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Infinity,
  '-Infinity': -Infinity,
};

/** Flattens V2 `data`, which may be flat or nested to the tensor's shape (row-major either way). */
export function flattenData(data: unknown, label: string): unknown[] {
  if (!Array.isArray(data)) return [data];
  if (!data.some(Array.isArray)) return data;
  const out: unknown[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else out.push(v);
  };
  walk(data);
  if (out.length === 0) throw new BadRequestError(`${label}: "data" holds no values`);
  return out;
}

/** Builds a tensor from JSON values of a V2 datatype; every element is checked. */
export function tensorFromJsonData(
  datatype: V2Datatype,
  values: readonly unknown[],
  dims: readonly number[],
  label: string,
): Tensor {
  const bad = (i: number, what: string): never => {
    throw new BadRequestError(`${label}: element ${i} (${JSON.stringify(values[i])}) is not ${what}`);
  };
  const num = (v: unknown, i: number): number => {
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && v in NON_FINITE) return NON_FINITE[v]!;
    return bad(i, `a number (${datatype})`);
  };
  const type = V2_TO_DTYPE[datatype];
  const n = values.length;
  switch (datatype) {
    case 'BYTES':
      return new Tensor(
        'string',
        values.map((v, i) => (typeof v === 'string' ? v : bad(i, 'a string (BYTES)'))),
        dims,
      );
    case 'BOOL': {
      const out = new Uint8Array(n);
      values.forEach((v, i) => {
        if (typeof v === 'boolean') out[i] = v ? 1 : 0;
        else if (v === 0 || v === 1) out[i] = v;
        else bad(i, 'a boolean (BOOL)');
      });
      return new Tensor('bool', out, dims);
    }
    case 'INT64':
    case 'UINT64': {
      const out = datatype === 'INT64' ? new BigInt64Array(n) : new BigUint64Array(n);
      const lo = datatype === 'INT64' ? -(1n << 63n) : 0n;
      const hi = datatype === 'INT64' ? (1n << 63n) - 1n : (1n << 64n) - 1n;
      for (const [i, v] of values.entries()) {
        const digits =
          typeof v === 'number' && Number.isInteger(v) ? String(v) : typeof v === 'string' ? v : '';
        if (!/^-?\d+$/.test(digits)) bad(i, `an integer (${datatype})`);
        const b = BigInt(digits);
        if (b < lo || b > hi) bad(i, `in the range of ${datatype}`);
        out[i] = b;
      }
      return new Tensor(type, out as never, dims);
    }
    case 'FP16':
    case 'BF16': {
      const f = Float32Array.from(values, num);
      return new Tensor(
        type,
        datatype === 'FP16' ? float32ArrayToFloat16(f) : float32ArrayToBfloat16(f),
        dims,
      );
    }
    case 'FP32':
      return new Tensor('float32', Float32Array.from(values, num), dims);
    case 'FP64':
      return new Tensor('float64', Float64Array.from(values, num), dims);
    default: {
      const [lo, hi] = INT_RANGE[datatype]!;
      const nums = values.map((v, i) => {
        if (typeof v !== 'number' || !Number.isInteger(v)) return bad(i, `an integer (${datatype})`);
        if (v < lo || v > hi) bad(i, `in the range of ${datatype} [${lo}, ${hi}]`);
        return v;
      });
      return new Tensor(type, nums, dims);
    }
  }
}

/** The `data` array of a V2 JSON output, as JSON text (int64 keeps every digit; non-finite floats are null). */
export function jsonDataOf(t: Tensor): string {
  switch (t.type) {
    case 'string':
      return JSON.stringify(t.data);
    case 'bool':
      return `[${Array.from(t.data as Uint8Array, (b) => (b ? 'true' : 'false')).join(',')}]`;
    case 'int64':
    case 'uint64':
      return `[${(t.data as BigInt64Array).join(',')}]`;
    case 'float16':
      return finite(float16ArrayToFloat32(t.data as Uint16Array));
    case 'bfloat16':
      return finite(bfloat16ArrayToFloat32(t.data as Uint16Array));
    case 'float32':
    case 'float64':
      return finite(t.data as Float32Array);
    default:
      return `[${(t.data as Int32Array).join(',')}]`;
  }
}

function finite(a: Float32Array | Float64Array): string {
  let s = '[';
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    s += (i ? ',' : '') + (Number.isFinite(v) ? String(v) : 'null');
  }
  return `${s}]`;
}
