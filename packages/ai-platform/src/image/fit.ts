import type { Image } from './image.js';
import { type Normalization, writeChw } from './normalize.js';
import { resizeBilinear } from './resize.js';

/** How an image is brought to a model's input size. */
export interface InputSize {
  readonly width: number;
  readonly height: number;
  /**
   * 'stretch' resizes to exactly width × height; 'pad-right' keeps the aspect
   * ratio at the full height and pads the right with zeros (text lines).
   */
  readonly fit: 'stretch' | 'pad-right';
}

/** The width an image is resized to at `height` keeping its aspect, capped at `maxWidth`. */
export function widthAtHeight(image: Image, height: number, maxWidth: number): number {
  const w = Math.ceil((height * image.width) / Math.max(1, image.height));
  return Math.max(1, Math.min(maxWidth, w));
}

/**
 * Writes images as one normalised float32 batch `[n, 3, size.height, size.width]`.
 * With 'pad-right', each keeps its aspect (at most size.width wide) and the rest is 0.
 */
export function batchChw(images: readonly Image[], size: InputSize, norm: Normalization): Float32Array {
  const { width, height } = size;
  const item = 3 * width * height;
  const out = new Float32Array(images.length * item);
  images.forEach((image, i) => {
    const w = size.fit === 'stretch' ? width : widthAtHeight(image, height, width);
    writeChw(resizeBilinear(image, w, height), norm, out, i * item, width);
  });
  return out;
}
