import type { Servable, ServableStats, ValueMetadata } from '@zai/common';
import { isTensor, type Tensor } from '@zai/tensor-core';
import { BadRequestError } from '../errors.js';

/** What a model instance reports once loaded. */
export interface ExecutorInfo {
  /** 'native', 'onnxruntime', or 'servable' for an in-process Servable. */
  readonly backend: string;
  readonly executionProviders: readonly string[];
  readonly inputs: readonly ValueMetadata[];
  readonly outputs: readonly ValueMetadata[];
}

export interface ExecuteResult {
  readonly outputs: Record<string, Tensor>;
  /** Time the model itself ran, measured where it ran. */
  readonly inferNs: number;
}

/** Runs a model: a pool of worker threads, or a Servable in-process. `slots` runs may overlap. */
export interface Executor {
  readonly info: ExecutorInfo;
  readonly slots: number;
  execute(feeds: Record<string, Tensor>, fetches: readonly string[] | undefined): Promise<ExecuteResult>;
  /** Per-step statistics of a servable that keeps them (a pipeline). */
  stats?(): ServableStats | undefined;
  close(): Promise<void>;
}

/** Keeps only tensor outputs: V2 carries nothing else. */
export function tensorOutputs(results: Record<string, unknown>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, v] of Object.entries(results)) {
    if (!isTensor(v))
      throw new Error(`output '${name}' is not a tensor; the V2 protocol carries only tensors`);
    out[name] = v;
  }
  return out;
}

/** Serves a Servable (an ai-platform pipeline, a test double) on the main thread. */
export class ServableExecutor implements Executor {
  readonly info: ExecutorInfo;
  constructor(
    private readonly servable: Servable<Tensor>,
    readonly slots = 1,
  ) {
    this.info = {
      backend: 'servable',
      executionProviders: [],
      inputs: servable.inputs,
      outputs: servable.outputs,
    };
  }

  async execute(
    feeds: Record<string, Tensor>,
    fetches: readonly string[] | undefined,
  ): Promise<ExecuteResult> {
    const t0 = process.hrtime.bigint();
    const results = await this.servable.infer(feeds, fetches ? { fetches } : {});
    const inferNs = Number(process.hrtime.bigint() - t0);
    const outputs = tensorOutputs(results);
    for (const name of fetches ?? []) {
      if (!outputs[name]) throw new BadRequestError(`the model produced no output '${name}'`);
    }
    return { outputs, inferNs };
  }

  stats(): ServableStats | undefined {
    return this.servable.stats?.();
  }

  close(): Promise<void> {
    return this.servable.close();
  }
}
