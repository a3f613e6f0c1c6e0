import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '@zai/common';
import { type ModelConfig, parseModelConfig } from './model-config.js';

/** Server settings shared by flags, ZAI_* variables and the `--config` file (camelCase flag names). */
export interface ServeSettings {
  paths?: string[];
  host?: string;
  port?: number;
  backend?: ModelConfig['backend'];
  providers?: string[];
  apiKey?: string;
  maxBatchSize?: number;
  batchDelayMs?: number;
  preferredBatchSizes?: number[];
  instances?: number;
  maxQueueSize?: number;
  requestTimeoutMs?: number;
  cors?: string;
  rateLimit?: number;
  bodyLimit?: number;
  drainTimeoutMs?: number;
  logLevel?: string;
}

/** The `--config` file: the same settings, plus `models`: per-model entries by name. */
export interface ServeConfigFile extends ServeSettings {
  models?: Record<string, ModelConfig>;
}

const SETTING_KEYS = new Set<keyof ServeConfigFile>([
  'paths',
  'host',
  'port',
  'backend',
  'providers',
  'apiKey',
  'maxBatchSize',
  'batchDelayMs',
  'preferredBatchSizes',
  'instances',
  'maxQueueSize',
  'requestTimeoutMs',
  'cors',
  'rateLimit',
  'bodyLimit',
  'drainTimeoutMs',
  'logLevel',
  'models',
]);

/** Reads and checks a `--config` file; relative model paths are resolved against the file's folder. */
export async function readServeConfig(file: string): Promise<ServeConfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new NotFoundError(`config file '${file}' does not exist`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InvalidArgumentError(`${file}: invalid JSON (${(e as Error).message})`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new InvalidArgumentError(`${file}: must be a JSON object`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!SETTING_KEYS.has(k as keyof ServeConfigFile)) {
      throw new InvalidArgumentError(`${file}: unknown key "${k}" (known: ${[...SETTING_KEYS].join(', ')})`);
    }
  }
  const strings = (k: string) => {
    const v = o[k];
    if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
      throw new InvalidArgumentError(`${file}: "${k}" must be a list of strings`);
    }
  };
  strings('paths');
  strings('providers');
  for (const k of ['host', 'apiKey', 'cors', 'logLevel', 'backend']) {
    if (o[k] !== undefined && typeof o[k] !== 'string')
      throw new InvalidArgumentError(`${file}: "${k}" must be a string`);
  }
  for (const k of [
    'port',
    'maxBatchSize',
    'batchDelayMs',
    'instances',
    'maxQueueSize',
    'requestTimeoutMs',
    'rateLimit',
    'bodyLimit',
    'drainTimeoutMs',
  ]) {
    if (o[k] !== undefined && !(typeof o[k] === 'number' && (o[k] as number) >= 0)) {
      throw new InvalidArgumentError(`${file}: "${k}" must be a number ≥ 0`);
    }
  }
  if (
    o.preferredBatchSizes !== undefined &&
    !(Array.isArray(o.preferredBatchSizes) && o.preferredBatchSizes.every(Number.isInteger))
  ) {
    throw new InvalidArgumentError(`${file}: "preferredBatchSizes" must be a list of integers`);
  }
  const models: Record<string, ModelConfig> = {};
  if (o.models !== undefined) {
    if (!o.models || typeof o.models !== 'object' || Array.isArray(o.models)) {
      throw new InvalidArgumentError(`${file}: "models" must map model names to their settings`);
    }
    for (const [name, entry] of Object.entries(o.models))
      models[name] = parseModelConfig(entry, `${file}: models.${name}`);
  }
  const base = dirname(resolve(file));
  return {
    ...(o as ServeSettings),
    ...(o.paths ? { paths: (o.paths as string[]).map((p) => resolve(base, p)) } : {}),
    models,
  };
}

/** The per-model part of server-wide settings (batching, backend, providers…). */
export function modelSettingsOf(s: ServeSettings): ModelConfig {
  const config: Record<string, unknown> = {
    backend: s.backend,
    executionProviders: s.providers,
    maxBatchSize: s.maxBatchSize,
    instances: s.instances,
    maxQueueSize: s.maxQueueSize,
    requestTimeoutMs: s.requestTimeoutMs,
  };
  if (s.batchDelayMs !== undefined || s.preferredBatchSizes !== undefined) {
    config.dynamicBatching = {
      ...(s.batchDelayMs !== undefined ? { maxQueueDelayMs: s.batchDelayMs } : {}),
      ...(s.preferredBatchSizes !== undefined ? { preferredBatchSizes: s.preferredBatchSizes } : {}),
    };
  }
  for (const k of Object.keys(config)) if (config[k] === undefined) delete config[k];
  return parseModelConfig(config, 'settings');
}
