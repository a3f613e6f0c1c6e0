import type { DataType } from '@zai/common';
import type { GraphIR, ModelIR, NodeIR, TensorHandle } from './ir.js';

export interface ModelSummary {
  /** Nodes in the main graph and every subgraph. */
  readonly nodeCount: number;
  /** Node count per op type (`domain::Op` outside the default domain), most frequent first. */
  readonly opTypes: readonly { readonly opType: string; readonly count: number }[];
  /** Elements in all initializers and non-scalar Constant nodes. */
  readonly parameterCount: number;
  /** Initializer bytes per element type. */
  readonly weightBytes: Readonly<Partial<Record<DataType, number>>>;
}

/** Walks every node, including those in subgraphs. */
export function forEachNode(g: GraphIR, visit: (n: NodeIR, depth: number) => void, depth = 0): void {
  for (const n of g.nodes) {
    visit(n, depth);
    for (const a of n.attributes) {
      if (a.type === 'graph') forEachNode(a.value, visit, depth + 1);
      else if (a.type === 'graphs') for (const sub of a.value) forEachNode(sub, visit, depth + 1);
    }
  }
}

/** Counts nodes, op types and parameters without loading any weight. */
export function summarizeModel(model: ModelIR): ModelSummary {
  const counts = new Map<string, number>();
  let nodeCount = 0;
  forEachNode(model.graph, (n) => {
    nodeCount++;
    const key = n.domain ? `${n.domain}::${n.opType}` : n.opType;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  let parameterCount = 0;
  const weightBytes: Partial<Record<DataType, number>> = {};
  const count = (t: TensorHandle): void => {
    let n = 1;
    for (const d of t.dims) n *= d;
    parameterCount += n;
    weightBytes[t.type] = (weightBytes[t.type] ?? 0) + t.byteLength;
  };
  model.graph.initializers.forEach(count);
  // exporters such as paddle2onnx store weights in Constant nodes instead of initializers
  forEachNode(model.graph, (n) => {
    if (n.opType !== 'Constant' || n.domain !== '') return;
    for (const a of n.attributes) if (a.type === 'tensor' && a.value.dims.length > 0) count(a.value);
  });
  const opTypes = [...counts]
    .map(([opType, count]) => ({ opType, count }))
    .sort((a, b) => b.count - a.count || a.opType.localeCompare(b.opType));
  return { nodeCount, opTypes, parameterCount, weightBytes };
}
