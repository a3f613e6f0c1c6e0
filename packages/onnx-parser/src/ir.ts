import type { DataType, OpsetImport, Shape, ValueType } from '@zai/common';
import type { Tensor } from '@zai/tensor-core';

/** Where a tensor's bytes live when they are not decoded yet. */
export type TensorLocation =
  | { readonly kind: 'embedded' }
  | {
      readonly kind: 'external';
      readonly path: string;
      readonly offset: number;
      readonly length: number | undefined;
      readonly checksum?: string;
    };

/**
 * An initializer: its name, type and dims are known at once; its bytes are
 * loaded on demand (`await init.load()`), so weights stay where they are
 * until a session needs them.
 */
export interface TensorHandle {
  readonly name: string;
  readonly type: DataType;
  readonly dims: readonly number[];
  readonly location: TensorLocation;
  /** Payload size in bytes as stored (0 when unknown until loaded). */
  readonly byteLength: number;
  load(): Promise<Tensor>;
  /** Synchronous decode; throws for external data that has not been loaded yet. */
  loadSync(): Tensor;
}

export type AttributeValue =
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'string'; readonly value: Uint8Array }
  | { readonly type: 'tensor'; readonly value: TensorHandle }
  | { readonly type: 'graph'; readonly value: GraphIR }
  | { readonly type: 'sparse_tensor'; readonly value: SparseTensorIR }
  | { readonly type: 'type_proto'; readonly value: ValueType | null }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'strings'; readonly value: readonly Uint8Array[] }
  | { readonly type: 'tensors'; readonly value: readonly TensorHandle[] }
  | { readonly type: 'graphs'; readonly value: readonly GraphIR[] }
  | { readonly type: 'sparse_tensors'; readonly value: readonly SparseTensorIR[] }
  | { readonly type: 'type_protos'; readonly value: readonly (ValueType | null)[] };

export type AttributeType = AttributeValue['type'];

export type AttributeIR = AttributeValue & {
  readonly name: string;
  /** Set inside function bodies: the attribute takes the caller's attribute of this name. */
  readonly refAttrName?: string;
  readonly docString?: string;
};

export interface SparseTensorIR {
  readonly values: TensorHandle;
  readonly indices: TensorHandle;
  readonly dims: readonly number[];
}

export interface NodeIR {
  readonly name: string;
  readonly opType: string;
  /** '' for the default ONNX domain ('ai.onnx' is normalised to ''). */
  readonly domain: string;
  readonly overload: string;
  /** Input names; '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly AttributeIR[];
  readonly docString: string;
}

export interface ValueInfoIR {
  readonly name: string;
  readonly type: ValueType | null;
  readonly docString: string;
}

export interface GraphIR {
  readonly name: string;
  readonly nodes: readonly NodeIR[];
  readonly initializers: readonly TensorHandle[];
  readonly sparseInitializers: readonly (SparseTensorIR & { readonly name: string })[];
  readonly inputs: readonly ValueInfoIR[];
  readonly outputs: readonly ValueInfoIR[];
  readonly valueInfo: readonly ValueInfoIR[];
  readonly docString: string;
}

export interface FunctionIR {
  readonly name: string;
  readonly domain: string;
  readonly overload: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Attribute names without defaults. */
  readonly attributes: readonly string[];
  /** Attributes with default values. */
  readonly attributeDefaults: readonly AttributeIR[];
  readonly nodes: readonly NodeIR[];
  readonly opsetImports: readonly OpsetImport[];
  readonly valueInfo: readonly ValueInfoIR[];
  readonly docString: string;
}

export interface ModelIR {
  readonly irVersion: number;
  readonly opsetImports: readonly OpsetImport[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly domain: string;
  readonly modelVersion: number;
  readonly docString: string;
  readonly graph: GraphIR;
  readonly functions: readonly FunctionIR[];
  readonly metadataProps: Readonly<Record<string, string>>;
}

export type { Shape, ValueType };
