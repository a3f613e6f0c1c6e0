import { InvalidArgumentError } from '@zai/common';
import type { Image } from './image.js';

/** Per-plane `(x * scale - mean[k]) / std[k]`; plane k reads channel k (rgb) or 2 - k (bgr). */
export interface Normalization {
  /** Applied first (1/255 maps bytes to [0, 1]). */
  readonly scale: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  /** Channel order the model was trained on; PaddleOCR models read BGR (OpenCV). */
  readonly order: 'rgb' | 'bgr';
}

/** `(x/255 - 0.5) / 0.5`: PP-OCR's classifier and recognizer. */
export const HALF_NORMALIZATION: Normalization = {
  scale: 1 / 255,
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
  order: 'bgr',
};

/** ImageNet mean and std (PP-OCR's detector, most classifiers). */
export const IMAGENET_NORMALIZATION: Normalization = {
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  order: 'rgb',
};

/**
 * Writes an RGB(A) image as planar float32 `[3, height, padWidth]` into `out`
 * at `offset` (one item of a batch), normalised; columns past the image's
 * width are set to 0 (PaddleOCR pads normalised crops with zeros). Byte values map
 * through a 256-entry table per channel.
 */
export function writeChw(
  image: Image,
  norm: Normalization,
  out: Float32Array,
  offset = 0,
  padWidth = image.width,
): void {
  const { width, height, channels } = image;
  if (channels < 3) throw new InvalidArgumentError('normalise: expected an RGB or RGBA image');
  if (padWidth < width)
    throw new InvalidArgumentError(`normalise: pad width ${padWidth} < image width ${width}`);
  if (offset + 3 * height * padWidth > out.length)
    throw new InvalidArgumentError('normalise: output too small');
  const plane = height * padWidth;
  const src = image.data;
  for (let k = 0; k < 3; k++) {
    // plane k holds source channel `from`: BGR models read channel 2 first
    const from = norm.order === 'bgr' ? 2 - k : k;
    const table = new Float32Array(256);
    const a = norm.scale / norm.std[k]!;
    const b = -norm.mean[k]! / norm.std[k]!;
    for (let v = 0; v < 256; v++) table[v] = v * a + b;
    const base = offset + k * plane;
    for (let y = 0; y < height; y++) {
      let s = y * width * channels + from;
      const row = base + y * padWidth;
      for (let x = 0; x < width; x++, s += channels) out[row + x] = table[src[s]!]!;
      if (padWidth > width) out.fill(0, row + width, row + padWidth);
    }
  }
}

/** A whole image as a `[1, 3, height, width]` float32 buffer (see writeChw). */
export function toChw(image: Image, norm: Normalization, padWidth = image.width): Float32Array {
  const out = new Float32Array(3 * image.height * padWidth);
  writeChw(image, norm, out, 0, padWidth);
  return out;
}
