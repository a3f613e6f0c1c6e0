import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelServer } from '../../src/index.js';
import { echoServable, fp32, gatedServable, postJson, startServer } from './helpers.js';

let secured: ModelServer;
let limited: ModelServer;
const open = gatedServable('g');

beforeAll(async () => {
  open.open();
  secured = await startServer({
    servables: [echoServable()],
    apiKey: 's3cret',
    cors: 'https://app.example',
    bodyLimit: 1024,
  });
  limited = await startServer({ servables: [open], rateLimit: 3 });
}, 60_000);

afterAll(async () => {
  await Promise.all([secured?.close(), limited?.close()]);
});

describe('API key', () => {
  it('guards model routes but never health, metrics or docs', async () => {
    for (const path of ['/v2/health/live', '/v2/health/ready', '/metrics', '/docs', '/docs/json']) {
      expect((await fetch(`${secured.url}${path}`)).status, path).toBe(200);
    }
    const denied = await fetch(`${secured.url}/v2/models/echo`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('content-type')).toBe('application/json');
    expect(denied.headers.get('www-authenticate')).toBe('Bearer');
    expect(
      (await fetch(`${secured.url}/v2/models/echo`, { headers: { authorization: 'Bearer wrong' } })).status,
    ).toBe(401);
    expect((await fetch(`${secured.url}/v2`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(
      200,
    );
  });
});

describe('CORS, body limit and docs', () => {
  it('answers CORS preflights for the allowed origin only', async () => {
    const pre = await fetch(`${secured.url}/v2/health/live`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const other = await fetch(`${secured.url}/v2/health/live`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    // off by default
    const none = await fetch(`${limited.url}/v2/health/live`, { headers: { origin: 'https://app.example' } });
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses bodies over the limit with 413', async () => {
    const r = await postJson(
      `${secured.url}/v2/models/echo/infer`,
      { inputs: [fp32('in_FP32', [400], new Array(400).fill(1.5))] },
      { authorization: 'Bearer s3cret' },
    );
    expect(r.status).toBe(413);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(((await r.json()) as { error: string }).error).toBeTruthy();
  });

  it('serves the OpenAPI document and a readable page', async () => {
    const doc = (await (await fetch(`${secured.url}/docs/json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v2/health/ready',
        '/v2/models/{name}/infer',
        '/v2/repository/index',
        '/metrics',
      ]),
    );
    const page = await fetch(`${secured.url}/docs`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('/v2/models/{name}/versions/{version}/infer');
  });
});

describe('rate limiting', () => {
  it('answers 429 past the limit, never on health checks', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${limited.url}/v2/models/g`)).status);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses[4]).toBe(429);
    expect((await fetch(`${limited.url}/v2/health/live`)).status).toBe(200);
  });
});
