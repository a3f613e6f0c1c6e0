import { DecodeError } from '@zai/common';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { fromRgba, type Image } from './image.js';

export type ImageFormat = 'png' | 'jpeg';

/** The format of encoded image bytes, from their signature. */
export function imageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
    return 'png';
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/** Largest image decoded, in megapixels (a guard against decompression bombs). */
export const MAX_MEGAPIXELS = 100;

/** Decodes PNG or JPEG bytes to RGBA. Throws DecodeError saying what is wrong. */
export function decodeImage(bytes: Uint8Array): Image {
  const format = imageFormat(bytes);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === 'png') {
    try {
      const png = PNG.sync.read(buffer);
      return fromRgba(png.width, png.height, png.data);
    } catch (e) {
      throw new DecodeError('png', (e as Error).message, { cause: e });
    }
  }
  if (format === 'jpeg') {
    try {
      const img = jpeg.decode(buffer, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: MAX_MEGAPIXELS,
        maxMemoryUsageInMB: 1024,
      });
      return fromRgba(img.width, img.height, img.data);
    } catch (e) {
      throw new DecodeError('jpeg', (e as Error).message, { cause: e });
    }
  }
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new DecodeError(
    'image',
    `not a PNG or JPEG (${bytes.length} bytes${bytes.length ? `, starting ${head}` : ''})`,
  );
}
