import { stat } from 'node:fs/promises';
import type { GraphOptimizationLevel } from '@zai/common';
import { InvalidArgumentError } from '@zai/common';
import { defaultRegistry, optimizeGraph } from '@zai/inference-engine';
import { type GraphIR, loadModel, writeModel } from '@zai/onnx-parser';

export interface OptimizeCommandOptions {
  readonly level?: string;
  readonly externalData?: boolean;
}

const LEVELS: readonly GraphOptimizationLevel[] = ['disabled', 'basic', 'extended', 'all'];

/** Decodes the main graph's tensors (external data too), which folding reads synchronously. */
async function loadGraphTensors(graph: GraphIR): Promise<void> {
  for (const t of graph.initializers) await t.load();
  for (const n of graph.nodes) for (const a of n.attributes) if (a.type === 'tensor') await a.value.load();
}

/** `zai optimize`: runs the graph passes of a level and writes the result as a new model. */
export async function runOptimize(
  input: string,
  output: string,
  options: OptimizeCommandOptions,
): Promise<string> {
  const level = (options.level ?? 'all') as GraphOptimizationLevel;
  if (!LEVELS.includes(level)) {
    throw new InvalidArgumentError(`--level must be one of ${LEVELS.join(', ')}, got '${options.level}'`);
  }
  const model = await loadModel(input);
  await loadGraphTensors(model.graph);
  const graph = optimizeGraph(
    model.graph,
    { registry: defaultRegistry, opsets: new Map(model.opsetImports.map((o) => [o.domain, o.version])) },
    level,
  );
  await writeModel(output, { ...model, graph }, options.externalData ? { externalData: {} } : {});
  const size = (await stat(output)).size;
  return [
    `${input}: ${model.graph.nodes.length} nodes, ${model.graph.initializers.length} initializers`,
    `${output}: ${graph.nodes.length} nodes, ${graph.initializers.length} initializers (level ${level}, ${size} bytes${options.externalData ? ' + external data' : ''})`,
  ].join('\n');
}
