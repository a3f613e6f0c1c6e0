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

/** The case's test data sets: feeds by input name and expected values by output name. */
async function readCase(dir) {
  const model = await loadModel(join(dir, 'model.onnx'));
  const inits = new Set(model.graph.initializers.map((i) => i.name));
  const inputs = model.graph.inputs.filter((i) => !inits.has(i.name));
  const outputs = model.graph.outputs;
  const sets = [];
  for (const set of readdirSync(dir)
    .filter((d) => d.startsWith('test_data_set_'))
    .sort()) {
    const feeds = {};
    const expected = {};
    for (const f of readdirSync(join(dir, set))) {
      const m = /^(input|output)_(\d+)\.pb$/.exec(f);
      if (!m) continue;
      const info = (m[1] === 'input' ? inputs : outputs)[Number(m[2])];
      if (!info) throw new Error(`${set}/${f} has no matching graph ${m[1]}`);
      (m[1] === 'input' ? feeds : expected)[info.name] = decodeValue(
        readFileSync(join(dir, set, f)),
        kindOf(info),
      );
    }
    sets.push({ set, feeds, expected });
  }
  return { model, sets };
}

/** Runs every data set on one backend; the first mismatch with the expected outputs fails the case. */
async function runOn(backend, model, sets) {
  const session = await InferenceSession.create(model, { backend });
  try {
    const produced = [];
    for (const { set, feeds, expected } of sets) {
      const results = await session.run(feeds);
      for (const [name, want] of Object.entries(expected)) {
        const reason = compareValues(results[name], want, numericView, `${set} '${name}'`);
        if (reason) return { ok: false, kind: 'mismatch', reason };
      }
      produced.push(results);
    }
    return { ok: true, produced };
  } finally {
    await session.release();
  }
}

function failure(e) {
  const kind = e?.code === 'ZAI_UNSUPPORTED_OPERATOR' ? 'unsupported' : 'error';
  return { ok: false, kind, reason: `${e?.code ?? e?.name ?? 'Error'}: ${e?.message ?? e}` };
}

/**
 * mode 'native' | 'onnxruntime': pass/fail against the expected outputs.
 * mode 'parity': where both backends pass, their outputs must agree with each
 * other within the same tolerance (onnxruntime's output taken as the reference).
 */
async function runCase(dir, mode) {
  const { model, sets } = await readCase(dir);
  if (mode !== 'parity') {
    const r = await runOn(mode, model, sets);
    return r.ok ? { ok: true } : r;
  }
  const native = await runOn('native', model, sets).catch(failure);
  const ort = await runOn('onnxruntime', model, sets).catch(failure);
  if (!native.ok || !ort.ok) return { ok: true, compared: false, native: native.ok, onnxruntime: ort.ok };
  for (let i = 0; i < sets.length; i++) {
    for (const name of Object.keys(sets[i].expected)) {
      const reason = compareValues(
        native.produced[i][name],
        ort.produced[i][name],
        numericView,
        `${sets[i].set} '${name}'`,
      );
      if (reason) return { ok: false, kind: 'disagree', reason: `native vs onnxruntime: ${reason}` };
    }
  }
  return { ok: true, compared: true, native: true, onnxruntime: true };
}

parentPort.on('message', async ({ name, dir, mode }) => {
  let result;
  try {
    result = await runCase(dir, mode);
  } catch (e) {
    result = failure(e);
  }
  parentPort.postMessage({ name, ...result });
});
