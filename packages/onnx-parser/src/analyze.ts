import type { DataType } from '@zai/common';
import type { GraphIR, ModelIR, NodeIR } from './ir.js';

export interface ModelSummary {
  /** Nodes in the main graph and every subgraph. */
  readonly nodeCount: number;
  /** Node count per op type (`domain::Op` outside the default domain), most frequent first. */
  readonly opTypes: readonly { readonly opType: string; readonly count: number }[];
  /** Elements in all initializers. */
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
  for (const init of model.graph.initializers) {
    let n = 1;
    for (const d of init.dims) n *= d;
    parameterCount += n;
    weightBytes[init.type] = (weightBytes[init.type] ?? 0) + init.byteLength;
  }
  const opTypes = [...counts]
    .map(([opType, count]) => ({ opType, count }))
    .sort((a, b) => b.count - a.count || a.opType.localeCompare(b.opType));
  return { nodeCount, opTypes, parameterCount, weightBytes };
}
