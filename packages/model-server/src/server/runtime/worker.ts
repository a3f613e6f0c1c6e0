// Worker-thread entry: holds one inference session (or one pipeline) and runs
// requests posted to it, so a long run never blocks the server's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { defaultRegistry } from '@zai/inference-engine';
import type { Tensor } from '@zai/tensor-core';
import { applyPlugin, loadPlugins } from '../../config/modules.js';
import type { ModuleRef } from '../../config/schema.js';
import { type FromWorker, fromWire, type ToWorker, toWire, type WireTensor, wireError } from './wire.js';
import { openRunner, type Runner, type WorkerTarget } from './worker-runner.js';

export interface WorkerInit {
  /** What the worker opens: a model file, or a pipeline module. */
  readonly target: WorkerTarget;
  /** Plugin modules to load (registering their operators) before opening it. */
  readonly plugins: { readonly plugins: readonly (string | ModuleRef)[]; readonly base: string };
}

const port = parentPort;
if (!port) throw new Error('the zai server worker must run in a worker thread');
const init = workerData as WorkerInit;

function post(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  try {
    port!.postMessage(msg, transfer);
  } catch {
    // some storage (external buffers) cannot be transferred; clone it instead
    port!.postMessage(msg);
  }
}

async function main(): Promise<void> {
  let runner: Runner;
  try {
    for (const { plugin, options } of await loadPlugins(init.plugins.plugins, init.plugins.base)) {
      await applyPlugin(plugin, { registry: defaultRegistry, options });
    }
    runner = await openRunner(init.target);
  } catch (e) {
    post({ kind: 'failed', error: wireError(e) });
    return;
  }
  post({ kind: 'ready', info: runner.info });
  let running: Promise<unknown> = Promise.resolve();
  port!.on('message', (msg: ToWorker) => {
    if (msg.kind === 'close') {
      void running.then(() => runner.close().catch(() => undefined)).then(() => port!.close());
      return;
    }
    running = run(runner, msg);
  });
}

/** A pipeline's step statistics, sent with each answer so /metrics reads them on the main thread. */
function statsOf(runner: Runner) {
  try {
    return runner.stats();
  } catch {
    return undefined;
  }
}

async function run(runner: Runner, msg: Extract<ToWorker, { kind: 'run' }>): Promise<void> {
  try {
    const feeds: Record<string, Tensor> = {};
    for (const [name, w] of Object.entries(msg.feeds)) feeds[name] = fromWire(w);
    const { outputs, inferNs } = await runner.run(feeds, msg.fetches);
    const transfer: ArrayBuffer[] = [];
    const wire: Record<string, WireTensor> = {};
    for (const [name, t] of Object.entries(outputs)) wire[name] = toWire(t, transfer);
    const stats = statsOf(runner);
    post(
      { kind: 'result', id: msg.id, outputs: wire, inferNs, ...(stats ? { stats } : {}) },
      runner.transferOutputs ? transfer : [],
    );
  } catch (e) {
    const stats = statsOf(runner);
    post({ kind: 'error', id: msg.id, error: wireError(e), ...(stats ? { stats } : {}) });
  }
}

void main();
