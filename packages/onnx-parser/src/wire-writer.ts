/** An append-only protobuf wire-format encoder with length-delimited sub-messages. */
export class WireWriter {
  private chunks: Uint8Array[] = [];
  private buf = new Uint8Array(256);
  private pos = 0;
  private length = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = new Uint8Array(Math.max(n, this.buf.length * 2));
  }

  private flush(): void {
    if (this.pos > 0) {
      this.chunks.push(this.buf.slice(0, this.pos));
      this.pos = 0;
    }
  }

  get byteLength(): number {
    return this.length;
  }

  varint(v: number | bigint): this {
    let x = typeof v === 'bigint' ? BigInt.asUintN(64, v) : v < 0 ? BigInt.asUintN(64, BigInt(v)) : v;
    this.ensure(10);
    if (typeof x === 'number') {
      while (x >= 0x80) {
        this.buf[this.pos++] = (x % 128) | 0x80;
        x = Math.floor(x / 128);
        this.length++;
      }
      this.buf[this.pos++] = x;
      this.length++;
      return this;
    }
    while (x >= 0x80n) {
      this.buf[this.pos++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
      this.length++;
    }
    this.buf[this.pos++] = Number(x);
    this.length++;
    return this;
  }

  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  bytes(b: Uint8Array): this {
    this.varint(b.length);
    this.raw(b);
    return this;
  }

  raw(b: Uint8Array): this {
    if (b.length > 4096) {
      this.flush();
      this.chunks.push(b);
    } else {
      this.ensure(b.length);
      this.buf.set(b, this.pos);
      this.pos += b.length;
    }
    this.length += b.length;
    return this;
  }

  float(v: number): this {
    this.ensure(4);
    new DataView(this.buf.buffer).setFloat32(this.pos, v, true);
    this.pos += 4;
    this.length += 4;
    return this;
  }

  double(v: number): this {
    this.ensure(8);
    new DataView(this.buf.buffer).setFloat64(this.pos, v, true);
    this.pos += 8;
    this.length += 8;
    return this;
  }

  /** Field helpers that skip default values, as proto3 does. */
  stringField(field: number, s: string | undefined): this {
    if (s) this.tag(field, 2).bytes(encoder.encode(s));
    return this;
  }

  intField(field: number, v: number | undefined): this {
    if (v) this.tag(field, 0).varint(v);
    return this;
  }

  messageField(field: number, write: (w: WireWriter) => void): this {
    const inner = new WireWriter();
    write(inner);
    this.tag(field, 2).varint(inner.byteLength);
    for (const c of inner.finish()) this.raw(c);
    return this;
  }

  finish(): Uint8Array[] {
    this.flush();
    return this.chunks;
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const c of this.finish()) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

const encoder = new TextEncoder();
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}
