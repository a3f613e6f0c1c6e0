import { DATA_TYPE_BITS, type DataType, dataTypeFromOnnx, ParseError } from '@zai/common';
import { allocate, storageLength, Tensor } from '@zai/tensor-core';
import { BufferSource, type ByteSource } from './byte-source.js';
import type { ExternalDataResolver } from './external-data.js';
import type { TensorHandle, TensorLocation } from './ir.js';
import { decodeUtf8, WireReader, WireType } from './wire.js';

/** Byte ranges of a TensorProto's payload fields, found in one pass, decoded on demand. */
interface PayloadFields {
  raw?: [number, number];
  /** Ranges of each occurrence of a typed repeated field (packed or not), with the wire type. */
  typed: { field: number; start: number; end: number; wire: number }[];
  strings: [number, number][];
}

const TYPED_FIELDS = new Set([4, 5, 7, 10, 11]);

/** Decodes a TensorProto message into a handle; payload bytes are decoded when `load` is called. */
export function readTensorProto(r: WireReader, external?: ExternalDataResolver): TensorHandle {
  const dims: number[] = [];
  let dataType = 0;
  let name = '';
  let dataLocation = 0;
  const externalKeys: Record<string, string> = {};
  const fields: PayloadFields = { typed: [], strings: [] };
  const start = r.offset;
  while (!r.done()) {
    const { field, wire } = r.readTag();
    switch (field) {
      case 1:
        r.readRepeatedVarint(wire, dims, 'dims');
        break;
      case 2:
        r.expect(wire, WireType.Varint, 'data_type');
        dataType = r.readInt32();
        break;
      case 8:
        r.expect(wire, WireType.Len, 'name');
        name = r.readString();
        break;
      case 9:
        r.expect(wire, WireType.Len, 'raw_data');
        fields.raw = r.readLengthDelimited();
        break;
      case 6:
        r.expect(wire, WireType.Len, 'string_data');
        fields.strings.push(r.readLengthDelimited());
        break;
      case 13: {
        r.expect(wire, WireType.Len, 'external_data');
        const [k, v] = readStringPair(r.readMessage());
        externalKeys[k] = v;
        break;
      }
      case 14:
        r.expect(wire, WireType.Varint, 'data_location');
        dataLocation = r.readInt32();
        break;
      default:
        if (TYPED_FIELDS.has(field)) {
          const s = r.pos;
          r.skip(wire);
          fields.typed.push({ field, start: s, end: r.pos, wire });
        } else r.skip(wire);
    }
  }
  const type = dataTypeFromOnnx(dataType);
  const label = name ? `tensor '${name}'` : 'tensor';
  if (!type) throw new ParseError(`${label} has unknown data_type ${dataType}`, start);
  let n = 1;
  for (const d of dims) {
    if (d < 0) throw new ParseError(`${label} has negative dimension ${d}`, start);
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER)
      throw new ParseError(`${label} has an element count that overflows`, start);
  }
  const size = n;
  const source = snapshotIfSmall(r, start);

  let location: TensorLocation = { kind: 'embedded' };
  let byteLength = fields.raw ? fields.raw[1] - fields.raw[0] : Math.max(0, expectedBytes(type, size));
  if (dataLocation === 1) {
    if (!external)
      throw new ParseError(`${label} uses external data but the model was not loaded from a file`, start);
    if (!externalKeys.location)
      throw new ParseError(`${label} has external data without a 'location'`, start);
    const offset =
      externalKeys.offset === undefined ? 0 : parseExternalInt(externalKeys.offset, label, 'offset', start);
    const length =
      externalKeys.length === undefined
        ? undefined
        : parseExternalInt(externalKeys.length, label, 'length', start);
    location = {
      kind: 'external',
      path: externalKeys.location,
      offset,
      length,
      ...(externalKeys.checksum ? { checksum: externalKeys.checksum } : {}),
    };
    byteLength = length ?? 0;
  }

  let cached: Tensor | undefined;
  const owned = !(source instanceof BufferSource);
  const decodeFrom = (raw: Uint8Array | undefined, rawOwned: boolean): Tensor =>
    decodePayload(type, dims, size, raw, rawOwned, fields, source, start, label);

  return {
    name,
    type,
    dims,
    location,
    byteLength,
    loadSync(): Tensor {
      if (cached) return cached;
      if (location.kind === 'external') {
        cached = decodeFrom(external!.readSync(location, label, expectedBytes(type, size)), true);
        return cached;
      }
      const raw = fields.raw && source.readOwnedSync(fields.raw[0], fields.raw[1] - fields.raw[0]);
      cached = decodeFrom(raw, owned);
      return cached;
    },
    async load(): Promise<Tensor> {
      if (cached) return cached;
      if (location.kind === 'external') {
        cached = decodeFrom(await external!.read(location, label, expectedBytes(type, size)), true);
        return cached;
      }
      const raw = fields.raw && (await source.readOwned(fields.raw[0], fields.raw[1] - fields.raw[0]));
      cached = decodeFrom(raw, owned);
      return cached;
    },
  };
}

