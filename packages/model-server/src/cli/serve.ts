import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '@zai/common';
import { type Command, Option } from 'commander';
import { DEFAULT_HOST, DEFAULT_PORT, ModelServer, type ModelServerOptions } from '../server/app.js';
import { modelSettingsOf, readServeConfig, type ServeSettings } from '../server/config-file.js';

interface ServeFlags {
  host?: string;
  port?: string;
  backend?: string;
  providers?: string;
  config?: string;
  apiKey?: string;
  maxBatchSize?: string;
  batchDelayMs?: string;
  preferredBatchSizes?: string;
  instances?: string;
  maxQueueSize?: string;
  requestTimeoutMs?: string;
  cors?: string | boolean;
  rateLimit?: string;
  bodyLimit?: string;
  drainTimeoutMs?: string;
  logLevel?: string;
}

/** Each flag with its ZAI_* twin; the command line wins over the environment, both over --config. */
const FLAGS: [flags: string, env: string, description: string][] = [
  ['--host <host>', 'ZAI_HOST', `address to listen on (default ${DEFAULT_HOST})`],
  ['--port <port>', 'ZAI_PORT', `port to listen on; 0 picks a free one (default ${DEFAULT_PORT})`],
  [
    '--backend <name>',
    'ZAI_BACKEND',
    'native, onnxruntime or auto (default auto: onnxruntime where it loads)',
  ],
  ['--providers <list>', 'ZAI_PROVIDERS', 'onnxruntime execution providers, comma-separated (e.g. cuda,cpu)'],
  ['--config <file>', 'ZAI_CONFIG', 'JSON file with these settings and per-model entries'],
  ['--api-key <key>', 'ZAI_API_KEY', 'require "Authorization: Bearer <key>" (not on health, metrics, docs)'],
  [
    '--max-batch-size <n>',
    'ZAI_MAX_BATCH_SIZE',
    'largest batch per run for batchable models (0: no batching)',
  ],
  [
    '--batch-delay-ms <ms>',
    'ZAI_BATCH_DELAY_MS',
    'enable dynamic batching: how long a request waits for others',
  ],
  [
    '--preferred-batch-sizes <list>',
    'ZAI_PREFERRED_BATCH_SIZES',
    'batch sizes sent as soon as formed, e.g. 4,8',
  ],
  ['--instances <n>', 'ZAI_INSTANCES', 'worker threads per model version (default 1)'],
  ['--max-queue-size <n>', 'ZAI_MAX_QUEUE_SIZE', 'queued requests per model before 503 (default 1024)'],
  ['--request-timeout-ms <ms>', 'ZAI_REQUEST_TIMEOUT_MS', 'per-request time limit (default 0: none)'],
  ['--cors [origins]', 'ZAI_CORS', 'enable CORS for these origins (comma-separated; none given: any)'],
  ['--rate-limit <n>', 'ZAI_RATE_LIMIT', 'requests per minute per client IP (default off)'],
  ['--body-limit <size>', 'ZAI_BODY_LIMIT', 'largest request body, e.g. 64mb or 1048576 (default 64mb)'],
  [
    '--drain-timeout-ms <ms>',
    'ZAI_DRAIN_TIMEOUT_MS',
    'how long shutdown waits for running requests (default 30000)',
  ],
  ['--log-level <level>', 'ZAI_LOG_LEVEL', 'fatal, error, warn, info, debug, trace or silent (default info)'],
];

function num(v: string | undefined, flag: string, integer = true): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new InvalidArgumentError(`${flag} must be a ${integer ? 'whole ' : ''}number ≥ 0, got '${v}'`);
  }
  return n;
}

const list = (v: string | undefined): string[] | undefined =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

/** `64mb`, `1.5gib`, `65536` → bytes. */
export function parseSize(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|k|mb|mib|m|gb|gib|g)?$/i.exec(v.trim());
  if (!m) throw new InvalidArgumentError(`--body-limit: '${v}' is not a size (e.g. 64mb, 1048576)`);
  const unit = (m[2] ?? 'b').toLowerCase()[0]!;
  const scale = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  return Math.round(Number(m[1]) * scale);
}

