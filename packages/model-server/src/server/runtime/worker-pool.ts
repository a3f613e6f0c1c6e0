import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ServableStats } from '@zai/common';
import type { InferenceSessionOptions } from '@zai/inference-engine';
import type { Tensor } from '@zai/tensor-core';
import type { ExecuteResult, Executor, ExecutorInfo } from './executor.js';
import { PoolStats } from './pool-stats.js';
import { errorFromWire, type FromWorker, fromWire, type ToWorker, toWire, type WireTensor } from './wire.js';
import type { WorkerInit } from './worker.js';
import type { PipelineTarget } from './worker-runner.js';

/**
 * How to start the worker: from the built `server-worker.js` next to the
 * bundle, or (tests, running from TypeScript sources) from `worker.ts`
 * through tsx, resolving workspace packages to their sources too.
 */
function startWorker(init: WorkerInit): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) {
    return new Worker(new URL('./server-worker.js', here), { workerData: init });
  }
  const require = createRequire(here);
  const tsxApi = require.resolve('tsx/package.json').replace(/package\.json$/, 'dist/esm/api/index.mjs');
  if (!existsSync(tsxApi)) throw new Error(`running from sources needs tsx (looked for ${tsxApi})`);
  const entry = new URL('./worker.ts', here).href;
  const boot = `import(${JSON.stringify(pathToFileURL(tsxApi).href)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData: init, execArgv: ['--conditions=@zai/source'] });
}

const NO_PLUGINS: WorkerInit['plugins'] = { plugins: [], base: '.' };

interface Job {
  readonly id: number;
  resolve(r: ExecuteResult): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
}

const what = (init: WorkerInit): string => `${init.target.kind} worker`;

function spawn(init: WorkerInit): Promise<{ worker: Worker; info: ExecutorInfo }> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(init);
    const fail = (e: Error) => {
      void worker.terminate();
      reject(e);
    };
    worker.once('error', fail);
    worker.once('exit', (code) =>
      fail(new Error(`the ${what(init)} exited with code ${code} while loading`)),
    );
    worker.once('message', (m: FromWorker) => {
      worker.removeAllListeners('error');
      worker.removeAllListeners('exit');
      if (m.kind === 'ready') resolve({ worker, info: m.info });
      else if (m.kind === 'failed') fail(errorFromWire(m.error));
      else fail(new Error(`unexpected first message '${m.kind}' from the ${what(init)}`));
    });
  });
}

/** N worker threads, each holding its own session of the same model (or its own instance of a pipeline). */
export class WorkerPool implements Executor {
  private readonly slotList: Slot[] = [];
  private readonly waiting: {
    feeds: Record<string, Tensor>;
    fetches: readonly string[] | undefined;
    job: Job;
  }[] = [];
  private readonly stepStats = new PoolStats();
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly init: WorkerInit,
    readonly info: ExecutorInfo,
  ) {}

  get slots(): number {
    return this.slotList.length;
  }

  /** Starts `instances` workers; fails (terminating any started) if one fails to load the model. */
  static start(
    modelPath: string,
    options: InferenceSessionOptions,
    instances: number,
    plugins: WorkerInit['plugins'] = NO_PLUGINS,
  ): Promise<WorkerPool> {
    return WorkerPool.open({ target: { kind: 'model', modelPath, options }, plugins }, instances);
  }

  /** Starts `instances` workers, each building the pipeline from its module (plugins loaded first). */
  static startPipeline(
    pipeline: Omit<PipelineTarget, 'kind'>,
    instances: number,
    plugins: WorkerInit['plugins'] = NO_PLUGINS,
  ): Promise<WorkerPool> {
    return WorkerPool.open({ target: { kind: 'pipeline', ...pipeline }, plugins }, instances);
  }

  private static async open(init: WorkerInit, instances: number): Promise<WorkerPool> {
    const started = await Promise.allSettled(Array.from({ length: instances }, () => spawn(init)));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      await Promise.all(
        started.map((s) => (s.status === 'fulfilled' ? s.value.worker.terminate() : undefined)),
      );
      throw (failed as PromiseRejectedResult).reason;
    }
    const ok = started as PromiseFulfilledResult<{ worker: Worker; info: ExecutorInfo }>[];
    const pool = new WorkerPool(init, ok[0]!.value.info);
    for (const { value } of ok) pool.attach(value.worker);
    return pool;
  }

  private attach(worker: Worker): void {
    const slot: Slot = { worker, job: undefined };
    this.slotList.push(slot);
    worker.on('message', (m: FromWorker) => {
      const job = slot.job;
      if (!job || (m.kind !== 'result' && m.kind !== 'error') || m.id !== job.id) return;
      slot.job = undefined;
      this.stepStats.update(slot, m.stats);
      if (m.kind === 'result') {
        const outputs: Record<string, Tensor> = {};
        for (const [name, w] of Object.entries(m.outputs)) outputs[name] = fromWire(w);
        job.resolve({ outputs, inferNs: m.inferNs });
      } else job.reject(errorFromWire(m.error));
      this.pump();
    });
    worker.on('error', (e) => this.lost(slot, e));
    worker.on('exit', (code) => this.lost(slot, new Error(`exited with code ${code}`)));
  }

  /** A worker died: fail its run, and start a replacement so the pool keeps its size. */
  private lost(slot: Slot, e: Error): void {
    const i = this.slotList.indexOf(slot);
    if (i < 0) return;
    this.slotList.splice(i, 1);
    this.stepStats.retire(slot);
    slot.job?.reject(new Error(`the ${what(this.init)} failed: ${e.message}`));
    slot.job = undefined;
    if (this.closed) return;
    spawn(this.init).then(
      ({ worker }) => {
        if (this.closed) void worker.terminate();
        else {
          this.attach(worker);
          this.pump();
        }
      },
      () => undefined,
    );
  }

  execute(feeds: Record<string, Tensor>, fetches: readonly string[] | undefined): Promise<ExecuteResult> {
    if (this.closed) return Promise.reject(new Error('the model has been unloaded'));
    return new Promise<ExecuteResult>((resolve, reject) => {
      this.waiting.push({ feeds, fetches, job: { id: this.nextId++, resolve, reject } });
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.slotList) {
      if (slot.job) continue;
      const next = this.waiting.shift();
      if (!next) return;
      slot.job = next.job;
      const transfer: ArrayBuffer[] = [];
      const feeds: Record<string, WireTensor> = {};
      for (const [name, t] of Object.entries(next.feeds)) feeds[name] = toWire(t, transfer);
      const msg: ToWorker = {
        kind: 'run',
        id: next.job.id,
        feeds,
        ...(next.fetches ? { fetches: next.fetches } : {}),
      };
      try {
        slot.worker.postMessage(msg, transfer);
      } catch {
        slot.worker.postMessage(msg);
      }
    }
  }

  /** A pipeline's step statistics, summed over its workers (as of their last answers). */
  stats(): ServableStats | undefined {
    return this.stepStats.snapshot();
  }

  /** Lets running jobs finish, then ends every worker (releasing its session). */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.job.reject(new Error('the model has been unloaded'));
    await Promise.all(
      this.slotList.map(async (slot) => {
        const worker = slot.worker;
        const exited = new Promise<void>((r) => worker.once('exit', () => r()));
        worker.postMessage({ kind: 'close' } satisfies ToWorker);
        const timer = setTimeout(() => void worker.terminate(), 5_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    this.slotList.length = 0;
  }
}
