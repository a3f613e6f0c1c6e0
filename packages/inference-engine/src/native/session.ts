import {
  InvalidArgumentError,
  type ModelMetadata,
  type ModelSource,
  type RunOptions,
  type Session,
  type SessionOptions,
  ValidationError,
  type ValueMetadata,
} from '@zai/common';
import { type GraphIR, loadModel, type ModelIR, type TensorHandle, validateModel } from '@zai/onnx-parser';
import type { Tensor } from '@zai/tensor-core';
import type { RuntimeValue } from '../kernel.js';
import { optimizeGraph } from '../optimizer/index.js';
import type { OperatorRegistry } from '../registry.js';
import { CompiledGraph, type CompileEnv } from './graph.js';
import { checkFeed, unknownFeed } from './validate-feeds.js';

/** Awaits every tensor handle in a graph and its subgraphs, so compilation can decode them synchronously. */
async function loadTensors(graph: GraphIR): Promise<void> {
  const handles: TensorHandle[] = [...graph.initializers];
  for (const n of graph.nodes) {
    for (const a of n.attributes) {
      if (a.type === 'tensor') handles.push(a.value);
      else if (a.type === 'tensors') handles.push(...a.value);
      else if (a.type === 'graph') await loadTensors(a.value);
      else if (a.type === 'graphs') for (const g of a.value) await loadTensors(g);
    }
  }
  for (const h of handles) await h.load();
}

export function modelMetadataOf(model: ModelIR): ModelMetadata {
  return {
    irVersion: model.irVersion,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    domain: model.domain,
    modelVersion: model.modelVersion,
    docString: model.docString,
    graphName: model.graph.name,
    opsetImports: model.opsetImports,
    metadataProps: model.metadataProps,
  };
}

/** A session on this project's own kernels. */
export class NativeSession implements Session<Tensor> {
  readonly backend = 'native' as const;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly ValueMetadata[];
  readonly outputMetadata: readonly ValueMetadata[];
  readonly modelMetadata: ModelMetadata;
  private graph: CompiledGraph | undefined;
  private readonly inputIndex: ReadonlyMap<string, number>;
  private readonly required: ReadonlySet<string>;

  private constructor(model: ModelIR, graph: CompiledGraph) {
    const inits = new Set(model.graph.initializers.map((i) => i.name));
    const inputs = model.graph.inputs;
    this.inputMetadata = inputs.filter((i) => !inits.has(i.name)).map(({ name, type }) => ({ name, type }));
    this.outputMetadata = model.graph.outputs.map(({ name, type }) => ({ name, type }));
    this.inputNames = this.inputMetadata.map((m) => m.name);
    this.outputNames = this.outputMetadata.map((m) => m.name);
    this.modelMetadata = modelMetadataOf(model);
    this.graph = graph;
    this.inputIndex = new Map(inputs.map((i, k) => [i.name, k]));
    this.required = new Set(this.inputNames);
  }

  static async create(
    source: ModelSource | ModelIR,
    registry: OperatorRegistry,
    options: SessionOptions = {},
  ): Promise<NativeSession> {
    for (const ep of options.executionProviders ?? []) {
      const name = typeof ep === 'string' ? ep : ep.name;
      if (name !== 'cpu') {
        throw new InvalidArgumentError(
          `the native backend runs on the CPU only; execution provider '${name}' needs backend 'onnxruntime'`,
        );
      }
    }
    const model = typeof source === 'object' && 'graph' in source ? source : await loadModel(source);
    const errors = validateModel(model).filter((f) => f.severity === 'error');
    if (errors.length > 0) {
      const first = errors[0]!;
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more problems)` : '';
      const where = first.node ? `node '${first.node}' in graph '${first.graph}'` : `graph '${first.graph}'`;
      throw new ValidationError(`${where}: ${first.message}${more}`, first.node);
    }
    await loadTensors(model.graph);
    for (const f of model.functions)
      for (const n of f.nodes) for (const a of n.attributes) if (a.type === 'tensor') await a.value.load();
    const env: CompileEnv = {
      registry,
      opsets: new Map(model.opsetImports.map((o) => [o.domain, o.version])),
      functions: new Map(model.functions.map((f) => [`${f.domain}::${f.name}`, f])),
    };
    const graph = optimizeGraph(model.graph, env, options.graphOptimizationLevel ?? 'all');
    return new NativeSession(model, new CompiledGraph(graph, env, new Set()));
  }

  async run(
    feeds: Readonly<Record<string, RuntimeValue>>,
    options: RunOptions = {},
  ): Promise<Record<string, RuntimeValue>> {
    const graph = this.graph;
    if (!graph) throw new InvalidArgumentError('the session has been released');
    const inputs = new Array<RuntimeValue | undefined>(graph.inputNames.length);
    for (const [name, v] of Object.entries(feeds)) {
      const k = this.inputIndex.get(name);
      if (k === undefined) unknownFeed(name, this.inputNames);
      const meta = this.inputMetadata.find((m) => m.name === name);
      if (meta) checkFeed(meta, v);
      inputs[k] = v;
    }
    for (const name of this.required) {
      if (!(name in feeds))
        throw new InvalidArgumentError(`input '${name}' is missing (inputs: ${this.inputNames.join(', ')})`);
    }
    const fetches = options.fetches ?? this.outputNames;
    for (const f of fetches) {
      if (!this.outputNames.includes(f)) {
        throw new InvalidArgumentError(
          `'${f}' is not an output of this model (outputs: ${this.outputNames.join(', ')})`,
        );
      }
    }
    const values = graph.run(inputs, { signal: options.signal, lookup: () => undefined });
    const out: Record<string, RuntimeValue> = {};
    for (const f of fetches) out[f] = values[this.outputNames.indexOf(f)]!;
    return out;
  }

  async release(): Promise<void> {
    this.graph = undefined;
  }
}
