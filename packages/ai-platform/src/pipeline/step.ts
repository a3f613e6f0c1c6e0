import type { Feeds, Results, RunOptions } from '@zai/common';
import type { Tensor } from '@zai/tensor-core';

/** Runs models by name: the Platform, or anything else that holds sessions. */
export interface ModelRunner {
  infer(model: string, feeds: Feeds<Tensor>, options?: RunOptions): Promise<Results<Tensor>>;
}

/** What a step sees of the run it is part of. */
export interface StepContext {
  /** The pipeline being run (for messages). */
  readonly pipeline: string;
  /** Where model steps run their models. */
  readonly models: ModelRunner;
  readonly signal: AbortSignal | undefined;
  /** Records the duration of a named step (the pipeline calls it for every step it runs). */
  record(step: string, ns: number, ok: boolean): void;
}

/** One typed stage of a pipeline: pre-processing, a model call, post-processing. */
export interface Step<I, O> {
  readonly name: string;
  run(input: I, context: StepContext): O | Promise<O>;
}

/** The input type of a step. */
export type StepInput<S> = S extends Step<infer I, unknown> ? I : never;
/** The output type of a step. */
export type StepOutput<S> = S extends Step<never, infer O> ? O : never;

/** Declares a step from a function. */
export function step<I, O>(
  name: string,
  run: (input: I, context: StepContext) => O | Promise<O>,
): Step<I, O> {
  return { name, run };
}

/**
 * A step that runs one model: `feeds` builds its inputs from the step's
 * input, `outputs` turns the model's results (and the input) into the step's output.
 */
export function modelStep<I, O>(
  name: string,
  model: string,
  convert: {
    feeds(input: I): Feeds<Tensor>;
    outputs(results: Results<Tensor>, input: I): O;
  },
): Step<I, O> {
  return {
    name,
    async run(input, context) {
      const results = await context.models.infer(model, convert.feeds(input), {
        ...(context.signal ? { signal: context.signal } : {}),
      });
      return convert.outputs(results, input);
    },
  };
}
