import type { ServableStats, StepStats } from '@zai/common';

interface Counts {
  count: number;
  failures: number;
  totalNs: number;
  lastNs: number;
}

/** Cumulative per-step figures (count, failures, total and last duration), in first-seen order. */
export class StepStatsCollector {
  private readonly steps = new Map<string, Counts>();

  record(step: string, ns: number, ok: boolean): void {
    let c = this.steps.get(step);
    if (!c) {
      c = { count: 0, failures: 0, totalNs: 0, lastNs: 0 };
      this.steps.set(step, c);
    }
    c.count++;
    if (!ok) c.failures++;
    c.totalNs += ns;
    c.lastNs = ns;
  }

  snapshot(): ServableStats {
    const steps: StepStats[] = [...this.steps].map(([step, c]) => ({ step, ...c }));
    return { steps };
  }

  /** Mean milliseconds per run of each step, for logs and reports. */
  meanMs(): Record<string, number> {
    return Object.fromEntries(
      [...this.steps].map(([step, c]) => [step, c.count ? c.totalNs / c.count / 1e6 : 0]),
    );
  }
}

export const nowNs = (): number => Number(process.hrtime.bigint());
