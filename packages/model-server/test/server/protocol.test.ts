import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelServer } from '../../src/index.js';
import { echoServable, fp32, infer, makeRepository, postJson, startServer } from './helpers.js';

let server: ModelServer;
let base: string;

beforeAll(async () => {
  server = await startServer({ models: [makeRepository()], servables: [echoServable()] });
  base = server.url;
}, 60_000);

afterAll(async () => {
  await server?.close();
});

async function get(
  path: string,
): Promise<{ status: number; json: Record<string, unknown>; type: string | null }> {
  const r = await fetch(`${base}${path}`);
  return {
    status: r.status,
    json: (await r.json()) as Record<string, unknown>,
    type: r.headers.get('content-type'),
  };
}

describe('health and server metadata', () => {
  it('answers live and ready', async () => {
    expect(await get('/v2/health/live')).toMatchObject({ status: 200, json: { live: true } });
    expect(await get('/v2/health/ready')).toMatchObject({ status: 200, json: { ready: true } });
  });

  it('describes the server and its extensions', async () => {
    const { json } = await get('/v2');
    expect(json.name).toBe('zai');
    expect(json.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(json.extensions).toEqual(
      expect.arrayContaining(['binary_tensor_data', 'model_repository', 'statistics']),
    );
  });
});

describe('model metadata, readiness and config', () => {
  it('gives metadata with -1 for variable dims and the backend in use', async () => {
    const { status, json } = await get('/v2/models/add');
    expect(status).toBe(200);
    expect(json).toMatchObject({
      name: 'add',
      versions: ['1'],
      platform: 'zai_native_onnx',
      backend: 'native',
      inputs: [{ name: 'a', datatype: 'FP32', shape: [-1, 3] }],
      outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 3] }],
    });
    const types = await get('/v2/models/types/versions/1');
    expect(types.json).toMatchObject({ platform: 'onnxruntime_onnx', backend: 'onnxruntime' });
    expect((types.json.inputs as unknown[]).length).toBe(13);
  });

  it('answers model readiness per model and version', async () => {
    expect(await get('/v2/models/add/ready')).toMatchObject({
      status: 200,
      json: { name: 'add', ready: true },
    });
    expect((await get('/v2/models/add/versions/1/ready')).status).toBe(200);
    expect((await get('/v2/models/add/versions/7/ready')).status).toBe(404);
    expect((await get('/v2/models/missing/ready')).status).toBe(404);
  });

  it("returns the config in Triton's shape", async () => {
    const { json } = await get('/v2/models/add/config');
    expect(json).toMatchObject({
      name: 'add',
      max_batch_size: 16,
      input: [{ name: 'a', data_type: 'TYPE_FP32', dims: [3] }],
      dynamic_batching: { max_queue_delay_microseconds: 40_000 },
      instance_group: [{ count: 1, kind: 'KIND_CPU' }],
    });
  });
});

