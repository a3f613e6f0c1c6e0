import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelServer } from '../../src/index.js';
import {
  addReluModel,
  fp32,
  gatedServable,
  infer,
  postJson,
  slowModel,
  startServer,
  tempDir,
  writeOnnx,
} from './helpers.js';

const servers: ModelServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close(1000)));
});

describe('readiness', () => {
  it('is 503 until every model is loaded, while liveness answers', async () => {
    const repo = tempDir();
    writeOnnx(join(repo, 'm', '1', 'model.onnx'), addReluModel());
    const server = await ModelServer.create({ models: [repo], port: 0, logLevel: false });
    servers.push(server);
    const url = await server.listen();
    expect((await fetch(`${url}/v2/health/live`)).status).toBe(200);
    const before = await fetch(`${url}/v2/health/ready`);
    expect(before.status).toBe(503);
    expect(await before.json()).toEqual({ ready: false });
    expect((await fetch(`${url}/v2/models/m/ready`)).status).toBe(503);
    await server.loadModels();
    expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);
  });

  it('refuses to start when a configured model cannot load, saying why', async () => {
    const repo = tempDir();
    writeOnnx(join(repo, 'broken', '1', 'model.onnx'), new Uint8Array([1, 2, 3, 4, 5]));
    const server = await ModelServer.create({ models: [repo], port: 0, logLevel: false });
    servers.push(server);
    await expect(server.start()).rejects.toThrow(/model 'broken' version 1 failed to load/);
  });
});

describe('hot load and unload', () => {
  it('swaps in a new version under traffic without a failed request, and keeps it on bad loads', async () => {
    const repo = tempDir();
    writeOnnx(join(repo, 'm', '1', 'model.onnx'), addReluModel([1, 1, 1]));
    const server = await startServer({ models: [repo], modelDefaults: { backend: 'native' } });
    servers.push(server);
    const seen = new Map<string, number>();
    const failures: string[] = [];
    let stop = false;
    const loop = async () => {
      while (!stop) {
        const r = await infer(server.url, 'm', { inputs: [fp32('a', [1, 3], [0, 0, 0])] });
        if (r.status !== 200) failures.push(JSON.stringify(r.json));
        else seen.set(String(r.json.model_version), (seen.get(String(r.json.model_version)) ?? 0) + 1);
      }
    };
    const loops = [loop(), loop(), loop()];
    await new Promise((r) => setTimeout(r, 100));
    writeOnnx(join(repo, 'm', '2', 'model.onnx'), addReluModel([2, 2, 2]));
    const load = await postJson(`${server.url}/v2/repository/models/m/load`, {});
    expect(load.status).toBe(200);
    await new Promise((r) => setTimeout(r, 150));

    // a corrupt file, then a version folder with no model: both refused, version 2 keeps serving
    writeOnnx(join(repo, 'm', '3', 'model.onnx'), new TextEncoder().encode('not an onnx model'));
    const corrupt = await postJson(`${server.url}/v2/repository/models/m/load`, {});
    expect(corrupt.status).toBe(400);
    expect(((await corrupt.json()) as { error: string }).error).toMatch(
      /model 'm' version 3 failed to load: /,
    );
    mkdirSync(join(repo, 'm', '4'));
    const missing = await postJson(`${server.url}/v2/repository/models/m/load`, {});
    expect(((await missing.json()) as { error: string }).error).toMatch(
      /version 4: .*model.onnx does not exist/,
    );
    await new Promise((r) => setTimeout(r, 100));
    stop = true;
    await Promise.all(loops);

    expect(failures).toEqual([]);
    expect(seen.get('1')).toBeGreaterThan(0);
    expect(seen.get('2')).toBeGreaterThan(0);
    const after = await infer(server.url, 'm', { inputs: [fp32('a', [1, 3], [0, 0, 0])] });
    expect(after.json).toMatchObject({ model_version: '2', outputs: [{ data: [2, 2, 2] }] });
    expect((await fetch(`${server.url}/v2/models/m/versions/1`)).status).toBe(404); // latest-1 policy retired it
    const index = await (await postJson(`${server.url}/v2/repository/index`, {})).json();
    expect(index).toEqual([
      { name: 'm', version: '2', state: 'READY', reason: expect.stringMatching(/version 4/) },
    ]);
  });

  it('unloads after running requests finish, and loads again', async () => {
    const gate = gatedServable('g');
    const server = await startServer({ servables: [gate] });
    servers.push(server);
    const running = infer(server.url, 'g', { inputs: [fp32('x', [1, 1], [5])] });
    await new Promise((r) => setTimeout(r, 50));
    const unloading = postJson(`${server.url}/v2/repository/models/g/unload`, {});
    await new Promise((r) => setTimeout(r, 50));
    const refused = await infer(server.url, 'g', { inputs: [fp32('x', [1, 1], [5])] });
    expect(refused.status).toBe(503);
    gate.open();
    expect((await running).status).toBe(200);
    expect((await unloading).status).toBe(200);
    const index = await (await postJson(`${server.url}/v2/repository/index`, {})).json();
    expect(index).toEqual([{ name: 'g', state: 'UNAVAILABLE', reason: 'unloaded' }]);
    expect(await (await postJson(`${server.url}/v2/repository/index`, { ready: true })).json()).toEqual([]);
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200); // unloaded on purpose
    expect((await postJson(`${server.url}/v2/repository/models/g/load`, {})).status).toBe(200);
    expect((await infer(server.url, 'g', { inputs: [fp32('x', [1, 1], [5])] })).status).toBe(200);
    expect((await postJson(`${server.url}/v2/repository/models/nope/load`, {})).status).toBe(404);
  });
});

