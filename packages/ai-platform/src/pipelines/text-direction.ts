import { resolve } from 'node:path';
import { type Spec, validate } from '@zai/model-server';
import {
  type Classification,
  imageClassifier,
  servedImageClassifier,
  TEXT_DIRECTION,
} from '../classify/classifier.js';
import type { ImageSource } from '../image/steps.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { ServedPipeline } from '../pipeline/servable.js';
import type { Platform } from '../platform/platform.js';
import { pipelineModule } from './module.js';
import { ppocrFiles } from './ocr.js';

export interface TextDirectionPipelines {
  readonly pipeline: Pipeline<ImageSource, Classification>;
  readonly served: ServedPipeline;
}

/**
 * Loads PP-OCR's direction classifier (0° / 180° text lines) into `platform`
 * as `<name>.cls` and builds the classification pipeline on it.
 */
export async function loadTextDirection(
  platform: Platform,
  options: { name?: string; file?: string; backend?: string } = {},
): Promise<TextDirectionPipelines> {
  const name = options.name ?? TEXT_DIRECTION.name;
  const model = `${name}.cls`;
  if (!(await platform.has(model))) {
    await platform.loadModel(
      model,
      options.file ?? ppocrFiles().cls,
      options.backend ? { backend: options.backend } : {},
    );
  }
  const o = { ...TEXT_DIRECTION, name, model };
  return { pipeline: imageClassifier(o), served: servedImageClassifier(o) };
}

const OPTIONS: Spec = { type: 'object', fields: { model: { type: 'string' }, backend: { type: 'string' } } };

/** The direction classifier as a pipeline module (`export: "textDirectionModule"`). */
export const textDirectionModule = pipelineModule(async (platform, context) => {
  const o = validate<{ model?: string; backend?: string }>(
    OPTIONS,
    context.options,
    `pipelines.${context.name}`,
    'options',
  );
  const { served } = await loadTextDirection(platform, {
    name: context.name,
    ...(o.model ? { file: resolve(context.baseDir, o.model) } : {}),
    ...(o.backend ? { backend: o.backend } : {}),
  });
  return served;
});
