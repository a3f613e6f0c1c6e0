import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '@zai/common';
import { type Command, Option } from 'commander';
import { EffectiveConfig, loadConfig } from '../config/layers.js';
import { CONFIG_DEFAULTS, SETTINGS } from '../config/schema.js';
import { serverOptionsOf } from '../config/server-options.js';
import { sizeInBytes } from '../config/spec.js';
import { ModelServer, type ModelServerOptions } from '../server/app.js';

/** Flags as commander parses them: camelCase names, text values (`--cors` alone gives true). */
export type ServeFlags = Readonly<Record<string, string | boolean | undefined>>;

/** `64mb`, `1.5gib`, `65536` → bytes. */
export function parseSize(v: string): number {
  const n = sizeInBytes(v);
  if (n === undefined)
    throw new InvalidArgumentError(`--body-limit: '${v}' is not a size (e.g. 64mb, 1048576)`);
  return n;
}

/** Adds every setting's flag to a command (`zai serve`, `zai config print`), naming its ZAI_* twin in the help. */
export function addSettingFlags(cmd: Command): Command {
  cmd.option(
    '--config <file>',
    'configuration file (JSON or YAML); default: ./zai.config.json if present [env: ZAI_CONFIG]',
  );
  for (const s of SETTINGS) {
    if (!s.flag) continue;
    const fallback = (CONFIG_DEFAULTS as Record<string, unknown>)[s.key];
    const shown = fallback === undefined ? '' : ` (default ${s.key === 'bodyLimit' ? '64mb' : fallback})`;
    cmd.addOption(new Option(s.flag, `${s.description}${shown} [env: ${s.env}]`));
  }
  return cmd;
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

/**
 * The effective configuration of `zai serve`: flags > `ZAI_*` variables >
 * config file > defaults; with no model anywhere, the demo repository.
 */
export async function serveConfig(
  paths: readonly string[],
  flags: ServeFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EffectiveConfig> {
  const effective = await loadConfig({ flags, paths, env });
  if (effective.config.paths?.length || effective.config.pipelines) return effective;
  const demo = defaultRepository();
  if (!demo)
    throw new InvalidArgumentError(
      'no model given and no models/ folder here; run `zai serve <model.onnx | repository>`',
    );
  return new EffectiveConfig([
    { kind: 'default', label: 'default', values: { paths: [demo] } },
    ...effective.layers,
  ]);
}

/** Merges flags, ZAI_* variables and the config file into server options. */
export async function serveOptions(
  paths: readonly string[],
  flags: ServeFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ModelServerOptions> {
  return serverOptionsOf(await serveConfig(paths, flags, env));
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
  addSettingFlags(cmd);
  cmd.action(async (models: string[], flags: ServeFlags) => {
    await runServe(models, flags, print);
  });
}
