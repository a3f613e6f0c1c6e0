import { dirname } from 'node:path';
import type { ModelServerOptions } from '../server/app.js';
import { type ModelConfig, parseModelConfig } from '../server/model-config.js';
import type { EffectiveConfig } from './layers.js';
import { CONFIG_DEFAULTS, type ZaiConfig } from './schema.js';
import { sizeInBytes } from './spec.js';

/** The per-model part of top-level settings (backend, providers, batching…), as a model entry. */
export function modelSettingsOf(s: ZaiConfig): ModelConfig {
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

const bytes = (v: number | string | undefined): number | undefined =>
  typeof v === 'string' ? sizeInBytes(v) : v;

/**
 * Server options from an effective configuration. Model settings of the file
 * (and of code) are defaults under each model's config.json; those of `ZAI_*`
 * variables and flags override every model.
 */
export function serverOptionsOf(effective: EffectiveConfig, models?: readonly string[]): ModelServerOptions {
  const c = effective.config;
  const logLevel = c.logLevel ?? CONFIG_DEFAULTS.logLevel;
  const file = effective.file;
  return {
    models: models ?? c.paths ?? [],
    host: c.host ?? CONFIG_DEFAULTS.host,
    port: c.port ?? CONFIG_DEFAULTS.port,
    ...(c.apiKey ? { apiKey: c.apiKey } : {}),
    ...(c.cors ? { cors: c.cors } : {}),
    ...(c.rateLimit ? { rateLimit: c.rateLimit } : {}),
    ...(c.bodyLimit !== undefined ? { bodyLimit: bytes(c.bodyLimit)! } : {}),
    ...(c.drainTimeoutMs !== undefined ? { drainTimeoutMs: c.drainTimeoutMs } : {}),
    logLevel: logLevel === 'silent' ? false : logLevel,
    modelDefaults: modelSettingsOf(effective.from('file', 'code')),
    modelConfigs: c.models ?? {},
    modelOverrides: modelSettingsOf(effective.from('env', 'flag')),
    ...(c.pipelines && Object.keys(c.pipelines).length > 0 ? { pipelines: c.pipelines } : {}),
    ...(c.plugins && c.plugins.length > 0 ? { plugins: c.plugins } : {}),
    moduleBase: file ? dirname(file) : process.cwd(),
    config: c,
  };
}
