import { createRequire } from 'node:module';
import { ValidationError } from '@zai/common';
import { graph, model, node, tensorInfo } from '@zai/onnx-parser';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { InferenceSession, Tensor } from '../../src/index.js';
import { ImageDecodeError } from '../../src/ops/io/image.js';
import { sniffImageFormat } from '../../src/ops/io/sniff.js';

/** Runs one ImageDecoder node (opset 20) on encoded bytes. */
async function decode(bytes: ArrayLike<number>, pixelFormat?: string): Promise<Tensor> {
  const g = graph({
    nodes: [node('ImageDecoder', ['in'], ['out'], pixelFormat ? { pixel_format: pixelFormat } : {})],
    inputs: [tensorInfo('in', 'uint8')],
    outputs: [tensorInfo('out', 'uint8')],
  });
  const s = await InferenceSession.create(model(g, [{ domain: '', version: 20 }]), { backend: 'native' });
  try {
    const data = Uint8Array.from(bytes);
    return (await s.run({ in: new Tensor('uint8', data, [data.length]) })).out as Tensor;
  } finally {
    await s.release();
  }
}

const pixels = (t: Tensor) => Array.from(t.data as Uint8Array);
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const u16 = (v: number) => [v & 0xff, v >> 8];
const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];

/** A BMP with a 40-byte BITMAPINFOHEADER; `extra` (palette, masks) sits between header and pixels. */
function bmp(
  width: number,
  height: number,
  bpp: number,
  pixelData: number[],
  opts: { compression?: number; extra?: number[]; colors?: number } = {},
): number[] {
  const extra = opts.extra ?? [];
  const offset = 14 + 40 + extra.length;
  const size = offset + pixelData.length;
  return [
    ...ascii('BM'),
    ...u32(size),
    ...u32(0),
    ...u32(offset),
    ...u32(40),
    ...u32(width),
    ...u32(height >>> 0),
    ...u16(1),
    ...u16(bpp),
    ...u32(opts.compression ?? 0),
    ...u32(pixelData.length),
    ...u32(2835),
    ...u32(2835),
    ...u32(opts.colors ?? 0),
    ...u32(0),
    ...extra,
    ...pixelData,
  ];
}

// a 2x2 image: red, green / blue, white (top row first)
const RGB_2X2 = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];
const BGR_2X2 = [0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255];
// PIL's luma: (r*19595 + g*38470 + b*7471 + 0x8000) >> 16
const GREY_2X2 = [76, 150, 29, 255];

describe('ImageDecoder: BMP', () => {
  // 24-bit bottom-up: the bottom row (blue, white) comes first; rows pad to 4 bytes
  const bmp24 = bmp(2, 2, 24, [255, 0, 0, 255, 255, 255, 0, 0, 0, 0, 255, 0, 255, 0, 0, 0]);

  it('decodes a 24-bit bottom-up bitmap as RGB, BGR and Grayscale', async () => {
    const rgb = await decode(bmp24);
    expect(rgb.dims).toEqual([2, 2, 3]);
    expect(pixels(rgb)).toEqual(RGB_2X2);
    expect(pixels(await decode(bmp24, 'BGR'))).toEqual(BGR_2X2);
    const grey = await decode(bmp24, 'Grayscale');
    expect(grey.dims).toEqual([2, 2, 1]);
    expect(pixels(grey)).toEqual(GREY_2X2);
  });

  it('decodes an 8-bit palette bitmap stored top-down', async () => {
    const palette = [0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0]; // B, G, R, x
    const img = bmp(3, -1, 8, [0, 1, 2, 0], { extra: palette, colors: 4 });
    const out = await decode(img);
    expect(out.dims).toEqual([1, 3, 3]);
    expect(pixels(out)).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255]);
  });

  it('decodes a 1-bit bitmap', async () => {
    const palette = [0, 0, 0, 0, 255, 255, 255, 0];
    // 3 pixels per row, MSB first: row bottom 101, row top 010
    const img = bmp(3, 2, 1, [0b10100000, 0, 0, 0, 0b01000000, 0, 0, 0], { extra: palette });
    expect(pixels(await decode(img, 'Grayscale'))).toEqual([0, 255, 0, 255, 0, 255]);
  });

  it('decodes RLE8 and RLE4 bitmaps', async () => {
    const palette = [0, 0, 0, 0, 0, 0, 255, 0, 0, 255, 0, 0]; // black, red, green
    // RLE8, 4x2: bottom row = literal [1, 1, 1] (padded to 16 bits), run of 1 x index 2, end of line;
    // top row = delta (2, 0), run of 2 x index 2, end of bitmap
    const rle8 = [0, 3, 1, 1, 1, 0, 1, 2, 0, 0, 0, 2, 2, 0, 2, 2, 0, 1];
    const out8 = await decode(bmp(4, 2, 8, rle8, { compression: 1, extra: palette, colors: 3 }));
    const K = [0, 0, 0];
    const R = [255, 0, 0];
    const G = [0, 255, 0];
    expect(pixels(out8)).toEqual([...K, ...K, ...G, ...G, ...R, ...R, ...R, ...G]);
    // RLE4, 4x1: run of 4 alternating indices 1, 2 ; EOF
    const out4 = await decode(bmp(4, 1, 4, [4, 0x12, 0, 1], { compression: 2, extra: palette, colors: 3 }));
    expect(pixels(out4)).toEqual([...R, ...G, ...R, ...G]);
  });

  it('decodes 16-bit 5-6-5 bit fields and 32-bit pixels', async () => {
    const masks = [...u32(0xf800), ...u32(0x07e0), ...u32(0x001f)];
    // one row: pure red, half green (32 of 63), blue 1 of 31
    const px = [0xf800, 32 << 5, 1].flatMap(u16);
    const out = await decode(bmp(3, 1, 16, [...px, 0, 0], { compression: 3, extra: masks }));
    expect(pixels(out)).toEqual([255, 0, 0, 0, Math.floor((32 * 255) / 63), 0, 0, 0, Math.floor(255 / 31)]);
    const bgrx = [10, 20, 30, 99, 40, 50, 60, 99];
    expect(pixels(await decode(bmp(2, 1, 32, bgrx)))).toEqual([30, 20, 10, 60, 50, 40]);
  });

  it('raises a typed error for truncated pixel data', async () => {
    const cut = bmp24.slice(0, bmp24.length - 8);
    const err = await decode(cut).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect((err as ImageDecodeError).code).toBe('ZAI_EXECUTION');
    expect((err as ImageDecodeError).format).toBe('BMP');
    expect((err as Error).message).toMatch(/truncated pixel data/);
  });
});

