// Runs one conformance case per message, in a worker so a hung kernel can be killed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { compareValues } from './compare.mjs';

// `npm run conformance:dev` runs against the TypeScript sources through tsx, without a build.
if (process.env.ZAI_SOURCE === '1') (await import('tsx/esm/api')).register();
const { InferenceSession } = await import('@zai/inference-engine');
const { decodeValue, loadModel } = await import('@zai/onnx-parser');
const { numericView } = await import('./numeric.mjs');

function kindOf(info) {
  const k = info?.type?.kind;
  return k === 'sequence' || k === 'map' || k === 'optional' ? k : 'tensor';
}

async function runCase(dir) {
  const model = await loadModel(join(dir, 'model.onnx'));
  const inits = new Set(model.graph.initializers.map((i) => i.name));
  const inputs = model.graph.inputs.filter((i) => !inits.has(i.name));
  const outputs = model.graph.outputs;
  const session = await InferenceSession.create(model, { backend: 'native' });
  const sets = readdirSync(dir)
    .filter((d) => d.startsWith('test_data_set_'))
    .sort();
  for (const set of sets) {
    const files = readdirSync(join(dir, set));
    const feeds = {};
    for (const f of files) {
      const m = /^input_(\d+)\.pb$/.exec(f);
      if (!m) continue;
      const info = inputs[Number(m[1])];
      if (!info) throw new Error(`${set}/${f} has no matching graph input`);
      feeds[info.name] = decodeValue(readFileSync(join(dir, set, f)), kindOf(info));
    }
    const results = await session.run(feeds);
    for (const f of files) {
      const m = /^output_(\d+)\.pb$/.exec(f);
      if (!m) continue;
      const info = outputs[Number(m[1])];
      const expected = decodeValue(readFileSync(join(dir, set, f)), kindOf(info));
      const reason = compareValues(results[info.name], expected, numericView, `${set} '${info.name}'`);
      if (reason) return { ok: false, kind: 'mismatch', reason };
    }
  }
  await session.release();
  return { ok: true };
}

parentPort.on('message', async ({ name, dir }) => {
  let result;
  try {
    result = await runCase(dir);
  } catch (e) {
    const kind = e?.code === 'ZAI_UNSUPPORTED_OPERATOR' ? 'unsupported' : 'error';
    result = { ok: false, kind, reason: `${e?.code ?? e?.name ?? 'Error'}: ${e?.message ?? e}` };
  }
  parentPort.postMessage({ name, ...result });
});
