import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultRepository, parseSize, serveOptions } from '../../src/index.js';
import { addReluModel, tempDir, writeOnnx } from './helpers.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const bin = fileURLToPath(new URL('../../src/bin.ts', import.meta.url));

describe('zai serve options', () => {
  afterEach(() => {
    delete process.env.ZAI_PORT;
    delete process.env.ZAI_MAX_BATCH_SIZE;
  });

  it('takes flags over ZAI_* variables over the config file, and per-model entries over config.json', async () => {
    const dir = tempDir();
    const config = join(dir, 'zai.json');
    writeFileSync(
      config,
      JSON.stringify({
        port: 9000,
        host: '0.0.0.0',
        paths: ['repo'],
        instances: 2,
        models: { points: { maxBatchSize: 8 } },
      }),
    );
    const fromFile = await serveOptions([], { config });
    expect(fromFile).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      models: [join(dir, 'repo')],
      modelDefaults: { instances: 2 },
      modelConfigs: { points: { maxBatchSize: 8 } },
    });
    const withFlags = await serveOptions(['x.onnx'], {
      config,
      port: '0',
      maxBatchSize: '4',
      batchDelayMs: '0.5',
    });
    expect(withFlags.port).toBe(0);
    expect(withFlags.models).toEqual([join(process.cwd(), 'x.onnx')]);
    expect(withFlags.modelOverrides).toEqual({ maxBatchSize: 4, dynamicBatching: { maxQueueDelayMs: 0.5 } });
    await expect(serveOptions([], { port: 'eighty' })).rejects.toThrow(/--port: must be a whole number/);
    writeFileSync(config, JSON.stringify({ prot: 1 }));
    await expect(serveOptions([], { config })).rejects.toThrow(/unknown key "prot"/);
  });

  it('serves the demo repository when given nothing', async () => {
    expect(defaultRepository(tempDir())).toBe(join(root, 'models'));
    expect((await serveOptions([], {})).models).toEqual([defaultRepository()]);
    expect(parseSize('64mb')).toBe(64 * 1024 * 1024);
    expect(parseSize('1024')).toBe(1024);
  });
});

describe('zai serve (process)', () => {
  it('prints "listening on", serves, and exits 0 on SIGTERM after draining', async () => {
    const dir = tempDir();
    const file = join(dir, 'tiny.onnx');
    writeOnnx(file, addReluModel());
    const child = spawn(
      process.execPath,
      [
        '--conditions=@zai/source',
        '--import',
        'tsx',
        bin,
        'serve',
        file,
        '--backend',
        'native',
        '--log-level',
        'warn',
      ],
      { cwd: root, env: { ...process.env, ZAI_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}${err}`)));
    });
    expect(url).not.toMatch(/:8080$/);
    const meta = (await (await fetch(`${url}/v2/models/tiny`)).json()) as { name: string; backend: string };
    expect(meta).toMatchObject({ name: 'tiny', backend: 'native' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
