import { InvalidArgumentError } from '@zai/common';
import { Tensor } from '@zai/tensor-core';
import { batchChw } from '../image/fit.js';
import { type Image, rotate90 } from '../image/image.js';
import { HALF_NORMALIZATION } from '../image/normalize.js';
import { type Quad, warpQuad } from '../image/warp.js';
import { firstTensor } from '../pipeline/servable.js';
import { type Step, step } from '../pipeline/step.js';
import { type CharacterDictionary, ctcGreedyDecode } from './ctc.js';
import type { Detection } from './detect.js';
import { distance } from './geometry.js';

export interface RecognizeOptions {
  /** The recognizer's name in the model runner. */
  readonly model: string;
  readonly dictionary: CharacterDictionary;
  /** Input height of the recognizer (PP-OCRv3/v4: 48). */
  readonly height: number;
  /** Narrowest batch width (PaddleOCR: 320); wider lines widen the batch. */
  readonly minWidth: number;
  /** Widest line fed, in pixels at `height`. */
  readonly maxWidth: number;
  /** Lines read with a lower mean character probability are dropped (PaddleOCR: 0.5). */
  readonly dropScore: number;
}

/** A detected line and its upright crop. */
export interface LineCrop {
  readonly box: Quad;
  readonly boxScore: number;
  readonly crop: Image;
  /** Set when the direction classifier turned the crop by 180°. */
  readonly rotated?: boolean;
}

/** One line of recognised text. */
export interface OcrLine {
  readonly text: string;
  /** Mean probability of its characters. */
  readonly score: number;
  /** Where it is in the image: top-left, top-right, bottom-right, bottom-left. */
  readonly box: Quad;
  readonly boxScore: number;
}

export interface OcrResult {
  /** The lines in reading order, joined by newlines. */
  readonly text: string;
  readonly lines: readonly OcrLine[];
}

/** Cuts each box out of the image upright; tall crops (vertical text) are turned 90°. */
export function cropStep(): Step<Detection, LineCrop[]> {
  return step('crop', ({ image, boxes }) =>
    boxes.map(({ box, score }) => {
      const w = Math.max(1, Math.round(Math.max(distance(box[0], box[1]), distance(box[3], box[2]))));
      const h = Math.max(1, Math.round(Math.max(distance(box[0], box[3]), distance(box[1], box[2]))));
      const crop = warpQuad(image, box, w, h);
      return { box, boxScore: score, crop: h / w >= 1.5 ? rotate90(crop) : crop };
    }),
  );
}

interface RecBatch {
  readonly lines: readonly LineCrop[];
  readonly tensor: Tensor<'float32'>;
}

/** Crops → one `[n, 3, height, width]` batch, each line at full height, padded right with zeros. */
export function recognizePreStep(o: RecognizeOptions): Step<readonly LineCrop[], RecBatch> {
  return step('recognize.pre', (lines) => {
    const ratio = Math.max(0, ...lines.map((l) => l.crop.width / l.crop.height));
    const width = Math.min(o.maxWidth, Math.max(o.minWidth, Math.ceil(o.height * ratio)));
    const data = batchChw(
      lines.map((l) => l.crop),
      { width, height: o.height, fit: 'pad-right' },
      HALF_NORMALIZATION,
    );
    return { lines, tensor: new Tensor('float32', data, [lines.length, 3, o.height, width]) };
  });
}

interface RecOutput {
  readonly lines: readonly LineCrop[];
  readonly probs: Float32Array;
  readonly dims: readonly number[];
}

export function recognizeModelStep(o: RecognizeOptions): Step<RecBatch, RecOutput> {
  return step('recognize.model', async ({ lines, tensor }, ctx) => {
    if (lines.length === 0) return { lines, probs: new Float32Array(0), dims: [0, 0, o.dictionary.size] };
    const out = firstTensor(await ctx.models.infer(o.model, { x: tensor }), 'recognize');
    if (out.type !== 'float32' || out.dims.length !== 3) {
      throw new InvalidArgumentError(
        `recognize: expected float32 [n, steps, classes], got ${out.type} [${out.dims}]`,
      );
    }
    return { lines, probs: out.data as Float32Array, dims: out.dims };
  });
}

/** CTC greedy decoding with the dictionary; weak lines dropped. */
export function recognizePostStep(o: RecognizeOptions): Step<RecOutput, OcrResult> {
  return step('recognize.post', ({ lines, probs, dims }) => {
    const decoded = lines.length === 0 ? [] : ctcGreedyDecode(probs, dims, o.dictionary);
    const kept: OcrLine[] = [];
    decoded.forEach((d, i) => {
      const line = lines[i]!;
      if (d.score >= o.dropScore && d.text.trim() !== '') {
        kept.push({ text: d.text, score: d.score, box: line.box, boxScore: line.boxScore });
      }
    });
    return { text: kept.map((l) => l.text).join('\n'), lines: kept };
  });
}
