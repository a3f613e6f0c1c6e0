#!/usr/bin/env node
// The conformance gate: runs every ONNX backend node test through the native
// backend, compares with conformance/passing.txt and fails on any regression.
//
//   npm run conformance                 check; exit 1 on a regression
//   npm run conformance -- --update     rewrite passing.txt with today's passes
//   npm run conformance -- --filter re  run only the cases matching a regex (never fails, never updates)
//   npm run conformance -- --backend onnxruntime   count what onnxruntime-node passes (same harness)
//   npm run conformance -- --parity     where both backends pass, their outputs must agree; exit 1 if not
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const root = resolve(
  option('--cases') ?? process.env.ZAI_CONFORMANCE_DIR ?? join(here, '../../shared/onnx-backend-tests/node'),
);
if (!existsSync(root)) {
  console.error(`conformance: test cases not found at ${root} (set ZAI_CONFORMANCE_DIR)`);
  process.exit(2);
}
const filter = option('--filter') ? new RegExp(option('--filter')) : undefined;
const timeoutMs = Number(option('--timeout') ?? 30000);
const mode = flag('--parity') ? 'parity' : (option('--backend') ?? 'native');
if (!['native', 'onnxruntime', 'parity'].includes(mode)) {
  console.error(`conformance: unknown backend '${mode}' (native or onnxruntime)`);
  process.exit(2);
}
const listFile = join(here, 'passing.txt');
const all = readdirSync(root)
  .filter((d) => existsSync(join(root, d, 'model.onnx')))
  .sort();
const cases = filter ? all.filter((c) => filter.test(c)) : all;
const listed = existsSync(listFile)
  ? new Set(
      readFileSync(listFile, 'utf8')
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean),
    )
  : new Set();

const started = Date.now();
const results = new Map();
const queue = [...cases];
const threads = Math.max(1, Math.min(Number(option('--jobs') ?? availableParallelism()), queue.length));

function spawn() {
  return new Promise((done) => {
    let worker;
    let current;
    let timer;
    const start = () => {
      worker = new Worker(join(here, 'worker.mjs'), { execArgv: process.execArgv, env: process.env });
      worker.on('message', (r) => {
        clearTimeout(timer);
        results.set(r.name, r);
        next();
      });
      worker.on('error', (e) => {
        clearTimeout(timer);
        if (current)
          results.set(current, { name: current, ok: false, kind: 'crash', reason: String(e?.message ?? e) });
        start();
        next();
      });
    };
    const next = () => {
      current = queue.shift();
      if (!current) {
        worker.terminate();
        done();
        return;
      }
      const name = current;
      timer = setTimeout(() => {
        results.set(name, { name, ok: false, kind: 'timeout', reason: `no result after ${timeoutMs} ms` });
        worker.removeAllListeners();
        worker.terminate();
        start();
        next();
      }, timeoutMs);
      worker.postMessage({ name, dir: join(root, name), mode });
    };
    start();
    next();
  });
}

await Promise.all(Array.from({ length: threads }, spawn));

const passing = cases.filter((c) => results.get(c)?.ok);
const regressions = mode === 'native' ? cases.filter((c) => listed.has(c) && !results.get(c)?.ok) : [];
const seconds = ((Date.now() - started) / 1000).toFixed(1);

mkdirSync(join(here, 'out'), { recursive: true });
const failures = cases
  .filter((c) => !results.get(c)?.ok)
  .map((c) => results.get(c) ?? { name: c, kind: 'missing' });
// the full native run's failures feed conformance/report.mjs (docs/operators.md)
if (!filter && mode === 'native') {
  writeFileSync(
    join(here, 'out', 'failures.txt'),
    failures.map((f) => `${f.name}\t${f.kind}\t${f.reason ?? ''}`).join('\n') + '\n',
  );
  writeFileSync(
    join(here, 'out', 'summary.json'),
    JSON.stringify({ total: all.length, passing: passing.length }),
  );
}

for (const r of regressions) console.log(`REGRESSION ${r}: ${results.get(r)?.reason}`);
if (flag('--verbose')) for (const f of failures) console.log(`FAIL ${f.name} [${f.kind}] ${f.reason ?? ''}`);

if (mode !== 'native') {
  const label = mode === 'parity' ? 'parity (native vs onnxruntime)' : `conformance on ${mode}`;
  if (mode === 'parity') {
    const compared = cases.filter((c) => results.get(c)?.compared).length;
    const disagree = failures.filter((f) => f.kind === 'disagree');
    for (const f of failures)
      console.log(`${f.kind === 'disagree' ? 'DISAGREE' : 'FAIL'} ${f.name}: ${f.reason}`);
    console.log(
      `${label}: ${compared} cases both pass, ${disagree.length} disagree, ${failures.length - disagree.length} errors (${seconds}s)`,
    );
  } else {
    console.log(`${label}: ${passing.length}/${cases.length} pass (${seconds}s)`);
  }
  process.exit(mode === 'parity' && failures.length > 0 ? 1 : 0);
}
if (filter) {
  console.log(
    `conformance (filter ${filter}): ${passing.length}/${cases.length} pass, ${regressions.length} regressions, ${seconds}s`,
  );
  process.exit(0);
}
if (flag('--update')) {
  writeFileSync(listFile, passing.join('\n') + '\n');
  console.log(`conformance: wrote ${passing.length} cases to conformance/passing.txt`);
}
const gained = passing.filter((c) => !listed.has(c)).length;
console.log(
  `conformance: ${passing.length}/${all.length} pass, ${regressions.length} regressions (${gained} not yet listed; ${seconds}s)`,
);
process.exit(regressions.length > 0 && !flag('--update') ? 1 : 0);
