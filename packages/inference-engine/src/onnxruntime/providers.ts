import { BackendError, type ExecutionProviderConfig } from '@zai/common';
import { encodeModel, graph, model, node, tensorInfo } from '@zai/onnx-parser';
import type { OrtModule } from './load.js';

export interface ProviderStatus {
  readonly name: string;
  readonly available: boolean;
  /** Why it is not available (missing provider libraries, no GPU adapter). */
  readonly reason?: string;
}

const WHY_MISSING: Record<string, string> = {
  cuda: "onnxruntime-node's CUDA provider libraries are downloaded by its install script, which this install skipped (or there is no CUDA GPU)",
  tensorrt:
    "the TensorRT provider needs TensorRT and CUDA libraries that onnxruntime-node's install did not fetch",
  webgpu: 'no WebGPU adapter (GPU) was found on this machine',
  dml: 'DirectML is only available on Windows',
  coreml: 'CoreML is only available on macOS',
};

/** A one-node model (Identity over float32[1]) used to try each provider for real. */
function probeModel(): Uint8Array {
  const g = graph({
    name: 'probe',
    nodes: [node('Identity', ['x'], ['y'])],
    inputs: [tensorInfo('x', 'float32', [1])],
    outputs: [tensorInfo('y', 'float32', [1])],
  });
  return encodeModel(model(g, [{ domain: '', version: 13 }]));
}

const cache = new Map<string, Promise<ProviderStatus>>();

export function providerName(p: ExecutionProviderConfig): string {
  return typeof p === 'string' ? p : p.name;
}

/** Whether a provider works here: listed by onnxruntime-node and able to run a one-node model. */
export function probeProvider(ort: OrtModule, name: string): Promise<ProviderStatus> {
  let p = cache.get(name);
  if (!p) {
    p = (async (): Promise<ProviderStatus> => {
      const listed = ort.listSupportedBackends?.().find((b) => b.name === name);
      if (ort.listSupportedBackends && !listed) {
        return {
          name,
          available: false,
          reason: `onnxruntime-node does not know execution provider '${name}'`,
        };
      }
      try {
        const s = await ort.InferenceSession.create(probeModel(), { executionProviders: [name] });
        await s.run({ x: new ort.Tensor('float32', new Float32Array([1]), [1]) });
        await s.release();
        return { name, available: true };
      } catch (e) {
        const detail = WHY_MISSING[name] ?? (e as Error)?.message ?? String(e);
        return { name, available: false, reason: detail };
      }
    })();
    cache.set(name, p);
  }
  return p;
}

/**
 * Checks the requested providers; a missing one is an error naming what is
 * missing, unless `fallback` asks to drop it (cpu is always kept last).
 */
export async function resolveProviders(
  ort: OrtModule,
  requested: readonly ExecutionProviderConfig[],
  fallback: boolean,
): Promise<ExecutionProviderConfig[]> {
  const out: ExecutionProviderConfig[] = [];
  for (const p of requested) {
    const status = await probeProvider(ort, providerName(p));
    if (status.available) out.push(p);
    else if (!fallback) {
      throw new BackendError(
        'onnxruntime',
        `execution provider '${status.name}' is not available: ${status.reason}`,
      );
    }
  }
  if (!out.some((p) => providerName(p) === 'cpu')) out.push('cpu');
  return out;
}
