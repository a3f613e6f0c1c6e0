import type { Tensor } from '@zai/tensor-core';
import { binaryOf } from './binary.js';
import { v2DatatypeOf } from './datatypes.js';
import type { RequestedOutput } from './infer-request.js';
import { jsonDataOf } from './json-data.js';

export interface EncodedResponse {
  readonly body: Buffer;
  /** Set when binary outputs follow the JSON header: the header's byte length. */
  readonly headerLength: number | undefined;
}

/**
 * Encodes the V2 response. JSON is written by hand so int64 values keep every
 * digit; binary outputs follow the JSON header in the order they are listed.
 */
export function encodeInferResponse(
  modelName: string,
  modelVersion: string,
  id: string | undefined,
  requested: readonly RequestedOutput[],
  results: Readonly<Record<string, Tensor>>,
): EncodedResponse {
  const blobs: Uint8Array[] = [];
  const parts = requested.map(({ name, binary }) => {
    const t = results[name]!;
    const head = `{"name":${JSON.stringify(name)},"datatype":"${v2DatatypeOf(t.type)}","shape":${JSON.stringify(t.dims)}`;
    if (!binary) return `${head},"data":${jsonDataOf(t)}}`;
    const bytes = binaryOf(t);
    blobs.push(bytes);
    return `${head},"parameters":{"binary_data_size":${bytes.byteLength}}}`;
  });
  const idPart = id === undefined ? '' : `,"id":${JSON.stringify(id)}`;
  const json = `{"model_name":${JSON.stringify(modelName)},"model_version":${JSON.stringify(modelVersion)}${idPart},"outputs":[${parts.join(',')}]}`;
  const header = Buffer.from(json, 'utf8');
  if (blobs.length === 0) return { body: header, headerLength: undefined };
  return { body: Buffer.concat([header, ...blobs]), headerLength: header.byteLength };
}
