import type { RequestTiming } from '../runtime/scheduler.js';

/** A count and the nanoseconds it took, as Triton's statistics extension reports them. */
export interface StatDuration {
  count: number;
  ns: number;
}

const zero = (): StatDuration => ({ count: 0, ns: 0 });
const add = (d: StatDuration, ns: number): void => {
  d.count++;
  d.ns += Math.round(ns);
};

interface BatchPhases {
  compute_input: StatDuration;
  compute_infer: StatDuration;
  compute_output: StatDuration;
}

/** The statistics of one model version, in the shape of `GET /v2/models/{m}/stats`. */
export interface ModelStatistics {
  name: string;
  version: string;
  last_inference: number;
  inference_count: number;
  execution_count: number;
  inference_stats: {
    success: StatDuration;
    fail: StatDuration;
    queue: StatDuration;
    compute_input: StatDuration;
    compute_infer: StatDuration;
    compute_output: StatDuration;
    cache_hit: StatDuration;
    cache_miss: StatDuration;
  };
  batch_stats: ({ batch_size: number } & BatchPhases)[];
}

/** Counters of one model version (Triton's statistics extension). */
export class ModelStats {
  private lastInference = 0;
  private inferenceCount = 0;
  private executionCount = 0;
  private readonly inference = {
    success: zero(),
    fail: zero(),
    queue: zero(),
    compute_input: zero(),
    compute_infer: zero(),
    compute_output: zero(),
    cache_hit: zero(),
    cache_miss: zero(),
  };
  private readonly batches = new Map<number, BatchPhases>();

  /** A request answered; `inferences` is its batch size (each row is one inference, as Triton counts). */
  success(totalNs: number, t: RequestTiming, inferences: number): void {
    this.lastInference = Date.now();
    this.inferenceCount += inferences;
    add(this.inference.success, totalNs);
    add(this.inference.queue, t.queueNs);
    add(this.inference.compute_input, t.computeInputNs);
    add(this.inference.compute_infer, t.computeInferNs);
    add(this.inference.compute_output, t.computeOutputNs);
  }

  failure(totalNs: number): void {
    this.lastInference = Date.now();
    add(this.inference.fail, totalNs);
  }

  /** One run of the model (a batch of several requests counts once). */
  execution(t: Omit<RequestTiming, 'queueNs'>): void {
    this.executionCount++;
    let b = this.batches.get(t.batchSize);
    if (!b) {
      b = { compute_input: zero(), compute_infer: zero(), compute_output: zero() };
      this.batches.set(t.batchSize, b);
    }
    add(b.compute_input, t.computeInputNs);
    add(b.compute_infer, t.computeInferNs);
    add(b.compute_output, t.computeOutputNs);
  }

  snapshot(name: string, version: string): ModelStatistics {
    const copy = (d: StatDuration): StatDuration => ({ ...d });
    return {
      name,
      version,
      last_inference: this.lastInference,
      inference_count: this.inferenceCount,
      execution_count: this.executionCount,
      inference_stats: Object.fromEntries(
        Object.entries(this.inference).map(([k, v]) => [k, copy(v)]),
      ) as ModelStatistics['inference_stats'],
      batch_stats: [...this.batches.entries()]
        .sort(([a], [b]) => a - b)
        .map(([batch_size, p]) => ({
          batch_size,
          compute_input: copy(p.compute_input),
          compute_infer: copy(p.compute_infer),
          compute_output: copy(p.compute_output),
        })),
    };
  }
}
