import {
  type DataType,
  type Feeds,
  InvalidArgumentError,
  type Results,
  type RunOptions,
  type Servable,
  TypeMismatchError,
} from '@zai/common';
import { isTensor, type Tensor } from '@zai/tensor-core';
import type { Pipeline } from './pipeline.js';
import type { ModelRunner } from './step.js';

/** A served pipeline: feeds in, results out, per-step statistics. */
export type ServedPipeline = Pipeline<Feeds<Tensor>, Results<Tensor>>;

/**
 * The pipeline as a V2 model (`Servable`): checks the declared inputs are
 * fed, runs it with `models`, keeps the requested outputs.
 */
export function pipelineServable(
  pipeline: ServedPipeline,
  models: ModelRunner,
  onClose: () => Promise<void> = async () => undefined,
): Servable<Tensor> {
  const io = pipeline.io;
  if (!io) {
    throw new InvalidArgumentError(
      `pipeline '${pipeline.name}' has no inputs and outputs declared; build it with build({ inputs, outputs }) to serve it`,
    );
  }
  return {
    name: pipeline.name,
    inputs: io.inputs,
    outputs: io.outputs,
    async infer(feeds: Feeds<Tensor>, options: RunOptions = {}): Promise<Results<Tensor>> {
      for (const m of io.inputs) {
        if (feeds[m.name] === undefined) {
          throw new InvalidArgumentError(
            `pipeline '${pipeline.name}' needs input '${m.name}' (inputs: ${io.inputs.map((i) => i.name).join(', ')})`,
          );
        }
      }
      const results = await pipeline.execute(feeds, models, options.signal ? { signal: options.signal } : {});
      if (!options.fetches) return results;
      const out: Results<Tensor> = {};
      for (const name of options.fetches) {
        if (results[name] === undefined)
          throw new InvalidArgumentError(`pipeline '${pipeline.name}' has no output '${name}'`);
        out[name] = results[name];
      }
      return out;
    },
    stats: () => pipeline.stats(),
    close: onClose,
  };
}

/** The tensor fed as `name`, checked to be of one of `types`. */
export function feedTensor<T extends DataType>(
  feeds: Feeds<Tensor>,
  name: string,
  types: readonly T[],
): Tensor<T> {
  const v = feeds[name];
  if (v === undefined || v === null) throw new InvalidArgumentError(`missing input '${name}'`);
  if (!isTensor(v)) throw new TypeMismatchError(`input '${name}' must be a tensor`);
  if (!types.includes(v.type as T)) {
    throw new TypeMismatchError(`input '${name}' must be ${types.join(' or ')}, got ${v.type}`);
  }
  return v as Tensor<T>;
}

/** The first output of a model's results, which must be a tensor (`what` names the step in errors). */
export function firstTensor(results: Results<Tensor>, what: string): Tensor {
  const t = Object.values(results)[0];
  if (!isTensor(t)) throw new InvalidArgumentError(`${what}: the model returned no tensor output`);
  return t;
}
