import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataType, Servable, ValueMetadata } from '@zai/common';
import { encodeModel, graph, model, node, tensorInfo } from '@zai/onnx-parser';
import { Tensor } from '@zai/tensor-core';
import { ModelServer, type ModelServerOptions } from '../../src/index.js';

/** V2 datatype → zai element type, every one the protocol has. */
export const V2_TYPES: Record<string, DataType> = {
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP16: 'float16',
  FP32: 'float32',
  FP64: 'float64',
  BF16: 'bfloat16',
  BYTES: 'string',
};

export function writeOnnx(file: string, bytes: Uint8Array): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, bytes);
}

/** y = relu(a + [1, -1, 0.5]) over float32 [batch, 3]; runs on the native backend (Add, Relu). */
export function addReluModel(bias = [1, -1, 0.5]): Uint8Array {
  const g = graph({
    name: 'add_relu',
    nodes: [node('Add', ['a', 'bias'], ['s'], {}, 'add'), node('Relu', ['s'], ['y'], {}, 'relu')],
    inputs: [tensorInfo('a', 'float32', ['batch', 3])],
    outputs: [tensorInfo('y', 'float32', ['batch', 3])],
    initializers: { bias: new Tensor('float32', Float32Array.from(bias), [3]) },
  });
  return encodeModel(model(g, [{ domain: '', version: 14 }]));
}

/** Identity for every type onnxruntime-node carries: in_<V2> → out_<V2>, each [-1] (bf16 excepted). */
export function identityTypesModel(): Uint8Array {
  const types = Object.entries(V2_TYPES).filter(([v2]) => v2 !== 'BF16');
  const g = graph({
    name: 'types',
    nodes: types.map(([v2]) => node('Identity', [`in_${v2}`], [`out_${v2}`])),
    inputs: types.map(([v2, t]) => tensorInfo(`in_${v2}`, t, ['n'])),
    outputs: types.map(([v2, t]) => tensorInfo(`out_${v2}`, t, ['n'])),
  });
  return encodeModel(model(g, [{ domain: '', version: 19 }]));
}

/** A chain of `steps` 384×384 matmuls: long enough (hundreds of ms) to show the event loop stays free. */
export function slowModel(steps = 24, n = 384): Uint8Array {
  const w = new Float32Array(n * n).fill(1 / n);
  const nodes = Array.from({ length: steps }, (_, i) =>
    node('MatMul', [i === 0 ? 'x' : `h${i}`, 'w'], [i === steps - 1 ? 'y' : `h${i + 1}`]),
  );
  const g = graph({
    name: 'slow',
    nodes,
    inputs: [tensorInfo('x', 'float32', [n, n])],
    outputs: [tensorInfo('y', 'float32', [n, n])],
    initializers: { w: new Tensor('float32', w, [n, n]) },
  });
  return encodeModel(model(g, [{ domain: '', version: 17 }]));
}

/** An in-process servable echoing every V2 datatype: in_<V2> → out_<V2>. */
export function echoServable(name = 'echo'): Servable<Tensor> {
  const meta = (prefix: string): ValueMetadata[] =>
    Object.entries(V2_TYPES).map(([v2, t]) => ({
      name: `${prefix}_${v2}`,
      type: { kind: 'tensor', elemType: t, shape: [null] },
    }));
  return {
    name,
    inputs: meta('in'),
    outputs: meta('out'),
    async infer(feeds) {
      const out: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(feeds)) out[k.replace(/^in_/, 'out_')] = v as Tensor;
      return out;
    },
    async close() {},
  };
}

export function tempDir(prefix = 'zai-serve-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A repository with `add` (native, batching), `types` (onnxruntime identity) models. */
export function makeRepository(): string {
  const repo = tempDir();
  writeOnnx(join(repo, 'add', '1', 'model.onnx'), addReluModel());
  writeFileSync(
    join(repo, 'add', 'config.json'),
    JSON.stringify({ backend: 'native', maxBatchSize: 16, dynamicBatching: { maxQueueDelayMs: 40 } }),
  );
  writeOnnx(join(repo, 'types', '1', 'model.onnx'), identityTypesModel());
  writeFileSync(join(repo, 'types', 'config.json'), JSON.stringify({ backend: 'onnxruntime' }));
  return repo;
}

export async function startServer(options: ModelServerOptions): Promise<ModelServer> {
  const server = await ModelServer.create({ host: '127.0.0.1', port: 0, logLevel: false, ...options });
  await server.start();
  return server;
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** POSTs a V2 JSON infer request and returns status and parsed body. */
export async function infer(
  base: string,
  modelPath: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const r = await postJson(`${base}/v2/models/${modelPath}/infer`, body);
  return { status: r.status, json: (await r.json()) as Record<string, unknown>, headers: r.headers };
}

export function fp32(name: string, shape: number[], data: number[]) {
  return { name, shape, datatype: 'FP32', data };
}

/** A float32 [batch, 1] servable whose runs wait until `open()`; counts its runs. */
export function gatedServable(name: string): Servable<Tensor> & { open(): void; runs: number } {
  let release: () => void = () => undefined;
  let gate = new Promise<void>((r) => {
    release = r;
  });
  const s = {
    name,
    runs: 0,
    inputs: [
      { name: 'x', type: { kind: 'tensor', elemType: 'float32', shape: ['batch', 1] } },
    ] as ValueMetadata[],
    outputs: [
      { name: 'y', type: { kind: 'tensor', elemType: 'float32', shape: ['batch', 1] } },
    ] as ValueMetadata[],
    async infer(feeds: Record<string, unknown>) {
      s.runs++;
      await gate;
      return { y: feeds.x as Tensor };
    },
    async close() {},
    open() {
      release();
      gate = Promise.resolve();
    },
  };
  return s;
}
