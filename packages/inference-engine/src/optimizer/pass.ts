import type { GraphIR } from '@zai/onnx-parser';
import type { OperatorRegistry } from '../registry.js';

/** What a pass may consult; passes never know about each other. */
export interface PassContext {
  readonly registry: OperatorRegistry;
  readonly opsets: ReadonlyMap<string, number>;
}

/** A graph rewrite: returns the same graph when it changes nothing. */
export interface GraphPass {
  readonly name: string;
  /** The lowest optimization level that runs this pass. */
  readonly level: 'basic' | 'extended' | 'all';
  run(graph: GraphIR, ctx: PassContext): GraphIR;
}
