import type { DataType } from './dtypes.js';

/** A dimension: a fixed size, a symbolic name (`batch`), or unknown (`null`). */
export type Dim = number | string | null;
export type Shape = readonly Dim[];

/** The static type of a value in a graph, as ONNX's TypeProto describes it. */
export type ValueType =
  | { readonly kind: 'tensor'; readonly elemType: DataType; readonly shape?: Shape }
  | { readonly kind: 'sparse_tensor'; readonly elemType: DataType; readonly shape?: Shape }
  | { readonly kind: 'sequence'; readonly elem: ValueType | null }
  | { readonly kind: 'map'; readonly keyType: DataType; readonly valueType: ValueType | null }
  | { readonly kind: 'optional'; readonly elem: ValueType | null };

/** A named input, output or intermediate value with its static type. */
export interface ValueMetadata {
  readonly name: string;
  readonly type: ValueType | null;
  readonly docString?: string;
}

/** The minimal tensor view every layer agrees on; tensor-core's `Tensor` implements it. */
export interface TensorLike {
  readonly type: DataType;
  readonly dims: readonly number[];
  readonly size: number;
  readonly data: unknown;
}

/** A runtime value: a tensor, a sequence, a map, or an absent optional (`null`). */
export type Value<T extends TensorLike = TensorLike> =
  | T
  | Value<T>[]
  | Map<string | number | bigint, T>
  | null;

/** Metadata of a loaded model. */
export interface ModelMetadata {
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly domain: string;
  readonly modelVersion: number;
  readonly docString: string;
  readonly graphName: string;
  readonly opsetImports: readonly OpsetImport[];
  readonly metadataProps: Readonly<Record<string, string>>;
}

export interface OpsetImport {
  /** '' (or 'ai.onnx') is the default ONNX domain. */
  readonly domain: string;
  readonly version: number;
}
