import type { ExecutionProviderConfig, GraphOptimizationLevel } from '@zai/common';
import { MODEL_ENTRY_SPEC } from '../config/schema.js';
import { validate } from '../config/spec.js';

export type BackendChoice = 'native' | 'onnxruntime' | 'auto';

/** Which versions of a model folder are served. */
export type VersionPolicy =
  | { readonly latest: number }
  | { readonly all: true }
  | { readonly specific: readonly number[] };

/** Dynamic batching settings; delays are in milliseconds (fractions allowed: 0.5 = 500 µs). */
export interface DynamicBatchingConfig {
  readonly maxQueueDelayMs?: number;
  readonly preferredBatchSizes?: readonly number[];
}

/**
 * Per-model settings: `<repo>/<model>/config.json`, a `models.<name>` entry of
 * the server config file, or server-wide defaults and flags (same keys).
 */
export interface ModelConfig {
  readonly backend?: BackendChoice;
  readonly executionProviders?: readonly ExecutionProviderConfig[];
  /** Drop unavailable execution providers instead of failing to load. */
  readonly providerFallback?: boolean;
  readonly graphOptimizationLevel?: GraphOptimizationLevel;
  readonly intraOpNumThreads?: number;
  /** Largest batch one run takes; 0 disables batching (the default). */
  readonly maxBatchSize?: number;
  /** Combine concurrent requests into batches (needs maxBatchSize > 0); `true` uses the default delay. */
  readonly dynamicBatching?: DynamicBatchingConfig | boolean;
  /** Worker threads, each holding its own session. */
  readonly instances?: number;
  /** Requests waiting beyond this many are refused with 503. */
  readonly maxQueueSize?: number;
  /** Per-request limit in milliseconds, from arrival to result; 0 for none. */
  readonly requestTimeoutMs?: number;
  readonly versionPolicy?: VersionPolicy;
}

/** Every setting decided. */
export interface ResolvedModelConfig {
  readonly backend: BackendChoice;
  readonly executionProviders: readonly ExecutionProviderConfig[] | undefined;
  readonly providerFallback: boolean;
  readonly graphOptimizationLevel: GraphOptimizationLevel | undefined;
  readonly intraOpNumThreads: number | undefined;
  readonly maxBatchSize: number;
  readonly dynamicBatching: Required<DynamicBatchingConfig> | undefined;
  readonly instances: number;
  readonly maxQueueSize: number;
  readonly requestTimeoutMs: number;
  readonly versionPolicy: VersionPolicy;
}

export const DEFAULT_BATCH_DELAY_MS = 1;

export const MODEL_DEFAULTS: ResolvedModelConfig = {
  backend: 'auto',
  executionProviders: undefined,
  providerFallback: false,
  graphOptimizationLevel: undefined,
  intraOpNumThreads: undefined,
  maxBatchSize: 0,
  dynamicBatching: undefined,
  instances: 1,
  maxQueueSize: 1024,
  requestTimeoutMs: 0,
  versionPolicy: { latest: 1 },
};

/** Later layers win; undefined keys do not override. */
export function resolveModelConfig(...layers: (ModelConfig | undefined)[]): ResolvedModelConfig {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer ?? {})) {
      if (v === undefined) continue;
      const prev = merged[k];
      // batching settings merge key by key, so a flag for the delay keeps a file's preferred sizes
      merged[k] =
        k === 'dynamicBatching' && typeof prev === 'object' && prev && typeof v === 'object'
          ? { ...prev, ...v }
          : v;
    }
  }
  const c = merged as ModelConfig;
  const db = c.dynamicBatching;
  const dynamicBatching =
    db === undefined || db === false
      ? undefined
      : {
          maxQueueDelayMs: (db === true ? undefined : db.maxQueueDelayMs) ?? DEFAULT_BATCH_DELAY_MS,
          preferredBatchSizes: (db === true ? undefined : db.preferredBatchSizes) ?? [],
        };
  return {
    ...MODEL_DEFAULTS,
    ...(c as object),
    dynamicBatching,
  } as ResolvedModelConfig;
}

/**
 * Checks a per-model config object (a repository's `config.json`, a `models.<name>`
 * entry, a load request's `parameters.config`) against the model entry of the
 * configuration schema; a ConfigError names `label` and the offending key.
 */
export function parseModelConfig(raw: unknown, label: string): ModelConfig {
  return validate<ModelConfig>(MODEL_ENTRY_SPEC, raw, label);
}
