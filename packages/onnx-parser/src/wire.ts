import { ParseError } from '@zai/common';

/** Protobuf wire types. */
export const WireType = { Varint: 0, I64: 1, Len: 2, SGroup: 3, EGroup: 4, I32: 5 } as const;

const MAX_DEPTH = 64;

/**
 * A bounds-checked reader of the protobuf wire format over a byte range.
 * Every failure is a ParseError carrying the absolute byte offset in the file.
 */
export class WireReader {
  readonly bytes: Uint8Array;
  pos: number;
  readonly end: number;
  /** Absolute file offset of `bytes[0]`, so errors name positions in the file. */
  readonly base: number;
  readonly depth: number;
  private view: DataView | undefined;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length, base = 0, depth = 0) {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
    this.base = base;
    this.depth = depth;
  }

  get offset(): number {
    return this.base + this.pos;
  }

  fail(message: string, at = this.pos): never {
    throw new ParseError(message, this.base + at);
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a varint as a JS number; exact up to 2^53, larger values lose low bits (use readVarint64). */
  readVarint(): number {
    const b = this.bytes;
    let pos = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.end) this.fail('truncated varint');
      const byte = b[pos++]!;
      result += (byte & 0x7f) * mul;
      if (byte < 0x80) {
        this.pos = pos;
        return result;
      }
      mul *= 128;
    }
    this.fail('varint longer than 10 bytes');
  }

  /** Reads a varint as a signed 64-bit BigInt (two's complement). */
  readVarint64(): bigint {
    const b = this.bytes;
    let pos = this.pos;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.end) this.fail('truncated varint');
      const byte = b[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = pos;
        return BigInt.asIntN(64, result);
      }
      shift += 7n;
    }
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

  /** Reads a length prefix and returns [start, end) of the payload, checked against the enclosing message. */
  readLengthDelimited(): [number, number] {
    const at = this.pos;
    const len = this.readVarint();
    const start = this.pos;
    if (len > this.end - start) this.fail(`length ${len} runs past the end of the enclosing message`, at);
    this.pos = start + len;
    return [start, start + len];
  }

  readBytes(): Uint8Array {
    const [s, e] = this.readLengthDelimited();
    return this.bytes.subarray(s, e);
  }

  readString(): string {
    const [s, e] = this.readLengthDelimited();
    return decodeUtf8(this.bytes, s, e);
  }

  /** A reader for a nested message, one level deeper. */
  readMessage(): WireReader {
    const [s, e] = this.readLengthDelimited();
    if (this.depth + 1 > MAX_DEPTH) this.fail(`messages nested deeper than ${MAX_DEPTH} levels`, s);
    return new WireReader(this.bytes, s, e, this.base, this.depth + 1);
  }

  readFloat(): number {
    if (this.end - this.pos < 4) this.fail('truncated fixed32');
    const v = this.dataView().getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  readDouble(): number {
    if (this.end - this.pos < 8) this.fail('truncated fixed64');
    const v = this.dataView().getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  readFixed64(): bigint {
    if (this.end - this.pos < 8) this.fail('truncated fixed64');
    const v = this.dataView().getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
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

  dataView(): DataView {
    if (!this.view) this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    return this.view;
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
