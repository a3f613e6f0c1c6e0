#!/usr/bin/env node
// HTTP benchmark of `zai serve` against 127.0.0.1 only, with autocannon:
//   1. requests/s and p50/p99 latency of a tiny model's infer route at
//      concurrency 1 and 32, as a ratio to a bare fastify route returning a
//      fixed JSON, measured in the same run (the HTTP floor on this machine);
//   2. the dynamic-batching gain: the batchable model at concurrency 32 with
//      batching off vs on.
// Bounded: each measurement runs ZAI_BENCH_SECONDS (default 3) seconds.
// Uses the built @zai/model-server (npm run build first).
//
//   node benchmarks/server.mjs
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelServer } from '@zai/model-server';
import { encodeModel, graph, model, node, tensorInfo } from '@zai/onnx-parser';
import { Tensor } from '@zai/tensor-core';
import autocannon from 'autocannon';
import Fastify from 'fastify';

const seconds = Number(process.env.ZAI_BENCH_SECONDS ?? 3);
const backend = process.env.ZAI_BENCH_BACKEND ?? 'auto';

/** y = relu(x·W + b): a [batch, 16] → [batch, 16] layer, small enough that HTTP dominates. */
function tinyModel() {
  const w = new Float32Array(16 * 16).map((_, i) => ((i * 7) % 13) / 13 - 0.5);
  const g = graph({
    name: 'tiny',
    nodes: [node('MatMul', ['x', 'w'], ['h']), node('Add', ['h', 'b'], ['s']), node('Relu', ['s'], ['y'])],
    inputs: [tensorInfo('x', 'float32', ['batch', 16])],
    outputs: [tensorInfo('y', 'float32', ['batch', 16])],
    initializers: {
      w: new Tensor('float32', w, [16, 16]),
      b: new Tensor('float32', new Float32Array(16).fill(0.1), [16]),
    },
  });
  return encodeModel(model(g, [{ domain: '', version: 17 }]));
}

const body = JSON.stringify({
  inputs: [
    { name: 'x', shape: [1, 16], datatype: 'FP32', data: Array.from({ length: 16 }, (_, i) => i / 16) },
  ],
});

async function measure(url, connections, payload) {
  const r = await autocannon({
    url,
    connections,
    duration: seconds,
    ...(payload ? { method: 'POST', body: payload, headers: { 'content-type': 'application/json' } } : {}),
  });
  const failed = r.errors + r.timeouts + r.non2xx;
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, failed };
}

const fmt = (m) =>
  `${m.rps.toFixed(0).padStart(7)} req/s  p50 ${String(m.p50).padStart(4)} ms  p99 ${String(m.p99).padStart(4)} ms${m.failed ? `  (${m.failed} failed)` : ''}`;

const dir = mkdtempSync(join(tmpdir(), 'zai-bench-serve-'));
for (const [name, config] of [
  ['tiny', { backend }],
  [
    'tiny-batched',
    { backend, maxBatchSize: 32, dynamicBatching: { maxQueueDelayMs: 1, preferredBatchSizes: [8, 16, 32] } },
  ],
]) {
  mkdirSync(join(dir, name, '1'), { recursive: true });
  writeFileSync(join(dir, name, '1', 'model.onnx'), tinyModel());
  writeFileSync(join(dir, name, 'config.json'), JSON.stringify(config));
}

const bare = Fastify();
bare.post('/bare', async () => ({
  model_name: 'bare',
  outputs: [{ name: 'y', datatype: 'FP32', shape: [1], data: [1] }],
}));
await bare.listen({ host: '127.0.0.1', port: 0 });
const bareUrl = `http://127.0.0.1:${bare.server.address().port}/bare`;

const server = await ModelServer.create({ models: [dir], host: '127.0.0.1', port: 0, logLevel: false });
const url = await server.start();
const meta = await (await fetch(`${url}/v2/models/tiny`)).json();
console.log(
  `zai serve benchmark: ${seconds} s per run, tiny model on the ${meta.backend} backend, 127.0.0.1`,
);

try {
  for (const c of [1, 32]) {
    const floor = await measure(bareUrl, c, body);
    const zai = await measure(`${url}/v2/models/tiny/infer`, c, body);
    console.log(`\nconcurrency ${c}`);
    console.log(`  bare fastify   ${fmt(floor)}`);
    console.log(`  zai infer      ${fmt(zai)}`);
    console.log(`  ratio          ${(zai.rps / floor.rps).toFixed(2)}× the bare route's req/s`);
  }
  const plain = await measure(`${url}/v2/models/tiny/infer`, 32, body);
  const batched = await measure(`${url}/v2/models/tiny-batched/infer`, 32, body);
  const stats = await (await fetch(`${url}/v2/models/tiny-batched/stats`)).json();
  const s = stats.model_stats[0];
  console.log('\ndynamic batching, concurrency 32');
  console.log(`  off            ${fmt(plain)}`);
  console.log(`  on             ${fmt(batched)}`);
  console.log(
    `  gain           ${(batched.rps / plain.rps).toFixed(2)}× req/s; ${(s.inference_count / Math.max(1, s.execution_count)).toFixed(1)} requests per execution`,
  );
} finally {
  await server.close(1000);
  await bare.close();
  rmSync(dir, { recursive: true, force: true });
}
