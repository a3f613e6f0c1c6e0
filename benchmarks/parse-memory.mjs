#!/usr/bin/env node
// Parser time and peak memory on generated large models, each measurement in
// its own child process (peak RSS = getrusage maxrss), side by side with
// onnx-proto's full protobufjs decode of the same file.
//
//   node benchmarks/parse-memory.mjs            the 1 GiB model
//   node benchmarks/parse-memory.mjs --large    also > 2 GiB: external data, and a single file
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'out');
mkdirSync(out, { recursive: true });
const large = process.argv.includes('--large');

const GIB = 2 ** 30;

/** A chain of MatMuls over float32 [n, n] weights: `layers` × 4n² bytes. */
async function generate(path, layers, n, external) {
  if (existsSync(path)) return;
  const { graph, model, node, tensorInfo, writeModel } = await import('@zai/onnx-parser');
  const { Tensor } = await import('@zai/tensor-core');
  const nodes = [];
  const inits = {};
  for (let i = 0; i < layers; i++) {
    nodes.push(
      node(
        'MatMul',
        [i === 0 ? 'x' : `h${i - 1}`, `w${i}`],
        [i === layers - 1 ? 'y' : `h${i}`],
        {},
        `layer${i}`,
      ),
    );
    const w = new Float32Array(n * n);
    for (let k = 0; k < w.length; k += 4099) w[k] = ((i + k) % 7) / 7e3;
    inits[`w${i}`] = new Tensor('float32', w, [n, n]);
  }
  const m = model(
    graph({
      nodes,
      inputs: [tensorInfo('x', 'float32', [1, n])],
      outputs: [tensorInfo('y', 'float32', [1, n])],
      initializers: inits,
    }),
    [{ domain: '', version: 17 }],
  );
  await writeModel(path, m, external ? { externalData: { threshold: 1024 } } : {});
}

/** Runs `code` in a fresh Node process and returns {ms, peakMiB}. */
function measure(code) {
  const script = `
    const t0 = performance.now();
    ${code}
    const ms = performance.now() - t0;
    console.log(JSON.stringify({ ms, peakMiB: process.resourceUsage().maxRSS / 1024 }));`;
  const res = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: here,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(res.trim().split('\n').pop());
}

// Models are generated in a child process: a child's maxRSS after exec still
// counts its parent's resident pages at fork, so the parent must stay small.
if (process.argv[2] === '--generate') {
  const [path, layers, n, external] = process.argv.slice(3);
  await generate(path, Number(layers), Number(n), external === 'true');
  process.exit(0);
}
function generateInChild(m) {
  if (existsSync(m.path)) return;
  execFileSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--generate', m.path, String(m.layers), String(m.n), String(m.external)],
    {
      stdio: 'inherit',
    },
  );
}

const idle = measure('await Promise.resolve();');
const models = [
  { name: '1 GiB, single file', path: join(out, 'model-1g.onnx'), layers: 16, n: 4096, external: false },
];
if (large) {
  models.push({
    name: '2.5 GiB, external data',
    path: join(out, 'model-2g5-ext.onnx'),
    layers: 40,
    n: 4096,
    external: true,
  });
  models.push({
    name: '2.5 GiB, single file',
    path: join(out, 'model-2g5.onnx'),
    layers: 40,
    n: 4096,
    external: false,
  });
}

console.log(`idle node: ${idle.peakMiB.toFixed(0)} MiB peak RSS\n`);
for (const m of models) {
  generateInChild(m);
  const bytes = m.external ? statSync(`${m.path}.data`).size + statSync(m.path).size : statSync(m.path).size;
  const p = JSON.stringify(m.path);
  const info = measure(`
    const { loadModel, summarizeModel } = await import('@zai/onnx-parser');
    summarizeModel(await loadModel(${p}));`);
  const session = measure(`
    const { InferenceSession } = await import('@zai/inference-engine');
    await InferenceSession.create(${p}, { backend: 'native' });`);
  let proto;
  try {
    proto = measure(`
      const { onnx } = (await import('onnx-proto')).default ?? await import('onnx-proto');
      const { readFileSync } = await import('node:fs');
      onnx.ModelProto.decode(readFileSync(${p}));`);
  } catch (e) {
    proto = {
      error:
        String(e.stderr ?? e.message)
          .split('\n')
          .find((l) => /Error/.test(l)) ?? 'failed',
    };
  }
  const above = (r) => r.peakMiB - idle.peakMiB;
  console.log(`${m.name} (${(bytes / GIB).toFixed(2)} GiB of weights)`);
  console.log(
    `  zai info (parse + summary): ${info.ms.toFixed(0)} ms, ${above(info).toFixed(0)} MiB above idle`,
  );
  if (proto.error) console.log(`  onnx-proto decode:          fails: ${proto.error.trim().slice(0, 100)}`);
  else {
    console.log(
      `  onnx-proto decode:          ${proto.ms.toFixed(0)} ms, ${above(proto).toFixed(0)} MiB above idle`,
    );
    console.log(
      `  ratio zai/onnx-proto:       time ${(info.ms / proto.ms).toFixed(3)}, memory ${(above(info) / above(proto)).toFixed(3)}`,
    );
  }
  console.log(
    `  native session creation:    ${session.ms.toFixed(0)} ms, peak ${(session.peakMiB / (bytes / 2 ** 20)).toFixed(2)}x the weight size\n`,
  );
}
