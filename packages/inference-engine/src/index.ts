export { Tensor } from '@zai/tensor-core';
export type {
  CompiledSubgraph,
  Kernel,
  KernelContext,
  KernelInputs,
  KernelOutputs,
  NodeView,
  OperatorDef,
  RunContext,
  RuntimeValue,
  ShapeContext,
  ShapeFn,
} from './kernel.js';
export { defineOp, withShape } from './kernel.js';
export { NativeSession } from './native/session.js';
export { loadOnnxruntime } from './onnxruntime/load.js';
export { type ProviderStatus, probeProvider } from './onnxruntime/providers.js';
export { type OnnxruntimeOptions, OnnxruntimeSession } from './onnxruntime/session.js';
export { BUILTIN_OPERATORS } from './ops/index.js';
export {
  eliminateDeadCode,
  foldConstants,
  GRAPH_PASSES,
  type GraphPass,
  optimizeGraph,
  type PassContext,
} from './optimizer/index.js';
export { OperatorRegistry, parseVersions } from './registry.js';
export { defaultRegistry, InferenceSession, type InferenceSessionOptions } from './session.js';
export { broadcastInputs, sameAsInput } from './shape/common.js';
export { type CostEstimate, estimateCost } from './shape/cost.js';
export { broadcastSymbolic, formatShape, tensorType } from './shape/dims.js';
export { type InferredValue, inferTypes, type TypeInference } from './shape/infer.js';
