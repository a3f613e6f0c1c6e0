import { type DataType, InvalidArgumentError } from '@zai/common';
import { allocate, sizeOf, Tensor } from './tensor.js';

// NumPy's .npy format (version 1.0/2.0/3.0): magic, header length, a Python
// dict literal header, then the raw little-endian C-order data.

const DESCR: Partial<Record<DataType, string>> = {
  float32: '<f4',
  float64: '<f8',
  float16: '<f2',
  int8: '|i1',
  uint8: '|u1',
  int16: '<i2',
  uint16: '<u2',
  int32: '<i4',
  uint32: '<u4',
  int64: '<i8',
  uint64: '<u8',
  bool: '|b1',
};

const FROM_DESCR = new Map<string, DataType>(
  Object.entries(DESCR).flatMap(([t, d]) => [
    [d, t as DataType],
    [d.replace(/^[<|]/, '='), t as DataType],
    [d.replace(/^</, '|'), t as DataType],
  ]),
);

/** Decodes a `.npy` file into a tensor; throws InvalidArgumentError naming what is unsupported. */
export function decodeNpy(bytes: Uint8Array, label = 'npy'): Tensor {
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY') {
    throw new InvalidArgumentError(`${label}: not a .npy file (bad magic)`);
  }
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) throw new InvalidArgumentError(`${label}: truncated header`);
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined)
    throw new InvalidArgumentError(`${label}: malformed header ${header.trim()}`);
  if (fortran === 'True')
    throw new InvalidArgumentError(`${label}: Fortran-ordered arrays are not supported`);
  const type = FROM_DESCR.get(descr);
  if (!type) throw new InvalidArgumentError(`${label}: dtype '${descr}' is not supported`);
  const dims = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const size = sizeOf(dims);
  const out = allocate(type, size) as Exclude<ReturnType<typeof allocate>, string[]>;
  const body = bytes.subarray(start + headerLen);
  if (body.length < out.byteLength) {
    throw new InvalidArgumentError(
      `${label}: ${body.length} data bytes, [${dims}] ${type} needs ${out.byteLength}`,
    );
  }
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(body.subarray(0, out.byteLength));
  return new Tensor(type, out, dims);
}

/** Encodes a tensor as a version 1.0 `.npy` file. */
export function encodeNpy(t: Tensor): Uint8Array {
  const descr = DESCR[t.type];
  if (!descr) throw new InvalidArgumentError(`.npy cannot hold ${t.type} tensors`);
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const data = t.data as ArrayBufferView;
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
