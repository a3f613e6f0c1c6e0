import type { ExecutionProviderConfig, GraphOptimizationLevel } from '@zai/common';
import { InvalidArgumentError } from '@zai/common';

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

const KEYS = new Set([
  'backend',
  'executionProviders',
  'providerFallback',
  'graphOptimizationLevel',
  'intraOpNumThreads',
  'maxBatchSize',
  'dynamicBatching',
  'instances',
  'maxQueueSize',
  'requestTimeoutMs',
  'versionPolicy',
]);

function fail(label: string, what: string): never {
  throw new InvalidArgumentError(`${label}: ${what}`);
}

function int(v: unknown, label: string, key: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || (v as number) < min) fail(label, `"${key}" must be an integer ≥ ${min}`);
  return v as number;
}

/** Checks a per-model config object (from JSON), naming the file and key of any mistake. */
export function parseModelConfig(
  raw: unknown,
  label: string,
  extraKeys: readonly string[] = [],
): ModelConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(label, 'must be a JSON object');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!KEYS.has(k) && !extraKeys.includes(k))
      fail(label, `unknown key "${k}" (known: ${[...KEYS].join(', ')})`);
  }
  if (o.backend !== undefined && !['native', 'onnxruntime', 'auto'].includes(o.backend as string)) {
    fail(label, '"backend" must be native, onnxruntime or auto');
  }
  if (o.executionProviders !== undefined) {
    const ok =
      Array.isArray(o.executionProviders) &&
      o.executionProviders.every(
        (p) =>
          typeof p === 'string' ||
          (p && typeof p === 'object' && typeof (p as { name?: unknown }).name === 'string'),
      );
    if (!ok) fail(label, '"executionProviders" must be a list of names or { "name": … } objects');
  }
  if (o.providerFallback !== undefined && typeof o.providerFallback !== 'boolean') {
    fail(label, '"providerFallback" must be true or false');
  }
  const levels = ['disabled', 'basic', 'extended', 'all'];
  if (o.graphOptimizationLevel !== undefined && !levels.includes(o.graphOptimizationLevel as string)) {
    fail(label, `"graphOptimizationLevel" must be one of ${levels.join(', ')}`);
  }
  int(o.intraOpNumThreads, label, 'intraOpNumThreads', 1);
  int(o.maxBatchSize, label, 'maxBatchSize', 0);
  int(o.instances, label, 'instances', 1);
  int(o.maxQueueSize, label, 'maxQueueSize', 1);
  if (
    o.requestTimeoutMs !== undefined &&
    !(typeof o.requestTimeoutMs === 'number' && o.requestTimeoutMs >= 0)
  ) {
    fail(label, '"requestTimeoutMs" must be a number ≥ 0 (0: no timeout)');
  }
  const db = o.dynamicBatching;
  if (db !== undefined && typeof db !== 'boolean') {
    if (!db || typeof db !== 'object') fail(label, '"dynamicBatching" must be true, false or an object');
    const d = db as Record<string, unknown>;
    for (const k of Object.keys(d)) {
      if (k !== 'maxQueueDelayMs' && k !== 'preferredBatchSizes') {
        fail(label, `unknown key "dynamicBatching.${k}" (known: maxQueueDelayMs, preferredBatchSizes)`);
      }
    }
    if (
      d.maxQueueDelayMs !== undefined &&
      !(typeof d.maxQueueDelayMs === 'number' && d.maxQueueDelayMs >= 0)
    ) {
      fail(label, '"dynamicBatching.maxQueueDelayMs" must be a number ≥ 0');
    }
    if (
      d.preferredBatchSizes !== undefined &&
      !(
        Array.isArray(d.preferredBatchSizes) &&
        d.preferredBatchSizes.every((n) => Number.isInteger(n) && n > 0)
      )
    ) {
      fail(label, '"dynamicBatching.preferredBatchSizes" must be a list of positive integers');
    }
  }
  const vp = o.versionPolicy as Record<string, unknown> | undefined;
  if (vp !== undefined) {
    const ok =
      vp &&
      typeof vp === 'object' &&
      ((Number.isInteger(vp.latest) && (vp.latest as number) > 0) ||
        vp.all === true ||
        (Array.isArray(vp.specific) && vp.specific.every((n) => Number.isInteger(n) && n >= 0)));
    if (!ok) fail(label, '"versionPolicy" must be {"latest": n}, {"all": true} or {"specific": [versions]}');
  }
  return o as ModelConfig;
}
