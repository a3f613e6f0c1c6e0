import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelServer } from '../../src/index.js';
import { echoServable, makeRepository, startServer } from './helpers.js';

let server: ModelServer;

beforeAll(async () => {
  server = await startServer({ models: [makeRepository()], servables: [echoServable()] });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

/** json.dumps as Python writes it (", " and ": " separators), as tritonclient sends it. */
function pyJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}: ${pyJson(x)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(v);
}

/** BYTES as tritonclient's serialize_byte_tensor writes them: 4-byte little-endian length, then the bytes. */
function bytesTensor(items: string[]): Buffer {
  return Buffer.concat(
    items.flatMap((s) => {
      const b = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32LE(b.length);
      return [len, b];
    }),
  );
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A POST with exactly these headers and bytes (tritonclient sends no Content-Type). */
function rawPost(path: string, body: Buffer, headers: Record<string, string>): Promise<RawResponse> {
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Decodes a response the way tritonclient's InferResult does. */
function decodeLikeTritonclient(res: RawResponse): {
  json: {
    outputs: {
      name: string;
      datatype: string;
      shape: number[];
      parameters?: { binary_data_size?: number };
      data?: unknown[];
    }[];
  };
  buffers: Record<string, Buffer>;
} {
  const headerLength = res.headers['inference-header-content-length'];
  if (headerLength === undefined) return { json: JSON.parse(res.body.toString('utf8')), buffers: {} };
  const n = Number(headerLength);
  const json = JSON.parse(res.body.subarray(0, n).toString('utf8'));
  const buffers: Record<string, Buffer> = {};
  let at = n;
  for (const o of json.outputs) {
    const size = o.parameters?.binary_data_size;
    if (size !== undefined) {
      buffers[o.name] = res.body.subarray(at, at + size);
      at += size;
    }
  }
  return { json, buffers };
}

const TYPED: Record<
  string,
  [ctor: { BYTES_PER_ELEMENT: number; from(a: ArrayLike<never>): ArrayBufferView }, values: unknown[]]
> = {
  BOOL: [Uint8Array, [1, 0, 1, 1]],
  UINT8: [Uint8Array, [0, 255, 1, 2]],
  UINT16: [Uint16Array, [0, 65535, 1, 2]],
  UINT32: [Uint32Array, [0, 4294967295, 1, 2]],
  UINT64: [BigUint64Array, [0n, 18446744073709551615n, 1n, 2n]],
  INT8: [Int8Array, [-128, 127, 0, 1]],
  INT16: [Int16Array, [-32768, 32767, 0, 1]],
  INT32: [Int32Array, [-2147483648, 2147483647, 0, 1]],
  INT64: [BigInt64Array, [-9223372036854775808n, 9223372036854775807n, 0n, 1n]],
  FP16: [Uint16Array, [0x3e00, 0xc000, 0x7bff, 0x7e00]], // 1.5, -2, 65504, NaN as raw half bits
  FP32: [Float32Array, [0.5, -1.25, Number.NaN, Infinity]],
  FP64: [Float64Array, [0.1, -1e300, Number.NaN, -Infinity]],
  BF16: [Uint16Array, [0x3fc0, 0xc000, 0x4380, 0x7fc0]], // 1.5, -2, 256, NaN
};

function bytesOf(t: string): Buffer {
  if (t === 'BYTES') return bytesTensor(['hello', '', 'ünïcödé', 'x'.repeat(300)]);
  const [ctor, values] = TYPED[t]!;
  const arr = ctor.from(values as never);
  return Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength);
}

describe('binary tensor data, byte for byte as tritonclient.http sends it', () => {
  for (const model of ['echo', 'types']) {
    const types = [...Object.keys(TYPED), 'BYTES'].filter((t) => model === 'echo' || t !== 'BF16');

    it(`round-trips every datatype as binary (${model}), outputs requested per name`, async () => {
      const blobs = types.map(bytesOf);
      const header = pyJson({
        inputs: types.map((t, i) => ({
          name: `in_${t}`,
          shape: [4],
          datatype: t,
          parameters: { binary_data_size: blobs[i]!.length },
        })),
        outputs: types.map((t) => ({ name: `out_${t}`, parameters: { binary_data: true } })),
      });
      const body = Buffer.concat([Buffer.from(header), ...blobs]);
      const res = await rawPost(`/v2/models/${model}/infer`, body, {
        Host: 'localhost',
        'User-Agent': 'python/gevent-http-client-1.5.3',
        'Inference-Header-Content-Length': String(Buffer.byteLength(header)),
      });
      expect(res.status, res.body.toString()).toBe(200);
      const { json, buffers } = decodeLikeTritonclient(res);
      types.forEach((t, i) => {
        const out = json.outputs.find((o) => o.name === `out_${t}`)!;
        expect(out.datatype).toBe(t);
        expect(out.shape).toEqual([4]);
        expect(out.data).toBeUndefined();
        expect(buffers[`out_${t}`]!.equals(blobs[i]!), t).toBe(true);
      });
    });
  }

  it('returns every output as binary when no outputs are listed (binary_data_output)', async () => {
    const x = Float32Array.from([1, 2, 3, -4, 0, 0]);
    const blob = Buffer.from(x.buffer);
    const header = pyJson({
      id: 'tc-1',
      inputs: [{ name: 'a', shape: [2, 3], datatype: 'FP32', parameters: { binary_data_size: blob.length } }],
      parameters: { binary_data_output: true },
    });
    const res = await rawPost('/v2/models/add/versions/1/infer', Buffer.concat([Buffer.from(header), blob]), {
      'Inference-Header-Content-Length': String(header.length),
    });
    expect(res.status, res.body.toString()).toBe(200);
    const { json, buffers } = decodeLikeTritonclient(res);
    expect(json).toMatchObject({ id: 'tc-1', model_name: 'add', model_version: '1' });
    const y = new Float32Array(new Uint8Array(buffers.y!).buffer);
    expect([...y]).toEqual([2, 1, 3.5, 0, 0, 0.5]);
  });

  it('mixes JSON and binary inputs and outputs', async () => {
    const blob = bytesTensor(['a', 'bc']);
    const json = [
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
    ].map((t) => ({ name: `in_${t}`, shape: [2], datatype: t, data: t === 'BOOL' ? [true, false] : [1, 2] }));
    const header = pyJson({
      inputs: [
        ...json,
        { name: 'in_BYTES', shape: [2], datatype: 'BYTES', parameters: { binary_data_size: blob.length } },
      ],
      outputs: [
        { name: 'out_BYTES', parameters: { binary_data: false } },
        { name: 'out_FP16', parameters: { binary_data: true } },
      ],
    });
    const res = await rawPost('/v2/models/types/infer', Buffer.concat([Buffer.from(header), blob]), {
      'Inference-Header-Content-Length': String(header.length),
    });
    expect(res.status, res.body.toString()).toBe(200);
    const decoded = decodeLikeTritonclient(res);
    expect(decoded.json.outputs[0]).toEqual({
      name: 'out_BYTES',
      datatype: 'BYTES',
      shape: [2],
      data: ['a', 'bc'],
    });
    expect([...new Uint16Array(new Uint8Array(decoded.buffers.out_FP16!).buffer)]).toEqual([0x3c00, 0x4000]);
  });

  it('rejects binary sizes that do not fit the shape or the body', async () => {
    const header = pyJson({
      inputs: [{ name: 'a', shape: [1, 3], datatype: 'FP32', parameters: { binary_data_size: 8 } }],
    });
    const short = await rawPost(
      '/v2/models/add/infer',
      Buffer.concat([Buffer.from(header), Buffer.alloc(8)]),
      {
        'Inference-Header-Content-Length': String(header.length),
      },
    );
    expect(short.status).toBe(400);
    expect(short.headers['content-type']).toBe('application/json');
    expect(JSON.parse(short.body.toString()).error).toMatch(
      /input 'a': binary data is 8 bytes, shape \[1,3\] of FP32 needs 12/,
    );
    const past = await rawPost(
      '/v2/models/add/infer',
      Buffer.concat([Buffer.from(header), Buffer.alloc(4)]),
      {
        'Inference-Header-Content-Length': String(header.length),
      },
    );
    expect(JSON.parse(past.body.toString()).error).toMatch(/runs past the end of the binary data/);
    const badLength = await rawPost('/v2/models/add/infer', Buffer.from(header), {
      'Inference-Header-Content-Length': '99999',
    });
    expect(badLength.status).toBe(400);
  });
});
