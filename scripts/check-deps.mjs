#!/usr/bin/env node
// Checks DESIGN.md's dependency rule:
//   common <- tensor-core <- onnx-parser <- inference-engine <- model-server <- ai-platform
// A package may import only packages to its left; `common` imports nothing at run time,
// and onnxruntime-node is imported only by inference-engine's onnxruntime backend and
// tensor-core's device probe, lazily.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const order = ['common', 'tensor-core', 'onnx-parser', 'inference-engine', 'model-server', 'ai-platform'];
const dirOf = (p) => (p === 'common' ? 'common' : `packages/${p}`);
const problems = [];

function files(dir) {
  const out = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(ts|mts|cts|js|mjs)$/.test(e)) out.push(p);
  }
  return out;
}

const importRe =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

order.forEach((pkg, i) => {
  const dir = join(root, dirOf(pkg));
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const dep of Object.keys(manifest.dependencies ?? {})) {
    const j = order.indexOf(dep.replace('@zai/', ''));
    if (dep.startsWith('@zai/') && j >= i)
      problems.push(`${pkg}/package.json depends on ${dep}, which is not to its left`);
  }
  if (pkg === 'common' && Object.keys(manifest.dependencies ?? {}).length) {
    problems.push('common/package.json has runtime dependencies; common must import nothing');
  }
  for (const file of files(join(dir, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const rel = relative(root, file);
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3];
      const isTypeOnly = /^(?:import|export)\s+type\s/.test(m[0]);
      if (spec.startsWith('@zai/')) {
        const j = order.indexOf(spec.slice(5).split('/')[0]);
        if (j >= i) problems.push(`${rel} imports ${spec}, which is not to the left of ${pkg}`);
      } else if (pkg === 'common' && !spec.startsWith('.')) {
        problems.push(`${rel} imports '${spec}'; common must import nothing`);
      }
      if (spec === 'onnxruntime-node' && !isTypeOnly && !m[0].startsWith('import(')) {
        problems.push(`${rel} imports onnxruntime-node statically; import it lazily with import()`);
      }
    }
  }
});

if (problems.length) {
  console.error(`dependency rule broken:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`dependency rule holds for ${order.length} packages`);
