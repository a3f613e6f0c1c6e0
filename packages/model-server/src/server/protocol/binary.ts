import { Tensor } from '@zai/tensor-core';
import { BadRequestError } from '../errors.js';
import { V2_ELEMENT_BYTES, V2_TO_DTYPE, type V2Datatype } from './datatypes.js';

// The binary tensor data extension: raw little-endian element bytes; BYTES
// elements are each a 4-byte little-endian length followed by that many bytes.

const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

type TypedArrayCtor = new (buffer: ArrayBuffer) => ArrayLike<unknown>;

const VIEW: Readonly<Record<Exclude<V2Datatype, 'BYTES'>, TypedArrayCtor>> = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  UINT64: BigUint64Array,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  INT64: BigInt64Array,
  FP16: Uint16Array,
  FP32: Float32Array,
  FP64: Float64Array,
  BF16: Uint16Array,
};

/** Decodes one input's binary bytes; `bytes` is copied, so the tensor owns (and may transfer) its buffer. */
export function tensorFromBinary(
  datatype: V2Datatype,
  bytes: Uint8Array,
  dims: readonly number[],
  label: string,
): Tensor {
  const count = dims.reduce((a, b) => a * b, 1);
  if (datatype === 'BYTES') {
    const out: string[] = [];
    let at = 0;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    while (at < bytes.byteLength) {
      if (at + 4 > bytes.byteLength)
        throw new BadRequestError(`${label}: truncated BYTES length prefix at byte ${at}`);
      const len = view.getUint32(at, true);
      at += 4;
      if (at + len > bytes.byteLength) {
        throw new BadRequestError(
          `${label}: BYTES element ${out.length} claims ${len} bytes past the end of its data`,
        );
      }
      out.push(utf8.decode(bytes.subarray(at, at + len)));
      at += len;
    }
    if (out.length !== count) {
      throw new BadRequestError(
        `${label}: binary data holds ${out.length} BYTES elements, shape [${dims.join(',')}] needs ${count}`,
      );
    }
    return new Tensor('string', out, dims);
  }
  const expected = count * V2_ELEMENT_BYTES[datatype];
  if (bytes.byteLength !== expected) {
    throw new BadRequestError(
      `${label}: binary data is ${bytes.byteLength} bytes, shape [${dims.join(',')}] of ${datatype} needs ${expected}`,
    );
  }
  // a fresh, aligned buffer (Buffer#slice would share the body's memory)
  const own = new Uint8Array(bytes.byteLength);
  own.set(bytes);
  const data = new VIEW[datatype](own.buffer);
  return new Tensor(V2_TO_DTYPE[datatype], data as never, dims);
}

/** The binary form of an output tensor (a view over its storage where possible). */
export function binaryOf(t: Tensor): Uint8Array {
  if (t.type === 'string') {
    const parts = (t.data as string[]).map((s) => utf8Encoder.encode(s));
    const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.byteLength, 0));
    const view = new DataView(out.buffer);
    let at = 0;
    for (const p of parts) {
      view.setUint32(at, p.byteLength, true);
      out.set(p, at + 4);
      at += 4 + p.byteLength;
    }
    return out;
  }
  const d = t.data as Uint8Array;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}
