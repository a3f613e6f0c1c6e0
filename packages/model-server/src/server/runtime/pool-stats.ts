import type { ServableStats, StepStats } from '@zai/common';

/**
 * The step statistics of a pipeline served by several workers, read on the
 * main thread: each worker sends its own (cumulative) figures with every
 * answer; they are summed here. A worker that dies keeps counting (its last
 * figures are kept), so the totals never go down.
 */
export class PoolStats {
  private readonly live = new Map<object, { stats: ServableStats; seq: number }>();
  private retired: StepStats[] = [];
  private seq = 0;
  private any = false;

  /** The latest figures of one worker (its key: any object standing for it). */
  update(worker: object, stats: ServableStats | undefined): void {
    if (!stats) return;
    this.any = true;
    this.live.set(worker, { stats, seq: ++this.seq });
  }

  /** A worker is gone: its figures stay in the totals. */
  retire(worker: object): void {
    const last = this.live.get(worker);
    if (!last) return;
    this.live.delete(worker);
    this.retired = merge([
      { stats: { steps: this.retired }, seq: 0 },
      { stats: last.stats, seq: last.seq },
    ]).steps as StepStats[];
  }

  /** The summed figures, or undefined when no worker has reported any. */
  snapshot(): ServableStats | undefined {
    if (!this.any) return undefined;
    return merge([{ stats: { steps: this.retired }, seq: 0 }, ...this.live.values()]);
  }
}

/** Sums steps by name (in first-seen order); `lastNs` comes from the latest report. */
function merge(reports: readonly { stats: ServableStats; seq: number }[]): ServableStats {
  const steps = new Map<string, StepStats & { seq: number }>();
  for (const { stats, seq } of reports) {
    for (const s of stats.steps) {
      const prev = steps.get(s.step);
      steps.set(
        s.step,
        prev
          ? {
              step: s.step,
              count: prev.count + s.count,
              failures: prev.failures + s.failures,
              totalNs: prev.totalNs + s.totalNs,
              lastNs: seq >= prev.seq && s.count > 0 ? s.lastNs : prev.lastNs,
              seq: Math.max(seq, prev.seq),
            }
          : { ...s, seq },
      );
    }
  }
  return { steps: [...steps.values()].map(({ seq: _, ...s }) => s) };
}
