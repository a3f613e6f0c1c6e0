import { ErrorCode } from '@zai/common';
import { describe, expect, it } from 'vitest';
import {
  createImage,
  decodeImage,
  HALF_NORMALIZATION,
  imageFormat,
  resizeBilinear,
  rotate90,
  rotate180,
  toChw,
  toRgb,
  warpQuad,
  writeChw,
} from '../src/index.js';
import { renderText, renderTextJpeg } from './helpers/render.js';

describe('image decoding', () => {
  it('decodes PNG and JPEG to RGBA, and rejects anything else with a DecodeError', () => {
    const png = renderText(['zai'], { width: 120, height: 60 });
    const jpg = renderTextJpeg(['zai'], { width: 120, height: 60 });
    expect(imageFormat(png)).toBe('png');
    expect(imageFormat(jpg)).toBe('jpeg');
    for (const bytes of [png, jpg]) {
      const img = decodeImage(bytes);
      expect([img.width, img.height, img.channels]).toEqual([120, 60, 4]);
      // white background, dark text somewhere
      expect(img.data[0]).toBeGreaterThan(240);
      expect(Math.min(...img.data.filter((_, i) => i % 4 === 0))).toBeLessThan(60);
    }
    expect(() => decodeImage(Uint8Array.of(1, 2, 3, 4))).toThrow(
      /not a PNG or JPEG \(4 bytes, starting 01 02 03 04\)/,
    );
    const truncated = png.subarray(0, 60);
    expect(() => decodeImage(truncated)).toThrowError(
      expect.objectContaining({ code: ErrorCode.Decode, format: 'png' }),
    );
  });

  it('composes transparent pixels over white when dropping alpha', () => {
    const rgba = {
      width: 2,
      height: 1,
      channels: 4 as const,
      data: Uint8Array.of(0, 0, 0, 0, 10, 20, 30, 255),
    };
    expect(Array.from(toRgb(rgba).data)).toEqual([255, 255, 255, 10, 20, 30]);
  });
});

describe('resize, normalise, warp, rotate', () => {
  it('resizes bilinearly with aligned pixel centres', () => {
    const src = { width: 2, height: 1, channels: 1 as const, data: Uint8Array.of(0, 200) };
    expect(Array.from(resizeBilinear(src, 4, 1).data)).toEqual([0, 50, 150, 200]);
    const up = resizeBilinear(createImage(3, 3, 3), 7, 5);
    expect([up.width, up.height, up.data.length]).toEqual([7, 5, 7 * 5 * 3]);
    expect(() => resizeBilinear(src, 0, 1)).toThrow(/not a positive whole size/);
  });

  it('writes planar float32 in the model channel order, padding the right with zeros', () => {
    const img = { width: 1, height: 1, channels: 3 as const, data: Uint8Array.of(255, 0, 51) };
    // BGR: plane 0 is blue; (x/255 - 0.5) / 0.5
    expect(Array.from(toChw(img, HALF_NORMALIZATION))).toEqual(
      [-0.6, -1, 1].map((v) => expect.closeTo(v, 5)),
    );
    const out = new Float32Array(2 * 3 * 2).fill(9);
    writeChw(img, { ...HALF_NORMALIZATION, order: 'rgb' }, out, 6, 2);
    expect(Array.from(out.subarray(6))).toEqual([1, 0, -1, 0, -0.6, 0].map((v) => expect.closeTo(v, 5)));
  });

  it('cuts an upright crop out of a quadrilateral and turns images', () => {
    const img = createImage(4, 2, 1);
    img.data.set([1, 2, 3, 4, 5, 6, 7, 8]);
    const same = warpQuad(
      img,
      [
        [0, 0],
        [4, 0],
        [4, 2],
        [0, 2],
      ],
      4,
      2,
    );
    expect(Array.from(same.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const right = warpQuad(
      img,
      [
        [2, 0],
        [4, 0],
        [4, 2],
        [2, 2],
      ],
      2,
      2,
    );
    expect(Array.from(right.data)).toEqual([3, 4, 7, 8]);
    expect(Array.from(rotate180(img).data)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    const r = rotate90(img);
    expect([r.width, r.height]).toEqual([2, 4]);
    expect(Array.from(r.data)).toEqual([4, 8, 3, 7, 2, 6, 1, 5]);
  });
});
