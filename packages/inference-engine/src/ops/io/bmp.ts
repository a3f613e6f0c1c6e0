import { CorruptImageError, checkSize, type DecodedImage } from './image.js';

// Windows / OS/2 bitmaps: BITMAPCOREHEADER (12 bytes), OS/2 2.x (16-64),
// BITMAPINFOHEADER (40) and its V2-V5 extensions; 1, 2, 4 and 8 bits per pixel
// with a palette (uncompressed, RLE8, RLE4), 16 and 32 bits (BI_RGB or bit
// fields), 24 bits. Rows are bottom-up unless the height is negative. Alpha is
// dropped. Channels of fewer than 8 bits scale to 0-255 as PIL does
// (value * 255 / max, truncated).

const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_JPEG = 4;
const BI_PNG = 5;
const BI_ALPHABITFIELDS = 6;

function fail(message: string): never {
  throw new CorruptImageError('BMP', message);
}

/** A colour channel held under a bit mask of a 16- or 32-bit pixel. */
interface Channel {
  readonly mask: number;
  readonly shift: number;
  /** The largest value under the mask (0 for an empty mask). */
  readonly max: number;
}

function channel(mask: number): Channel {
  mask >>>= 0;
  if (mask === 0) return { mask, shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const max = mask >>> shift;
  if ((max & (max + 1)) !== 0) fail(`bit field mask 0x${mask.toString(16)} is not contiguous`);
  return { mask, shift, max };
}

function scale(px: number, c: Channel): number {
  if (c.max === 0) return 0;
  const v = (px & c.mask) >>> c.shift;
  return c.max === 255 ? v : Math.floor((v * 255) / c.max);
}

export function decodeBmp(b: Uint8Array): DecodedImage {
  if (b.length < 14 + 12 || b[0] !== 0x42 || b[1] !== 0x4d) fail('the data is too short for a BMP header');
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dataOffset = v.getUint32(10, true);
  const headerSize = v.getUint32(14, true);
  if (headerSize < 12 || 14 + headerSize > b.length)
    fail(`invalid or truncated info header (${headerSize} bytes)`);

  let width: number;
  let rawHeight: number;
  let bpp: number;
  let compression = BI_RGB;
  let colorsUsed = 0;
  let paletteEntry = 4;
  if (headerSize === 12) {
    width = v.getUint16(18, true);
    rawHeight = v.getInt16(20, true);
    bpp = v.getUint16(24, true);
    paletteEntry = 3;
  } else {
    if (headerSize < 16) fail(`invalid info header size ${headerSize}`);
    width = v.getInt32(18, true);
    rawHeight = v.getInt32(22, true);
    bpp = v.getUint16(28, true);
    if (headerSize >= 20) compression = v.getUint32(30, true);
    if (headerSize >= 36) colorsUsed = v.getUint32(46, true);
    // OS/2 2.x reuses codes 3 and 4 for Huffman 1-D and RLE24
    if (headerSize === 64 && (compression === 3 || compression === 4)) {
      fail(`OS/2 compression ${compression === 3 ? 'Huffman 1-D' : 'RLE24'} is not supported`);
    }
  }
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  checkSize('BMP', width, height);

  if (compression === BI_JPEG || compression === BI_PNG) {
    fail(`embedded ${compression === BI_JPEG ? 'JPEG' : 'PNG'} data is not supported`);
  }
  const valid =
    (compression === BI_RGB && [1, 2, 4, 8, 16, 24, 32].includes(bpp)) ||
    (compression === BI_RLE8 && bpp === 8) ||
    (compression === BI_RLE4 && bpp === 4) ||
    ((compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) && (bpp === 16 || bpp === 32));
  if (!valid) fail(`unsupported combination of ${bpp} bits per pixel and compression ${compression}`);

  // bit fields: inside a V2+ header, or right after a 40-byte header; both start at offset 54
  let masks: [Channel, Channel, Channel] | undefined;
  let afterHeader = 14 + headerSize;
  if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
    const extra = headerSize === 40 ? (compression === BI_ALPHABITFIELDS ? 16 : 12) : 0;
    if (54 + 12 > b.length || (headerSize < 52 && headerSize !== 40)) fail('missing bit field masks');
    masks = [channel(v.getUint32(54, true)), channel(v.getUint32(58, true)), channel(v.getUint32(62, true))];
    afterHeader += extra;
  } else if (bpp === 16) {
    masks = [channel(0x7c00), channel(0x03e0), channel(0x001f)];
  }

  // palette: B, G, R (, reserved) per entry; indices past its end read black
  const palette = new Uint8Array(256 * 3);
  if (bpp <= 8) {
    const max = 1 << bpp;
    const count = colorsUsed === 0 || colorsUsed > max ? max : colorsUsed;
    const end = afterHeader + count * paletteEntry;
    if (end > b.length) fail('truncated palette');
    for (let i = 0; i < count; i++) {
      const p = afterHeader + i * paletteEntry;
      palette[3 * i] = b[p + 2]!;
      palette[3 * i + 1] = b[p + 1]!;
      palette[3 * i + 2] = b[p]!;
    }
  }
  if (dataOffset >= b.length) fail(`pixel data offset ${dataOffset} is past the end of the data`);

  const out = new Uint8Array(width * height * 3);
  // file row r (in storage order) lands on image row:
  const rowOf = (r: number) => (topDown ? r : height - 1 - r);

  if (compression === BI_RLE8 || compression === BI_RLE4) {
    if (topDown) fail('run-length encoded bitmaps cannot be top-down');
    const indices = decodeRle(b, dataOffset, width, height, compression === BI_RLE4);
    for (let r = 0; r < height; r++) {
      const o = rowOf(r) * width * 3;
      for (let x = 0; x < width; x++) {
        const k = indices[r * width + x]! * 3;
        out[o + 3 * x] = palette[k]!;
        out[o + 3 * x + 1] = palette[k + 1]!;
        out[o + 3 * x + 2] = palette[k + 2]!;
      }
    }
    return { width, height, channels: 3, data: out };
  }

  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  if (dataOffset + stride * (height - 1) + Math.ceil((bpp * width) / 8) > b.length) {
    fail(
      `truncated pixel data: ${height} rows of ${stride} bytes need ${stride * height} bytes from offset ${dataOffset}, ${b.length - dataOffset} are left`,
    );
  }
  for (let r = 0; r < height; r++) {
    const s = dataOffset + r * stride;
    let o = rowOf(r) * width * 3;
    if (bpp <= 8) {
      const perByte = 8 / bpp;
      const lowMask = (1 << bpp) - 1;
      for (let x = 0; x < width; x++, o += 3) {
        const byte = b[s + Math.floor(x / perByte)]!;
        const k = ((byte >> (8 - bpp * ((x % perByte) + 1))) & lowMask) * 3;
        out[o] = palette[k]!;
        out[o + 1] = palette[k + 1]!;
        out[o + 2] = palette[k + 2]!;
      }
    } else if (bpp === 24 || (bpp === 32 && !masks)) {
      const step = bpp / 8;
      for (let x = 0, p = s; x < width; x++, p += step, o += 3) {
        out[o] = b[p + 2]!;
        out[o + 1] = b[p + 1]!;
        out[o + 2] = b[p]!;
      }
    } else {
      const [rc, gc, bc] = masks!;
      for (let x = 0; x < width; x++, o += 3) {
        const px = bpp === 16 ? v.getUint16(s + 2 * x, true) : v.getUint32(s + 4 * x, true);
        out[o] = scale(px, rc);
        out[o + 1] = scale(px, gc);
        out[o + 2] = scale(px, bc);
      }
    }
  }
  return { width, height, channels: 3, data: out };
}