describe('ImageDecoder: PNM', () => {
  it('decodes raw PPM (P6) and plain PPM (P3) with comments', async () => {
    const p6 = [...ascii('P6\n# made by hand\n2 2\n255\n'), ...RGB_2X2];
    expect(pixels(await decode(p6))).toEqual(RGB_2X2);
    const p3 = ascii('P3 # plain\n2 2 255\n255 0 0  0 255 0\n0 0 255 # comment\n255 255 255\n');
    expect(pixels(await decode(p3, 'BGR'))).toEqual(BGR_2X2);
  });

  it('decodes PGM (P5, P2) scaling a maxval other than 255', async () => {
    const p5 = [...ascii('P5 3 1 15\n'), 0, 7, 15];
    const grey = await decode(p5, 'Grayscale');
    expect(grey.dims).toEqual([1, 3, 1]);
    // 7 * 255 / 15 = 119
    expect(pixels(grey)).toEqual([0, 119, 255]);
    expect(pixels(await decode(p5))).toEqual([0, 0, 0, 119, 119, 119, 255, 255, 255]);
    expect(pixels(await decode(ascii('P2\n2 1\n1000\n0 1000\n'), 'Grayscale'))).toEqual([0, 255]);
    // 16-bit big-endian samples
    expect(pixels(await decode([...ascii('P5 2 1 65535\n'), 0x80, 0x80, 0xff, 0xff], 'Grayscale'))).toEqual([
      128, 255,
    ]);
  });

  it('decodes PBM (P4, P1): 1 is black', async () => {
    expect(pixels(await decode([...ascii('P4\n3 2\n'), 0b10100000, 0b01000000], 'Grayscale'))).toEqual([
      0, 255, 0, 255, 0, 255,
    ]);
    expect(pixels(await decode(ascii('P1\n3 1\n0 1\n1'), 'Grayscale'))).toEqual([255, 0, 0]);
  });

  it('decodes PAM (P7), dropping alpha', async () => {
    const head = ascii('P7\nWIDTH 2\nHEIGHT 1\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n');
    expect(pixels(await decode([...head, 1, 2, 3, 4, 5, 6, 7, 8]))).toEqual([1, 2, 3, 5, 6, 7]);
  });

  it('raises a typed error for a truncated raster or a bad header', async () => {
    const err = await decode([...ascii('P6\n2 2\n255\n'), 1, 2, 3]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect((err as ImageDecodeError).format).toBe('PNM');
    expect((err as Error).message).toMatch(/truncated raster/);
    await expect(decode(ascii('P5\n2 x\n255\n'))).rejects.toThrow(/expected the height/);
    await expect(decode(ascii('P2\n1 1\n10\n11\n'))).rejects.toThrow(/exceeds maxval/);
  });
});

describe('ImageDecoder: formats and errors', () => {
  it('recognises formats by their magic bytes', () => {
    expect(sniffImageFormat(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0))).toBe('JPEG');
    expect(sniffImageFormat(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).toBe('PNG');
    expect(sniffImageFormat(Uint8Array.from([...ascii('RIFF'), 0, 0, 0, 0, ...ascii('WEBP')]))).toBe('WebP');
    expect(sniffImageFormat(Uint8Array.from([...ascii('II'), 42, 0]))).toBe('TIFF');
    expect(sniffImageFormat(Uint8Array.of(0xff, 0x4f, 0xff, 0x51))).toBe('JPEG 2000');
    expect(sniffImageFormat(Uint8Array.from(ascii('P6\n')))).toBe('PNM');
    expect(sniffImageFormat(Uint8Array.from(ascii('GIF89a')))).toBeUndefined();
  });

  it('rejects bytes of no known format, and empty input', async () => {
    const err = await decode(ascii('GIF89a......')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect((err as ImageDecodeError).format).toBe('unknown');
    await expect(decode([])).rejects.toThrow(/empty/);
  });

  it('rejects an unknown pixel_format when the session is created', async () => {
    await expect(decode(RGB_2X2, 'CMYK')).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('ImageDecoder: formats decoded by optional packages', () => {
  const raw = Uint8Array.from({ length: 5 * 4 * 3 }, (_, i) => (i * 37) % 256);
  const input = { raw: { width: 5, height: 4, channels: 3 as const } };

  it('decodes lossless PNG, WebP and TIFF exactly (sharp)', async () => {
    for (const encoded of [
      await sharp(raw, input).png().toBuffer(),
      await sharp(raw, input).webp({ lossless: true }).toBuffer(),
      await sharp(raw, input).tiff({ compression: 'lzw' }).toBuffer(),
    ]) {
      const out = await decode(encoded);
      expect(out.dims).toEqual([4, 5, 3]);
      expect(pixels(out)).toEqual(Array.from(raw));
    }
  });

  it('drops alpha and expands grey', async () => {
    const rgba = await sharp(Uint8Array.of(10, 20, 30, 0, 40, 50, 60, 255), {
      raw: { width: 2, height: 1, channels: 4 },
    })
      .png()
      .toBuffer();
    expect(pixels(await decode(rgba))).toEqual([10, 20, 30, 40, 50, 60]);
    const grey = await sharp(Uint8Array.of(7, 200), { raw: { width: 2, height: 1, channels: 1 } })
      .png()
      .toBuffer();
    expect(pixels(await decode(grey))).toEqual([7, 7, 7, 200, 200, 200]);
    expect(pixels(await decode(grey, 'Grayscale'))).toEqual([7, 200]);
  });

  it('raises a typed error for a truncated JPEG', async () => {
    const jpeg = await sharp(raw, input).jpeg().toBuffer();
    const err = await decode(jpeg.subarray(0, jpeg.length >> 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect((err as ImageDecodeError).format).toBe('JPEG');
  });

  it('decodes a JPEG 2000 codestream, 8-bit RGB and 16-bit grey (OpenJPEG)', async () => {
    const require = createRequire(import.meta.url);
    const factory = require('@cornerstonejs/codec-openjpeg') as (o: object) => Promise<J2KModule>;
    const codec = await factory({ print() {}, printErr() {} });
    const encode = (
      width: number,
      height: number,
      bits: number,
      comps: number,
      fill: (b: Uint8Array) => void,
    ) => {
      const e = new codec.J2KEncoder();
      const frame = {
        width,
        height,
        bitsPerSample: bits,
        componentCount: comps,
        isSigned: false,
        isUsingColorTransform: false,
      };
      fill(e.getDecodedBuffer(frame));
      e.setQuality(true, 0);
      e.encode();
      const out = Uint8Array.from(e.getEncodedBuffer());
      e.delete();
      return out;
    };
    const rgb = Uint8Array.from({ length: 40 * 33 * 3 }, (_, i) => (i * 37) % 256);
    const j2k = encode(40, 33, 8, 3, (b) => b.set(rgb));
    expect(sniffImageFormat(j2k)).toBe('JPEG 2000');
    const out = await decode(j2k);
    expect(out.dims).toEqual([33, 40, 3]);
    expect(pixels(out)).toEqual(Array.from(rgb));

    const grey16 = Uint16Array.from({ length: 40 * 33 }, (_, i) => (i * 997) % 65536);
    const j2k16 = encode(40, 33, 16, 1, (b) => b.set(new Uint8Array(grey16.buffer)));
    // keeps the top 8 bits
    expect(pixels(await decode(j2k16, 'Grayscale'))).toEqual(Array.from(grey16, (v) => v >> 8));

    const err = await decode(j2k.subarray(0, 60)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect((err as ImageDecodeError).format).toBe('JPEG 2000');
  });
});

interface J2KModule {
  J2KEncoder: new () => {
    getDecodedBuffer(frame: object): Uint8Array;
    setQuality(lossless: boolean, quality: number): void;
    encode(): void;
    getEncodedBuffer(): Uint8Array;
    delete(): void;
  };
}
