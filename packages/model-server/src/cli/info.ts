import { InvalidArgumentError, type ValueType } from '@zai/common';
import { defaultRegistry, estimateCost, inferTypes } from '@zai/inference-engine';
import { loadModel, type ModelIR, summarizeModel } from '@zai/onnx-parser';
import { describeType, formatBytes, formatCount } from './describe.js';

export interface InfoReport {
  readonly file: string;
  readonly irVersion: number;
  readonly producer: string;
  readonly graph: string;
  readonly opsets: Record<string, number>;
  readonly inputs: { name: string; type: string }[];
  readonly outputs: { name: string; type: string }[];
  readonly nodeCount: number;
  readonly opTypes: Record<string, number>;
  readonly parameterCount: number;
  readonly weightBytes: Record<string, number>;
  readonly metadata: Record<string, string>;
  /** Estimated cost for the input shapes (symbolic dims bound by --dim); null parts are unknown. */
  readonly cost: {
    macs: number;
    flops: number;
    unknownNodes: number;
    byOpType: Record<string, { macs: number; flops: number }>;
  };
  /** Every value of the main graph with its inferred type. */
  readonly values: { name: string; type: string; producer: string }[];
}

/** Replaces symbolic input dims by the sizes given with --dim name=size. */
function bindDims(model: ModelIR, dims: Readonly<Record<string, number>>): ModelIR {
  if (Object.keys(dims).length === 0) return model;
  const bind = (t: ValueType | null): ValueType | null =>
    t?.kind === 'tensor' && t.shape
      ? { ...t, shape: t.shape.map((d) => (typeof d === 'string' && d in dims ? dims[d]! : d)) }
      : t;
  return {
    ...model,
    graph: { ...model.graph, inputs: model.graph.inputs.map((i) => ({ ...i, type: bind(i.type) })) },
  };
}

export function parseDims(args: readonly string[] = []): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of args) {
    const m = /^([^=]+)=(\d+)$/.exec(a);
    if (!m) throw new InvalidArgumentError(`--dim '${a}' must look like name=size, e.g. batch=1`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

export function infoReport(
  file: string,
  model: ModelIR,
  dims: Readonly<Record<string, number>> = {},
): InfoReport {
  const s = summarizeModel(model);
  const bound = bindDims(model, dims);
  const inference = inferTypes(bound, defaultRegistry);
  const cost = estimateCost(bound, inference);
  const inits = new Set(model.graph.initializers.map((i) => i.name));
  return {
    file,
    irVersion: model.irVersion,
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    graph: model.graph.name,
    opsets: Object.fromEntries(model.opsetImports.map((o) => [o.domain || 'ai.onnx', o.version])),
    inputs: model.graph.inputs
      .filter((i) => !inits.has(i.name))
      .map((i) => ({ name: i.name, type: describeType(i.type) })),
    outputs: model.graph.outputs.map((o) => ({ name: o.name, type: describeType(o.type) })),
    nodeCount: s.nodeCount,
    opTypes: Object.fromEntries(s.opTypes.map((o) => [o.opType, o.count])),
    parameterCount: s.parameterCount,
    weightBytes: s.weightBytes as Record<string, number>,
    metadata: { ...model.metadataProps },
    cost: {
      macs: cost.macs,
      flops: cost.flops,
      unknownNodes: cost.unknownNodes,
      byOpType: { ...cost.byOpType },
    },
    values: inference.values.map((v) => ({ name: v.name, type: describeType(v.type), producer: v.producer })),
  };
}

export function formatInfo(r: InfoReport, options: { shapes?: boolean } = {}): string {
  const lines: string[] = [];
  const pad = (s: string, n: number) => s.padEnd(n);
  lines.push(`model      ${r.file}`);
  lines.push(`producer   ${r.producer || '(none)'}   ir_version ${r.irVersion}   graph '${r.graph}'`);
  lines.push(
    `opsets     ${Object.entries(r.opsets)
      .map(([d, v]) => `${d} ${v}`)
      .join(', ')}`,
  );
  const width = Math.max(4, ...r.inputs.map((i) => i.name.length), ...r.outputs.map((o) => o.name.length));
  lines.push('inputs');
  for (const i of r.inputs) lines.push(`  ${pad(i.name, width)}  ${i.type}`);
  lines.push('outputs');
  for (const o of r.outputs) lines.push(`  ${pad(o.name, width)}  ${o.type}`);
  const bytes = Object.values(r.weightBytes).reduce((a, b) => a + b, 0);
  const byType = Object.entries(r.weightBytes)
    .map(([t, b]) => `${t} ${formatBytes(b)}`)
    .join(', ');
  lines.push(
    `parameters ${formatCount(r.parameterCount)} (${r.parameterCount})   weights ${formatBytes(bytes)}${byType ? ` (${byType})` : ''}`,
  );
  const unknown = r.cost.unknownNodes
    ? ` (${r.cost.unknownNodes} nodes with symbolic shapes not counted; bind them with --dim)`
    : '';
  lines.push(`compute    ${formatCount(r.cost.macs)} MACs, ${formatCount(r.cost.flops)} FLOPs${unknown}`);
  lines.push(`nodes      ${r.nodeCount}`);
  const ops = Object.entries(r.opTypes);
  const opWidth = Math.max(...ops.map(([o]) => o.length), 4);
  for (const [op, n] of ops) lines.push(`  ${pad(op, opWidth)}  ${String(n).padStart(5)}`);
  if (options.shapes) {
    lines.push('values');
    const w = Math.max(...r.values.map((v) => v.name.length), 4);
    for (const v of r.values)
      lines.push(`  ${pad(v.name, w)}  ${pad(v.type, 28)}  ${v.producer ? `from ${v.producer}` : '(input)'}`);
  }
  if (Object.keys(r.metadata).length) {
    lines.push('metadata');
    for (const [k, v] of Object.entries(r.metadata))
      lines.push(`  ${k}: ${v.length > 80 ? `${v.slice(0, 77)}...` : v}`);
  }
  return lines.join('\n');
}

export async function runInfo(
  file: string,
  options: { json?: boolean; shapes?: boolean; dim?: string[] },
): Promise<string> {
  const report = infoReport(file, await loadModel(file), parseDims(options.dim));
  return options.json ? JSON.stringify(report, null, 2) : formatInfo(report, options);
}
