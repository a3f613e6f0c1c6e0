import type { DataType, Dim } from '@zai/common';
import type { Tensor } from '@zai/tensor-core';
import { BadRequestError } from '../errors.js';
import { tensorFromBinary } from './binary.js';
import { isV2Datatype, type V2Datatype, v2DatatypeOf } from './datatypes.js';
import { flattenData, tensorFromJsonData } from './json-data.js';

/** A model input or output as the server checks requests against it. */
export interface TensorSpec {
  readonly name: string;
  /** undefined when the model does not declare it (then anything goes). */
  readonly dtype: DataType | undefined;
  readonly shape: readonly Dim[] | undefined;
}

export interface RequestedOutput {
  readonly name: string;
  readonly binary: boolean;
}

/** A decoded, checked inference request. */
export interface InferRequest {
  readonly id: string | undefined;
  readonly feeds: Record<string, Tensor>;
  /** The outputs to return, in order, and whether each goes back as binary data. */
  readonly outputs: readonly RequestedOutput[];
  /** Whether the request listed its outputs (else all are returned). */
  readonly outputsListed: boolean;
  /** Request-level parameters, passed through untouched (apart from the binary flag). */
  readonly parameters: Readonly<Record<string, unknown>>;
}

interface ParsedBody {
  header: Record<string, unknown>;
  binary: Uint8Array;
}

const jsonDecoder = new TextDecoder('utf-8', { fatal: true });

/** Splits a body into its JSON header and binary part (`Inference-Header-Content-Length`). */
export function splitBody(body: Uint8Array, headerLength: string | undefined): ParsedBody {
  let jsonEnd = body.byteLength;
  if (headerLength !== undefined) {
    const n = Number(headerLength);
    if (!Number.isInteger(n) || n < 0 || n > body.byteLength) {
      throw new BadRequestError(
        `Inference-Header-Content-Length is ${JSON.stringify(headerLength)} but the body has ${body.byteLength} bytes`,
      );
    }
    jsonEnd = n;
  }
  return { header: parseJsonObject(body.subarray(0, jsonEnd)), binary: body.subarray(jsonEnd) };
}

