#!/usr/bin/env node
// The `zai` command. A committed file, so npm links the binary at install time
// even before `npm run build` has produced dist/ in a fresh clone.
import { existsSync } from 'node:fs';

const built = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write('zai: @zai/model-server is not built yet; run `npm run build` first\n');
  process.exit(1);
}
await import(built.href);
