import type { ServableStats } from '@zai/common';
import { Counter, Gauge, type Registry } from 'prom-client';

/** The servables whose steps are exported, read at each scrape. */
export type StepSource = () => Iterable<{ model: string; version: string; stats: ServableStats }>;

type StepLabels = { model: string; version: string; step: string };

/**
 * Per-step figures of pipelines (and any servable reporting `stats()`), read
 * from the servables when /metrics is scraped. Counters only grow: each scrape
 * adds what changed since the last one (a reloaded servable starts again at 0).
 */
export class StepMetrics {
  private sources: StepSource[] = [];
  private readonly seen = new Map<string, { count: number; failures: number; totalNs: number }>();

  constructor(registry: Registry) {
    // every metric collects (whichever the registry reads first); deltas make repeats no-ops
    const collectAll = () => this.collect();
    this.duration = new Counter({
      name: 'zai_pipeline_step_duration_seconds_total',
      help: 'Time spent in each pipeline step (pre-process, model, post-process), cumulative',
      labelNames: ['model', 'version', 'step'],
      registers: [registry],
      collect: collectAll,
    });
    this.runs = new Counter({
      name: 'zai_pipeline_step_runs_total',
      help: 'Runs of each pipeline step, successful or not',
      labelNames: ['model', 'version', 'step'],
      registers: [registry],
      collect: collectAll,
    });
    this.failures = new Counter({
      name: 'zai_pipeline_step_failures_total',
      help: 'Failed runs of each pipeline step',
      labelNames: ['model', 'version', 'step'],
      registers: [registry],
      collect: collectAll,
    });
    this.last = new Gauge({
      name: 'zai_pipeline_step_last_duration_seconds',
      help: 'Duration of the last run of each pipeline step',
      labelNames: ['model', 'version', 'step'],
      registers: [registry],
      collect: collectAll,
    });
  }

  private readonly duration: Counter<'model' | 'version' | 'step'>;
  private readonly runs: Counter<'model' | 'version' | 'step'>;
  private readonly failures: Counter<'model' | 'version' | 'step'>;
  private readonly last: Gauge<'model' | 'version' | 'step'>;

  track(source: StepSource): void {
    this.sources.push(source);
  }

  /** Brings the counters up to date with the servables' own statistics. */
  collect(): void {
    for (const source of this.sources) {
      for (const { model, version, stats } of source()) {
        for (const s of stats.steps) {
          const labels: StepLabels = { model, version, step: s.step };
          const key = `${model}\u0000${version}\u0000${s.step}`;
          let prev = this.seen.get(key) ?? { count: 0, failures: 0, totalNs: 0 };
          if (s.count < prev.count) prev = { count: 0, failures: 0, totalNs: 0 };
          this.runs.inc(labels, s.count - prev.count);
          this.failures.inc(labels, Math.max(0, s.failures - prev.failures));
          this.duration.inc(labels, Math.max(0, s.totalNs - prev.totalNs) / 1e9);
          this.last.set(labels, s.lastNs / 1e9);
          this.seen.set(key, { count: s.count, failures: s.failures, totalNs: s.totalNs });
        }
      }
    }
  }
}
