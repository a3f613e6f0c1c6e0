#!/usr/bin/env node
// Checks static shape inference against the suite: for every case, the graph
// inputs get the concrete types of test_data_set_0's inputs, `inferTypes` runs,
// and each graph output's inferred shape is compared with the expected output.
// A wrong shape is a failure (exit 1); an unknown one is counted, by op type.
//
//   node conformance/shapes.mjs [--filter re] [--verbose]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

if (process.env.ZAI_SOURCE === '1') (await import('tsx/esm/api')).register();
const { defaultRegistry, inferTypes } = await import('@zai/inference-engine');
const { decodeValue, loadModel } = await import('@zai/onnx-parser');

const args = process.argv.slice(2);
const at = args.indexOf('--filter');
const filter = at >= 0 ? new RegExp(args[at + 1]) : undefined;
const verbose = args.includes('--verbose');
const root = resolve(
  process.env.ZAI_CONFORMANCE_DIR ?? join(import.meta.dirname, '../../shared/onnx-backend-tests/node'),
);

const isTensor = (v) => v && typeof v === 'object' && 'dims' in v && 'type' in v;
let checked = 0;
let right = 0;
const wrong = [];
const unknownBy = new Map();
for (const name of readdirSync(root).sort()) {
  if (filter && !filter.test(name)) continue;
  const dir = join(root, name);
  const set = join(dir, 'test_data_set_0');
  if (!existsSync(set)) continue;
  let model;
  try {
    model = await loadModel(join(dir, 'model.onnx'));
  } catch {
    continue;
  }
  const inits = new Set(model.graph.initializers.map((i) => i.name));
  const inputs = model.graph.inputs.filter((i) => !inits.has(i.name));
  const concrete = new Map();
  const expected = new Map();
  let ok = true;
  for (const f of readdirSync(set)) {
    const m = /^(input|output)_(\d+)\.pb$/.exec(f);
    if (!m) continue;
    const info = (m[1] === 'input' ? inputs : model.graph.outputs)[Number(m[2])];
    const kind = info?.type?.kind;
    if (!info || (kind && kind !== 'tensor')) {
      ok = false;
      break;
    }
    const v = decodeValue(readFileSync(join(set, f)));
    if (!isTensor(v)) {
      ok = false;
      break;
    }
    (m[1] === 'input' ? concrete : expected).set(info.name, v);
  }
  if (!ok) continue;
  const graph = {
    ...model.graph,
    inputs: model.graph.inputs.map((i) => {
      const t = concrete.get(i.name);
      return t ? { ...i, type: { kind: 'tensor', elemType: t.type, shape: t.dims } } : i;
    }),
    // declared output shapes must not leak into the answer
    outputs: model.graph.outputs.map((o) => ({ ...o, type: null })),
    valueInfo: [],
  };
  let inference;
  try {
    inference = inferTypes({ ...model, graph }, defaultRegistry);
  } catch (e) {
    wrong.push(`${name}: inference threw ${e.message}`);
    continue;
  }
  const producerOp = new Map(model.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n.opType])));
  for (const [out, want] of expected) {
    checked++;
    const got = inference.byName.get(out);
    const shape = got?.kind === 'tensor' ? got.shape : undefined;
    const known = shape?.every((d) => typeof d === 'number');
    if (!known) {
      const op = producerOp.get(out) ?? '(input)';
      unknownBy.set(op, (unknownBy.get(op) ?? 0) + 1);
      continue;
    }
    const typeOk = got.elemType === want.type;
    if (typeOk && shape.length === want.dims.length && shape.every((d, i) => d === want.dims[i])) right++;
    else
      wrong.push(
        `${name} '${out}': inferred ${got.elemType}[${shape.join(',')}], expected ${want.type}[${want.dims.join(',')}]`,
      );
  }
}
for (const w of wrong) console.log(`WRONG ${w}`);
const unknown = [...unknownBy].sort((a, b) => b[1] - a[1]);
if (verbose) for (const [op, n] of unknown) console.log(`unknown ${op}: ${n}`);
console.log(
  `shape inference: ${right}/${checked} outputs right, ${wrong.length} wrong, ${checked - right - wrong.length} unknown` +
    (unknown.length
      ? ` (most unknown from ${unknown
          .slice(0, 8)
          .map(([op, n]) => `${op} ${n}`)
          .join(', ')})`
      : ''),
);
process.exit(wrong.length > 0 ? 1 : 0);
