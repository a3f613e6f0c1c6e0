import type { Backend, ModelSource, Servable } from '@zai/common';
import type { OperatorRegistry } from '@zai/inference-engine';
import type { EffectiveConfig, ModelServerOptions } from '@zai/model-server';
import type { ModelIR } from '@zai/onnx-parser';
import type { Tensor } from '@zai/tensor-core';
import { token } from '../container.js';

/** Where the platform writes what it does. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Reads a model into the IR the native backend compiles. */
export interface ModelParser {
  parse(source: ModelSource): Promise<ModelIR>;
}

/** Backends by name; `auto` picks one per model. */
export interface BackendRegistry {
  register(backend: Backend<Tensor>): void;
  /** The backend of that name; throws a BackendError listing the known ones. */
  get(name: string): Backend<Tensor>;
  names(): string[];
}

/** The models and pipelines a platform holds, by name. */
export interface ModelRepository {
  add(servable: Servable<Tensor>): void;
  get(name: string): Servable<Tensor> | undefined;
  list(): Servable<Tensor>[];
  /** Closes and forgets one. */
  remove(name: string): Promise<void>;
  /** Closes everything (newest first). */
  close(): Promise<void>;
}

/** A server that is listening. */
export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the HTTP server for `ai.serve()`. */
export interface ServerFactory {
  start(options: ModelServerOptions): Promise<RunningServer>;
}

/** The services a Platform is built from; register another provider under a token to replace one. */
export const Tokens = {
  Config: token<EffectiveConfig>('config'),
  Logger: token<Logger>('logger'),
  Parser: token<ModelParser>('parser'),
  Operators: token<OperatorRegistry>('operators'),
  Backends: token<BackendRegistry>('backends'),
  Repository: token<ModelRepository>('repository'),
  Server: token<ServerFactory>('server'),
} as const;
