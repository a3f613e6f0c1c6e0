import { BackendError, type ModelSource, type Session, type SessionOptions } from '@zai/common';
import type { ModelIR } from '@zai/onnx-parser';
import type { Tensor } from '@zai/tensor-core';
import { NativeSession } from './native/session.js';
import { OnnxruntimeSession } from './onnxruntime/session.js';
import { BUILTIN_OPERATORS } from './ops/index.js';
import { OperatorRegistry } from './registry.js';

/** The registry every native session uses unless given another; plugins add kernels to it. */
export const defaultRegistry = new OperatorRegistry(BUILTIN_OPERATORS);

export interface InferenceSessionOptions extends SessionOptions {
  /** Kernels for the native backend (default: the built-in registry). */
  readonly registry?: OperatorRegistry;
  /** onnxruntime backend: drop unavailable execution providers instead of failing. */
  readonly providerFallback?: boolean;
}

/** Entry point mirroring onnxruntime-common's `InferenceSession.create`. */
export const InferenceSession = {
  /**
   * Opens a model. `backend: 'auto'` (the default) uses onnxruntime-node when it
   * loads and accepts the model, else the native backend; `session.backend` says which.
   */
  async create(
    source: ModelSource | ModelIR,
    options: InferenceSessionOptions = {},
  ): Promise<Session<Tensor>> {
    const backend = options.backend ?? 'auto';
    switch (backend) {
      case 'native':
        return NativeSession.create(source, options.registry ?? defaultRegistry, options);
      case 'onnxruntime':
        return OnnxruntimeSession.create(source, options);
      case 'auto':
        try {
          return await OnnxruntimeSession.create(source, options);
        } catch (e) {
          if (!(e instanceof BackendError)) throw e;
          return NativeSession.create(source, options.registry ?? defaultRegistry, {
            ...options,
            executionProviders: [],
          });
        }
      default:
        throw new BackendError(
          String(backend),
          `unknown backend '${backend}' (available: native, onnxruntime, auto)`,
        );
    }
  },
};