describe('inference over JSON', () => {
  it('runs, echoes the id, and accepts nested data', async () => {
    const flat = await infer(base, 'add', { id: 'req-1', inputs: [fp32('a', [2, 3], [1, 2, 3, -4, 0, 0])] });
    expect(flat.status).toBe(200);
    expect(flat.json).toEqual({
      model_name: 'add',
      model_version: '1',
      id: 'req-1',
      outputs: [{ name: 'y', datatype: 'FP32', shape: [2, 3], data: [2, 1, 3.5, 0, 0, 0.5] }],
    });
    const nested = await infer(base, 'add/versions/1', {
      inputs: [
        {
          name: 'a',
          shape: [2, 3],
          datatype: 'FP32',
          data: [
            [1, 2, 3],
            [-4, 0, 0],
          ],
        },
      ],
    });
    expect((nested.json.outputs as { data: number[] }[])[0]!.data).toEqual([2, 1, 3.5, 0, 0, 0.5]);
  });

  const VALUES: Record<string, unknown[]> = {
    BOOL: [true, false, true],
    UINT8: [0, 255, 7],
    UINT16: [0, 65535, 7],
    UINT32: [0, 4294967295, 7],
    UINT64: [0, 9007199254740991, 7],
    INT8: [-128, 127, 0],
    INT16: [-32768, 32767, 0],
    INT32: [-2147483648, 2147483647, 0],
    INT64: [-9007199254740991, 9007199254740991, 0],
    FP16: [1.5, -2, 65504],
    FP32: [0.5, -1.25, 3],
    FP64: [0.1, -1e300, 3],
    BF16: [1.5, -2, 256],
    BYTES: ['hello', '', 'ünïcödé'],
  };
  const jsonText = (v: unknown): string => JSON.stringify(v);
  const requestText = (types: string[]) =>
    `{"inputs":[${types
      .map(
        (t) =>
          `{"name":"in_${t}","shape":[3],"datatype":"${t}","data":[${VALUES[t]!.map(jsonText).join(',')}]}`,
      )
      .join(',')}]}`;

  for (const model of ['echo', 'types']) {
    it(`carries every datatype through JSON (${model})`, async () => {
      const types = Object.keys(VALUES).filter((t) => model === 'echo' || t !== 'BF16');
      const r = await fetch(`${base}/v2/models/${model}/infer`, {
        method: 'POST',
        body: requestText(types),
      });
      expect(r.status).toBe(200);
      const text = await r.text();
      for (const t of types) {
        const expected = `"name":"out_${t}","datatype":"${t}","shape":[3],"data":[${VALUES[t]!.map(jsonText).join(',')}]`;
        expect(text).toContain(expected);
      }
    });
  }
});

describe('outputs and 64-bit integers', () => {
  const allInputs = (): unknown[] =>
    [
      'BOOL',
      'UINT8',
      'UINT16',
      'UINT32',
      'UINT64',
      'INT8',
      'INT16',
      'INT32',
      'INT64',
      'FP16',
      'FP32',
      'FP64',
      'BYTES',
    ].map((t) => ({
      name: `in_${t}`,
      shape: [1],
      datatype: t,
      data: [t === 'BOOL' ? true : t === 'BYTES' ? 'x' : 1],
    }));

  it('returns only the outputs asked for', async () => {
    const r = await infer(base, 'types', {
      inputs: allInputs(),
      outputs: [{ name: 'out_INT8' }, { name: 'out_BYTES' }],
    });
    expect(r.status).toBe(200);
    expect(r.json.outputs).toEqual([
      { name: 'out_INT8', datatype: 'INT8', shape: [1], data: [1] },
      { name: 'out_BYTES', datatype: 'BYTES', shape: [1], data: ['x'] },
    ]);
  });

  it('keeps every digit of 64-bit integers given as strings, and writes them as JSON numbers', async () => {
    const inputs = allInputs().map((i) => {
      const x = i as { name: string };
      if (x.name === 'in_INT64') return { ...x, data: ['-9223372036854775808'] };
      if (x.name === 'in_UINT64') return { ...x, data: ['18446744073709551615'] };
      return x;
    });
    const r = await postJson(`${base}/v2/models/types/infer`, {
      inputs,
      outputs: [{ name: 'out_INT64' }, { name: 'out_UINT64' }],
    });
    const text = await r.text();
    expect(text).toContain('"name":"out_INT64","datatype":"INT64","shape":[1],"data":[-9223372036854775808]');
    expect(text).toContain(
      '"name":"out_UINT64","datatype":"UINT64","shape":[1],"data":[18446744073709551615]',
    );
  });
});

