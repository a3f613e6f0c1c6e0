import type { NodeIR, TensorHandle } from '@zai/onnx-parser';
import { tensorHandle } from '@zai/onnx-parser';
import { Tensor } from '@zai/tensor-core';
import type { CompiledSubgraph } from '../kernel.js';
import { NodeContext } from '../native/context.js';
import type { GraphPass } from './pass.js';

// Operators whose output differs between runs, or that exist to be fed at run time.
const NOT_FOLDABLE = new Set([
  'RandomUniform',
  'RandomNormal',
  'RandomUniformLike',
  'RandomNormalLike',
  'Multinomial',
  'Bernoulli',
  'Dropout',
]);

/** Folded values larger than this stay computed at run time, so folding never bloats a session. */
const MAX_FOLDED_ELEMENTS = 1 << 22;

const noSubgraphs = (): CompiledSubgraph => {
  throw new Error('no subgraphs while folding');
};

/**
 * Evaluates, once at session creation, every node whose inputs are all
 * constants (initializers, Constant nodes, earlier folds), replacing it by an
 * initializer holding its result.
 */
export const foldConstants: GraphPass = {
  name: 'foldConstants',
  level: 'basic',
  run(graph, ctx) {
    const graphInputs = new Set(graph.inputs.map((i) => i.name));
    const constants = new Map<string, Tensor>();
    for (const init of graph.initializers) {
      // an initializer that is also a graph input can be overridden by a feed: not a constant
      if (!graphInputs.has(init.name)) constants.set(init.name, init.loadSync());
    }
    const nodes: NodeIR[] = [];
    const added: TensorHandle[] = [];
    for (const n of graph.nodes) {
      const opset = ctx.opsets.get(n.domain);
      const def = opset === undefined ? undefined : ctx.registry.resolve(n.domain, n.opType, opset);
      const foldable =
        def !== undefined &&
        opset !== undefined &&
        !NOT_FOLDABLE.has(n.opType) &&
        n.outputs.length > 0 &&
        n.inputs.every((i) => i === '' || constants.has(i)) &&
        !n.attributes.some((a) => a.type === 'graph' || a.type === 'graphs');
      if (!foldable) {
        nodes.push(n);
        continue;
      }
      let outs: readonly unknown[];
      try {
        const kernel = def.create(new NodeContext(n, opset, noSubgraphs));
        outs = kernel(
          n.inputs.map((i) => (i === '' ? undefined : constants.get(i))),
          { lookup: () => undefined, signal: undefined },
        );
      } catch {
        // leave failures to run time, where they are reported with the feeds that caused them
        nodes.push(n);
        continue;
      }
      const tensors = n.outputs.map((_, k) => outs[k]);
      if (
        !tensors.every(
          (t, k) => n.outputs[k] === '' || (t instanceof Tensor && t.size <= MAX_FOLDED_ELEMENTS),
        )
      ) {
        nodes.push(n);
        continue;
      }
      n.outputs.forEach((name, k) => {
        if (name === '') return;
        const t = tensors[k] as Tensor;
        constants.set(name, t);
        added.push(tensorHandle(name, t));
      });
    }
    if (added.length === 0) return graph;
    return { ...graph, nodes, initializers: [...graph.initializers, ...added] };
  },
};
