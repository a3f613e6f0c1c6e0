import type { ModelMetadata, TensorLike, Value, ValueMetadata } from './values.js';

export type BackendName = 'native' | 'onnxruntime';
export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

/** An execution provider as onnxruntime-node takes it: a name or `{ name, ...options }`. */
export type ExecutionProviderConfig = string | { readonly name: string; readonly [option: string]: unknown };

export interface SessionOptions {
  /** Which backend runs the model; `auto` (the default) tries onnxruntime, else native. */
  readonly backend?: BackendName | 'auto';
  readonly executionProviders?: readonly ExecutionProviderConfig[];
  readonly graphOptimizationLevel?: GraphOptimizationLevel;
  readonly intraOpNumThreads?: number;
}

export interface RunOptions {
  /** Output names to compute; all outputs when absent. */
  readonly fetches?: readonly string[];
  readonly signal?: AbortSignal;
}

export type Feeds<T extends TensorLike = TensorLike> = Readonly<Record<string, Value<T>>>;
export type Results<T extends TensorLike = TensorLike> = Record<string, Value<T>>;

/** A loaded model, ready to run. Both backends implement it. */
export interface Session<T extends TensorLike = TensorLike> {
  readonly backend: BackendName;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly ValueMetadata[];
  readonly outputMetadata: readonly ValueMetadata[];
  readonly modelMetadata: ModelMetadata;
  run(feeds: Feeds<T>, options?: RunOptions): Promise<Results<T>>;
  release(): Promise<void>;
}

/** Model bytes or a path to a `.onnx` file. */
export type ModelSource = string | Uint8Array | ArrayBuffer;

/** Something that can open sessions: `native`, `onnxruntime`, or one a plugin registers. */
export interface Backend<T extends TensorLike = TensorLike> {
  readonly name: string;
  /** Whether this backend can run at all here (its native library loads, for instance). */
  isAvailable(): Promise<boolean>;
  createSession(source: ModelSource, options?: SessionOptions): Promise<Session<T>>;
}

/** Cumulative figures of one step of a servable (a pipeline step, a model it calls). */
export interface StepStats {
  readonly step: string;
  /** Runs that finished, successful or not. */
  readonly count: number;
  readonly failures: number;
  /** Total time spent in the step, in nanoseconds. */
  readonly totalNs: number;
  /** Time of the last run, in nanoseconds. */
  readonly lastNs: number;
}

/** What a servable reports about itself (the server exports it in /metrics). */
export interface ServableStats {
  readonly steps: readonly StepStats[];
}

/** What the server serves: an ONNX session or a pipeline (metadata + infer + stats). */
export interface Servable<T extends TensorLike = TensorLike> {
  readonly name: string;
  readonly inputs: readonly ValueMetadata[];
  readonly outputs: readonly ValueMetadata[];
  infer(feeds: Feeds<T>, options?: RunOptions): Promise<Results<T>>;
  /** Per-step statistics, cumulative since the servable was created. */
  stats?(): ServableStats;
  close(): Promise<void>;
}
