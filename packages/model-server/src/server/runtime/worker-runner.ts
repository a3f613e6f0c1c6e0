// What a worker thread holds: one inference session of a model, or one
// pipeline (a Servable built by a module named in the configuration).
import type { ServableStats } from '@zai/common';
import { InferenceSession, type InferenceSessionOptions } from '@zai/inference-engine';
import type { Tensor } from '@zai/tensor-core';
import { loadPipeline } from '../../config/modules.js';
import type { ModuleRef, ZaiConfig } from '../../config/schema.js';
import { type ExecuteResult, type ExecutorInfo, ServableExecutor, tensorOutputs } from './executor.js';

/** A worker that opens a model file in an inference session. */
export interface ModelTarget {
  readonly kind: 'model';
  readonly modelPath: string;
  readonly options: InferenceSessionOptions;
}

/** A worker that builds a pipeline from its module, as `pipelines.<name>` names it. */
export interface PipelineTarget {
  readonly kind: 'pipeline';
  /** The name it is served under. */
  readonly name: string;
  readonly ref: ModuleRef;
  /** The effective configuration, handed to the pipeline's factory. */
  readonly config: ZaiConfig;
  /** Where the module and relative paths in its options are resolved from. */
  readonly baseDir: string;
}

export type WorkerTarget = ModelTarget | PipelineTarget;

/** What a worker runs requests on. */
export interface Runner {
  readonly info: ExecutorInfo;
  /**
   * Whether output buffers may be transferred (moved) to the main thread: a
   * session's outputs are fresh, but a pipeline may hand back storage it
   * keeps (a constant table, a cached tensor), so its outputs are copied.
   */
  readonly transferOutputs: boolean;
  run(feeds: Record<string, Tensor>, fetches: readonly string[] | undefined): Promise<ExecuteResult>;
  stats(): ServableStats | undefined;
  close(): Promise<void>;
}

type LoadedSession = Awaited<ReturnType<typeof InferenceSession.create>>;

async function openModel(target: ModelTarget): Promise<Runner> {
  const session: LoadedSession = await InferenceSession.create(target.modelPath, target.options);
  const providers = (session as { executionProviders?: readonly string[] }).executionProviders;
  return {
    info: {
      backend: session.backend,
      executionProviders: providers ?? ['cpu'],
      inputs: session.inputMetadata,
      outputs: session.outputMetadata,
    },
    transferOutputs: true,
    async run(feeds, fetches) {
      const t0 = process.hrtime.bigint();
      const results = await session.run(feeds, fetches ? { fetches } : {});
      const inferNs = Number(process.hrtime.bigint() - t0);
      return { outputs: tensorOutputs(results), inferNs };
    },
    stats: () => undefined,
    close: () => session.release(),
  };
}

async function openPipeline(target: PipelineTarget): Promise<Runner> {
  const servable = await loadPipeline(target.name, target.ref, target.config, target.baseDir);
  const executor = new ServableExecutor(servable);
  return {
    info: executor.info,
    transferOutputs: false,
    run: (feeds, fetches) => executor.execute(feeds, fetches),
    stats: () => executor.stats(),
    close: () => executor.close(),
  };
}

/** Opens what a worker was started for. */
export function openRunner(target: WorkerTarget): Promise<Runner> {
  return target.kind === 'model' ? openModel(target) : openPipeline(target);
}
