// Worker-thread entry: holds one inference session and runs requests posted
// to it, so a long run never blocks the server's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { defaultRegistry, InferenceSession, type InferenceSessionOptions } from '@zai/inference-engine';
import type { Tensor } from '@zai/tensor-core';
import { applyPlugin, loadPlugins } from '../../config/modules.js';
import type { ModuleRef } from '../../config/schema.js';
import { tensorOutputs } from './executor.js';
import { type FromWorker, fromWire, type ToWorker, toWire, wireError } from './wire.js';

export interface WorkerInit {
  readonly modelPath: string;
  readonly options: InferenceSessionOptions;
  /** Plugin modules to load (registering their operators) before opening the session. */
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
  let session: LoadedSession;
  try {
    for (const { plugin, options } of await loadPlugins(init.plugins.plugins, init.plugins.base)) {
      await applyPlugin(plugin, { registry: defaultRegistry, options });
    }
    session = await InferenceSession.create(init.modelPath, init.options);
  } catch (e) {
    post({ kind: 'failed', error: wireError(e) });
    return;
  }
  const providers = (session as { executionProviders?: readonly string[] }).executionProviders;
  post({
    kind: 'ready',
    info: {
      backend: session.backend,
      executionProviders: providers ?? ['cpu'],
      inputs: session.inputMetadata,
      outputs: session.outputMetadata,
    },
  });
  let running: Promise<unknown> = Promise.resolve();
  port!.on('message', (msg: ToWorker) => {
    if (msg.kind === 'close') {
      void running.then(() => session.release().catch(() => undefined)).then(() => port!.close());
      return;
    }
    running = run(session, msg);
  });
}

type LoadedSession = Awaited<ReturnType<typeof InferenceSession.create>>;

async function run(session: LoadedSession, msg: Extract<ToWorker, { kind: 'run' }>): Promise<void> {
  try {
    const feeds: Record<string, Tensor> = {};
    for (const [name, w] of Object.entries(msg.feeds)) feeds[name] = fromWire(w);
    const t0 = process.hrtime.bigint();
    const results = await session.run(feeds, msg.fetches ? { fetches: msg.fetches } : {});
    const inferNs = Number(process.hrtime.bigint() - t0);
    const transfer: ArrayBuffer[] = [];
    const outputs: Record<string, ReturnType<typeof toWire>> = {};
    for (const [name, t] of Object.entries(tensorOutputs(results))) outputs[name] = toWire(t, transfer);
    post({ kind: 'result', id: msg.id, outputs, inferNs }, transfer);
  } catch (e) {
    post({ kind: 'error', id: msg.id, error: wireError(e) });
  }
}

void main();