function parseExternalInt(v: string, label: string, key: string, at: number): number {
  if (!/^\d+$/.test(v))
    throw new ParseError(`${label}: external data ${key} '${v}' is not a non-negative integer`, at);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new ParseError(`${label}: external data ${key} ${v} is too large`, at);
  return n;
}

/** Small tensors are copied out of the window while parsing, so loading them later needs no file access. */
function snapshotIfSmall(r: WireReader, start: number): ByteSource {
  const src = r.source;
  const len = r.end - start;
  if (src instanceof BufferSource || len > 4096) return src;
  const i = r.win.ensure(start, len);
  return new BufferSource(r.win.bytes.slice(i, i + len), start);
}

/** Bytes of raw data `size` elements of `type` occupy (string: unknown, -1). */
export function expectedBytes(type: DataType, size: number): number {
  if (type === 'string') return -1;
  const bits = DATA_TYPE_BITS[type];
  return Math.ceil((size * bits) / 8);
}

export function readStringPair(r: WireReader): [string, string] {
  let k = '';
  let v = '';
  while (!r.done()) {
    const { field, wire } = r.readTag();
    if (field === 1 && wire === WireType.Len) k = r.readString();
    else if (field === 2 && wire === WireType.Len) v = r.readString();
    else r.skip(wire);
  }
  return [k, v];
}

function decodePayload(
  type: DataType,
  dims: readonly number[],
  size: number,
  raw: Uint8Array | undefined,
  rawOwned: boolean,
  fields: PayloadFields,
  source: ByteSource,
  at: number,
  label: string,
): Tensor {
  if (type === 'string') {
    if (fields.strings.length !== size) {
      throw new ParseError(`${label}: ${fields.strings.length} strings for ${size} elements`, at);
    }
    const strings = fields.strings.map(([s, e]) => {
      const b = source.readOwnedSync(s, e - s);
      return decodeUtf8(b, 0, b.length);
    });
    return new Tensor('string', strings, dims);
  }
  if (raw) {
    const need = expectedBytes(type, size);
    if (raw.length !== need) {
      throw new ParseError(
        `${label}: raw_data has ${raw.length} bytes, ${type} [${dims.join(',')}] needs ${need}`,
        at,
      );
    }
    const bpe = Math.max(1, DATA_TYPE_BITS[type] / 8);
    if (rawOwned && LITTLE_ENDIAN && raw.byteOffset % bpe === 0 && !type.startsWith('complex')) {
      // a fresh, aligned buffer read for this tensor alone: wrap it, no copy
      return new Tensor(type, typedView(type, raw), dims);
    }
    // copy into an aligned buffer: an offset inside the model's bytes is rarely a multiple of the element size
    const out = allocate(type, size) as Exclude<ReturnType<typeof allocate>, string[]>;
    new Uint8Array(out.buffer as ArrayBuffer, out.byteOffset, need).set(raw);
    if (!LITTLE_ENDIAN) swapToHost(out);
    return new Tensor(type, out, dims);
  }
  // count the values before allocating: absurd dims must not allocate more than the file holds
  const values = readTypedFields(fields, source, label);
  const n = storageLength(type, size);
  if (values.length === 0 && size === 0) return new Tensor(type, allocate(type, 0), dims);
  if (values.length !== n) {
    throw new ParseError(
      `${label}: ${values.length} values in typed fields for ${type} [${dims.join(',')}] (needs ${n})`,
      at,
    );
  }
  const out = allocate(type, size);
  const dst = out as unknown as { [i: number]: number | bigint };
  if (type === 'int64') for (let i = 0; i < n; i++) dst[i] = BigInt.asIntN(64, toBig(values[i]!));
  else if (type === 'uint64') for (let i = 0; i < n; i++) dst[i] = BigInt.asUintN(64, toBig(values[i]!));
  else if (type === 'uint32')
    for (let i = 0; i < n; i++) dst[i] = Number(BigInt.asUintN(32, toBig(values[i]!)));
  else for (let i = 0; i < n; i++) dst[i] = Number(values[i]!);
  return new Tensor(type, out, dims);
}

