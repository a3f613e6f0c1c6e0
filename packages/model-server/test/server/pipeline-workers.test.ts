import { fileURLToPath } from 'node:url';
import { DecodeError, ErrorCode, PipelineError } from '@zai/common';
import { afterEach, describe, expect, it } from 'vitest';
import { BadRequestError, type ModelServer, type ModelServerOptions } from '../../src/index.js';
import { statusOf } from '../../src/server/errors.js';
import { errorFromWire, wireError } from '../../src/server/runtime/wire.js';
import { fp32, infer, postJson, startServer } from './helpers.js';

// pipeline modules named in the configuration run in worker threads of their own
const fixture = fileURLToPath(new URL('../fixtures/busy-servable.ts', import.meta.url));
const addOnePlugin = fileURLToPath(new URL('../fixtures/add-one-plugin.ts', import.meta.url));

const servers: ModelServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close(5000)));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function busyServer(
  pipelineOptions: Record<string, unknown>,
  extra: Partial<ModelServerOptions> = {},
): Promise<ModelServer> {
  const server = await startServer({
    pipelines: { busy: { module: fixture, export: 'busy', options: pipelineOptions } },
    ...extra,
  });
  servers.push(server);
  return server;
}

const tag = (data: string[]) => ({ name: 'tag', shape: [data.length], datatype: 'BYTES', data });
/** The inputs of the busy pipeline: x (FP32) and tag (BYTES). */
const xs = (...x: number[]) => [fp32('x', [x.length], x), tag(['t'])];
type Output = { name: string; datatype: string; data: unknown[] };
const output = (json: Record<string, unknown>, name: string) =>
  (json.outputs as Output[]).find((o) => o.name === name)!;

describe('pipelines in worker threads', () => {
  it('keeps answering health and metadata while a long pipeline step runs', async () => {
    const server = await busyServer({ busyMs: 1000 });
    const order: string[] = [];
    const running = infer(server.url, 'busy', { inputs: [fp32('x', [2], [1, 2]), tag(['hi'])] }).then((r) => {
      order.push('pipeline');
      return r;
    });
    await sleep(150); // the worker is in its busy loop now
    const t = performance.now();
    const live = await fetch(`${server.url}/v2/health/live`);
    const liveMs = performance.now() - t;
    order.push('health');
    const meta = (await (await fetch(`${server.url}/v2/models/busy`)).json()) as {
      inputs: { name: string; datatype: string }[];
    };
    order.push('metadata');
    const r = await running;
    expect(live.status).toBe(200);
    expect(order).toEqual(['health', 'metadata', 'pipeline']);
    expect(liveMs).toBeLessThan(500);
    expect(meta.inputs.map((i) => [i.name, i.datatype])).toEqual([
      ['x', 'FP32'],
      ['tag', 'BYTES'],
    ]);
    expect(r.status).toBe(200);
    expect(output(r.json, 'y').data).toEqual([2, 4]);
    expect(output(r.json, 'label')).toEqual(expect.objectContaining({ datatype: 'BYTES', data: ['hi!'] }));
    const [mainThread, threadId] = output(r.json, 'thread').data as number[];
    expect(mainThread).toBe(0);
    expect(threadId).toBeGreaterThan(0);
  });

  it('runs `instances` workers and sums their step statistics in /metrics', async () => {
    const server = await busyServer({ busyMs: 300 }, { modelConfigs: { busy: { instances: 2 } } });
    const request = () => infer(server.url, 'busy', { inputs: xs(1) });
    const [a, b] = await Promise.all([request(), request()]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const threads = [a, b].map((r) => (output(r.json, 'thread').data as number[])[1]);
    expect(new Set(threads).size).toBe(2);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('zai_pipeline_step_runs_total{model="busy",version="1",step="work"} 2');
    expect(metrics).toContain('zai_pipeline_step_runs_total{model="busy",version="1",step="check"} 2');
    expect(metrics).toMatch(
      /zai_pipeline_step_duration_seconds_total\{model="busy",version="1",step="work"\} 0\.[5-9]/,
    );
  });

  it('answers a step that fails on bad input with 400 naming the step, and counts the failure', async () => {
    const server = await busyServer({ busyMs: 0 });
    const r = await infer(server.url, 'busy', { inputs: xs(-1) });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/pipeline 'busy' step 'check': negative input/);
    const missing = await postJson(`${server.url}/v2/models/busy/infer`, {
      inputs: xs(1),
      outputs: [{ name: 'nope' }],
    });
    expect(missing.status).toBe(400);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('zai_pipeline_step_failures_total{model="busy",version="1",step="check"} 1');
  });

  it('loads plugins in the pipeline workers before building the pipeline', async () => {
    const server = await busyServer(
      { busyMs: 0, needsOp: ['com.example', 'AddOne'] },
      { plugins: [addOnePlugin] },
    );
    expect((await infer(server.url, 'busy', { inputs: xs(3) })).status).toBe(200);
  });

  it('fails at start with the error the pipeline factory threw in its worker', async () => {
    await expect(busyServer({ needsOp: ['com.example', 'Missing'] })).rejects.toThrow(
      /operator com\.example:Missing is not registered in the pipeline's thread/,
    );
  });

  it('unloads and reloads a pipeline (new workers), and drains a running request on shutdown', async () => {
    const server = await busyServer({ busyMs: 300 });
    const repo = `${server.url}/v2/repository/models/busy`;
    expect((await postJson(`${repo}/unload`, {})).status).toBe(200);
    expect((await infer(server.url, 'busy', { inputs: xs(1) })).status).toBe(503);
    expect((await postJson(`${repo}/load`, {})).status).toBe(200);
    const running = infer(server.url, 'busy', { inputs: xs(5) });
    await sleep(100);
    const closing = server.close(5000);
    const r = await running;
    expect(r.status).toBe(200);
    expect(output(r.json, 'y').data).toEqual([10]);
    await closing;
    expect(server.models.loaded()).toEqual([]);
  });
});

describe('errors crossing a worker boundary', () => {
  it('keep their class, code, fields and cause (so their HTTP status)', () => {
    const original = new PipelineError('ocr', 'decode', 'image: not a PNG', {
      cause: new DecodeError('image', 'not a PNG or JPEG'),
    });
    const back = errorFromWire(structuredClone(wireError(original)));
    expect(back).toBeInstanceOf(PipelineError);
    expect(back.message).toBe(original.message);
    expect(back).toMatchObject({ code: ErrorCode.Pipeline, pipeline: 'ocr', step: 'decode' });
    expect((back as PipelineError).causeCode).toBe(ErrorCode.Decode);
    expect(back.cause).toBeInstanceOf(DecodeError);
    expect(statusOf(back)).toBe(400);

    const http = errorFromWire(structuredClone(wireError(new BadRequestError('no output'))));
    expect(http).toBeInstanceOf(BadRequestError);
    expect(statusOf(http)).toBe(400);

    const plain = Object.assign(new TypeError('boom'), { detail: { a: 1 }, fn: () => 1 });
    const other = errorFromWire(structuredClone(wireError(plain)));
    expect(other.name).toBe('TypeError');
    expect(other).toMatchObject({ message: 'boom', detail: { a: 1 } });
    expect(statusOf(other)).toBe(500);
  });
});
