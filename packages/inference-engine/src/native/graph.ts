import { AbortError, UnsupportedOperatorError, ValidationError, ZaiError } from '@zai/common';
import type { FunctionIR, GraphIR, NodeIR } from '@zai/onnx-parser';
import type { Tensor } from '@zai/tensor-core';
import type { CompiledSubgraph, Kernel, KernelInputs, RunContext, RuntimeValue } from '../kernel.js';
import type { OperatorRegistry } from '../registry.js';
import { NodeContext, nodeLabel } from './context.js';
import { inlineFunction } from './functions.js';

/** What compilation needs besides the graph. */
export interface CompileEnv {
  readonly registry: OperatorRegistry;
  /** Opset version per domain ('' = ai.onnx). */
  readonly opsets: ReadonlyMap<string, number>;
  /** Model-local functions by `domain::name`. */
  readonly functions: ReadonlyMap<string, FunctionIR>;
}

interface Step {
  readonly node: NodeIR;
  readonly label: string;
  readonly kernel: Kernel;
  /** Slot per input, -1 for an omitted optional input. */
  readonly inputs: Int32Array;
  /** Slot per output, -1 for an omitted output. */
  readonly outputs: Int32Array;
  /** Slots whose last reader is this step: freed right after it. */
  readonly frees: Int32Array;
}

/**
 * A graph compiled for execution: nodes in topological order, each with its
 * kernel and slot indices; values are freed after their last use.
 */
export class CompiledGraph implements CompiledSubgraph {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Names this graph reads from enclosing graphs. */
  readonly freeVariables: readonly string[];
  private readonly steps: Step[];
  private readonly slotCount: number;
  private readonly inputSlots: Int32Array;
  private readonly outputSlots: Int32Array;
  private readonly constants: [number, Tensor][];
  private readonly freeSlots: [number, string][];
  private readonly slotOf: ReadonlyMap<string, number>;

  /**
   * `outerConstants`: values of enclosing graphs that are initializers (not
   * overridable inputs), so kernels may cache what they derive from them.
   */
  constructor(
    graph: GraphIR,
    env: CompileEnv,
    outer: ReadonlySet<string>,
    outerConstants: ReadonlySet<string> = new Set(),
  ) {
    const nodes = expandNodes(graph.nodes, env);
    const slotOf = new Map<string, number>();
    const slot = (name: string): number => {
      let s = slotOf.get(name);
      if (s === undefined) {
        s = slotOf.size;
        slotOf.set(name, s);
      }
      return s;
    };

    const initNames = new Set(graph.initializers.map((i) => i.name));
    for (const s of graph.sparseInitializers) initNames.add(s.name);
    // inputs that are also initializers are overridable defaults (IR < 4)
    this.inputNames = graph.inputs.map((i) => i.name);
    this.outputNames = graph.outputs.map((o) => o.name);

    const defined = new Set<string>([...this.inputNames, ...initNames]);
    const producers = new Map<string, number>();
    nodes.forEach((n, i) => {
      for (const o of n.outputs) {
        if (o === '') continue;
        if (producers.has(o) || (defined.has(o) && !initNames.has(o))) {
          throw new ValidationError(
            `value '${o}' is produced more than once (again by node '${nodeLabel(n)}')`,
            nodeLabel(n),
          );
        }
        producers.set(o, i);
      }
    });
    const local = new Set<string>([...defined, ...producers.keys()]);
    const visible = new Set<string>([...outer, ...local]);
    const constants = new Set<string>([...outerConstants].filter((c) => !local.has(c)));
    for (const name of initNames) if (!this.inputNames.includes(name)) constants.add(name);

    // compile subgraphs first: their free variables are implicit inputs of their node
    const subgraphs = nodes.map((n) => {
      const m = new Map<string, CompiledGraph>();
      for (const a of n.attributes) {
        if (a.type === 'graph') m.set(a.name, new CompiledGraph(a.value, env, visible, constants));
      }
      return m;
    });
    const implicit = subgraphs.map((m) => {
      const names = new Set<string>();
      for (const g of m.values()) for (const v of g.freeVariables) names.add(v);
      return [...names];
    });

    const order = topologicalOrder(nodes, implicit, producers);
    const free = new Set<string>();
    for (const i of order) {
      const n = nodes[i]!;
      for (const name of [...n.inputs, ...implicit[i]!]) {
        if (name === '' || local.has(name)) continue;
        if (outer.has(name)) free.add(name);
        else {
          throw new ValidationError(
            `node '${nodeLabel(n)}' (${n.opType}) reads '${name}', which no node, graph input or initializer produces`,
            nodeLabel(n),
          );
        }
      }
    }
    for (const o of this.outputNames) {
      if (!local.has(o) && !outer.has(o)) throw new ValidationError(`graph output '${o}' is never produced`);
      if (!local.has(o)) free.add(o);
    }
    this.freeVariables = [...free];

    // last reader of every slot, so values die as early as possible
    const lastUse = new Map<string, number>();
    order.forEach((i, pos) => {
      for (const name of [...nodes[i]!.inputs, ...implicit[i]!]) if (name !== '') lastUse.set(name, pos);
    });
    const keep = new Set(this.outputNames);

    this.steps = order.map((i, pos) => {
      const n = nodes[i]!;
      const label = nodeLabel(n);
      const opset = env.opsets.get(n.domain);
      if (opset === undefined) {
        throw new ValidationError(
          `node '${label}' (${n.opType}) uses domain '${n.domain || 'ai.onnx'}', which the model does not import`,
          label,
        );
      }
      const def = env.registry.resolve(n.domain, n.opType, opset);
      if (!def) throw new UnsupportedOperatorError(n.opType, n.domain, opset, label);
      const subs = subgraphs[i]!;
      const ctx = new NodeContext(n, opset, (name) => subs.get(name)!, constants);
      const kernel = def.create(ctx);
      const frees: number[] = [];
      for (const name of new Set([...n.inputs, ...implicit[i]!])) {
        if (name !== '' && lastUse.get(name) === pos && !keep.has(name) && local.has(name))
          frees.push(slot(name));
      }
      for (const o of n.outputs) if (o !== '' && !lastUse.has(o) && !keep.has(o)) frees.push(slot(o));
      return {
        node: n,
        label,
        kernel,
        inputs: Int32Array.from(n.inputs, (x) => (x === '' ? -1 : slot(x))),
        outputs: Int32Array.from(n.outputs, (x) => (x === '' ? -1 : slot(x))),
        frees: Int32Array.from(frees),
      };
    });

    this.constants = graph.initializers.map((h) => [slot(h.name), h.loadSync()]);
    this.freeSlots = this.freeVariables.map((name) => [slot(name), name]);
    this.inputSlots = Int32Array.from(this.inputNames, slot);
    this.outputSlots = Int32Array.from(this.outputNames, slot);
    this.slotOf = slotOf;
    this.slotCount = slotOf.size;
  }