function toBig(v: number | bigint): bigint {
  return typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
}

/** Decodes float_data / int32_data / int64_data / double_data / uint64_data occurrences in order. */
function readTypedFields(fields: PayloadFields, source: ByteSource, label: string): (number | bigint)[] {
  const out: (number | bigint)[] = [];
  for (const f of fields.typed) {
    const bytes = source.readOwnedSync(f.start, f.end - f.start);
    const r = new WireReader(new BufferSource(bytes, f.start), f.start, f.end);
    const packed = f.wire === WireType.Len;
    let end = f.end;
    if (packed) {
      const [s, e] = r.readLengthDelimited();
      r.pos = s;
      end = e;
    }
    const one = (): number | bigint => {
      switch (f.field) {
        case 4:
          return r.readFloat();
        case 10:
          return r.readDouble();
        case 5:
          return r.readInt32();
        case 7:
          return r.readVarint64();
        case 11:
          return BigInt.asUintN(64, r.readVarint64());
        default:
          return r.fail(`${label}: unexpected field ${f.field}`);
      }
    };
    const expected = f.field === 4 ? WireType.I32 : f.field === 10 ? WireType.I64 : WireType.Varint;
    if (!packed && f.wire !== expected)
      r.fail(`${label}: typed data field ${f.field} has wire type ${f.wire}`);
    if (packed) while (r.pos < end) out.push(one());
    else out.push(one());
  }
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function swapToHost(a: ArrayBufferView & { BYTES_PER_ELEMENT?: number }): void {
  const bpe = (a as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT ?? 1;
  if (bpe === 1) return;
  const b = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (let i = 0; i < b.length; i += bpe) b.subarray(i, i + bpe).reverse();
}

function typedView(type: DataType, raw: Uint8Array): Exclude<ReturnType<typeof allocate>, string[]> {
  const probe = allocate(type, 0) as unknown as {
    constructor: new (b: ArrayBufferLike, o: number, n: number) => unknown;
  };
  const bpe = Math.max(1, DATA_TYPE_BITS[type] / 8);
  const Ctor = probe.constructor;
  const n = DATA_TYPE_BITS[type] < 8 ? raw.length : raw.length / bpe;
  return new Ctor(raw.buffer, raw.byteOffset, n) as Exclude<ReturnType<typeof allocate>, string[]>;
}

/** Decodes a standalone serialized TensorProto (a `.pb` test file, say). */
export function decodeTensor(bytes: Uint8Array): Tensor {
  return readTensorProto(new WireReader(bytes)).loadSync();
}
