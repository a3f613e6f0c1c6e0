import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Backend, ConfigError, ErrorCode, type Session } from '@zai/common';
import { InferenceSession } from '@zai/inference-engine';
import type { ModelServerOptions } from '@zai/model-server';
import { Tensor } from '@zai/tensor-core';
import { describe, expect, it } from 'vitest';
import { definePlugin, type Logger, Platform, Tokens } from '../src/index.js';
import addOne from './fixtures/add-one-plugin.js';
import { addReluModel, customOpModel } from './fixtures/models.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const x = (...v: number[]) => new Tensor('float32', Float32Array.from(v), [v.length / 3, 3]);
const values = (t: unknown) => Array.from((t as Tensor<'float32'>).data);

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => void lines.push(`${level}: ${m}`);
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('Platform', () => {
  it('loads models from a path or bytes and runs them by name', async () => {
    const ai = await Platform.create({ backend: 'native', logLevel: 'silent' });
    try {
      const bytes = addReluModel();
      const a = await ai.loadModel('addrelu', bytes);
      expect(a.backend).toBe('native');
      const { y } = await ai.infer('addrelu', { x: x(1, 2, 3, -5, 0, 0) });
      expect(values(y)).toEqual([2, 1, 3.5, 0, 0, 0.5]);
      await expect(ai.loadModel('addrelu', bytes)).rejects.toThrow(/already loaded/);
      await expect(ai.infer('nope', {})).rejects.toThrow(
        "no model or pipeline named 'nope' (loaded: addrelu)",
      );
      expect((await ai.stats('addrelu'))?.steps[0]).toMatchObject({ step: 'run', count: 1, failures: 0 });
      expect((await ai.list()).map((m) => [m.name, m.kind, m.backend])).toEqual([
        ['addrelu', 'model', 'native'],
      ]);
    } finally {
      await ai.close();
    }
  });

  it('rejects unknown keys and wrong types with the path of the offending key', async () => {
    const bad = { models: { m: { maxBatchSze: 4 } } } as never;
    const e = await Platform.create(bad).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ConfigError);
    expect(e).toMatchObject({ code: ErrorCode.Config, path: 'models.m.maxBatchSze' });
    expect((e as Error).message).toMatch(/did you mean "maxBatchSize"/);
    await expect(Platform.create({ port: 'eighty' } as never)).rejects.toThrow(
      'Platform.create: "port" must be a whole number from 0 to 65535, got "eighty"',
    );
  });

  it('lets a user replace the logger and the parser, and add a backend', async () => {
    const logger = memoryLogger();
    let parsed = 0;
    const releases: string[] = [];
    const echo: Backend<Tensor> = {
      name: 'echo',
      isAvailable: async () => true,
      async createSession(): Promise<Session<Tensor>> {
        const meta = [{ name: 'x', type: null }];
        return {
          backend: 'native',
          inputNames: ['x'],
          outputNames: ['x'],
          inputMetadata: meta,
          outputMetadata: meta,
          modelMetadata: {} as Session['modelMetadata'],
          run: async (feeds) => ({ x: feeds.x! }),
          release: async () => void releases.push('echo'),
        };
      },
    };
    const ai = await Platform.create(
      { logLevel: 'debug' },
      {
        setup: (c) => {
          c.register(Tokens.Logger, () => logger);
          c.register(Tokens.Parser, () => ({
            parse: async (source) => {
              parsed++;
              const { loadModel } = await import('@zai/onnx-parser');
              return loadModel(source);
            },
          }));
        },
      },
    );
    await ai.use(definePlugin({ name: 'echo-backend', backends: [echo] }));
    await ai.loadModel('native-one', addReluModel(), { backend: 'native' });
    await ai.loadModel('echoed', addReluModel(), { backend: 'echo' });
    expect(parsed).toBe(1);
    expect(values((await ai.infer('echoed', { x: x(7, 8, 9) })).x)).toEqual([7, 8, 9]);
    await expect(ai.loadModel('m', addReluModel(), { backend: 'tpu' })).rejects.toThrow(
      "unknown backend 'tpu' (available: native, onnxruntime, auto, echo)",
    );
    expect(logger.lines.some((l) => /debug: model 'echoed' loaded on native \(echo\)/.test(l))).toBe(true);
    expect(logger.lines).toContain('debug: plugin echo-backend applied');
    await ai.close();
    expect(releases).toEqual(['echo']);
  });

  it('starts whatever server the Server token provides, with the models, pipelines and settings', async () => {
    let seen: ModelServerOptions | undefined;
    let closed = 0;
    const ai = await Platform.create(
      { backend: 'native', logLevel: 'silent', port: 9999, models: { addrelu: { maxQueueSize: 5 } } },
      {
        setup: (c) =>
          void c.register(Tokens.Server, () => ({
            async start(options) {
              seen = options;
              return { url: 'fake://server', close: async () => void closed++ };
            },
          })),
      },
    );
    await ai.loadModel('addrelu', addReluModel());
    const server = await ai.serve({ host: '0.0.0.0' });
    expect(server.url).toBe('fake://server');
    expect(seen).toMatchObject({
      host: '0.0.0.0',
      port: 9999,
      modelConfigs: { addrelu: { maxQueueSize: 5 } },
    });
    expect(seen!.servables!.map((s) => s.name)).toEqual(['addrelu']);
    // the server does not own the platform's models: closing what it was given leaves them loaded
    await seen!.servables![0]!.close();
    expect(values((await ai.infer('addrelu', { x: x(0, 0, 0) })).y)).toEqual([1, 0, 0.5]);
    await ai.close();
    expect(closed).toBe(1);
  });

  it('runs a custom operator registered by a plugin named in the configuration', async () => {
    const model = customOpModel();
    await expect(InferenceSession.create(model, { backend: 'native' })).rejects.toThrow(
      /com\.example::AddOne \(opset 1\) is not supported/,
    );
    const ai = await Platform.create(
      { backend: 'native', logLevel: 'silent', plugins: ['./fixtures/add-one-plugin.ts'] },
      { cwd: here },
    );
    try {
      await ai.loadModel('plus', model);
      const { y } = await ai.infer('plus', { x: new Tensor('float32', Float32Array.of(1, 2), [2]) });
      expect(values(y)).toEqual([2, 3]);
    } finally {
      await ai.close();
    }
    // the same plugin object works through use(), on another platform only
    const other = await Platform.create({ backend: 'native', logLevel: 'silent' });
    await other.use(addOne);
    await other.loadModel('plus', model);
    await other.close();
  });

  it('loads pipelines named in the configuration and serves models and pipelines over HTTP with step metrics', async () => {
    const ai = await Platform.create(
      {
        backend: 'native',
        logLevel: 'silent',
        pipelines: {
          scaled: { module: './fixtures/scale-pipeline.ts', export: 'scalePipeline', options: { factor: 3 } },
        },
      },
      { cwd: here },
    );
    try {
      await ai.loadModel('addrelu', addReluModel());
      expect(values((await ai.infer('scaled', { x: x(1, 1, 1) })).y)).toEqual([4, 2, 3.5]);
      const server = await ai.serve({ port: 0 });
      const res = await fetch(`${server.url}/v2/models/scaled/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: [0, 0, 1] }] }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { outputs: { name: string; data: number[] }[] };
      expect(body.outputs[0]).toMatchObject({ name: 'y', data: [1, 0, 3.5] });
      const meta = (await (await fetch(`${server.url}/v2/models/addrelu`)).json()) as { name: string };
      expect(meta.name).toBe('addrelu');
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/zai_pipeline_step_runs_total\{model="scaled",version="1",step="scale"\} 2/);
      expect(metrics).toMatch(
        /zai_pipeline_step_duration_seconds_total\{model="scaled",version="1",step="model"\} \d/,
      );
      await server.close();
      // the platform still runs its models after its server stopped
      expect(values((await ai.infer('addrelu', { x: x(0, 0, 0) })).y)).toEqual([1, 0, 0.5]);
    } finally {
      await ai.close();
    }
  });

  it('names a pipeline module that does not load', async () => {
    await expect(
      Platform.create({ pipelines: { p: { module: './fixtures/nope.ts' } } }, { cwd: here }),
    ).rejects.toThrow(/pipelines\.p: cannot load module/);
    await expect(
      Platform.create({
        pipelines: { p: { module: join(here, 'fixtures/scale-pipeline.ts'), export: 'missing' } },
      }),
    ).rejects.toThrow(/has no export 'missing' \(exports: scalePipeline\)/);
  });
});
