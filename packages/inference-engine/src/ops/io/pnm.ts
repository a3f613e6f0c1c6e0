import { CorruptImageError, checkSize, type DecodedImage } from './image.js';
import { isPnmSpace } from './sniff.js';

// Netpbm images: PBM (P1 plain, P4 raw), PGM (P2, P5), PPM (P3, P6) and PAM
// (P7). Samples with a maxval other than 255 scale to 0-255 as PIL does
// (round half to even of value * 255 / maxval); raw samples are 16-bit
// big-endian when maxval > 255. In PBM 1 is black; alpha (PAM) is dropped.

function fail(message: string): never {
  throw new CorruptImageError('PNM', message);
}

/** Reads header tokens (and plain-format samples), skipping whitespace and # comments. */
class Reader {
  pos: number;
  constructor(
    private readonly b: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }

  skipSpace(): void {
    const b = this.b;
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      if (c === 0x23) {
        while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
      } else if (isPnmSpace(c)) this.pos++;
      else return;
    }
  }

  /** The next unsigned decimal number; `what` names it in errors. */
  number(what: string): number {
    this.skipSpace();
    const b = this.b;
    if (this.pos >= b.length) fail(`truncated data: expected the ${what}`);
    let n = 0;
    let digits = 0;
    while (this.pos < b.length && b[this.pos]! >= 0x30 && b[this.pos]! <= 0x39) {
      n = n * 10 + (b[this.pos]! - 0x30);
      this.pos++;
      if (++digits > 10) fail(`the ${what} has too many digits`);
    }
    if (digits === 0) fail(`expected the ${what}, found byte 0x${b[this.pos]!.toString(16)}`);
    if (this.pos < b.length && !isPnmSpace(b[this.pos]) && b[this.pos] !== 0x23) {
      fail(`unexpected byte 0x${b[this.pos]!.toString(16)} after the ${what}`);
    }
    return n;
  }

  /** A line of a PAM header, trimmed; undefined at the end of the data. */
  line(): string | undefined {
    const b = this.b;
    if (this.pos >= b.length) return undefined;
    let end = this.pos;
    while (end < b.length && b[end] !== 0x0a) end++;
    const text = String.fromCharCode(...b.subarray(this.pos, Math.min(end, this.pos + 1024)));
    this.pos = end + 1;
    return text.trim();
  }
}

/** 0..maxval to 0..255, rounding half to even (Python's round, as PIL). */
function scaleTable(maxval: number): Uint8Array {
  const t = new Uint8Array(maxval + 1);
  for (let v = 0; v <= maxval; v++) {
    const num = v * 255;
    const q = Math.floor(num / maxval);
    const r2 = 2 * (num - q * maxval);
    t[v] = r2 > maxval || (r2 === maxval && q % 2 === 1) ? q + 1 : q;
  }
  return t;
}

export function decodePnm(b: Uint8Array): DecodedImage {
  if (b.length < 3 || b[0] !== 0x50) fail('not a Netpbm image');
  const kind = b[1]! - 0x30;
  if (kind < 1 || kind > 7) fail(`unknown Netpbm magic 'P${String.fromCharCode(b[1]!)}'`);
  const rd = new Reader(b, 2);

  let width: number;
  let height: number;
  let depth: number;
  let maxval: number;
  if (kind === 7) {
    ({ width, height, depth, maxval } = pamHeader(rd));
  } else {
    width = rd.number('width');
    height = rd.number('height');
    depth = kind === 3 || kind === 6 ? 3 : 1;
    maxval = kind === 1 || kind === 4 ? 1 : rd.number('maxval');
  }
  checkSize('PNM', width, height);
  if (maxval < 1 || maxval > 65535) fail(`maxval ${maxval} is outside 1..65535`);
  const colour = depth >= 3;
  const outChannels = colour ? 3 : 1;
  const out = new Uint8Array(width * height * outChannels);
  const n = width * height;

  if (kind === 1) {
    // plain PBM: one 0/1 character per pixel, whitespace optional
    for (let i = 0; i < n; i++) {
      rd.skipSpace();
      const c = b[rd.pos++];
      if (c === undefined) fail(`truncated data: ${i} of ${n} pixels`);
      if (c !== 0x30 && c !== 0x31) fail(`invalid PBM pixel character 0x${c!.toString(16)}`);
      out[i] = c === 0x31 ? 0 : 255;
    }
    return { width, height, channels: 1, data: out };
  }
  if (kind === 2 || kind === 3) {
    const table = scaleTable(maxval);
    for (let i = 0; i < n * depth; i++) {
      const s = rd.number('sample');
      if (s > maxval) fail(`sample ${s} exceeds maxval ${maxval}`);
      out[i] = table[s]!;
    }
    return { width, height, channels: outChannels, data: out };
  }

  // raw formats: a single whitespace byte ends the header (PAM: the ENDHDR line)
  let p = rd.pos;
  if (kind !== 7) {
    if (!isPnmSpace(b[p])) fail('missing whitespace before the raster');
    p++;
  }
  if (kind === 4) {
    const rowBytes = Math.ceil(width / 8);
    if (p + rowBytes * height > b.length)
      fail(`truncated raster: need ${rowBytes * height} bytes, ${b.length - p} left`);
    for (let y = 0; y < height; y++) {
      const row = p + y * rowBytes;
      for (let x = 0; x < width; x++)
        out[y * width + x] = (b[row + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 0 : 255;
    }
    return { width, height, channels: 1, data: out };
  }

  const bytes = maxval > 255 ? 2 : 1;
  const need = n * depth * bytes;
  if (p + need > b.length) fail(`truncated raster: need ${need} bytes, ${b.length - p} left`);
  const table = maxval === 255 ? undefined : scaleTable(maxval);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < outChannels; c++) {
      const at = p + (i * depth + c) * bytes;
      const s = bytes === 2 ? (b[at]! << 8) | b[at + 1]! : b[at]!;
      if (s > maxval) fail(`sample ${s} exceeds maxval ${maxval}`);
      out[i * outChannels + c] = table ? table[s]! : s;
    }
  }
  return { width, height, channels: outChannels, data: out };
}

/** The header of a PAM (P7) image, up to and including its ENDHDR line. */
function pamHeader(rd: Reader): { width: number; height: number; depth: number; maxval: number } {
  const fields = new Map<string, string>();
  let tupleType = '';
  rd.line(); // rest of the magic line
  for (;;) {
    const line = rd.line();
    if (line === undefined) fail('truncated PAM header (no ENDHDR)');
    if (line === 'ENDHDR') break;
    if (line === '' || line.startsWith('#')) continue;
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'TUPLTYPE') tupleType = `${tupleType} ${rest.join(' ')}`.trim();
    else fields.set(key!, rest.join(' '));
  }
  const num = (key: string): number => {
    const s = fields.get(key);
    if (s === undefined || !/^\d{1,10}$/.test(s)) fail(`PAM header needs a numeric ${key}`);
    return Number(s);
  };
  const depth = num('DEPTH');
  if (depth < 1 || depth > 4) fail(`unsupported PAM depth ${depth} (tuple type '${tupleType}')`);
  return { width: num('WIDTH'), height: num('HEIGHT'), depth, maxval: num('MAXVAL') };
}
