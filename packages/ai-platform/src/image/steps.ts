import { InvalidArgumentError } from '@zai/common';
import type { Tensor } from '@zai/tensor-core';
import { type Step, step } from '../pipeline/step.js';
import { decodeImage } from './decode.js';
import { type Image, toRgb } from './image.js';

/** What image pipelines take: encoded PNG/JPEG bytes, or pixels already decoded. */
export type ImageSource = Uint8Array | Image;

const isImage = (v: unknown): v is Image =>
  typeof v === 'object' && v !== null && 'width' in v && 'height' in v && 'channels' in v && 'data' in v;

/** Decodes (if needed) to 8-bit RGB. */
export function decodeStep(name = 'decode'): Step<ImageSource, Image> {
  return step(name, (source) => {
    if (isImage(source)) return toRgb(source);
    if (source instanceof Uint8Array) return toRgb(decodeImage(source));
    throw new InvalidArgumentError('expected PNG/JPEG bytes or an Image');
  });
}

/** The encoded image bytes of a uint8 `[n]` (or `[1, n]`) tensor input. */
export function imageBytesOf(t: Tensor<'uint8'>): Uint8Array {
  if (t.dims.length > 2 || (t.dims.length === 2 && t.dims[0] !== 1)) {
    throw new InvalidArgumentError(`image input must be one encoded image, uint8 [n], got [${t.dims}]`);
  }
  return t.data;
}
