import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError, NotFoundError } from '@zai/common';
import { parse as parseYaml } from 'yaml';
import {
  CONFIG_DEFAULTS,
  CONFIG_FIELDS,
  CONFIG_SPEC,
  type ConfigKey,
  type ModuleRef,
  optionName,
  SETTINGS,
  type Setting,
  type ZaiConfig,
} from './schema.js';
import { checkValue, describeSpec, parseText, type Spec, sizeInBytes, validate } from './spec.js';

/** Where a layer of configuration comes from, weakest first: defaults < file < env < flags. */
export type LayerKind = 'default' | 'file' | 'code' | 'env' | 'flag';

export interface ConfigLayer {
  readonly kind: LayerKind;
  /** The file for 'file' layers; a caller's label for 'code' ones. */
  readonly label: string;
  readonly values: ZaiConfig;
}

/** The file names looked for in the working folder when no `--config` / `ZAI_CONFIG` is given. */
export const CONFIG_FILE_NAMES = ['zai.config.json', 'zai.config.yaml', 'zai.config.yml'] as const;

export function findConfigFile(cwd = process.cwd()): string | undefined {
  for (const name of CONFIG_FILE_NAMES) {
    const p = join(cwd, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

const isRelativeModule = (m: string): boolean => m.startsWith('./') || m.startsWith('../');

/** Makes the paths a layer names absolute: `paths` and relative module specifiers. */
function anchor(config: ZaiConfig, base: string): ZaiConfig {
  const ref = (m: ModuleRef): ModuleRef =>
    isRelativeModule(m.module) ? { ...m, module: resolve(base, m.module) } : m;
  const mod = (m: string | ModuleRef): string | ModuleRef =>
    typeof m === 'string' ? (isRelativeModule(m) ? resolve(base, m) : m) : ref(m);
  return {
    ...config,
    ...(config.paths ? { paths: config.paths.map((p) => resolve(base, p)) } : {}),
    ...(config.plugins ? { plugins: config.plugins.map(mod) } : {}),
    ...(config.pipelines
      ? { pipelines: Object.fromEntries(Object.entries(config.pipelines).map(([k, v]) => [k, ref(v)])) }
      : {}),
  };
}

/** Reads `zai.config.json` or a YAML file; relative paths in it are relative to the file. */
export async function readConfigFile(file: string): Promise<ConfigLayer> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new NotFoundError(`config file '${file}' does not exist`);
  }
  let raw: unknown;
  const yaml = /\.ya?ml$/i.test(path);
  try {
    raw = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    const why = (e as Error).message.split('\n')[0];
    throw new ConfigError(file, '', `invalid ${yaml ? 'YAML' : 'JSON'} (${why})`, { cause: e });
  }
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, '', `must be ${yaml ? 'a YAML mapping' : 'a JSON object'} of settings`);
  }
  const values = validate<ZaiConfig>(CONFIG_SPEC, raw, file);
  return { kind: 'file', label: path, values: anchor(values, dirname(path)) };
}

/** Checks a config object given in code (`Platform.create(config)`). */
export function codeLayer(config: ZaiConfig, label = 'config', base = process.cwd()): ConfigLayer {
  return { kind: 'code', label, values: anchor(validate<ZaiConfig>(CONFIG_SPEC, config, label), base) };
}

/** Parses one setting's text (a variable or a flag), naming `origin` when it does not fit. */
function settingValue(setting: Setting, text: string | true, origin: string): unknown {
  const spec: Spec = CONFIG_FIELDS[setting.key];
  if (setting.key === 'cors' && (text === true || text === '')) return '*';
  if (text === true) text = 'true';
  let value = parseText(spec, text);
  if (setting.key === 'bodyLimit') value = sizeInBytes(text) ?? text;
  if (checkValue(spec, value)) {
    throw new ConfigError(origin, setting.key, `must be ${describeSpec(spec)}, got '${text}'`);
  }
  return value;
}

function layerFrom(
  kind: 'env' | 'flag',
  label: string,
  entries: [Setting, string | true][],
  base: string,
): ConfigLayer {
  const values: Record<string, unknown> = {};
  for (const [setting, text] of entries) {
    const origin = kind === 'env' ? setting.env : setting.flag!.split(' ')[0]!;
    values[setting.key] = settingValue(setting, text, origin);
  }
  return { kind, label, values: anchor(values as ZaiConfig, base) };
}

