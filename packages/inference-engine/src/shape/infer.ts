import type { DataType, Dim, Shape, ValueType } from '@zai/common';
import type { GraphIR, ModelIR, NodeIR } from '@zai/onnx-parser';
import { Tensor } from '@zai/tensor-core';
import type { CompiledSubgraph, ShapeContext } from '../kernel.js';
import { NodeContext, nodeLabel } from '../native/context.js';
import type { OperatorRegistry } from '../registry.js';

/** Static knowledge about one value. */
export interface InferredValue {
  readonly name: string;
  readonly type: ValueType | null;
  /** The node that produces it ('' for graph inputs and initializers). */
  readonly producer: string;
}

export interface TypeInference {
  /** Every value of the main graph, in production order. */
  readonly values: readonly InferredValue[];
  readonly byName: ReadonlyMap<string, ValueType | null>;
  /** Nodes whose outputs stayed unknown, and why. */
  readonly notes: readonly string[];
}

const noSubgraphs = (): CompiledSubgraph => {
  throw new Error('subgraphs are not compiled during shape inference');
};

/** A NodeContext that also answers questions about input types and static values. */
class InferenceContext extends NodeContext implements ShapeContext {
  constructor(
    node: NodeIR,
    opset: number,
    private readonly types: ReadonlyMap<string, ValueType | null>,
    private readonly constants: ReadonlyMap<string, Tensor>,
    private readonly fresh: () => string,
  ) {
    super(node, opset, noSubgraphs);
  }
  input(i: number): ValueType | null | undefined {
    const name = this.node.inputs[i];
    if (name === undefined || name === '') return undefined;
    return this.types.get(name) ?? null;
  }
  elemType(i: number): DataType | undefined {
    const t = this.input(i);
    return t && (t.kind === 'tensor' || t.kind === 'sparse_tensor') ? t.elemType : undefined;
  }
  shape(i: number): Shape | undefined {
    const t = this.input(i);
    return t && t.kind === 'tensor' ? t.shape : undefined;
  }
  value(i: number): Tensor | undefined {
    const name = this.node.inputs[i];
    return name ? this.constants.get(name) : undefined;
  }
  unknownDim(): string {
    return this.fresh();
  }
}

const SMALL = 1024;

function concreteShape(t: ValueType | null | undefined): number[] | undefined {
  if (t?.kind !== 'tensor' || !t.shape) return undefined;
  return t.shape.every((d): d is number => typeof d === 'number' && d >= 0)
    ? (t.shape as number[])
    : undefined;
}

/** Prefers inferred dims, filling unknown ones from the declaration. */
function merge(inferred: ValueType | null, declared: ValueType | null | undefined): ValueType | null {
  if (!inferred) return declared ?? null;
  if (!declared || inferred.kind !== 'tensor' || declared.kind !== 'tensor' || !declared.shape)
    return inferred;
  if (!inferred.shape) return { ...inferred, shape: declared.shape };
  if (inferred.shape.length !== declared.shape.length) return inferred;
  const shape: Dim[] = inferred.shape.map((d, i) => (typeof d === 'number' ? d : (declared.shape![i] ?? d)));
  return { ...inferred, shape };
}

/**
 * Static type and shape inference over the main graph, with symbolic
 * dimensions carried through. Small constant values (shape arithmetic:
 * Shape → Gather → Concat → Reshape) are folded by running the kernels
 * themselves, so data-dependent shapes resolve where ONNX's own inference
 * would resolve them.
 */
export function inferTypes(model: ModelIR, registry: OperatorRegistry): TypeInference {
  const g: GraphIR = model.graph;
  const opsets = new Map(model.opsetImports.map((o) => [o.domain, o.version]));
  const types = new Map<string, ValueType | null>();
  const constants = new Map<string, Tensor>();
  const declared = new Map<string, ValueType | null>();
  for (const v of [...g.valueInfo, ...g.outputs]) declared.set(v.name, v.type);
  const values: InferredValue[] = [];
  const notes: string[] = [];
  let counter = 0;
  const fresh = () => `unk__${counter++}`;

  for (const i of g.inputs) {
    types.set(i.name, i.type);
    values.push({ name: i.name, type: i.type, producer: '' });
  }
  for (const init of g.initializers) {
    const type: ValueType = { kind: 'tensor', elemType: init.type, shape: init.dims };
    if (!types.has(init.name)) values.push({ name: init.name, type, producer: '' });
    types.set(init.name, type);
    const n = init.dims.reduce((a, b) => a * b, 1);
    if (n <= SMALL && init.location.kind === 'embedded') constants.set(init.name, init.loadSync());
  }

  for (const node of g.nodes) {
    const label = nodeLabel(node);
    const opset = opsets.get(node.domain);
    const def = opset === undefined ? undefined : registry.resolve(node.domain, node.opType, opset);
    let outs: readonly (ValueType | null)[] = [];
    if (def?.inferTypes && opset !== undefined) {
      try {
        outs = def.inferTypes(new InferenceContext(node, opset, types, constants, fresh));
      } catch (e) {
        notes.push(`${label} (${node.opType}): ${(e as Error).message}`);
      }
    } else if (!def) notes.push(`${label} (${node.opType}): no kernel`);
    // fold small constant computations: every input known, kernel available, no subgraph
    const foldable =
      def &&
      opset !== undefined &&
      node.inputs.every((n) => n === '' || constants.has(n)) &&
      !node.attributes.some((a) => a.type === 'graph' || a.type === 'graphs');
    let folded: (Tensor | undefined)[] = [];
    if (foldable) {
      try {
        const kernel = def.create(new NodeContext(node, opset, noSubgraphs));
        const res = kernel(
          node.inputs.map((n) => (n === '' ? undefined : constants.get(n))),
          { lookup: () => undefined, signal: undefined },
        );
        folded = res.map((v) => (v instanceof Tensor && v.size <= SMALL ? v : undefined));
      } catch {
        folded = [];
      }
    } else if (node.opType === 'Shape' && node.domain === '' && node.attributes.length === 0) {
      const dims = concreteShape(types.get(node.inputs[0] ?? ''));
      if (dims) folded = [new Tensor('int64', BigInt64Array.from(dims, BigInt), [dims.length])];
    }
    node.outputs.forEach((name, k) => {
      if (!name) return;
      const f = folded[k];
      let t = merge(outs[k] ?? null, declared.get(name));
      if (f) {
        constants.set(name, f);
        t = { kind: 'tensor', elemType: f.type, shape: f.dims };
      }
      types.set(name, t);
      values.push({ name, type: t, producer: label });
    });
  }
  return { values, byName: types, notes };
}
