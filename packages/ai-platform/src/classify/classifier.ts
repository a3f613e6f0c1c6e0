import { type Feeds, InvalidArgumentError, type Results, type ValueMetadata } from '@zai/common';
import { Tensor } from '@zai/tensor-core';
import { batchChw, type InputSize } from '../image/fit.js';
import type { Image } from '../image/image.js';
import { HALF_NORMALIZATION, type Normalization } from '../image/normalize.js';
import { decodeStep, type ImageSource, imageBytesOf } from '../image/steps.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { feedTensor, firstTensor, type ServedPipeline } from '../pipeline/servable.js';
import { type Step, step } from '../pipeline/step.js';
import { isDistribution, type Scored, softmax, topK } from './scores.js';

export interface ClassifierOptions {
  /** The pipeline's name (and the name it is served under). */
  readonly name: string;
  /** The classifier's name in the model runner. */
  readonly model: string;
  /** The model's input name. */
  readonly inputName: string;
  readonly size: InputSize;
  readonly normalization: Normalization;
  /** Class names by index. */
  readonly labels: readonly string[];
  readonly topK: number;
}

/** The best class and the `topK` best, each with its probability. */
export interface Classification {
  readonly label: string;
  readonly index: number;
  readonly score: number;
  readonly top: readonly Scored[];
}

/** PP-OCR's text direction classifier: 48×192 lines, labels 0° and 180°. */
export const TEXT_DIRECTION: Omit<ClassifierOptions, 'model'> = {
  name: 'text-direction',
  inputName: 'x',
  size: { width: 192, height: 48, fit: 'pad-right' },
  normalization: HALF_NORMALIZATION,
  labels: ['0', '180'],
  topK: 2,
};

/** Images → normalised batch tensor. */
export function classifyPreStep(o: ClassifierOptions): Step<readonly Image[], Tensor<'float32'>> {
  return step('classify.pre', (images) => {
    const { width, height } = o.size;
    return new Tensor('float32', batchChw(images, o.size, o.normalization), [
      images.length,
      3,
      height,
      width,
    ]);
  });
}

/** Runs the classifier; its output rows as probabilities (softmax applied unless the model did). */
export function classifyModelStep(o: ClassifierOptions): Step<Tensor<'float32'>, Float32Array[]> {
  return step('classify.model', async (batch, ctx) => {
    if (batch.dims[0] === 0) return [];
    const out = firstTensor(await ctx.models.infer(o.model, { [o.inputName]: batch }), 'classify');
    if (out.type !== 'float32' || out.dims.length !== 2) {
      throw new InvalidArgumentError(
        `classify: expected float32 [n, classes] scores, got ${out.type} [${out.dims}]`,
      );
    }
    const classes = out.dims[1]!;
    const data = out.data as Float32Array;
    return Array.from({ length: out.dims[0]! }, (_, i) => {
      const row = data.subarray(i * classes, (i + 1) * classes);
      return isDistribution(row) ? row.slice() : softmax(row);
    });
  });
}

export function classifyPostStep(o: ClassifierOptions): Step<Float32Array[], Classification[]> {
  return step('classify.post', (rows) =>
    rows.map((probs) => {
      const top = topK(probs, o.topK, o.labels);
      const best = top[0]!;
      return { label: best.label, index: best.index, score: best.score, top };
    }),
  );
}

/** decode → resize + normalise → model → softmax + top-k, on one image. */
export function imageClassifier(o: ClassifierOptions): Pipeline<ImageSource, Classification> {
  return Pipeline.create<ImageSource>(o.name)
    .pipe(decodeStep())
    .pipe(step('batch', (image: Image) => [image] as readonly Image[]))
    .pipe(classifyPreStep(o))
    .pipe(classifyModelStep(o))
    .pipe(classifyPostStep(o))
    .pipe(step('first', (all: Classification[]) => all[0]!))
    .build();
}

const CLASSIFIER_IO: { inputs: ValueMetadata[]; outputs: ValueMetadata[] } = {
  inputs: [{ name: 'image', type: { kind: 'tensor', elemType: 'uint8', shape: [null] } }],
  outputs: [
    { name: 'label', type: { kind: 'tensor', elemType: 'string', shape: [null] } },
    { name: 'score', type: { kind: 'tensor', elemType: 'float32', shape: [null] } },
    { name: 'index', type: { kind: 'tensor', elemType: 'int64', shape: [null] } },
  ],
};

/** The classifier as a V2 model: `image` (encoded PNG/JPEG, uint8) → top-k `label`, `score`, `index`. */
export function servedImageClassifier(o: ClassifierOptions): ServedPipeline {
  return Pipeline.create<Feeds<Tensor>>(o.name)
    .pipe(step('feeds', (feeds: Feeds<Tensor>) => imageBytesOf(feedTensor(feeds, 'image', ['uint8']))))
    .pipe(imageClassifier(o))
    .pipe(
      step<Classification, Results<Tensor>>('results', (c) => ({
        label: new Tensor(
          'string',
          c.top.map((t) => t.label),
          [c.top.length],
        ),
        score: new Tensor(
          'float32',
          Float32Array.from(c.top, (t) => t.score),
          [c.top.length],
        ),
        index: new Tensor(
          'int64',
          BigInt64Array.from(c.top, (t) => BigInt(t.index)),
          [c.top.length],
        ),
      })),
    )
    .build(CLASSIFIER_IO);
}
