import type { Feeds, Results, ValueMetadata } from '@zai/common';
import { Tensor } from '@zai/tensor-core';
import {
  type Classification,
  type ClassifierOptions,
  classifyModelStep,
  classifyPostStep,
  classifyPreStep,
  TEXT_DIRECTION,
} from '../classify/classifier.js';
import { rotate180 } from '../image/image.js';
import { decodeStep, type ImageSource, imageBytesOf } from '../image/steps.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { feedTensor, type ServedPipeline } from '../pipeline/servable.js';
import { step } from '../pipeline/step.js';
import type { CharacterDictionary } from './ctc.js';
import { DB_DEFAULTS, type DbOptions } from './db-postprocess.js';
import { detectModelStep, detectPostStep, detectPreStep } from './detect.js';
import {
  cropStep,
  type LineCrop,
  type OcrResult,
  recognizeModelStep,
  recognizePostStep,
  recognizePreStep,
} from './recognize.js';

export interface OcrOptions {
  /** The pipeline's name (and served name). Default 'ocr'. */
  readonly name?: string;
  readonly dictionary: CharacterDictionary;
  /** Model names in the runner. */
  readonly models?: { readonly det?: string; readonly rec?: string; readonly cls?: string };
  /** Turn upside-down lines with the direction classifier first (needs the `cls` model). */
  readonly useAngleClassifier?: boolean;
  /** Classifier confidence needed to turn a line (PaddleOCR: 0.9). */
  readonly angleThreshold?: number;
  readonly limitSideLen?: number;
  readonly db?: Partial<DbOptions>;
  readonly dropScore?: number;
}

export const OCR_MODEL_NAMES = { det: 'ppocr-det', rec: 'ppocr-rec', cls: 'ppocr-cls' } as const;

/** Crops → crops turned upright where the direction classifier is sure they are upside down. */
function orientPipeline(cls: ClassifierOptions, threshold: number): Pipeline<LineCrop[], LineCrop[]> {
  return Pipeline.create<LineCrop[]>('orient')
    .branch('orient', {
      lines: step('orient.keep', (lines: LineCrop[]) => lines),
      classes: Pipeline.create<LineCrop[]>('orient.classify')
        .pipe(step('orient.batch', (lines: LineCrop[]) => lines.map((l) => l.crop)))
        .pipe({ ...classifyPreStep(cls), name: 'orient.pre' })
        .pipe({ ...classifyModelStep(cls), name: 'orient.model' })
        .pipe({ ...classifyPostStep(cls), name: 'orient.post' })
        .build(),
    })
    .pipe(
      step('orient.turn', ({ lines, classes }: { lines: LineCrop[]; classes: Classification[] }) =>
        lines.map((l, i) => {
          const c = classes[i]!;
          return c.label === '180' && c.score >= threshold
            ? { ...l, crop: rotate180(l.crop), rotated: true }
            : l;
        }),
      ),
    )
    .build();
}

/**
 * Text recognition, PP-OCR style: decode → detect (resize, normalise, DB
 * map → boxes) → crop → [direction] → recognise (batch, CTC decoding).
 */
export function ocrPipeline(o: OcrOptions): Pipeline<ImageSource, OcrResult> {
  const names = { ...OCR_MODEL_NAMES, ...o.models };
  const detect = { model: names.det, limitSideLen: o.limitSideLen ?? 960, db: { ...DB_DEFAULTS, ...o.db } };
  const recognize = {
    model: names.rec,
    dictionary: o.dictionary,
    height: 48,
    minWidth: 320,
    maxWidth: 48 * 40,
    dropScore: o.dropScore ?? 0.5,
  };
  const cls: ClassifierOptions = { ...TEXT_DIRECTION, model: names.cls };
  return Pipeline.create<ImageSource>(o.name ?? 'ocr')
    .pipe(decodeStep())
    .pipe(detectPreStep(detect))
    .pipe(detectModelStep(detect))
    .pipe(detectPostStep(detect))
    .pipe(cropStep())
    .when(() => o.useAngleClassifier === true, orientPipeline(cls, o.angleThreshold ?? 0.9))
    .pipe(recognizePreStep(recognize))
    .pipe(recognizeModelStep(recognize))
    .pipe(recognizePostStep(recognize))
    .build();
}

const OCR_IO: { inputs: ValueMetadata[]; outputs: ValueMetadata[] } = {
  inputs: [{ name: 'image', type: { kind: 'tensor', elemType: 'uint8', shape: [null] } }],
  outputs: [
    { name: 'text', type: { kind: 'tensor', elemType: 'string', shape: [null] } },
    { name: 'scores', type: { kind: 'tensor', elemType: 'float32', shape: [null] } },
    { name: 'boxes', type: { kind: 'tensor', elemType: 'float32', shape: [null, 4, 2] } },
  ],
};

/** OCR as a V2 model: `image` (encoded PNG/JPEG, uint8) → `text` (one string per line), `scores`, `boxes`. */
export function servedOcr(o: OcrOptions): ServedPipeline {
  return Pipeline.create<Feeds<Tensor>>(o.name ?? 'ocr')
    .pipe(step('feeds', (feeds: Feeds<Tensor>) => imageBytesOf(feedTensor(feeds, 'image', ['uint8']))))
    .pipe(ocrPipeline(o))
    .pipe(
      step<OcrResult, Results<Tensor>>('results', ({ lines }) => ({
        text: new Tensor(
          'string',
          lines.map((l) => l.text),
          [lines.length],
        ),
        scores: new Tensor(
          'float32',
          Float32Array.from(lines, (l) => l.score),
          [lines.length],
        ),
        boxes: new Tensor('float32', Float32Array.from(lines.flatMap((l) => l.box.flat())), [
          lines.length,
          4,
          2,
        ]),
      })),
    )
    .build(OCR_IO);
}