  /** Runs the graph; `inputs` follow `inputNames` (undefined leaves an initializer default in place). */
  run(inputs: readonly (RuntimeValue | undefined)[], outer?: RunContext): RuntimeValue[] {
    const slots = new Array<RuntimeValue | undefined>(this.slotCount);
    for (const [s, t] of this.constants) slots[s] = t;
    for (const [s, name] of this.freeSlots) slots[s] = outer?.lookup(name);
    for (let i = 0; i < this.inputSlots.length; i++) {
      const v = inputs[i];
      if (v !== undefined) slots[this.inputSlots[i]!] = v;
    }
    const slotOf = this.slotOf;
    const ctx: RunContext = {
      signal: outer?.signal,
      lookup: (name) => {
        const s = slotOf.get(name);
        const v = s === undefined ? undefined : slots[s];
        return v !== undefined ? v : outer?.lookup(name);
      },
    };
    const signal = outer?.signal;
    for (const step of this.steps) {
      if (signal?.aborted) throw new AbortError();
      const ins = new Array<RuntimeValue | undefined>(step.inputs.length);
      for (let k = 0; k < ins.length; k++) {
        const s = step.inputs[k]!;
        ins[k] = s < 0 ? undefined : slots[s];
      }
      let outs: ReturnType<Kernel>;
      try {
        outs = step.kernel(ins as KernelInputs, ctx);
      } catch (e) {
        throw annotate(e, step);
      }
      for (let k = 0; k < step.outputs.length; k++) {
        const s = step.outputs[k]!;
        if (s >= 0) slots[s] = outs[k];
      }
      for (let k = 0; k < step.frees.length; k++) slots[step.frees[k]!] = undefined;
    }
    return Array.from(this.outputSlots, (s, i) => {
      const v = slots[s];
      if (v === undefined)
        throw new ValidationError(`graph output '${this.outputNames[i]}' was not computed`);
      return v;
    });
  }
}

/** Prefixes a kernel error with the node it came from, keeping its class and code. */
function annotate(e: unknown, step: Step): Error {
  const prefix = `node '${step.label}' (${step.node.opType})`;
  if (e instanceof ZaiError) {
    if (!e.message.startsWith('node ')) e.message = `${prefix}: ${e.message}`;
    return e;
  }
  const err = new ZaiError('ZAI_EXECUTION', `${prefix}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  return err;
}

/** Replaces calls of model-local functions by their bodies (when no kernel claims the op). */
function expandNodes(nodes: readonly NodeIR[], env: CompileEnv): NodeIR[] {
  const out: NodeIR[] = [];
  let counter = 0;
  const visit = (n: NodeIR, depth: number): void => {
    const fn = env.functions.get(`${n.domain}::${n.opType}`);
    const opset = env.opsets.get(n.domain);
    const kernel = opset !== undefined && env.registry.resolve(n.domain, n.opType, opset);
    if (fn && !kernel) {
      if (depth > 32) throw new ValidationError(`function '${n.opType}' expands recursively`, nodeLabel(n));
      for (const inner of inlineFunction(n, fn, `${nodeLabel(n)}__${counter++}`)) visit(inner, depth + 1);
    } else out.push(n);
  };
  for (const n of nodes) visit(n, 0);
  return out;
}

/** Kahn's algorithm in original order where possible; throws on cycles. */
function topologicalOrder(
  nodes: readonly NodeIR[],
  implicit: readonly (readonly string[])[],
  producers: ReadonlyMap<string, number>,
): number[] {
  const indegree = new Int32Array(nodes.length);
  const consumers: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    const deps = new Set<number>();
    for (const name of [...n.inputs, ...implicit[i]!]) {
      const p = producers.get(name);
      if (p !== undefined && p !== i) deps.add(p);
    }
    indegree[i] = deps.size;
    for (const p of deps) consumers[p]!.push(i);
  });
  const order: number[] = [];
  // a min-heap would keep original order exactly; a simple queue over an already sorted graph does too
  const ready: number[] = [];
  for (let i = 0; i < nodes.length; i++) if (indegree[i] === 0) ready.push(i);
  for (let q = 0; q < ready.length; q++) {
    const i = ready[q]!;
    order.push(i);
    for (const c of consumers[i]!) if (--indegree[c]! === 0) ready.push(c);
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.find((_, i) => indegree[i]! > 0)!;
    throw new ValidationError(`the graph has a cycle through node '${nodeLabel(stuck)}'`, nodeLabel(stuck));
  }
  return order;
}