describe('errors', () => {
  const cases: [string, unknown, RegExp][] = [
    [
      'an unknown input',
      { inputs: [fp32('a', [1, 3], [1, 2, 3]), fp32('b', [1], [1])] },
      /unknown input 'b'/,
    ],
    ['a missing input', { inputs: [] }, /missing input: a/],
    [
      'a wrong datatype',
      { inputs: [{ name: 'a', shape: [1, 3], datatype: 'FP64', data: [1, 2, 3] }] },
      /input 'a': datatype FP64 does not match the model's FP32/,
    ],
    [
      'a wrong rank',
      { inputs: [fp32('a', [3], [1, 2, 3])] },
      /input 'a': shape \[3\] does not match the model's \[-1,3\]/,
    ],
    ['a wrong fixed dimension', { inputs: [fp32('a', [1, 4], [1, 2, 3, 4])] }, /input 'a': shape \[1,4\]/],
    [
      'data not matching the shape',
      { inputs: [fp32('a', [2, 3], [1, 2, 3])] },
      /input 'a': 3 values do not match shape \[2,3\] \(6 elements\)/,
    ],
    [
      'a non-numeric element',
      { inputs: [fp32('a', [1, 3], [1, 'x', 3] as never)] },
      /input 'a': element 1 \("x"\) is not a number/,
    ],
    [
      'an unknown datatype',
      { inputs: [{ name: 'a', shape: [1, 3], datatype: 'FLOAT', data: [1, 2, 3] }] },
      /"FLOAT" is not a V2 datatype/,
    ],
    ['no inputs array', { foo: 1 }, /needs an "inputs" array/],
    [
      'an unknown output',
      { inputs: [fp32('a', [1, 3], [1, 2, 3])], outputs: [{ name: 'z' }] },
      /unknown output 'z'/,
    ],
  ];
  for (const [what, body, message] of cases) {
    it(`answers 400 for ${what}, naming the tensor`, async () => {
      const r = await postJson(`${base}/v2/models/add/infer`, body);
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toBe('application/json');
      expect(((await r.json()) as { error: string }).error).toMatch(message);
    });
  }

  it('answers 400 for invalid JSON and 404 for unknown models, versions and routes', async () => {
    const bad = await fetch(`${base}/v2/models/add/infer`, { method: 'POST', body: '{"inputs": [' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/not valid JSON/);
    for (const path of ['/v2/models/nope', '/v2/models/add/versions/3', '/v2/nothing-here']) {
      const r = await fetch(`${base}${path}`);
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toBe('application/json');
      expect(((await r.json()) as { error: string }).error).toBeTruthy();
    }
    const r = await postJson(`${base}/v2/models/nope/infer`, { inputs: [] });
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: "unknown model 'nope'" });
  });

  it('refuses an int out of range and a batch larger than max_batch_size', async () => {
    const r = await infer(base, 'echo', {
      inputs: [{ name: 'in_UINT8', shape: [1], datatype: 'UINT8', data: [256] }],
    });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/input 'in_UINT8': element 0 \(256\) is not in the range of UINT8/);
    const big = await infer(base, 'add', { inputs: [fp32('a', [17, 3], new Array(51).fill(0))] });
    expect(big.status).toBe(400);
    expect(big.json.error).toMatch(/batch size 17 exceeds the model's max_batch_size 16/);
  });
});

describe('content types and encodings', () => {
  const body = JSON.stringify({ inputs: [fp32('a', [1, 3], [1, 2, 3])] });
  const send = (payload: Uint8Array | string, headers: Record<string, string>) =>
    fetch(`${base}/v2/models/add/infer`, { method: 'POST', body: payload, headers }).then(async (r) => ({
      status: r.status,
      json: (await r.json()) as { outputs?: { data: number[] }[] },
    }));

  it('accepts no Content-Type, application/json and application/octet-stream', async () => {
    for (const headers of [
      {},
      { 'content-type': 'application/json' },
      { 'content-type': 'application/octet-stream' },
    ] as Record<string, string>[]) {
      const r = await send(new TextEncoder().encode(body), headers);
      expect(r.status).toBe(200);
      expect(r.json.outputs![0]!.data).toEqual([2, 1, 3.5]);
    }
  });

  it('inflates gzip and deflate bodies', async () => {
    for (const [encoding, bytes] of [
      ['gzip', gzipSync(body)],
      ['deflate', deflateSync(body)],
    ] as const) {
      const r = await send(new Uint8Array(bytes), { 'content-encoding': encoding });
      expect(r.status).toBe(200);
      expect(r.json.outputs![0]!.data).toEqual([2, 1, 3.5]);
    }
    expect((await send(new TextEncoder().encode(body), { 'content-encoding': 'br' })).status).toBe(415);
  });
});
