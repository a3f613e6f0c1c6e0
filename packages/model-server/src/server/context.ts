import type { ModelManager } from './repository/manager.js';
import type { ServerMetrics } from './telemetry/metrics.js';

/** What the routes share: the models, the metrics and the server's lifecycle state. */
export interface ServerContext {
  readonly name: string;
  readonly version: string;
  readonly models: ModelManager;
  readonly metrics: ServerMetrics;
  readonly lifecycle: Lifecycle;
}

/** Startup and shutdown state, and the inference requests in flight (what a drain waits for). */
export class Lifecycle {
  /** All configured models have been loaded once. */
  loaded = false;
  /** Shutting down: readiness is 503 and new inference requests are refused. */
  draining = false;
  private inflight = 0;
  private waiters: (() => void)[] = [];

  get inFlight(): number {
    return this.inflight;
  }

  begin(): void {
    this.inflight++;
  }

  end(): void {
    this.inflight--;
    if (this.inflight === 0) for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when no request is in flight, or after `timeoutMs`; true if it drained. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.inflight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
