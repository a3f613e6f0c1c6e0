import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelServer } from '../../src/index.js';
import { fp32, gatedServable, infer, makeRepository, startServer } from './helpers.js';

let server: ModelServer;
const gated = gatedServable('gated');
const timed = gatedServable('timed');

beforeAll(async () => {
  server = await startServer({
    models: [makeRepository()],
    servables: [gated, timed],
    modelConfigs: { gated: { maxQueueSize: 2 }, timed: { requestTimeoutMs: 150 } },
  });
}, 60_000);

afterAll(async () => {
  gated.open();
  timed.open();
  await server?.close();
});

const expected = (x: number[]) => x.map((v, i) => Math.max(0, v + [1, -1, 0.5][i % 3]!));

describe('dynamic batching', () => {
  it('answers concurrent requests as single ones would, in fewer executions', async () => {
    const inputs = Array.from({ length: 12 }, (_, i) => [i, i * 2, -i]);
    const results = await Promise.all(
      inputs.map((x) => infer(server.url, 'add', { inputs: [fp32('a', [1, 3], x)] })),
    );
    results.forEach((r, i) => {
      expect(r.status).toBe(200);
      expect((r.json.outputs as { data: number[]; shape: number[] }[])[0]).toMatchObject({
        shape: [1, 3],
        data: expected(inputs[i]!),
      });
    });
    // a request of 3 rows batches with single rows and gets its own 3 rows back
    const multi = await Promise.all([
      infer(server.url, 'add', { inputs: [fp32('a', [3, 3], [1, 1, 1, 2, 2, 2, 3, 3, 3])] }),
      infer(server.url, 'add', { inputs: [fp32('a', [1, 3], [9, 9, 9])] }),
    ]);
    expect((multi[0].json.outputs as { data: number[] }[])[0]!.data).toEqual(
      expected([1, 1, 1, 2, 2, 2, 3, 3, 3]),
    );
    expect((multi[1].json.outputs as { data: number[] }[])[0]!.data).toEqual(expected([9, 9, 9]));

    const stats = (await (await fetch(`${server.url}/v2/models/add/stats`)).json()) as {
      model_stats: {
        inference_count: number;
        execution_count: number;
        batch_stats: { batch_size: number }[];
        inference_stats: { success: { count: number } };
      }[];
    };
    const s = stats.model_stats[0]!;
    expect(s.inference_stats.success.count).toBe(14);
    expect(s.inference_count).toBe(16); // rows, as Triton counts them
    expect(s.execution_count).toBeLessThan(14);
    expect(Math.max(...s.batch_stats.map((b) => b.batch_size))).toBeGreaterThan(1);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/zai_inference_request_success_total\{model="add",version="1"\} 14/);
    expect(metrics).toMatch(/zai_inference_count_total\{model="add",version="1"\} 16/);
    expect(metrics).toMatch(
      new RegExp(`zai_inference_exec_count_total\\{model="add",version="1"\\} ${s.execution_count}`),
    );
    expect(metrics).toMatch(
      /zai_inference_queue_duration_seconds_bucket\{le="0.1",model="add",version="1"\}/,
    );
    expect(metrics).toMatch(/zai_inference_pending_request_count\{model="add",version="1"\} 0/);
    expect(metrics).toMatch(/process_cpu_user_seconds_total/);
  });
});

describe('queue limits and timeouts', () => {
  it('answers 503 with Retry-After when the queue is full', async () => {
    const send = () => infer(server.url, 'gated', { inputs: [fp32('x', [1, 1], [1])] });
    const running = [send(), send(), send()]; // one runs, two wait
    await new Promise((r) => setTimeout(r, 50));
    const refused = await send();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.json.error).toMatch(/queue is full/);
    gated.open();
    for (const r of await Promise.all(running)) expect(r.status).toBe(200);
    const failures = await (await fetch(`${server.url}/metrics`)).text();
    expect(failures).toMatch(
      /zai_inference_request_failure_total\{model="gated",version="1",reason="REJECTED"\} 1/,
    );
  });

  it('answers 503 when a request outlives its timeout', async () => {
    const r = await infer(server.url, 'timed', { inputs: [fp32('x', [1, 1], [1])] });
    expect(r.status).toBe(503);
    expect(r.json.error).toMatch(/timed out after 150 ms/);
    const stats = (await (await fetch(`${server.url}/v2/models/timed/versions/1/stats`)).json()) as {
      model_stats: { inference_stats: { fail: { count: number } } }[];
    };
    expect(stats.model_stats[0]!.inference_stats.fail.count).toBe(1);
  });
});
