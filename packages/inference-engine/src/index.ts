export { Tensor } from '@zai/tensor-core';
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
export { loadOnnxruntime } from './onnxruntime/load.js';
export { type ProviderStatus, probeProvider } from './onnxruntime/providers.js';
export { type OnnxruntimeOptions, OnnxruntimeSession } from './onnxruntime/session.js';
export { BUILTIN_OPERATORS } from './ops/index.js';
export { OperatorRegistry, parseVersions } from './registry.js';
export { defaultRegistry, InferenceSession, type InferenceSessionOptions } from './session.js';
export { type CostEstimate, estimateCost } from './shape/cost.js';
export { broadcastSymbolic, formatShape, tensorType } from './shape/dims.js';
export { type InferredValue, type TypeInference, inferTypes } from './shape/infer.js';
export { broadcastInputs, sameAsInput } from './shape/common.js';
export type { NodeView, ShapeContext, ShapeFn } from './kernel.js';
export { withShape } from './kernel.js';
