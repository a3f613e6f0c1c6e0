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
}

export function infoReport(file: string, model: ModelIR): InfoReport {
  const s = summarizeModel(model);
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
  };
}

export function formatInfo(r: InfoReport): string {
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
  lines.push(`nodes      ${r.nodeCount}`);
  const ops = Object.entries(r.opTypes);
  const opWidth = Math.max(...ops.map(([o]) => o.length), 4);
  for (const [op, n] of ops) lines.push(`  ${pad(op, opWidth)}  ${String(n).padStart(5)}`);
  if (Object.keys(r.metadata).length) {
    lines.push('metadata');
    for (const [k, v] of Object.entries(r.metadata))
      lines.push(`  ${k}: ${v.length > 80 ? `${v.slice(0, 77)}...` : v}`);
  }
  return lines.join('\n');
}

export async function runInfo(file: string, options: { json?: boolean }): Promise<string> {
  const report = infoReport(file, await loadModel(file));
  return options.json ? JSON.stringify(report, null, 2) : formatInfo(report);
}
