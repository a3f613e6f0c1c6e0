import type { GraphIR, ModelIR, NodeIR } from './ir.js';
import { checkNodeSchema } from './schema/schema.js';

export interface ValidationFinding {
  readonly severity: 'error' | 'warning';
  /** The node's name (or `OpType->firstOutput`), when the finding is about a node. */
  readonly node?: string;
  /** Path of subgraphs from the main graph, e.g. `main/loop_body`. */
  readonly graph: string;
  readonly message: string;
}

function label(n: NodeIR): string {
  return n.name || `${n.opType}->${n.outputs[0] ?? '?'}`;
}

/**
 * Checks of the ONNX IR rules: opset
 * imports cover every node's domain, each value has one producer, every input
 * is produced (in the graph, by an initializer or graph input, or by an
 * enclosing graph for subgraphs), nodes appear after their producers, and graph
 * inputs/outputs are named and produced; and each node agrees with the ONNX
 * docs' definition of its operator version (attribute types, required
 * attributes, input/output counts). Every finding names the node.
 */
export function validateModel(model: ModelIR): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  const domains = new Map(model.opsetImports.map((o) => [o.domain, o.version]));
  if (!domains.has('')) {
    const usesDefault = model.graph.nodes.some((n) => n.domain === '');
    if (usesDefault)
      findings.push({
        severity: 'error',
        graph: model.graph.name || 'main',
        message: 'the model does not import the default ONNX opset',
      });
  }
  const functions = new Set(model.functions.map((f) => `${f.domain}::${f.name}`));
  validateGraph(model.graph, new Set(), model.graph.name || 'main', domains, functions, findings);
  for (const f of model.functions) {
    const fdomains = new Map([...domains, ...f.opsetImports.map((o) => [o.domain, o.version] as const)]);
    const body: GraphIR = {
      name: `function ${f.name}`,
      nodes: f.nodes,
      initializers: [],
      sparseInitializers: [],
      inputs: f.inputs.map((name) => ({ name, type: null, docString: '' })),
      outputs: f.outputs.map((name) => ({ name, type: null, docString: '' })),
      valueInfo: [],
      docString: '',
    };
    validateGraph(body, new Set(), body.name, fdomains, functions, findings);
  }
  return findings;
}

function validateGraph(
  g: GraphIR,
  outer: ReadonlySet<string>,
  path: string,
  domains: ReadonlyMap<string, number>,
  functions: ReadonlySet<string>,
  out: ValidationFinding[],
): void {
  const add = (message: string, node?: NodeIR, severity: 'error' | 'warning' = 'error') =>
    out.push({ severity, graph: path, message, ...(node ? { node: label(node) } : {}) });

  const available = new Set<string>();
  const producedBy = new Map<string, string>();
  for (const i of g.inputs) {
    if (!i.name) add('a graph input has an empty name');
    available.add(i.name);
  }
  for (const t of g.initializers) available.add(t.name);
  for (const t of g.sparseInitializers) available.add(t.name);
  const allOutputs = new Set<string>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) allOutputs.add(o);

  for (const n of g.nodes) {
    if (!n.opType) add('node has no op type', n);
    const opset = domains.get(n.domain) ?? (n.domain === 'ai.onnx' ? domains.get('') : undefined);
    if (opset !== undefined && !functions.has(`${n.domain}::${n.opType}`)) {
      for (const f of checkNodeSchema(n, opset)) add(f.message, n, f.severity);
    }
    if (!domains.has(n.domain) && !functions.has(`${n.domain}::${n.opType}`)) {
      add(
        `operator ${n.domain || 'ai.onnx'}::${n.opType} uses domain '${n.domain || 'ai.onnx'}', which the model does not import`,
        n,
      );
    }
    n.inputs.forEach((name, k) => {
      if (name === '' || available.has(name) || outer.has(name)) return;
      if (allOutputs.has(name))
        add(
          `input ${k} '${name}' is used before the node that produces it (nodes are not in topological order)`,
          n,
          'warning',
        );
      else add(`input ${k} '${name}' is not produced by any node, graph input or initializer`, n);
    });
    for (const a of n.attributes) {
      const visible = new Set([...outer, ...available, ...allOutputs]);
      if (a.type === 'graph')
        validateGraph(a.value, visible, `${path}/${a.value.name || a.name}`, domains, functions, out);
      else if (a.type === 'graphs') {
        a.value.forEach((sub, i) => {
          validateGraph(sub, visible, `${path}/${sub.name || `${a.name}[${i}]`}`, domains, functions, out);
        });
      }
    }
    for (const o of n.outputs) {
      if (!o) continue;
      const prev = producedBy.get(o);
      if (prev !== undefined) add(`output '${o}' is also produced by node '${prev}'`, n);
      else if (g.inputs.some((i) => i.name === o)) add(`output '${o}' has the name of a graph input`, n);
      producedBy.set(o, label(n));
      available.add(o);
    }
  }
  for (const o of g.outputs) {
    if (!o.name) add('a graph output has an empty name');
    else if (!available.has(o.name) && !outer.has(o.name)) add(`graph output '${o.name}' is never produced`);
  }
}
