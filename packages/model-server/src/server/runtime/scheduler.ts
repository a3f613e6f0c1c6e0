import type { Tensor } from '@zai/tensor-core';
import { BadRequestError, RequestTimeoutError, UnavailableError } from '../errors.js';
import { batchKey, concatRows, rowsOf, splitRows } from './batch.js';
import type { Executor } from './executor.js';

export interface BatchingConfig {
  /** How long the first request of a batch may wait for others, in milliseconds. */
  readonly maxQueueDelayMs: number;
  /** Batch sizes to send as soon as they can be formed. */
  readonly preferredBatchSizes: readonly number[];
}

export interface SchedulerConfig {
  /** Largest batch (sum of first dims) one run may take; 0 when the model does not batch. */
  readonly maxBatchSize: number;
  /** Set when requests are combined into batches. */
  readonly batching: BatchingConfig | undefined;
  /** Requests waiting beyond this are refused with 503. */
  readonly maxQueueSize: number;
  /** Per-request limit from arrival to result, in milliseconds; 0 for none. */
  readonly requestTimeoutMs: number;
}

/** Where a request's time went, in nanoseconds, as Triton's statistics split it. */
export interface RequestTiming {
  readonly queueNs: number;
  readonly computeInputNs: number;
  readonly computeInferNs: number;
  readonly computeOutputNs: number;
  readonly batchSize: number;
}

export interface ScheduledResult {
  readonly outputs: Record<string, Tensor>;
  readonly timing: RequestTiming;
}

/** Called once per model execution (a batch counts once). */
export type ExecutionObserver = (t: Omit<RequestTiming, 'queueNs'>) => void;

interface Pending {
  readonly feeds: Record<string, Tensor>;
  readonly fetches: readonly string[] | undefined;
  readonly rows: number | undefined;
  readonly key: string;
  readonly enqueuedNs: number;
  timer: NodeJS.Timeout | undefined;
  settled: boolean;
  resolve(r: ScheduledResult): void;
  reject(e: Error): void;
}

export const nowNs = (): number => Number(process.hrtime.bigint());

