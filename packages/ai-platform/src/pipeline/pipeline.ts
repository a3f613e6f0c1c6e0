import { AbortError, PipelineError, type ServableStats, type ValueMetadata } from '@zai/common';
import { nowNs, StepStatsCollector } from './stats.js';
import type { ModelRunner, Step, StepContext } from './step.js';

/** How a pipeline's stage runs its step(s). */
type Stage =
  | { readonly kind: 'step'; readonly step: Step<unknown, unknown> }
  | {
      readonly kind: 'branch';
      readonly name: string;
      readonly steps: Readonly<Record<string, Step<unknown, unknown>>>;
    }
  | { readonly kind: 'map'; readonly step: Step<unknown, unknown>; readonly concurrency: number }
  | {
      readonly kind: 'when';
      readonly step: Step<unknown, unknown>;
      readonly test: (value: unknown) => boolean;
    };

/** The names and types a pipeline takes and returns when it is served as a V2 model. */
export interface PipelineIO {
  readonly inputs: readonly ValueMetadata[];
  readonly outputs: readonly ValueMetadata[];
}

function failure(pipeline: string, step: string, e: unknown): Error {
  if (e instanceof PipelineError) return e;
  const why = e instanceof Error ? e.message : String(e);
  return new PipelineError(pipeline, step, why, { cause: e });
}

/** Runs one step, timing it and naming it in any error. */
async function timed<I, O>(s: Step<I, O>, input: I, context: StepContext): Promise<O> {
  if (context.signal?.aborted)
    throw new PipelineError(context.pipeline, s.name, 'aborted', { cause: new AbortError() });
  const start = nowNs();
  try {
    const out = await s.run(input, context);
    context.record(s.name, nowNs() - start, true);
    return out;
  } catch (e) {
    context.record(s.name, nowNs() - start, false);
    throw failure(context.pipeline, s.name, e);
  }
}

/**
 * Typed steps composed into a named pipeline: pre-process → model(s) →
 * post-process, with branches (`branch`, `when`) and per-item stages (`map`).
 * A pipeline is itself a step, so pipelines nest. Build one with `Pipeline.create`.
 */
export class Pipeline<I, O> implements Step<I, O> {
  private readonly collector = new StepStatsCollector();

  /** @internal use `Pipeline.create(name)…build()` */
  constructor(
    readonly name: string,
    private readonly stages: readonly Stage[],
    /** Set when the pipeline takes feeds and returns results: it can be served as a model. */
    readonly io: PipelineIO | undefined,
  ) {}

  /** Starts a pipeline whose input is of type `T`. */
  static create<T>(name: string): PipelineBuilder<T, T> {
    return new PipelineBuilder<T, T>(name, []);
  }

  /** The step names, in order (a branch's members each by their own name). */
  get steps(): string[] {
    return this.stages.flatMap((s) =>
      s.kind === 'branch' ? Object.values(s.steps).map((x) => x.name) : [s.step.name],
    );
  }

  /** Runs the pipeline on its own, recording its statistics. */
  execute(input: I, models: ModelRunner, options: { signal?: AbortSignal } = {}): Promise<O> {
    return this.run(input, {
      pipeline: this.name,
      models,
      signal: options.signal,
      record: (step, ns, ok) => this.collector.record(step, ns, ok),
    });
  }

  /** Runs the stages as a step of an enclosing run (its statistics go where that run records). */
  async run(input: I, context: StepContext): Promise<O> {
    let value: unknown = input;
    for (const stage of this.stages) value = await this.runStage(stage, value, context);
    return value as O;
  }

  private async runStage(stage: Stage, value: unknown, context: StepContext): Promise<unknown> {
    switch (stage.kind) {
      case 'step':
        return timed(stage.step, value, context);
      case 'when':
        return stage.test(value) ? timed(stage.step, value, context) : value;
      case 'branch': {
        const entries = Object.entries(stage.steps);
        const outs = await Promise.all(entries.map(([, s]) => timed(s, value, context)));
        return Object.fromEntries(entries.map(([k], i) => [k, outs[i]]));
      }
      case 'map': {
        const items = value as readonly unknown[];
        if (!Array.isArray(items)) {
          throw new PipelineError(context.pipeline, stage.step.name, 'expected a list to map over');
        }
        // the step is timed once over all items: its latency per request, not per item
        const start = nowNs();
        const inner: StepContext = { ...context, record: () => undefined };
        try {
          const out = new Array<unknown>(items.length);
          for (let at = 0; at < items.length; at += stage.concurrency) {
            const chunk = items.slice(at, at + stage.concurrency);
            const done = await Promise.all(chunk.map((item) => timed(stage.step, item, inner)));
            done.forEach((d, k) => {
              out[at + k] = d;
            });
          }
          context.record(stage.step.name, nowNs() - start, true);
          return out;
        } catch (e) {
          context.record(stage.step.name, nowNs() - start, false);
          throw e;
        }
      }
    }
  }

  /** Per-step statistics of `execute` runs (and of the servable built on this pipeline). */
  stats(): ServableStats {
    return this.collector.snapshot();
  }

  /** Mean milliseconds per step so far. */
  meanStepMs(): Record<string, number> {
    return this.collector.meanMs();
  }
}

/** Composes typed steps; each `pipe` takes the previous output. (Not `then`: a builder must not look like a promise.) */
export class PipelineBuilder<I, O> {
  /** @internal */
  constructor(
    private readonly name: string,
    private readonly stages: readonly Stage[],
  ) {}

  private with<N>(stage: Stage): PipelineBuilder<I, N> {
    return new PipelineBuilder<I, N>(this.name, [...this.stages, stage]);
  }

  /** Appends a step (or a whole pipeline) taking this output. */
  pipe<N>(s: Step<O, N>): PipelineBuilder<I, N> {
    return this.with<N>({ kind: 'step', step: s as Step<unknown, unknown> });
  }

  /** Runs several steps on the same value at once; the output has each result under its key. */
  branch<R extends Record<string, Step<O, unknown>>>(
    name: string,
    steps: R,
  ): PipelineBuilder<I, { [K in keyof R]: R[K] extends Step<O, infer X> ? X : never }> {
    return this.with({ kind: 'branch', name, steps: steps as Record<string, Step<unknown, unknown>> });
  }

  /** Runs a step on each item of a list output (`concurrency` at a time). */
  map<E, N>(
    this: PipelineBuilder<I, readonly E[]> | PipelineBuilder<I, E[]>,
    s: Step<E, N>,
    concurrency = 1,
  ): PipelineBuilder<I, N[]> {
    return (this as PipelineBuilder<I, E[]>).with<N[]>({
      kind: 'map',
      step: s as Step<unknown, unknown>,
      concurrency: Math.max(1, concurrency),
    });
  }

  /** Runs a step only when `test` holds; otherwise the value passes through unchanged. */
  when(test: (value: O) => boolean, s: Step<O, O>): PipelineBuilder<I, O> {
    return this.with<O>({
      kind: 'when',
      step: s as Step<unknown, unknown>,
      test: test as (value: unknown) => boolean,
    });
  }

  /** The pipeline; give `io` (input and output names and types) to serve it as a model. */
  build(io?: PipelineIO): Pipeline<I, O> {
    return new Pipeline<I, O>(this.name, this.stages, io);
  }
}
