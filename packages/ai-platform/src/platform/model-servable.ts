import type { Feeds, Results, RunOptions, Servable, Session } from '@zai/common';
import type { Tensor } from '@zai/tensor-core';
import { nowNs, StepStatsCollector } from '../pipeline/stats.js';

/** A loaded model as a Servable; its one step, `run`, is timed. */
export interface LoadedModel extends Servable<Tensor> {
  /** The backend that runs it ('native', 'onnxruntime', or a plugin's). */
  readonly backend: string;
  readonly session: Session<Tensor>;
}

export function modelServable(
  name: string,
  session: Session<Tensor>,
  backend = session.backend,
): LoadedModel {
  const stats = new StepStatsCollector();
  return {
    name,
    backend,
    session,
    inputs: session.inputMetadata,
    outputs: session.outputMetadata,
    async infer(feeds: Feeds<Tensor>, options?: RunOptions): Promise<Results<Tensor>> {
      const start = nowNs();
      try {
        const out = await session.run(feeds, options);
        stats.record('run', nowNs() - start, true);
        return out;
      } catch (e) {
        stats.record('run', nowNs() - start, false);
        throw e;
      }
    },
    stats: () => stats.snapshot(),
    close: () => session.release(),
  };
}
