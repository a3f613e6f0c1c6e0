import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderLine, renderText } from './helpers/render.js';

// `zai serve --config` with ai-platform pipelines named as modules: the server never imports ai-platform statically
const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = fileURLToPath(new URL('../../model-server/src/bin.ts', import.meta.url));

let child: ChildProcess;
let url: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zai-pipelines-'));
  const config = join(dir, 'zai.config.yaml');
  writeFileSync(
    config,
    [
      'port: 0',
      'logLevel: warn',
      'pipelines:',
      '  ocr: { module: "@zai/ai-platform", export: ocrModule, options: { backend: onnxruntime } }',
      '  direction: { module: "@zai/ai-platform", export: textDirectionModule, options: { backend: native } }',
      'models:',
      '  ocr: { requestTimeoutMs: 60000 }',
      '',
    ].join('\n'),
  );
  child = spawn(
    process.execPath,
    ['--conditions=@zai/source', '--import', 'tsx', bin, 'serve', '--config', config],
    {
      cwd: root,
      env: { ...process.env, ZAI_PORT: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.stderr!.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => reject(new Error(`zai serve exited ${code}: ${out}`)));
  });
}, 120_000);

afterAll(async () => {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
});

async function inferImage(model: string, png: Uint8Array) {
  const res = await fetch(`${url}/v2/models/${model}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      inputs: [{ name: 'image', shape: [png.length], datatype: 'UINT8', data: Array.from(png) }],
    }),
  });
  return {
    status: res.status,
    body: (await res.json()) as { outputs?: { name: string; data: unknown[] }[]; error?: string },
  };
}

describe('zai serve --config with pipeline modules', () => {
  it('serves the OCR pipeline as a V2 model', async () => {
    const meta = (await (await fetch(`${url}/v2/models/ocr`)).json()) as {
      inputs: { name: string; datatype: string }[];
    };
    expect(meta.inputs).toEqual([expect.objectContaining({ name: 'image', datatype: 'UINT8' })]);
    const r = await inferImage('ocr', renderText(['Hello, World!'], { width: 720 }));
    expect(r.status).toBe(200);
    expect(r.body.outputs!.find((o) => o.name === 'text')!.data).toEqual(['Hello, World!']);
  }, 60_000);

  it('serves the direction classifier, answers a bad image with 400 naming the step, and exports step metrics', async () => {
    const r = await inferImage('direction', renderLine('upside down', { upsideDown: true }));
    expect(r.body.outputs!.find((o) => o.name === 'label')!.data[0]).toBe('180');
    const bad = await inferImage('direction', Uint8Array.of(1, 2, 3));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/pipeline 'direction' step 'decode': image: not a PNG or JPEG/);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    for (const step of ['decode', 'detect.model', 'recognize.model', 'recognize.post']) {
      expect(metrics).toMatch(
        new RegExp(
          `zai_pipeline_step_duration_seconds_total\\{model="ocr",version="1",step="${step}"\\} [\\d.e-]+`,
        ),
      );
    }
    expect(metrics).toMatch(
      /zai_pipeline_step_failures_total\{model="direction",version="1",step="decode"\} 1/,
    );
  }, 60_000);
});