function settingsFromFlags(f: ServeFlags): ServeSettings {
  const backend = f.backend;
  if (backend !== undefined && !['native', 'onnxruntime', 'auto'].includes(backend)) {
    throw new InvalidArgumentError(`--backend must be native, onnxruntime or auto, got '${backend}'`);
  }
  const s: ServeSettings = {
    host: f.host,
    port: num(f.port, '--port'),
    backend: backend as ServeSettings['backend'],
    providers: list(f.providers),
    apiKey: f.apiKey,
    maxBatchSize: num(f.maxBatchSize, '--max-batch-size'),
    batchDelayMs: num(f.batchDelayMs, '--batch-delay-ms', false),
    preferredBatchSizes: list(f.preferredBatchSizes)?.map((x) => num(x, '--preferred-batch-sizes')!),
    instances: num(f.instances, '--instances'),
    maxQueueSize: num(f.maxQueueSize, '--max-queue-size'),
    requestTimeoutMs: num(f.requestTimeoutMs, '--request-timeout-ms', false),
    cors: f.cors === true ? '*' : f.cors === false ? undefined : f.cors,
    rateLimit: num(f.rateLimit, '--rate-limit'),
    bodyLimit: f.bodyLimit === undefined ? undefined : parseSize(f.bodyLimit),
    drainTimeoutMs: num(f.drainTimeoutMs, '--drain-timeout-ms'),
    logLevel: f.logLevel,
  };
  for (const k of Object.keys(s) as (keyof ServeSettings)[]) if (s[k] === undefined) delete s[k];
  return s;
}

/** `./models` when it exists, else the demo repository next to this package (inside the zai repo). */
export function defaultRepository(cwd = process.cwd()): string | undefined {
  const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
  if (isDir(join(cwd, 'models'))) return join(cwd, 'models');
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (isDir(join(dir, 'models')) && existsSync(join(dir, 'models', 'build.mjs')))
      return join(dir, 'models');
    dir = dirname(dir);
  }
  return undefined;
}

/** Merges flags, ZAI_* variables and the config file into server options. */
export async function serveOptions(paths: readonly string[], flags: ServeFlags): Promise<ModelServerOptions> {
  const cli = settingsFromFlags(flags);
  const file = flags.config ? await readServeConfig(flags.config) : undefined;
  const envPaths = list(process.env.ZAI_MODELS);
  let models = paths.length > 0 ? paths.map((p) => resolve(p)) : (envPaths ?? file?.paths);
  if (!models || models.length === 0) {
    const demo = defaultRepository();
    if (!demo)
      throw new InvalidArgumentError(
        'no model given and no models/ folder here; run `zai serve <model.onnx | repository>`',
      );
    models = [demo];
  }
  const merged: ServeSettings = { ...file, ...cli };
  const logLevel = merged.logLevel ?? 'info';
  return {
    models,
    host: merged.host ?? DEFAULT_HOST,
    port: merged.port ?? DEFAULT_PORT,
    ...(merged.apiKey ? { apiKey: merged.apiKey } : {}),
    ...(merged.cors ? { cors: merged.cors } : {}),
    ...(merged.rateLimit ? { rateLimit: merged.rateLimit } : {}),
    ...(merged.bodyLimit ? { bodyLimit: merged.bodyLimit } : {}),
    ...(merged.drainTimeoutMs !== undefined ? { drainTimeoutMs: merged.drainTimeoutMs } : {}),
    logLevel: logLevel === 'silent' ? false : logLevel,
    // the file's top-level model settings sit under each config.json; flags and variables over everything
    modelDefaults: file ? modelSettingsOf(file) : undefined,
    modelConfigs: file?.models,
    modelOverrides: modelSettingsOf(cli),
  };
}

/** Starts the server, prints `listening on …`, and drains on SIGTERM/SIGINT before exiting 0. */
export async function runServe(
  paths: readonly string[],
  flags: ServeFlags,
  print: (text: string) => void,
): Promise<ModelServer> {
  const options = await serveOptions(paths, flags);
  const server = await ModelServer.create(options);
  try {
    await server.start();
  } catch (e) {
    await server.close(0);
    throw e;
  }
  print(`listening on ${server.url}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    server.app.log.info(`${signal}: draining (readiness is 503 now), then exiting`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return server;
}

/** Registers `zai serve` on the program. */
export function addServeCommand(program: Command, print: (text: string) => void): void {
  const cmd = program
    .command('serve')
    .description(
      'serve models over HTTP (KServe V2 / Open Inference Protocol); a bare `zai serve` serves models/',
    )
    .argument(
      '[models...]',
      '.onnx files, model folders (<name>/<version>/model.onnx) or repositories of them',
    );
  for (const [flags, env, description] of FLAGS) cmd.addOption(new Option(flags, description).env(env));
  cmd.action(async (models: string[], flags: ServeFlags) => {
    await runServe(models, flags, print);
  });
}
