import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestTiming } from '../runtime/scheduler.js';
import { StepMetrics, type StepSource } from './step-metrics.js';

const LABELS = ['model', 'version'] as const;
// from 100 µs to 30 s: tiny models answer in well under a millisecond
const BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

type Labels = { model: string; version: string };

/** Prometheus metrics of one server, in a registry of its own (two servers in a process never mix). */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly success = new Counter({
    name: 'zai_inference_request_success_total',
    help: 'Inference requests answered successfully',
    labelNames: LABELS,
    registers: [this.registry],
  });
  private readonly failure = new Counter({
    name: 'zai_inference_request_failure_total',
    help: 'Inference requests that failed, by reason (BAD_REQUEST, REJECTED, BACKEND, OTHER)',
    labelNames: [...LABELS, 'reason'],
    registers: [this.registry],
  });
  private readonly inferences = new Counter({
    name: 'zai_inference_count_total',
    help: 'Inferences performed (each row of a batched request counts once)',
    labelNames: LABELS,
    registers: [this.registry],
  });
  private readonly executions = new Counter({
    name: 'zai_inference_exec_count_total',
    help: 'Model executions (a dynamic batch counts once)',
    labelNames: LABELS,
    registers: [this.registry],
  });
  private readonly requestDuration = new Histogram({
    name: 'zai_inference_request_duration_seconds',
    help: 'Time from receiving an inference request to its response being ready',
    labelNames: LABELS,
    buckets: BUCKETS,
    registers: [this.registry],
  });
  private readonly queueDuration = new Histogram({
    name: 'zai_inference_queue_duration_seconds',
    help: 'Time inference requests waited in the queue',
    labelNames: LABELS,
    buckets: BUCKETS,
    registers: [this.registry],
  });
  private readonly computeDuration = new Histogram({
    name: 'zai_inference_compute_duration_seconds',
    help: 'Compute time of inference requests, by phase (input, infer, output)',
    labelNames: [...LABELS, 'phase'],
    buckets: BUCKETS,
    registers: [this.registry],
  });
  private readonly pending = new Gauge({
    name: 'zai_inference_pending_request_count',
    help: 'Inference requests received and not yet answered',
    labelNames: LABELS,
    registers: [this.registry],
  });

  private readonly steps = new StepMetrics(this.registry);

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Exports the per-step statistics of these servables (pipelines) at each scrape. */
  trackSteps(source: StepSource): void {
    this.steps.track(source);
  }

  started(l: Labels): void {
    this.pending.inc(l);
  }

  succeeded(l: Labels, totalNs: number, t: RequestTiming, inferences: number): void {
    this.pending.dec(l);
    this.success.inc(l);
    this.inferences.inc(l, inferences);
    this.requestDuration.observe(l, totalNs / 1e9);
    this.queueDuration.observe(l, t.queueNs / 1e9);
    this.computeDuration.observe({ ...l, phase: 'input' }, t.computeInputNs / 1e9);
    this.computeDuration.observe({ ...l, phase: 'infer' }, t.computeInferNs / 1e9);
    this.computeDuration.observe({ ...l, phase: 'output' }, t.computeOutputNs / 1e9);
  }

  failed(l: Labels, totalNs: number, reason: string): void {
    this.pending.dec(l);
    this.failure.inc({ ...l, reason });
    this.requestDuration.observe(l, totalNs / 1e9);
  }

  executed(l: Labels): void {
    this.executions.inc(l);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
