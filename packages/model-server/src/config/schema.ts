import type { ExecutionProviderConfig } from '@zai/common';
import type { BackendChoice, ModelConfig } from '../server/model-config.js';
import { anyOf, bool, int, list, num, obj, SIZE_PATTERN, type Spec, str } from './spec.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A module named in the configuration: a pipeline factory or a plugin. */
export interface ModuleRef {
  /** A package name, or a path (relative to the config file that names it). */
  readonly module: string;
  /** The export to use; default: the module's default export. */
  readonly export?: string;
  /** Passed to the module's factory as it is. */
  readonly options?: Readonly<Record<string, unknown>>;
}

/**
 * The one configuration of zai: `zai.config.json` (or `.yaml`), `ZAI_*`
 * variables, `zai serve` flags, and `Platform.create(config)`. Every key is
 * optional. Top-level model settings are defaults for every model; `models`
 * holds per-model entries (the keys of a repository's `config.json`).
 */
export interface ZaiConfig {
  /** Model files, model folders and repositories to serve. */
  readonly paths?: readonly string[];
  readonly host?: string;
  readonly port?: number;
  readonly apiKey?: string;
  readonly cors?: string | boolean | readonly string[];
  readonly rateLimit?: number;
  /** Bytes, or a size such as `64mb`. */
  readonly bodyLimit?: number | string;
  readonly drainTimeoutMs?: number;
  readonly logLevel?: LogLevel;
  readonly backend?: BackendChoice;
  readonly providers?: readonly ExecutionProviderConfig[];
  readonly maxBatchSize?: number;
  readonly batchDelayMs?: number;
  readonly preferredBatchSizes?: readonly number[];
  readonly instances?: number;
  readonly maxQueueSize?: number;
  readonly requestTimeoutMs?: number;
  /** Per-model entries by model name. */
  readonly models?: Readonly<Record<string, ModelConfig>>;
  /** Pipelines served as models, by name: modules whose export builds a Servable. */
  readonly pipelines?: Readonly<Record<string, ModuleRef>>;
  /** Modules loaded first, registering operators (and, in ai-platform, backends). */
  readonly plugins?: readonly (string | ModuleRef)[];
}

const provider = anyOf(
  'a name or a { "name": … } object',
  str(),
  obj({ name: str() }, { required: ['name'], open: true }),
);

/** A model entry: `<repo>/<model>/config.json`, `models.<name>`, a repository load's `parameters.config`. */
export const MODEL_ENTRY_SPEC: Spec = obj({
  backend: str(['native', 'onnxruntime', 'auto']),
  executionProviders: list(provider),
  providerFallback: bool,
  graphOptimizationLevel: str(['disabled', 'basic', 'extended', 'all']),
  intraOpNumThreads: int(1),
  maxBatchSize: int(0),
  dynamicBatching: anyOf(
    'true, false or { "maxQueueDelayMs", "preferredBatchSizes" }',
    bool,
    obj({ maxQueueDelayMs: num(0), preferredBatchSizes: list(int(1)) }),
  ),
  instances: int(1),
  maxQueueSize: int(1),
  requestTimeoutMs: num(0),
  versionPolicy: anyOf(
    '{"latest": n}, {"all": true} or {"specific": [versions]}',
    obj({ latest: int(1) }, { required: ['latest'] }),
    obj({ all: { type: 'literal', value: true } }, { required: ['all'] }),
    obj({ specific: list(int(0)) }, { required: ['specific'] }),
  ),
});

export const MODULE_REF_SPEC: Spec = obj(
  { module: str(), export: str(), options: { type: 'record', values: { type: 'any' } } },
  { required: ['module'] },
);

const size = anyOf('a number of bytes or a size such as 64mb', int(0), {
  type: 'string',
  pattern: SIZE_PATTERN,
  patternName: 'a size such as 64mb',
});

/** Every top-level key of ZaiConfig and what it takes. */
export const CONFIG_FIELDS = {
  paths: list(str()),
  host: str(),
  port: int(0, 65535),
  apiKey: str(),
  cors: anyOf('true, "*", an origin or a list of origins', bool, str(), list(str())),
  rateLimit: int(0),
  bodyLimit: size,
  drainTimeoutMs: num(0),
  logLevel: str(LOG_LEVELS),
  backend: str(['native', 'onnxruntime', 'auto']),
  providers: list(provider),
  maxBatchSize: int(0),
  batchDelayMs: num(0),
  preferredBatchSizes: list(int(1)),
  instances: int(1),
  maxQueueSize: int(1),
  requestTimeoutMs: num(0),
  models: { type: 'record', values: MODEL_ENTRY_SPEC },
  pipelines: { type: 'record', values: MODULE_REF_SPEC },
  plugins: list(anyOf('a module name or { "module", "export", "options" }', str(), MODULE_REF_SPEC)),
} satisfies Record<keyof ZaiConfig, Spec>;

export const CONFIG_SPEC: Spec = obj(CONFIG_FIELDS);

export type ConfigKey = keyof typeof CONFIG_FIELDS;

