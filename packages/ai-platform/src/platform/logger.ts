import type { LogLevel } from '@zai/model-server';
import type { Logger } from './tokens.js';

const RANK: Record<LogLevel, number> = {
  trace: 0,
  debug: 1,
  info: 2,
  warn: 3,
  error: 4,
  fatal: 5,
  silent: 6,
};

/** A logger writing `zai <level>: message` lines to stderr at `level` and above. */
export function consoleLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Logger {
  const at = (l: LogLevel) => (message: string) => {
    if (RANK[l] >= RANK[level]) write(`zai ${l}: ${message}`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
