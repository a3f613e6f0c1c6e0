import { type Backend, BackendError, type ModelSource, type Session, type SessionOptions } from '@zai/common';
import {
  loadOnnxruntime,
  NativeSession,
  OnnxruntimeSession,
  type OperatorRegistry,
} from '@zai/inference-engine';
import type { Tensor } from '@zai/tensor-core';
import type { BackendRegistry, Logger, ModelParser } from './tokens.js';

/** This project's kernels; models are read by `parser` and run with the kernels of `operators`. */
export function nativeBackend(parser: ModelParser, operators: OperatorRegistry): Backend<Tensor> {
  return {
    name: 'native',
    isAvailable: async () => true,
    async createSession(source: ModelSource, options: SessionOptions = {}): Promise<Session<Tensor>> {
      return NativeSession.create(await parser.parse(source), operators, options);
    },
  };
}

/** onnxruntime-node (when installed), whole graph. */
export function onnxruntimeBackend(): Backend<Tensor> {
  return {
    name: 'onnxruntime',
    isAvailable: () =>
      loadOnnxruntime().then(
        () => true,
        () => false,
      ),
    createSession: (source, options = {}) => OnnxruntimeSession.create(source, options),
  };
}

/** onnxruntime when it loads and accepts the model, else native (as InferenceSession's 'auto'). */
export function autoBackend(backends: BackendRegistry, logger: Logger): Backend<Tensor> {
  return {
    name: 'auto',
    isAvailable: async () => true,
    async createSession(source, options = {}) {
      const ort = backends.get('onnxruntime');
      if (await ort.isAvailable()) {
        try {
          return await ort.createSession(source, options);
        } catch (e) {
          if (!(e instanceof BackendError)) throw e;
          logger.debug(`auto backend: onnxruntime declined (${e.message}); using native`);
        }
      }
      return backends.get('native').createSession(source, { ...options, executionProviders: [] });
    },
  };
}

/** Backends by name. */
export class BackendTable implements BackendRegistry {
  private readonly table = new Map<string, Backend<Tensor>>();

  register(backend: Backend<Tensor>): void {
    this.table.set(backend.name, backend);
  }

  get(name: string): Backend<Tensor> {
    const b = this.table.get(name);
    if (!b) throw new BackendError(name, `unknown backend '${name}' (available: ${this.names().join(', ')})`);
    return b;
  }

  names(): string[] {
    return [...this.table.keys()];
  }
}
