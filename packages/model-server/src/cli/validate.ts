import { ValidationError } from '@zai/common';
import { defaultRegistry } from '@zai/inference-engine';
import { type GraphIR, loadModel, type ValidationFinding, validateModel } from '@zai/onnx-parser';

/** Nodes (in any subgraph) whose operator the native backend has no kernel for. */
function unsupportedNodes(
  graph: GraphIR,
  opsets: ReadonlyMap<string, number>,
  functions: ReadonlySet<string>,
  path: string,
): ValidationFinding[] {
  const out: ValidationFinding[] = [];
  for (const n of graph.nodes) {
    const opset = opsets.get(n.domain);
    if (
      opset !== undefined &&
      !defaultRegistry.resolve(n.domain, n.opType, opset) &&
      !functions.has(`${n.domain}::${n.opType}`)
    ) {
      out.push({
        severity: 'error',
        graph: path,
        node: n.name || `${n.opType}->${n.outputs[0] ?? '?'}`,
        message: `operator ${n.domain || 'ai.onnx'}::${n.opType} (opset ${opset}) has no native kernel`,
      });
    }
    for (const a of n.attributes) {
      if (a.type === 'graph')
        out.push(...unsupportedNodes(a.value, opsets, functions, `${path}/${a.value.name || a.name}`));
    }
  }
  return out;
}

/** `zai validate`: IR rules plus native operator coverage; throws (exit 1) when there are errors. */
export async function runValidate(file: string, options: { json?: boolean }): Promise<string> {
  const model = await loadModel(file);
  const opsets = new Map(model.opsetImports.map((o) => [o.domain, o.version]));
  const functions = new Set(model.functions.map((f) => `${f.domain}::${f.name}`));
  const findings = [
    ...validateModel(model),
    ...unsupportedNodes(model.graph, opsets, functions, model.graph.name || 'main'),
  ];
  const errors = findings.filter((f) => f.severity === 'error');
  if (options.json) {
    const text = JSON.stringify({ file, valid: errors.length === 0, findings }, null, 2);
    if (errors.length) throw new ValidationError(text);
    return text;
  }
  const lines = findings.map(
    (f) => `${f.severity}: ${f.node ? `node '${f.node}' ` : ''}[${f.graph}] ${f.message}`,
  );
  if (errors.length) {
    throw new ValidationError(`${file}: ${errors.length} error(s)\n${lines.join('\n')}`);
  }
  lines.push(`${file}: valid (${model.graph.nodes.length} nodes; every operator has a native kernel)`);
  return lines.join('\n');
}
