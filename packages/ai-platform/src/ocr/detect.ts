import { InvalidArgumentError } from '@zai/common';
import { Tensor } from '@zai/tensor-core';
import type { Image } from '../image/image.js';
import { IMAGENET_NORMALIZATION, type Normalization, toChw } from '../image/normalize.js';
import { resizeBilinear } from '../image/resize.js';
import type { Quad } from '../image/warp.js';
import { firstTensor } from '../pipeline/servable.js';
import { type Step, step } from '../pipeline/step.js';
import { type DbOptions, dbBoxes } from './db-postprocess.js';
import { readingOrder } from './geometry.js';

/** PP-OCR's detector reads BGR with ImageNet statistics in that plane order. */
export const PPOCR_DET_NORMALIZATION: Normalization = { ...IMAGENET_NORMALIZATION, order: 'bgr' };

export interface DetectOptions {
  /** The detector's name in the model runner. */
  readonly model: string;
  /** The longest side is scaled down to this (PaddleOCR: 960); sides are rounded to multiples of 32. */
  readonly limitSideLen: number;
  readonly db: Partial<DbOptions>;
}

interface DetInput {
  readonly image: Image;
  readonly tensor: Tensor<'float32'>;
}

interface DetMap {
  readonly image: Image;
  readonly prob: Float32Array;
  readonly mapWidth: number;
  readonly mapHeight: number;
}

/** A text region in image pixels: corners top-left, top-right, bottom-right, bottom-left. */
export interface TextBox {
  readonly box: Quad;
  readonly score: number;
}

export interface Detection {
  readonly image: Image;
  readonly boxes: readonly TextBox[];
}

/** The detector's input size: scaled so the long side ≤ limit, each side a multiple of 32. */
export function detectorSize(width: number, height: number, limitSideLen: number): [number, number] {
  const ratio = Math.max(width, height) > limitSideLen ? limitSideLen / Math.max(width, height) : 1;
  const round32 = (v: number) => Math.max(32, Math.round((v * ratio) / 32) * 32);
  return [round32(width), round32(height)];
}

export function detectPreStep(o: DetectOptions): Step<Image, DetInput> {
  return step('detect.pre', (image) => {
    const [w, h] = detectorSize(image.width, image.height, o.limitSideLen);
    const resized = resizeBilinear(image, w, h);
    const tensor = new Tensor('float32', toChw(resized, PPOCR_DET_NORMALIZATION), [1, 3, h, w]);
    return { image, tensor };
  });
}

export function detectModelStep(o: DetectOptions): Step<DetInput, DetMap> {
  return step('detect.model', async ({ image, tensor }, ctx) => {
    const results = await ctx.models.infer(o.model, { x: tensor });
    const prob = firstTensor(results, 'detect');
    const dims = prob.dims;
    if (prob.type !== 'float32' || dims.length !== 4) {
      throw new InvalidArgumentError(
        `detect: expected a float32 [1, 1, h, w] map, got ${prob.type} [${dims}]`,
      );
    }
    return { image, prob: prob.data as Float32Array, mapWidth: dims[3]!, mapHeight: dims[2]! };
  });
}

export function detectPostStep(o: DetectOptions): Step<DetMap, Detection> {
  return step('detect.post', ({ image, prob, mapWidth, mapHeight }) => {
    const sx = image.width / mapWidth;
    const sy = image.height / mapHeight;
    const found = dbBoxes(prob, mapWidth, mapHeight, o.db).map(({ box, score }) => ({
      box: box.map(([x, y]) => [
        Math.min(image.width, Math.max(0, x * sx)),
        Math.min(image.height, Math.max(0, y * sy)),
      ]) as unknown as Quad,
      score,
    }));
    return { image, boxes: readingOrder(found) };
  });
}
