import { BackendError, type ModelSource, type SessionOptions } from '@zai/common';
import type { ModelIR } from '@zai/onnx-parser';
import { NativeSession } from './native/session.js';
import { BUILTIN_OPERATORS } from './ops/index.js';
import { OperatorRegistry } from './registry.js';

/** The registry every native session uses unless given another; plugins add kernels to it. */
export const defaultRegistry = new OperatorRegistry(BUILTIN_OPERATORS);

export interface InferenceSessionOptions extends SessionOptions {
  /** Kernels for the native backend (default: the built-in registry). */
  readonly registry?: OperatorRegistry;
}

/** Entry point mirroring onnxruntime-common's `InferenceSession.create`. */
export const InferenceSession = {
  async create(source: ModelSource | ModelIR, options: InferenceSessionOptions = {}): Promise<NativeSession> {
    const backend = options.backend ?? 'auto';
    if (backend === 'native' || backend === 'auto') {
      return NativeSession.create(source, options.registry ?? defaultRegistry, options);
    }
    throw new BackendError(backend, `unknown backend '${backend}' (available: native)`);
  },
};
