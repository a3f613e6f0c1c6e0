import { ExecutionError } from '@zai/common';

// What every image decoder returns, the errors ImageDecoder throws, and the
// conversion from a decoded image to the operator's pixel format.

/** A decoded 8-bit image: rows top to bottom, channels interleaved. */
export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  /** 1: grey, 3: R, G, B. */
  readonly channels: 1 | 3;
  readonly data: Uint8Array;
}

export type PixelFormat = 'RGB' | 'BGR' | 'Grayscale';

/** The most pixels a decoder allocates (as libvips' default limit): a guard against corrupt sizes. */
export const MAX_PIXELS = 0x3fff * 0x3fff;

/** Thrown by the decoders in this folder; the kernel turns it into an {@link ImageDecodeError} naming the node. */
export class CorruptImageError extends Error {
  readonly format: string;
  constructor(format: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CorruptImageError';
    this.format = format;
  }
}

/** The encoded bytes are not a supported image, or are truncated or corrupt. */
export class ImageDecodeError extends ExecutionError {
  /** The format sniffed from the bytes ('BMP', 'JPEG', …), or 'unknown'. */
  readonly format: string;
  constructor(node: string, format: string, message: string, options?: { cause?: unknown }) {
    super(node, 'ImageDecoder', format === 'unknown' ? message : `${format}: ${message}`, options);
    this.format = format;
  }
}

/** Decoding a format needs an optional npm package that is not installed (or does not load). */
export class ImageDecoderUnavailableError extends ExecutionError {
  readonly format: string;
  /** The npm package to install. */
  readonly packageName: string;
  constructor(
    node: string,
    format: string,
    packageName: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      node,
      'ImageDecoder',
      `decoding ${format} needs the optional package '${packageName}' (npm i ${packageName}): ${detail}`,
      options,
    );
    this.format = format;
    this.packageName = packageName;
  }
}

/** Sizes a decoder reads from a header, checked before anything is allocated. */
export function checkSize(format: string, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new CorruptImageError(format, `invalid image size ${width}x${height}`);
  }
  if (width * height > MAX_PIXELS) {
    throw new CorruptImageError(
      format,
      `image size ${width}x${height} exceeds the limit of ${MAX_PIXELS} pixels`,
    );
  }
}

/**
 * Grey level of an RGB pixel as PIL's `convert('L')` computes it (ITU-R 601-2
 * luma in 16-bit fixed point, rounded), which the ONNX reference uses.
 */
export function luma(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16;
}

/** The operator's output layout [H, W, C] for a pixel format: C is 1 for Grayscale, else 3. */
export function toPixelFormat(img: DecodedImage, format: PixelFormat): Uint8Array {
  const n = img.width * img.height;
  const src = img.data;
  if (format === 'Grayscale') {
    if (img.channels === 1) return src;
    const out = new Uint8Array(n);
    for (let i = 0, j = 0; i < n; i++, j += 3) out[i] = luma(src[j]!, src[j + 1]!, src[j + 2]!);
    return out;
  }
  if (img.channels === 1) {
    const out = new Uint8Array(n * 3);
    for (let i = 0, j = 0; i < n; i++, j += 3) out[j] = out[j + 1] = out[j + 2] = src[i]!;
    return out;
  }
  if (format === 'RGB') return src;
  const out = new Uint8Array(n * 3);
  for (let j = 0; j < 3 * n; j += 3) {
    out[j] = src[j + 2]!;
    out[j + 1] = src[j + 1]!;
    out[j + 2] = src[j]!;
  }
  return out;
}
