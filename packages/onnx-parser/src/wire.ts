import { ParseError } from '@zai/common';
import { BufferSource, type ByteSource } from './byte-source.js';

/** Protobuf wire types. */
export const WireType = { Varint: 0, I64: 1, Len: 2, SGroup: 3, EGroup: 4, I32: 5 } as const;

const MAX_DEPTH = 64;
const CHUNK = 1 << 16;

/**
 * The part of a source currently in memory. Readers of nested messages share
 * one window; each access checks that its bytes are inside it and refills it
 * otherwise, so only the metadata being decoded is ever resident.
 */
export class Window {
  bytes: Uint8Array;
  start = 0;
  private dv: DataView | undefined;

  constructor(readonly source: ByteSource) {
    if (source instanceof BufferSource) {
      this.bytes = source.bytes;
      this.start = source.base;
    } else this.bytes = new Uint8Array(0);
  }

  /** Makes [pos, pos + n) resident and returns the index of `pos` in `bytes`. */
  ensure(pos: number, n: number): number {
    const i = pos - this.start;
    if (i >= 0 && i + n <= this.bytes.length) return i;
    const len = Math.min(Math.max(n, CHUNK), this.source.size - pos);
    this.bytes = this.source.read(pos, len);
    this.start = pos;
    this.dv = undefined;
    return 0;
  }

  view(): DataView {
    this.dv ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    return this.dv;
  }
}

/**
 * A bounds-checked reader of the protobuf wire format over [pos, end) of a
 * source. Positions are absolute file offsets, so every ParseError names the
 * byte where decoding failed.
 */
export class WireReader {
  readonly win: Window;
  pos: number;
  readonly end: number;
  readonly depth: number;

  constructor(source: Window | ByteSource | Uint8Array, start?: number, end?: number, depth = 0) {
    this.win =
      source instanceof Window
        ? source
        : new Window(source instanceof Uint8Array ? new BufferSource(source) : source);
    this.pos = start ?? this.win.start;
    this.end = end ?? this.win.source.size;
    this.depth = depth;
  }

  get source(): ByteSource {
    return this.win.source;
  }

  get offset(): number {
    return this.pos;
  }

  fail(message: string, at = this.pos): never {
    throw new ParseError(message, at);
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a varint as a JS number; exact up to 2^53 (larger values lose low bits: use readVarint64). */
  readVarint(): number {
    const avail = Math.min(10, this.end - this.pos);
    if (avail <= 0) this.fail('truncated varint');
    let i = this.win.ensure(this.pos, avail);
    const b = this.win.bytes;
    let result = 0;
    let mul = 1;
    for (let k = 0; k < avail; k++) {
      const byte = b[i++]!;
      result += (byte & 0x7f) * mul;
      if (byte < 0x80) {
        this.pos += k + 1;
        return result;
      }
      mul *= 128;
    }
    if (avail < 10) this.fail('truncated varint');
    this.fail('varint longer than 10 bytes');
  }

  /** Reads a varint as a signed 64-bit BigInt (two's complement). */
  readVarint64(): bigint {
    const avail = Math.min(10, this.end - this.pos);
    if (avail <= 0) this.fail('truncated varint');
    let i = this.win.ensure(this.pos, avail);
    const b = this.win.bytes;
    let result = 0n;
    let shift = 0n;
    for (let k = 0; k < avail; k++) {
      const byte = b[i++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos += k + 1;
        return BigInt.asIntN(64, result);
      }
      shift += 7n;
    }
    if (avail < 10) this.fail('truncated varint');
    this.fail('varint longer than 10 bytes');
  }

  /** A varint holding an int64 field, as a number (exact within ±2^53; negative values supported). */
  readInt64(): number {
    const start = this.pos;
    const v = this.readVarint();
    if (v < 2 ** 53) return v;
    this.pos = start;
    return Number(this.readVarint64());
  }

  /** A varint holding an int32 / enum field. */
  readInt32(): number {
    return this.readInt64() | 0;
  }

  readTag(): { field: number; wire: number } {
    const at = this.pos;
    const tag = this.readVarint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 0) this.fail('field number 0 is invalid', at);
    return { field, wire };
  }