/** How a key is set from outside a file: its flag and `ZAI_*` variable. */
export interface Setting {
  readonly key: ConfigKey;
  /** commander's spelling, e.g. `--port <port>`; absent for positional arguments. */
  readonly flag?: string;
  readonly env: string;
  readonly description: string;
  /** 'server' settings configure the HTTP server; 'model' ones are defaults for every model. */
  readonly scope: 'server' | 'model' | 'modules';
}

/** Built-in defaults, shown by `zai config print` and applied by `zai serve`. */
export const CONFIG_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  bodyLimit: 64 * 1024 * 1024,
  drainTimeoutMs: 30_000,
  logLevel: 'info',
  backend: 'auto',
  maxBatchSize: 0,
  instances: 1,
  maxQueueSize: 1024,
  requestTimeoutMs: 0,
} as const satisfies ZaiConfig;

/** The settings every flag and `ZAI_*` variable stands for (the command line, the environment). */
export const SETTINGS: readonly Setting[] = [
  { key: 'paths', env: 'ZAI_MODELS', scope: 'server', description: 'models and repositories to serve' },
  {
    key: 'host',
    flag: '--host <host>',
    env: 'ZAI_HOST',
    scope: 'server',
    description: 'address to listen on',
  },
  {
    key: 'port',
    flag: '--port <port>',
    env: 'ZAI_PORT',
    scope: 'server',
    description: 'port to listen on; 0 picks a free one',
  },
  {
    key: 'backend',
    flag: '--backend <name>',
    env: 'ZAI_BACKEND',
    scope: 'model',
    description: 'native, onnxruntime or auto (onnxruntime where it loads)',
  },
  {
    key: 'providers',
    flag: '--providers <list>',
    env: 'ZAI_PROVIDERS',
    scope: 'model',
    description: 'onnxruntime execution providers, comma-separated (e.g. cuda,cpu)',
  },
  {
    key: 'apiKey',
    flag: '--api-key <key>',
    env: 'ZAI_API_KEY',
    scope: 'server',
    description: 'require "Authorization: Bearer <key>" (not on health, metrics, docs)',
  },
  {
    key: 'maxBatchSize',
    flag: '--max-batch-size <n>',
    env: 'ZAI_MAX_BATCH_SIZE',
    scope: 'model',
    description: 'largest batch per run for batchable models (0: no batching)',
  },
  {
    key: 'batchDelayMs',
    flag: '--batch-delay-ms <ms>',
    env: 'ZAI_BATCH_DELAY_MS',
    scope: 'model',
    description: 'enable dynamic batching: how long a request waits for others',
  },
  {
    key: 'preferredBatchSizes',
    flag: '--preferred-batch-sizes <list>',
    env: 'ZAI_PREFERRED_BATCH_SIZES',
    scope: 'model',
    description: 'batch sizes sent as soon as formed, e.g. 4,8',
  },
  {
    key: 'instances',
    flag: '--instances <n>',
    env: 'ZAI_INSTANCES',
    scope: 'model',
    description: 'worker threads per model version',
  },
  {
    key: 'maxQueueSize',
    flag: '--max-queue-size <n>',
    env: 'ZAI_MAX_QUEUE_SIZE',
    scope: 'model',
    description: 'queued requests per model before 503',
  },
  {
    key: 'requestTimeoutMs',
    flag: '--request-timeout-ms <ms>',
    env: 'ZAI_REQUEST_TIMEOUT_MS',
    scope: 'model',
    description: 'per-request time limit (0: none)',
  },
  {
    key: 'cors',
    flag: '--cors [origins]',
    env: 'ZAI_CORS',
    scope: 'server',
    description: 'enable CORS for these origins (comma-separated; none given: any)',
  },
  {
    key: 'rateLimit',
    flag: '--rate-limit <n>',
    env: 'ZAI_RATE_LIMIT',
    scope: 'server',
    description: 'requests per minute per client IP (default off)',
  },
  {
    key: 'bodyLimit',
    flag: '--body-limit <size>',
    env: 'ZAI_BODY_LIMIT',
    scope: 'server',
    description: 'largest request body, e.g. 64mb or 1048576',
  },
  {
    key: 'drainTimeoutMs',
    flag: '--drain-timeout-ms <ms>',
    env: 'ZAI_DRAIN_TIMEOUT_MS',
    scope: 'server',
    description: 'how long shutdown waits for running requests',
  },
  {
    key: 'logLevel',
    flag: '--log-level <level>',
    env: 'ZAI_LOG_LEVEL',
    scope: 'server',
    description: LOG_LEVELS.join(', '),
  },
  {
    key: 'plugins',
    flag: '--plugins <list>',
    env: 'ZAI_PLUGINS',
    scope: 'modules',
    description: 'plugin modules to load first (custom operators), comma-separated',
  },
];

/** The top-level keys that are defaults for every model (and their model-entry names). */
export const MODEL_SETTING_KEYS: readonly ConfigKey[] = SETTINGS.filter((s) => s.scope === 'model').map(
  (s) => s.key,
);

/** The commander option name of a flag: `--max-batch-size <n>` → `maxBatchSize`. */
export function optionName(flag: string): string {
  return flag
    .split(/[ ,]/)[0]!
    .replace(/^--/, '')
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
