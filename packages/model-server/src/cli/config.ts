import type { Command } from 'commander';
import type { EffectiveConfig } from '../config/layers.js';
import { configEntries, formatEntries, modelEntries } from '../config/print.js';
import { addSettingFlags, type ServeFlags, serveConfig } from './serve.js';

/** `zai config print`: the effective configuration, each value with where it came from. */
export async function printConfig(
  paths: readonly string[],
  flags: ServeFlags & { json?: boolean; models?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const effective: EffectiveConfig = await serveConfig(paths, flags, env);
  const entries = configEntries(effective);
  const models = flags.models === false ? [] : await modelEntries(effective);
  if (flags.json) {
    const sources = Object.fromEntries(entries.map((e) => [e.path, e.source]));
    const perModel = Object.fromEntries(models.map((e) => [e.path, { value: e.value, source: e.source }]));
    return JSON.stringify(
      { file: effective.file ?? null, config: effective.config, sources, models: perModel },
      null,
      2,
    );
  }
  const head = [
    '# precedence: flag > ZAI_* variable > config file > default',
    `# config file: ${effective.file ?? 'none'}`,
  ];
  const parts = [...head, formatEntries(entries)];
  if (models.length > 0) {
    parts.push('', '# models (flag / ZAI_* > models.<name> > config.json > top-level settings > default)');
    parts.push(formatEntries(models));
  }
  return parts.join('\n');
}

/** Registers `zai config print`. */
export function addConfigCommand(program: Command, print: (text: string) => void): void {
  const config = program.command('config').description('inspect the configuration zai serve would use');
  const cmd = config
    .command('print')
    .description('print the effective configuration and where each value came from')
    .argument('[models...]', 'models and repositories, as for zai serve')
    .option('--json', 'print { file, config, sources, models } as JSON')
    .option('--no-models', "leave out each served model's resolved settings");
  addSettingFlags(cmd);
  cmd.action(async (models: string[], flags: ServeFlags & { json?: boolean; models?: boolean }) =>
    print(await printConfig(models, flags)),
  );
}
