export type {
  CompiledSubgraph,
  Kernel,
  KernelContext,
  KernelInputs,
  KernelOutputs,
  OperatorDef,
  RunContext,
  RuntimeValue,
} from './kernel.js';
export { defineOp } from './kernel.js';
export { NativeSession } from './native/session.js';
export { BUILTIN_OPERATORS } from './ops/index.js';
export { OperatorRegistry, parseVersions } from './registry.js';
export { InferenceSession, type InferenceSessionOptions, defaultRegistry } from './session.js';
export { Tensor } from '@zai/tensor-core';
