export { forEachNode, type ModelSummary, summarizeModel } from './analyze.js';
export { attributes, graph, model, node, tensorHandle, tensorInfo } from './build-ir.js';
export { decodeValue, type ValueProtoKind } from './data-proto.js';
export { encodeModel, encodeTensor } from './encode.js';
export { ExternalDataResolver } from './external-data.js';
export type {
  AttributeIR,
  AttributeType,
  AttributeValue,
  FunctionIR,
  GraphIR,
  ModelIR,
  NodeIR,
  SparseTensorIR,
  TensorHandle,
  TensorLocation,
  ValueInfoIR,
} from './ir.js';
export { type ByteStream, decodeModel, type LoadModelOptions, loadModel } from './load.js';
export {
  type AttributeSchema,
  checkNodeSchema,
  type OperatorSchema,
  operatorSchema,
  type SchemaFinding,
} from './schema/schema.js';
export { decodeTensor } from './tensor-proto.js';
export { type ValidationFinding, validateModel } from './validate.js';
export { WireReader, WireType } from './wire.js';
export { type WriteModelOptions, writeModel } from './write.js';
