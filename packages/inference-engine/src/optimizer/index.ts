import type { GraphOptimizationLevel } from '@zai/common';
import type { GraphIR } from '@zai/onnx-parser';
import { eliminateDeadCode } from './eliminate-dead-code.js';
import { foldConstants } from './fold-constants.js';
import type { GraphPass, PassContext } from './pass.js';

export type { GraphPass, PassContext } from './pass.js';
export { eliminateDeadCode, foldConstants };

/** The passes in the order they run; each runs at its level and above. */
export const GRAPH_PASSES: readonly GraphPass[] = [foldConstants, eliminateDeadCode];

const RANK: Record<GraphOptimizationLevel, number> = { disabled: 0, basic: 1, extended: 2, all: 3 };

/** Runs the passes enabled at `level` over the main graph. */
export function optimizeGraph(
  graph: GraphIR,
  ctx: PassContext,
  level: GraphOptimizationLevel = 'all',
  passes: readonly GraphPass[] = GRAPH_PASSES,
): GraphIR {
  let g = graph;
  for (const p of passes) if (RANK[p.level] <= RANK[level]) g = p.run(g, ctx);
  return g;
}