describe('concurrency', () => {
  it('keeps answering health checks while a long inference runs in a worker', async () => {
    const repo = tempDir();
    writeOnnx(join(repo, 'slow', '1', 'model.onnx'), slowModel());
    writeFileSync(
      join(repo, 'slow', 'config.json'),
      JSON.stringify({ backend: 'onnxruntime', intraOpNumThreads: 1 }),
    );
    const server = await startServer({ models: [repo] });
    servers.push(server);
    const n = 384;
    const t0 = Date.now();
    const slow = infer(server.url, 'slow', { inputs: [fp32('x', [n, n], new Array(n * n).fill(1))] });
    await new Promise((r) => setTimeout(r, 30));
    const latencies: number[] = [];
    let done = false;
    void slow.then(() => {
      done = true;
    });
    while (!done) {
      const t = Date.now();
      expect((await fetch(`${server.url}/v2/health/live`)).status).toBe(200);
      latencies.push(Date.now() - t);
      await new Promise((r) => setTimeout(r, 10));
    }
    const r = await slow;
    expect(r.status).toBe(200);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThan(150);
    expect(latencies.length).toBeGreaterThan(3);
    expect(Math.max(...latencies)).toBeLessThan(Math.max(100, took / 3));
  });
});

describe('graceful shutdown', () => {
  it('turns readiness to 503 at once, refuses new work, and lets running requests finish', async () => {
    const gate = gatedServable('g');
    const server = await startServer({ servables: [gate] });
    const running = infer(server.url, 'g', { inputs: [fp32('x', [1, 1], [7])] });
    await new Promise((r) => setTimeout(r, 50));
    const closing = server.close(5000);
    const ready = await fetch(`${server.url}/v2/health/ready`);
    expect(ready.status).toBe(503);
    const refused = await infer(server.url, 'g', { inputs: [fp32('x', [1, 1], [7])] });
    expect(refused.status).toBe(503);
    expect(refused.json.error).toMatch(/shutting down/);
    gate.open();
    const r = await running;
    expect(r.status).toBe(200);
    expect((r.json.outputs as { data: number[] }[])[0]!.data).toEqual([7]);
    await closing;
    await expect(fetch(`${server.url}/v2/health/live`)).rejects.toThrow();
  });
});
