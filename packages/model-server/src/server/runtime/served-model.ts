import type { Dim, ValueMetadata } from '@zai/common';
import type { Tensor } from '@zai/tensor-core';
import type { ResolvedModelConfig } from '../model-config.js';
import type { TensorSpec } from '../protocol/infer-request.js';
import type { ServerMetrics } from '../telemetry/metrics.js';
import { ModelStats } from '../telemetry/stats.js';
import type { Executor } from './executor.js';
import { type ScheduledResult, Scheduler } from './scheduler.js';

export function specOf(m: ValueMetadata): TensorSpec {
  const t = m.type;
  if (t?.kind === 'tensor') return { name: m.name, dtype: t.elemType, shape: t.shape };
  return { name: m.name, dtype: undefined, shape: undefined };
}

const variable = (d: Dim | undefined): boolean => d === undefined || typeof d !== 'number' || d < 0;

/** Whether every input and output has a variable first dimension to batch along. */
export function isBatchable(inputs: readonly TensorSpec[], outputs: readonly TensorSpec[]): boolean {
  const ok = (s: TensorSpec) => s.shape !== undefined && s.shape.length > 0 && variable(s.shape[0]);
  return inputs.length > 0 && inputs.every(ok) && outputs.every((o) => o.shape === undefined || ok(o));
}

/** One loaded version of a model: its executor, request queue, statistics and drain state. */
export class ServedModel {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly stats = new ModelStats();
  readonly scheduler: Scheduler;
  /** The config as applied (batching switched off when the model cannot batch). */
  readonly config: ResolvedModelConfig;
  private active = 0;
  private idleWaiters: (() => void)[] = [];
  private closing: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly version: string,
    readonly executor: Executor,
    config: ResolvedModelConfig,
    /** Identifies the file and config it was loaded from, to skip reloading unchanged versions. */
    readonly fingerprint: string,
    private readonly metrics: ServerMetrics,
    onWarning: (message: string) => void = () => undefined,
  ) {
    this.inputs = executor.info.inputs.map(specOf);
    this.outputs = executor.info.outputs.map(specOf);
    let applied = config;
    if (config.maxBatchSize > 0 && !isBatchable(this.inputs, this.outputs)) {
      onWarning(
        `model '${name}' version ${version}: maxBatchSize ${config.maxBatchSize} ignored, its inputs and outputs have no variable first dimension to batch along`,
      );
      applied = { ...config, maxBatchSize: 0, dynamicBatching: undefined };
    }
    this.config = applied;
    const labels = { model: name, version };
    this.scheduler = new Scheduler(
      executor,
      {
        maxBatchSize: applied.maxBatchSize,
        batching: applied.maxBatchSize > 0 ? applied.dynamicBatching : undefined,
        maxQueueSize: applied.maxQueueSize,
        requestTimeoutMs: applied.requestTimeoutMs,
      },
      (t) => {
        this.stats.execution(t);
        this.metrics.executed(labels);
      },
    );
  }

  get backend(): string {
    return this.executor.info.backend;
  }

  /** Marks a request as using this version until `release()`; unloading waits for it. */
  acquire(): void {
    this.active++;
  }

  release(): void {
    this.active--;
    if (this.active === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  infer(feeds: Record<string, Tensor>, fetches: readonly string[] | undefined): Promise<ScheduledResult> {
    return this.scheduler.submit(feeds, fetches);
  }

  /** Waits for requests using this version (bounded by `timeoutMs`), then ends its workers. */
  close(timeoutMs = 30_000): Promise<void> {
    this.closing ??= (async () => {
      if (this.active > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          this.idleWaiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      this.scheduler.rejectQueued(new Error(`model '${this.name}' version ${this.version} was unloaded`));
      await this.executor.close();
    })();
    return this.closing;
  }
}