/** The request queue in front of a model's executor: bounded, with optional dynamic batching. */
export class Scheduler {
  private readonly queue: Pending[] = [];
  private running = 0;
  private delayTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly executor: Executor,
    readonly config: SchedulerConfig,
    private readonly onExecution: ExecutionObserver = () => undefined,
  ) {}

  /** Requests queued, not yet running. */
  get queued(): number {
    return this.queue.length;
  }

  submit(feeds: Record<string, Tensor>, fetches: readonly string[] | undefined): Promise<ScheduledResult> {
    const { maxBatchSize, maxQueueSize, requestTimeoutMs } = this.config;
    const rows = rowsOf(feeds);
    if (maxBatchSize > 0 && rows !== undefined && rows > maxBatchSize) {
      throw new BadRequestError(
        `the request's batch size ${rows} exceeds the model's max_batch_size ${maxBatchSize}`,
      );
    }
    if (this.queue.length >= maxQueueSize) {
      throw new UnavailableError(`the model's queue is full (${maxQueueSize} requests waiting); retry later`);
    }
    return new Promise<ScheduledResult>((resolve, reject) => {
      const p: Pending = {
        feeds,
        fetches,
        rows,
        key: batchKey(feeds, fetches),
        enqueuedNs: nowNs(),
        timer: undefined,
        settled: false,
        resolve: (r) => {
          if (p.settled) return;
          p.settled = true;
          clearTimeout(p.timer);
          resolve(r);
        },
        reject: (e) => {
          if (p.settled) return;
          p.settled = true;
          clearTimeout(p.timer);
          reject(e);
        },
      };
      if (requestTimeoutMs > 0) {
        p.timer = setTimeout(() => {
          const i = this.queue.indexOf(p);
          if (i >= 0) this.queue.splice(i, 1);
          p.reject(new RequestTimeoutError(requestTimeoutMs));
        }, requestTimeoutMs);
      }
      this.queue.push(p);
      this.pump();
    });
  }

  /** Starts runs while the executor has free slots and a batch is due. */
  private pump(): void {
    clearTimeout(this.delayTimer);
    this.delayTimer = undefined;
    while (this.running < this.executor.slots && this.queue.length > 0) {
      const batch = this.nextBatch();
      if (!batch) return;
      for (const p of batch) this.queue.splice(this.queue.indexOf(p), 1);
      void this.dispatch(batch);
    }
  }

  /** The requests to run next, or undefined when batching says to wait a little longer. */
  private nextBatch(): Pending[] | undefined {
    const head = this.queue[0]!;
    const b = this.config.batching;
    if (!b || head.rows === undefined || head.rows === 0) return [head];
    const max = this.config.maxBatchSize;
    const picked: Pending[] = [];
    let rows = 0;
    for (const p of this.queue) {
      if (p.key !== head.key || p.rows === undefined || p.rows === 0) continue;
      if (rows + p.rows > max) break;
      picked.push(p);
      rows += p.rows;
    }
    if (rows >= max) return picked;
    // send the largest preferred size the queue can fill exactly now
    for (const size of [...b.preferredBatchSizes].sort((x, y) => y - x)) {
      if (size > rows) continue;
      let n = 0;
      const prefix: Pending[] = [];
      for (const p of picked) {
        if (n + p.rows! > size) break;
        prefix.push(p);
        n += p.rows!;
      }
      if (n === size) return prefix;
    }
    const waitedMs = (nowNs() - head.enqueuedNs) / 1e6;
    if (waitedMs >= b.maxQueueDelayMs) return picked;
    this.delayTimer = setTimeout(() => this.pump(), Math.max(0, b.maxQueueDelayMs - waitedMs));
    return undefined;
  }

  private async dispatch(batch: Pending[]): Promise<void> {
    this.running++;
    const start = nowNs();
    try {
      const live = batch.filter((p) => !p.settled);
      if (live.length === 0) return;
      const rows = live.map((p) => p.rows ?? 0);
      const feeds: Record<string, Tensor> =
        live.length === 1
          ? live[0]!.feeds
          : Object.fromEntries(
              Object.keys(live[0]!.feeds).map((k) => [k, concatRows(live.map((p) => p.feeds[k]!))]),
            );
      const inputDone = nowNs();
      let result: Awaited<ReturnType<Executor['execute']>>;
      try {
        result = await this.executor.execute(feeds, live[0]!.fetches);
      } catch (e) {
        for (const p of live) p.reject(e as Error);
        return;
      }
      const ran = nowNs();
      const perRequest: Record<string, Tensor>[] = live.map(() => ({}));
      try {
        for (const [name, t] of Object.entries(result.outputs)) {
          const parts = live.length === 1 ? [t] : splitRows(t, rows);
          parts.forEach((part, i) => {
            perRequest[i]![name] = part;
          });
        }
      } catch (e) {
        for (const p of live) p.reject(e as Error);
        return;
      }
      const end = nowNs();
      const batchSize = this.config.maxBatchSize > 0 ? rows.reduce((a, b) => a + b, 0) || 1 : 1;
      const timing = {
        computeInputNs: inputDone - start + Math.max(0, ran - inputDone - result.inferNs),
        computeInferNs: result.inferNs,
        computeOutputNs: end - ran,
        batchSize,
      };
      this.onExecution(timing);
      for (const [i, p] of live.entries()) {
        p.resolve({ outputs: perRequest[i]!, timing: { ...timing, queueNs: start - p.enqueuedNs } });
      }
    } finally {
      this.running--;
      this.pump();
    }
  }

  /** Refuses everything still queued (the model is going away). */
  rejectQueued(e: Error): void {
    clearTimeout(this.delayTimer);
    for (const p of this.queue.splice(0)) p.reject(e);
  }
}
