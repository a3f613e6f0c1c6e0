import type { Servable } from '@zai/common';
import type { ServableFactory, ZaiConfig } from '@zai/model-server';
import type { Tensor } from '@zai/tensor-core';
import { pipelineServable, type ServedPipeline } from '../pipeline/servable.js';
import type { PipelineModuleContext } from '../platform/pipeline-modules.js';
import { Platform } from '../platform/platform.js';

/** Builds a served pipeline on a platform: loads the models it needs, returns the pipeline. */
export type PipelineBuild = (platform: Platform, context: PipelineModuleContext) => Promise<ServedPipeline>;

/** The configuration a pipeline's own platform runs with: the server's, without what it serves. */
function ownConfig(config: ZaiConfig): ZaiConfig {
  const { pipelines: _p, paths: _m, ...rest } = config;
  return rest;
}

/**
 * Makes a pipeline module for `zai serve` (and Platform configs): called with
 * a platform, the pipeline loads its models into it; called by the server, it
 * builds a platform of its own, which closes with the served pipeline.
 */
export function pipelineModule(build: PipelineBuild): ServableFactory {
  return async (context: PipelineModuleContext): Promise<Servable<Tensor>> => {
    if (context.platform) return pipelineServable(await build(context.platform, context), context.platform);
    const platform = await Platform.create(ownConfig(context.config), { cwd: context.baseDir });
    try {
      const pipeline = await build(platform, { ...context, platform });
      return pipelineServable(pipeline, platform, () => platform.close());
    } catch (e) {
      await platform.close();
      throw e;
    }
  };
}

/** A string option, or the fallback. */
export function stringOption(context: PipelineModuleContext, key: string): string | undefined {
  const v = context.options[key];
  return typeof v === 'string' ? v : undefined;
}