/** The `ZAI_*` variables set in `env`. */
export function envLayer(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ConfigLayer {
  const entries: [Setting, string][] = [];
  for (const s of SETTINGS) {
    const text = env[s.env];
    if (text !== undefined && text !== '') entries.push([s, text]);
  }
  return layerFrom('env', 'environment', entries, cwd);
}

/** Flags as commander parsed them (camelCase names, string values), and positional model paths. */
export function flagLayer(
  flags: Readonly<Record<string, string | boolean | undefined>>,
  paths: readonly string[] = [],
  cwd = process.cwd(),
): ConfigLayer {
  const entries: [Setting, string | true][] = [];
  for (const s of SETTINGS) {
    if (!s.flag) continue;
    const v = flags[optionName(s.flag)];
    if (v === undefined || v === false) continue;
    entries.push([s, v]);
  }
  const layer = layerFrom('flag', 'command line', entries, cwd);
  return paths.length > 0
    ? { ...layer, values: { ...layer.values, paths: paths.map((p) => resolve(cwd, p)) } }
    : layer;
}

export const defaultLayer: ConfigLayer = { kind: 'default', label: 'default', values: CONFIG_DEFAULTS };

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function deepMerge(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(from)) {
    if (v === undefined) continue;
    const prev = into[k];
    if (isPlainObject(prev) && isPlainObject(v)) {
      const copy = { ...prev };
      deepMerge(copy, v);
      into[k] = copy;
    } else into[k] = isPlainObject(v) ? structuredClone(v) : v;
  }
}

function at(values: unknown, path: readonly string[]): unknown {
  let v = values;
  for (const k of path) {
    if (!isPlainObject(v)) return undefined;
    v = v[k];
  }
  return v;
}

/** The merged configuration and the layers it came from. */
export class EffectiveConfig {
  /** Every layer merged (defaults included); later layers win, objects merge key by key. */
  readonly config: ZaiConfig;

  constructor(
    /** Weakest first. */
    readonly layers: readonly ConfigLayer[],
  ) {
    const merged: Record<string, unknown> = {};
    for (const l of layers) deepMerge(merged, l.values as Record<string, unknown>);
    this.config = merged as ZaiConfig;
  }

  /** The config file the settings were read from, if any. */
  get file(): string | undefined {
    return [...this.layers].reverse().find((l) => l.kind === 'file')?.label;
  }

  /** The layer that set a key path (`port`, `models.points.maxBatchSize`), or undefined when none did. */
  layerOf(path: string): ConfigLayer | undefined {
    const parts = path.split('.');
    for (let i = this.layers.length - 1; i >= 0; i--) {
      if (at(this.layers[i]!.values, parts) !== undefined) return this.layers[i];
    }
    return undefined;
  }

  /** Where a key's value came from, in words: `default`, `file zai.config.json`, `env ZAI_PORT`, `flag --port`. */
  sourceOf(path: string): string {
    const layer = this.layerOf(path);
    if (!layer) return 'unset';
    const setting = SETTINGS.find((s) => s.key === path);
    switch (layer.kind) {
      case 'default':
        return 'default';
      case 'file':
        return `file ${layer.label}`;
      case 'code':
        return layer.label;
      case 'env':
        return `env ${setting?.env ?? path}`;
      case 'flag':
        return setting?.flag ? `flag ${setting.flag.split(' ')[0]}` : 'arguments';
    }
  }

  /** The values the layers of these kinds set (merged), e.g. the model defaults of the file. */
  from(...kinds: LayerKind[]): ZaiConfig {
    return new EffectiveConfig(this.layers.filter((l) => kinds.includes(l.kind))).config;
  }

  /** A key's value (a typed shortcut to `config[key]`). */
  get<K extends ConfigKey>(key: K): ZaiConfig[K] {
    return this.config[key];
  }
}

export interface LoadConfigOptions {
  /** `--config`; else `ZAI_CONFIG`; else `zai.config.json|yaml|yml` in `cwd` when present. */
  readonly file?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Parsed `zai serve` flags (commander's camelCase names). */
  readonly flags?: Readonly<Record<string, string | boolean | undefined>>;
  /** Positional model paths (override `ZAI_MODELS` and the file's `paths`). */
  readonly paths?: readonly string[];
  /** A config object given in code, between the file and the environment. */
  readonly config?: ZaiConfig;
  readonly cwd?: string;
}

/** Precedence, strongest first: flags > `ZAI_*` variables > code > config file > defaults. */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<EffectiveConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const flagFile = options.flags?.config;
  const named = typeof flagFile === 'string' ? flagFile : (options.file ?? (env.ZAI_CONFIG || undefined));
  const file = named ? resolve(cwd, named) : findConfigFile(cwd);
  const layers: ConfigLayer[] = [defaultLayer];
  if (file) layers.push(await readConfigFile(isAbsolute(file) ? file : resolve(cwd, file)));
  if (options.config) layers.push(codeLayer(options.config, 'code', cwd));
  layers.push(envLayer(env, cwd));
  layers.push(flagLayer(options.flags ?? {}, options.paths ?? [], cwd));
  return new EffectiveConfig(layers);
}
