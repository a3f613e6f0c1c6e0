import type { DataType, Shape, Value, ValueType } from '@zai/common';
import type { NodeIR } from '@zai/onnx-parser';
import type { Tensor } from '@zai/tensor-core';

/** A runtime value as kernels see it. `undefined` marks an omitted optional input or output. */
export type RuntimeValue = Value<Tensor>;
export type KernelInputs = readonly (RuntimeValue | undefined)[];
export type KernelOutputs = readonly (RuntimeValue | undefined)[];

/** What a kernel can ask of the run it is part of. */
export interface RunContext {
  /** A value visible from this graph: local, or from an enclosing graph (subgraph outer scope). */
  lookup(name: string): RuntimeValue | undefined;
  readonly signal: AbortSignal | undefined;
}

/** A compiled (sub)graph a control-flow kernel can run: If, Loop, Scan. */
export interface CompiledSubgraph {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(inputs: readonly (RuntimeValue | undefined)[], outer: RunContext): RuntimeValue[];
}

/**
 * A kernel: inputs in node order, outputs in node order. Kernels are plain
 * synchronous functions created once per node, so attribute parsing happens
 * at session creation, not per run.
 */
export type Kernel = (inputs: KernelInputs, run: RunContext) => KernelOutputs;

/** A view of a node: its attributes, opset and arity. */
export interface NodeView {
  readonly node: NodeIR;
  /** The opset version of the node's domain that the model imports. */
  readonly opset: number;
  /** A name for messages: the node's name, or op type and first output. */
  readonly label: string;
  has(name: string): boolean;
  int(name: string, fallback?: number): number;
  float(name: string, fallback?: number): number;
  string(name: string, fallback?: string): string;
  ints(name: string, fallback?: readonly number[]): number[];
  floats(name: string, fallback?: readonly number[]): number[];
  strings(name: string, fallback?: readonly string[]): string[];
  tensor(name: string): Tensor | undefined;
  tensors(name: string): Tensor[];
  /** True when input i is given (present and not the empty name). */
  hasInput(i: number): boolean;
  /** True when input i is an initializer (of this graph or an enclosing one): the same tensor on every run. */
  isConstantInput(i: number): boolean;
  hasOutput(i: number): boolean;
  readonly inputCount: number;
  readonly outputCount: number;
  /** Throws a ValidationError naming this node. */
  fail(message: string): never;
}

/** Creation-time view of a node, for building its kernel. */
export interface KernelContext extends NodeView {
  /** The compiled subgraph of a graph attribute. */
  graph(name: string): CompiledSubgraph;
}

/** What a shape function knows about a node's inputs, statically. */
export interface ShapeContext extends NodeView {
  /** The static type of input i; null when unknown, undefined when the input is omitted. */
  input(i: number): ValueType | null | undefined;
  /** Element type and shape of tensor input i, when known. */
  elemType(i: number): DataType | undefined;
  shape(i: number): Shape | undefined;
  /** The value of input i when it is known before running (an initializer, a Constant, folded shapes). */
  value(i: number): Tensor | undefined;
  /** A fresh symbolic dimension name, for sizes that depend on data. */
  unknownDim(): string;
}

/** Infers output types (element type and symbolic shape) from input types; null marks an unknown output. */
export type ShapeFn = (ctx: ShapeContext) => readonly (ValueType | null)[];

export interface OperatorDef {
  readonly opType: string;
  /** '' is the default ONNX domain. */
  readonly domain: string;
  /** Opset versions covered: '7+', '1-9', '13'. */
  readonly versions: string;
  create(ctx: KernelContext): Kernel;
  /** Static output types, for shape inference (`zai info`, memory planning). */
  readonly inferTypes?: ShapeFn;
}

/** Declares an operator; `domain` defaults to ai.onnx. */
export function defineOp(
  opType: string,
  versions: string,
  create: (ctx: KernelContext) => Kernel,
  domain = '',
  inferTypes?: ShapeFn,
): OperatorDef {
  return inferTypes ? { opType, domain, versions, create, inferTypes } : { opType, domain, versions, create };
}

/** The same operator definitions with a shape function attached. */
export function withShape(inferTypes: ShapeFn, ...defs: OperatorDef[]): OperatorDef[] {
  return defs.map((d) => ({ ...d, inferTypes }));
}