/** Parses a JSON object body; an empty body is `{}`. */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> {
  if (bytes.byteLength === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(jsonDecoder.decode(bytes));
  } catch (e) {
    throw new BadRequestError(`the request body is not valid JSON: ${(e as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new BadRequestError('the request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function asObject(v: unknown, label: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new BadRequestError(`${label} must be a JSON object`);
  return v as Record<string, unknown>;
}

function fmt(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)).join(',')}]`;
}

/** Decodes and checks a V2 inference request against the model's inputs and outputs. */
export function decodeInferRequest(
  body: Uint8Array,
  headerLength: string | undefined,
  inputs: readonly TensorSpec[],
  outputs: readonly TensorSpec[],
): InferRequest {
  const { header, binary } = splitBody(body, headerLength);
  const id = header.id;
  if (id !== undefined && typeof id !== 'string') throw new BadRequestError('"id" must be a string');
  const parameters = asObject(header.parameters, '"parameters"');
  if (!Array.isArray(header.inputs)) throw new BadRequestError('the request needs an "inputs" array');
  const feeds: Record<string, Tensor> = {};
  let offset = 0;
  for (const [i, raw] of header.inputs.entries()) {
    const entry = asObject(raw, `inputs[${i}]`);
    const name = entry.name;
    if (typeof name !== 'string') throw new BadRequestError(`inputs[${i}] needs a "name" string`);
    const label = `input '${name}'`;
    const spec = inputs.find((s) => s.name === name);
    if (!spec) {
      throw new BadRequestError(
        `unknown input '${name}' (the model's inputs are: ${inputs.map((s) => s.name).join(', ') || 'none'})`,
      );
    }
    if (name in feeds) throw new BadRequestError(`${label} is given twice`);
    const datatype = checkDatatype(entry.datatype, spec, label);
    const dims = checkShape(entry.shape, spec, label);
    const params = asObject(entry.parameters, `${label} "parameters"`);
    if (params.shared_memory_region !== undefined) {
      throw new BadRequestError(
        `${label}: the shared-memory extension is not supported; send the data inline`,
      );
    }
    const size = params.binary_data_size;
    if (size !== undefined) {
      if (!Number.isInteger(size) || (size as number) < 0) {
        throw new BadRequestError(`${label}: "binary_data_size" must be a non-negative integer`);
      }
      if (entry.data !== undefined)
        throw new BadRequestError(`${label} has both "data" and "binary_data_size"`);
      const end = offset + (size as number);
      if (end > binary.byteLength) {
        throw new BadRequestError(
          `${label}: binary_data_size ${size} runs past the end of the binary data (${binary.byteLength - offset} bytes left)`,
        );
      }
      feeds[name] = tensorFromBinary(datatype, binary.subarray(offset, end), dims, label);
      offset = end;
    } else {
      if (entry.data === undefined)
        throw new BadRequestError(`${label} has no "data" (and no "binary_data_size")`);
      const values = flattenData(entry.data, label);
      const count = dims.reduce((a, b) => a * b, 1);
      if (values.length !== count) {
        throw new BadRequestError(
          `${label}: ${values.length} values do not match shape [${dims.join(',')}] (${count} elements)`,
        );
      }
      feeds[name] = tensorFromJsonData(datatype, values, dims, label);
    }
  }
  if (offset !== binary.byteLength) {
    throw new BadRequestError(
      `the body has ${binary.byteLength - offset} bytes of binary data that no input's binary_data_size accounts for`,
    );
  }
  const missing = inputs.filter((s) => !(s.name in feeds)).map((s) => s.name);
  if (missing.length)
    throw new BadRequestError(`missing input${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  return {
    id,
    feeds,
    outputs: requestedOutputs(header.outputs, parameters, outputs),
    outputsListed: header.outputs !== undefined,
    parameters,
  };
}

function checkDatatype(v: unknown, spec: TensorSpec, label: string): V2Datatype {
  if (!isV2Datatype(v)) {
    throw new BadRequestError(
      `${label}: "datatype" ${JSON.stringify(v)} is not a V2 datatype (BOOL, UINT8…UINT64, INT8…INT64, FP16, FP32, FP64, BF16, BYTES)`,
    );
  }
  const want = spec.dtype && v2DatatypeOf(spec.dtype);
  if (spec.dtype && v2DatatypeOf(spec.dtype) !== v) {
    throw new BadRequestError(`${label}: datatype ${v} does not match the model's ${want ?? spec.dtype}`);
  }
  return v;
}

function checkShape(v: unknown, spec: TensorSpec, label: string): number[] {
  if (!Array.isArray(v) || !v.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new BadRequestError(`${label}: "shape" must be an array of non-negative integers`);
  }
  const dims = v as number[];
  const declared = spec.shape;
  if (declared) {
    const ok =
      declared.length === dims.length &&
      declared.every((d, i) => typeof d !== 'number' || d < 0 || d === dims[i]);
    if (!ok) {
      throw new BadRequestError(
        `${label}: shape [${dims.join(',')}] does not match the model's ${fmt(declared)}`,
      );
    }
  }
  return dims;
}

function requestedOutputs(
  raw: unknown,
  parameters: Record<string, unknown>,
  outputs: readonly TensorSpec[],
): RequestedOutput[] {
  const binaryDefault = parameters.binary_data_output === true;
  if (raw === undefined) return outputs.map((o) => ({ name: o.name, binary: binaryDefault }));
  if (!Array.isArray(raw)) throw new BadRequestError('"outputs" must be an array');
  return raw.map((r, i) => {
    const entry = asObject(r, `outputs[${i}]`);
    const name = entry.name;
    if (typeof name !== 'string') throw new BadRequestError(`outputs[${i}] needs a "name" string`);
    if (!outputs.some((o) => o.name === name)) {
      throw new BadRequestError(
        `unknown output '${name}' (the model's outputs are: ${outputs.map((o) => o.name).join(', ')})`,
      );
    }
    const params = asObject(entry.parameters, `output '${name}' "parameters"`);
    if (params.classification !== undefined) {
      throw new BadRequestError(`output '${name}': the classification extension is not supported`);
    }
    if (params.shared_memory_region !== undefined) {
      throw new BadRequestError(`output '${name}': the shared-memory extension is not supported`);
    }
    const binary = typeof params.binary_data === 'boolean' ? params.binary_data : binaryDefault;
    return { name, binary };
  });
}
