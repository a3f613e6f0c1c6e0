import type { GraphIR } from '@zai/onnx-parser';
import type { GraphPass } from './pass.js';

/** Subgraph attributes read outer values by name; count those as uses too. */
function namesReadBy(g: GraphIR, into: Set<string>): void {
  for (const n of g.nodes) {
    for (const i of n.inputs) into.add(i);
    for (const a of n.attributes) {
      if (a.type === 'graph') namesReadBy(a.value, into);
      else if (a.type === 'graphs') for (const sub of a.value) namesReadBy(sub, into);
    }
  }
  for (const o of g.outputs) into.add(o.name);
}

/** Removes nodes none of whose outputs reach a graph output, and initializers nothing reads. */
export const eliminateDeadCode: GraphPass = {
  name: 'eliminateDeadCode',
  level: 'basic',
  run(graph) {
    const needed = new Set(graph.outputs.map((o) => o.name));
    const keep = new Array<boolean>(graph.nodes.length).fill(false);
    for (let i = graph.nodes.length - 1; i >= 0; i--) {
      const n = graph.nodes[i]!;
      if (!n.outputs.some((o) => o !== '' && needed.has(o))) continue;
      keep[i] = true;
      const reads = new Set<string>();
      namesReadBy({ ...graph, nodes: [n], outputs: [] }, reads);
      for (const r of reads) needed.add(r);
    }
    const nodes = graph.nodes.filter((_, i) => keep[i]);
    const initializers = graph.initializers.filter(
      (t) => needed.has(t.name) || graph.inputs.some((i) => i.name === t.name),
    );
    if (nodes.length === graph.nodes.length && initializers.length === graph.initializers.length)
      return graph;
    return { ...graph, nodes, initializers };
  },
};