/**
 * Expands RLE8 / RLE4 data into palette indices, rows in storage order
 * (bottom-up). Pixels a delta or an early end-of-line skips keep index 0.
 */
function decodeRle(b: Uint8Array, start: number, width: number, height: number, rle4: boolean): Uint8Array {
  const idx = new Uint8Array(width * height);
  let p = start;
  let x = 0;
  let y = 0;
  const put = (k: number) => {
    if (x < width && y < height) idx[y * width + x] = k;
    x++;
  };
  for (;;) {
    if (y >= height) return idx;
    if (p + 1 >= b.length) fail('truncated run-length data (no end-of-bitmap marker)');
    const n = b[p]!;
    const c = b[p + 1]!;
    p += 2;
    if (n > 0) {
      // encoded run: n pixels of one index (RLE4: two alternating indices)
      for (let i = 0; i < n; i++) put(rle4 ? (i & 1 ? c & 0x0f : c >> 4) : c);
    } else if (c === 0) {
      x = 0;
      y++;
    } else if (c === 1) {
      return idx;
    } else if (c === 2) {
      if (p + 1 >= b.length) fail('truncated run-length delta');
      x += b[p]!;
      y += b[p + 1]!;
      p += 2;
    } else {
      // absolute run of c pixels, padded to a 16-bit boundary
      const bytes = rle4 ? Math.ceil(c / 2) : c;
      if (p + bytes > b.length) fail('truncated run-length literal');
      for (let i = 0; i < c; i++)
        put(rle4 ? (i & 1 ? b[p + (i >> 1)]! & 0x0f : b[p + (i >> 1)]! >> 4) : b[p + i]!);
      p += bytes + (bytes & 1);
    }
  }
}