  /** Reads a length prefix and returns the absolute [start, end) of the payload, without reading it. */
  readLengthDelimited(): [number, number] {
    const at = this.pos;
    const len = this.readVarint();
    const start = this.pos;
    if (len > this.end - start) this.fail(`length ${len} runs past the end of the enclosing message`, at);
    this.pos = start + len;
    return [start, start + len];
  }

  /** A length-delimited field's bytes, copied out of the window. */
  readBytes(): Uint8Array {
    const [s, e] = this.readLengthDelimited();
    const i = this.win.ensure(s, e - s);
    return this.win.bytes.slice(i, i + e - s);
  }

  readString(): string {
    const [s, e] = this.readLengthDelimited();
    const i = this.win.ensure(s, e - s);
    return decodeUtf8(this.win.bytes, i, i + e - s);
  }

  /** A reader for a nested message, one level deeper, sharing this reader's window. */
  readMessage(): WireReader {
    const [s, e] = this.readLengthDelimited();
    if (this.depth + 1 > MAX_DEPTH) this.fail(`messages nested deeper than ${MAX_DEPTH} levels`, s);
    return new WireReader(this.win, s, e, this.depth + 1);
  }

  readFloat(): number {
    if (this.end - this.pos < 4) this.fail('truncated fixed32');
    const i = this.win.ensure(this.pos, 4);
    this.pos += 4;
    return this.win.view().getFloat32(i, true);
  }

  readDouble(): number {
    if (this.end - this.pos < 8) this.fail('truncated fixed64');
    const i = this.win.ensure(this.pos, 8);
    this.pos += 8;
    return this.win.view().getFloat64(i, true);
  }

  /** Skips a field of the given wire type (unknown fields). */
  skip(wire: number): void {
    switch (wire) {
      case WireType.Varint:
        this.readVarint();
        return;
      case WireType.I64:
        if (this.end - this.pos < 8) this.fail('truncated fixed64');
        this.pos += 8;
        return;
      case WireType.Len:
        this.readLengthDelimited();
        return;
      case WireType.I32:
        if (this.end - this.pos < 4) this.fail('truncated fixed32');
        this.pos += 4;
        return;
      case WireType.SGroup: {
        // groups are deprecated but legal: skip to the matching end-group
        for (;;) {
          if (this.done()) this.fail('unterminated group');
          const { wire: w } = this.readTag();
          if (w === WireType.EGroup) return;
          this.skip(w);
        }
      }
      default:
        this.fail(`invalid wire type ${wire}`);
    }
  }

  /** Checks the wire type a schema field expects. */
  expect(wire: number, expected: number, field: string): void {
    if (wire !== expected) this.fail(`field '${field}' has wire type ${wire}, expected ${expected}`);
  }

  /** Reads one or many (packed) varints into `out`. */
  readRepeatedVarint(wire: number, out: number[], field: string): void {
    if (wire === WireType.Len) {
      const [s, e] = this.readLengthDelimited();
      this.pos = s;
      while (this.pos < e) out.push(this.readInt64());
      if (this.pos !== e) this.fail(`packed field '${field}' overruns its length`);
    } else {
      this.expect(wire, WireType.Varint, field);
      out.push(this.readInt64());
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
export function decodeUtf8(b: Uint8Array, s: number, e: number): string {
  // short ASCII strings dominate (names); avoid TextDecoder's call overhead for them
  if (e - s < 32) {
    let ascii = true;
    for (let i = s; i < e; i++) if (b[i]! >= 0x80) ascii = false;
    if (ascii) return String.fromCharCode.apply(null, b.subarray(s, e) as unknown as number[]);
  }
  return utf8.decode(b.subarray(s, e));
}
