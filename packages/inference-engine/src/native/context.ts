import { ValidationError } from '@zai/common';
import type { AttributeIR, NodeIR } from '@zai/onnx-parser';
import type { Tensor } from '@zai/tensor-core';
import type { CompiledSubgraph, KernelContext } from '../kernel.js';

const utf8 = new TextDecoder();

export function nodeLabel(node: NodeIR): string {
  return node.name || `${node.opType}->${node.outputs[0] ?? '?'}`;
}

/** KernelContext over one node; `compile` turns graph attributes into runnable subgraphs. */
export class NodeContext implements KernelContext {
  readonly node: NodeIR;
  readonly opset: number;
  readonly label: string;
  private readonly attrs: Map<string, AttributeIR>;
  private readonly compile: (name: string) => CompiledSubgraph;
  private readonly constantNames: ReadonlySet<string>;

  constructor(
    node: NodeIR,
    opset: number,
    compile: (name: string) => CompiledSubgraph,
    constants: ReadonlySet<string> = new Set(),
  ) {
    this.node = node;
    this.opset = opset;
    this.label = nodeLabel(node);
    this.attrs = new Map(node.attributes.map((a) => [a.name, a]));
    this.compile = compile;
    this.constantNames = constants;
  }

  isConstantInput(i: number): boolean {
    const name = this.node.inputs[i];
    return name !== undefined && name !== '' && this.constantNames.has(name);
  }

  get inputCount(): number {
    return this.node.inputs.length;
  }

  get outputCount(): number {
    return this.node.outputs.length;
  }

  hasInput(i: number): boolean {
    return i < this.node.inputs.length && this.node.inputs[i] !== '';
  }

  hasOutput(i: number): boolean {
    return i < this.node.outputs.length && this.node.outputs[i] !== '';
  }

  has(name: string): boolean {
    return this.attrs.has(name);
  }

  fail(message: string): never {
    throw new ValidationError(`node '${this.label}' (${this.node.opType}): ${message}`, this.label);
  }

  private get<T extends AttributeIR['type']>(
    name: string,
    types: T[],
  ): Extract<AttributeIR, { type: T }> | undefined {
    const a = this.attrs.get(name);
    if (!a) return undefined;
    if (!types.includes(a.type as T))
      this.fail(`attribute '${name}' is ${a.type}, expected ${types.join(' or ')}`);
    return a as Extract<AttributeIR, { type: T }>;
  }

  private missing(name: string): never {
    return this.fail(`required attribute '${name}' is missing`);
  }

  int(name: string, fallback?: number): number {
    const a = this.get(name, ['int']);
    if (a) return a.value;
    return fallback ?? this.missing(name);
  }

  float(name: string, fallback?: number): number {
    const a = this.get(name, ['float', 'int']);
    if (a) return a.value;
    return fallback ?? this.missing(name);
  }

  string(name: string, fallback?: string): string {
    const a = this.get(name, ['string']);
    if (a) return utf8.decode(a.value);
    return fallback ?? this.missing(name);
  }

  ints(name: string, fallback?: readonly number[]): number[] {
    const a = this.get(name, ['ints', 'int']);
    if (a) return a.type === 'int' ? [a.value] : a.value.slice();
    return fallback ? fallback.slice() : this.missing(name);
  }

  floats(name: string, fallback?: readonly number[]): number[] {
    const a = this.get(name, ['floats', 'float']);
    if (a) return a.type === 'float' ? [a.value] : a.value.slice();
    return fallback ? fallback.slice() : this.missing(name);
  }

  strings(name: string, fallback?: readonly string[]): string[] {
    const a = this.get(name, ['strings', 'string']);
    if (a) return a.type === 'string' ? [utf8.decode(a.value)] : a.value.map((s) => utf8.decode(s));
    return fallback ? fallback.slice() : this.missing(name);
  }

  tensor(name: string): Tensor | undefined {
    return this.get(name, ['tensor'])?.value.loadSync();
  }

  tensors(name: string): Tensor[] {
    return this.get(name, ['tensors'])?.value.map((t) => t.loadSync()) ?? [];
  }

  graph(name: string): CompiledSubgraph {
    if (!this.get(name, ['graph'])) this.missing(name);
    return this.compile(name);
  }
}
