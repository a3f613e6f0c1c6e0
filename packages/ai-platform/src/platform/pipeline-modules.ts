import { ConfigError, type Servable } from '@zai/common';
import { isServable, loadModuleExport, type ModuleRef, type ServableFactoryContext } from '@zai/model-server';
import type { Tensor } from '@zai/tensor-core';
import { Pipeline } from '../pipeline/pipeline.js';
import { pipelineServable, type ServedPipeline } from '../pipeline/servable.js';
import type { Platform } from './platform.js';

/** What a pipeline module's factory gets from a Platform: the server's context plus the platform itself. */
export interface PipelineModuleContext extends ServableFactoryContext {
  /** The platform loading the module: load models into it and run them there. */
  readonly platform?: Platform;
}

/** What a pipeline module may export (or its factory return). */
export type PipelineModuleValue = Servable<Tensor> | ServedPipeline;

const isServedPipeline = (v: unknown): v is ServedPipeline => v instanceof Pipeline && v.io !== undefined;

/** Imports a pipeline module and builds its Servable on `platform`. */
export async function loadPipelineModule(
  platform: Platform,
  name: string,
  ref: ModuleRef,
  baseDir: string,
): Promise<Servable<Tensor>> {
  const origin = `pipelines.${name}`;
  let value = await loadModuleExport(ref, baseDir, origin);
  if (typeof value === 'function') {
    const context: PipelineModuleContext = {
      name,
      options: ref.options ?? {},
      config: platform.config,
      baseDir,
      platform,
    };
    value = await (value as (c: PipelineModuleContext) => unknown)(context);
  }
  if (isServedPipeline(value)) value = pipelineServable(value, platform);
  if (isServable(value)) return value.name === name ? value : renamed(value, name);
  throw new ConfigError(
    origin,
    `${origin}.module`,
    `'${ref.module}' gives neither a Servable nor a pipeline built with inputs and outputs`,
  );
}

/** The same servable under the name the configuration gives it. */
function renamed(s: Servable<Tensor>, name: string): Servable<Tensor> {
  return {
    name,
    inputs: s.inputs,
    outputs: s.outputs,
    infer: (feeds, options) => s.infer(feeds, options),
    ...(s.stats ? { stats: () => s.stats!() } : {}),
    close: () => s.close(),
  };
}
