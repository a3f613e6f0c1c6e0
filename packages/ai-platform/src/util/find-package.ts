import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '@zai/common';

/**
 * The folder of an installed package, looked up in `node_modules` from `from`
 * (the working folder, then this file's) upwards. Finds packages whose
 * `exports` hide their files from `require.resolve` (model asset packages).
 */
export function findPackageDir(name: string, from: readonly string[] = [process.cwd()]): string {
  const starts = [...from, dirname(fileURLToPath(import.meta.url))];
  for (const start of starts) {
    let dir = start;
    for (;;) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  throw new NotFoundError(`package '${name}' is not installed (looked from ${starts.join(', ')})`);
}
