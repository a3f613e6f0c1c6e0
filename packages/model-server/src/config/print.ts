import { join } from 'node:path';
import { MODEL_DEFAULTS, type ModelConfig } from '../server/model-config.js';
import { discoverModels, readFolderConfig } from '../server/repository/sources.js';
import type { EffectiveConfig } from './layers.js';
import { modelSettingsOf } from './server-options.js';

/** One line of `zai config print`: a key path, its value and where it came from. */
export interface ConfigEntry {
  readonly path: string;
  readonly value: unknown;
  readonly source: string;
}

const SECRET = /apikey|password|token|secret/i;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function leaves(value: unknown, path: string, out: [string, unknown][]): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
  } else out.push([path, value]);
}

/** Every value of the effective configuration with its source (secrets masked). */
export function configEntries(effective: EffectiveConfig): ConfigEntry[] {
  const out: [string, unknown][] = [];
  leaves(effective.config, '', out);
  return out.map(([path, value]) => ({
    path,
    value: SECRET.test(path) && typeof value === 'string' ? '********' : value,
    source: effective.sourceOf(path),
  }));
}

/**
 * The settings each model of the configured paths will load with, and where
 * each came from, following the model precedence: flags and `ZAI_*` > the
 * file's `models.<name>` > the model's `config.json` > the file's top-level
 * model settings > defaults.
 */
export async function modelEntries(effective: EffectiveConfig): Promise<ConfigEntry[]> {
  const sources = await discoverModels(effective.config.paths ?? []);
  const fileLabel = effective.file ? `file ${effective.file}` : 'config';
  const out: ConfigEntry[] = [];
  for (const source of sources) {
    const own = await readFolderConfig(source);
    const layers: [string, ModelConfig | undefined][] = [
      ['default', MODEL_DEFAULTS as ModelConfig],
      [fileLabel, modelSettingsOf(effective.from('file', 'code'))],
      [source.kind === 'folder' ? join(source.path, 'config.json') : 'config.json', own],
      [fileLabel, effective.config.models?.[source.name]],
      ['override', modelSettingsOf(effective.from('env', 'flag'))],
    ];
    const found = new Map<string, { value: unknown; source: string }>();
    for (const [label, layer] of layers) {
      const flat: [string, unknown][] = [];
      leaves(layer ?? {}, '', flat);
      for (const [k, v] of flat) {
        if (v === undefined || !k) continue;
        found.set(k, { value: v, source: label === 'override' ? effective.sourceOf(settingOf(k)) : label });
      }
    }
    for (const [k, { value, source: from }] of found) {
      out.push({ path: `${source.name}.${k}`, value, source: from });
    }
  }
  return out;
}

/** The top-level setting a model key comes from (`executionProviders` ← `providers`). */
function settingOf(modelKey: string): string {
  if (modelKey === 'executionProviders') return 'providers';
  if (modelKey === 'dynamicBatching.maxQueueDelayMs') return 'batchDelayMs';
  if (modelKey === 'dynamicBatching.preferredBatchSizes') return 'preferredBatchSizes';
  return modelKey;
}

const shown = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** A table of entries: key, value, source. */
export function formatEntries(entries: readonly ConfigEntry[]): string {
  const rows = entries.map((e) => [e.path, shown(e.value), e.source] as const);
  const w0 = Math.max(3, ...rows.map((r) => r[0].length));
  const w1 = Math.min(48, Math.max(5, ...rows.map((r) => r[1].length)));
  return rows.map(([k, v, s]) => `${k.padEnd(w0)}  ${v.padEnd(w1)}  ${s}`).join('\n');
}
