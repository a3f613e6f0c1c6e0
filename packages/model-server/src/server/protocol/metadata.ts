import { ONNX_ELEMENT_TYPE_NAME } from '@zai/common';
import type { ServedModel } from '../runtime/served-model.js';
import { tritonConfigType, v2DatatypeOf } from './datatypes.js';
import type { TensorSpec } from './infer-request.js';

export interface TensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

/** Triton-style platform names: what runs the model. */
export function platformOf(backend: string): string {
  if (backend === 'onnxruntime') return 'onnxruntime_onnx';
  if (backend === 'native') return 'zai_native_onnx';
  return 'zai_servable';
}

const dims = (s: TensorSpec): number[] =>
  (s.shape ?? []).map((d) => (typeof d === 'number' && d >= 0 ? d : -1));

function tensorMetadata(s: TensorSpec): TensorMetadata {
  const datatype = s.dtype ? (v2DatatypeOf(s.dtype) ?? ONNX_ELEMENT_TYPE_NAME[s.dtype]) : 'BYTES';
  return { name: s.name, datatype, shape: dims(s) };
}

/** `GET /v2/models/{m}[/versions/{v}]`: -1 marks a variable dimension. */
export function modelMetadata(model: ServedModel, versions: readonly string[]) {
  return {
    name: model.name,
    versions,
    platform: platformOf(model.backend),
    backend: model.backend,
    inputs: model.inputs.map(tensorMetadata),
    outputs: model.outputs.map(tensorMetadata),
  };
}

/** `GET /v2/models/{m}/config`, in Triton's model-configuration shape (batch dimension left out when batching). */
export function modelConfiguration(model: ServedModel) {
  const c = model.config;
  const batched = c.maxBatchSize > 0;
  const io = (s: TensorSpec) => ({
    name: s.name,
    data_type: s.dtype ? tritonConfigType(s.dtype) : 'TYPE_INVALID',
    dims: batched ? dims(s).slice(1) : dims(s),
  });
  const policy = c.versionPolicy;
  return {
    name: model.name,
    platform: platformOf(model.backend),
    backend: model.backend,
    execution_providers: model.executor.info.executionProviders,
    max_batch_size: c.maxBatchSize,
    version_policy:
      'latest' in policy
        ? { latest: { num_versions: policy.latest } }
        : 'all' in policy
          ? { all: {} }
          : { specific: { versions: policy.specific } },
    input: model.inputs.map(io),
    output: model.outputs.map(io),
    ...(batched && c.dynamicBatching
      ? {
          dynamic_batching: {
            preferred_batch_size: c.dynamicBatching.preferredBatchSizes,
            max_queue_delay_microseconds: Math.round(c.dynamicBatching.maxQueueDelayMs * 1000),
            default_queue_policy: {
              max_queue_size: c.maxQueueSize,
              default_timeout_microseconds: Math.round(c.requestTimeoutMs * 1000),
            },
          },
        }
      : {}),
    instance_group: [{ name: model.name, kind: 'KIND_CPU', count: model.executor.slots }],
  };
}
