import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, ErrorCode } from '@zai/common';
import { encodeModel, graph, model, node, tensorInfo } from '@zai/onnx-parser';
import { describe, expect, it } from 'vitest';
import {
  createProgram,
  loadConfig,
  ModelServer,
  printConfig,
  readConfigFile,
  serverOptionsOf,
} from '../../src/index.js';
import { addReluModel, fp32, infer, tempDir, writeOnnx } from './helpers.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));

function write(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('the configuration schema', () => {
  it('reads JSON and YAML, resolving paths and modules against the file', async () => {
    const dir = tempDir();
    const json = await readConfigFile(
      write(
        dir,
        'zai.config.json',
        JSON.stringify({ port: 9000, paths: ['repo'], plugins: ['./ops.mjs', 'pkg'] }),
      ),
    );
    expect(json.values).toEqual({
      port: 9000,
      paths: [join(dir, 'repo')],
      plugins: [join(dir, 'ops.mjs'), 'pkg'],
    });
    const yaml = await readConfigFile(
      write(
        dir,
        'zai.config.yaml',
        'host: 0.0.0.0\nmodels:\n  points:\n    maxBatchSize: 8\n    dynamicBatching: true\n',
      ),
    );
    expect(yaml.values).toEqual({
      host: '0.0.0.0',
      models: { points: { maxBatchSize: 8, dynamicBatching: true } },
    });
  });

  it('rejects unknown keys and wrong types, naming the file and the path of the key', async () => {
    const dir = tempDir();
    const cases: [unknown, RegExp, string][] = [
      [{ prot: 1 }, /unknown key "prot"; did you mean "port"\?/, 'prot'],
      [{ models: { a: { maxBatchSze: 2 } } }, /unknown key "models.a.maxBatchSze"/, 'models.a.maxBatchSze'],
      [
        { models: { a: { dynamicBatching: { maxQueueDelayMs: -1 } } } },
        /"models.a.dynamicBatching.maxQueueDelayMs" must be a number ≥ 0, got -1/,
        'models.a.dynamicBatching.maxQueueDelayMs',
      ],
      [
        { providers: ['cpu', 7] },
        /"providers\[1\]" must be a name or a \{ "name": … \} object, got 7/,
        'providers[1]',
      ],
      [{ port: 70000 }, /"port" must be a whole number from 0 to 65535/, 'port'],
      [{ pipelines: { ocr: { options: {} } } }, /"pipelines.ocr.module" is required/, 'pipelines.ocr.module'],
      [
        { logLevel: 'loud' },
        /"logLevel" must be one of fatal, error, warn, info, debug, trace, silent/,
        'logLevel',
      ],
    ];
    for (const [raw, message, path] of cases) {
      const file = write(dir, 'bad.json', JSON.stringify(raw));
      const e = await readConfigFile(file).catch((x: unknown) => x);
      expect(e, JSON.stringify(raw)).toBeInstanceOf(ConfigError);
      expect(e).toMatchObject({ code: ErrorCode.Config, path, origin: file });
      expect((e as Error).message).toMatch(message);
    }
    await expect(readConfigFile(write(dir, 'bad.yaml', 'port: [\n'))).rejects.toThrow(
      /bad.yaml: invalid YAML/,
    );
    await expect(readConfigFile(join(dir, 'missing.json'))).rejects.toThrow(/does not exist/);
  });

  it('layers defaults < file < ZAI_* variables < flags, and says where each value came from', async () => {
    const dir = tempDir();
    write(
      dir,
      'zai.config.json',
      JSON.stringify({ port: 9000, host: '0.0.0.0', instances: 2, apiKey: 'file-key' }),
    );
    const env = { ZAI_PORT: '9100', ZAI_INSTANCES: '3', ZAI_PROVIDERS: 'cuda,cpu' };
    const c = await loadConfig({ cwd: dir, env, flags: { port: '0' } });
    expect(c.config).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      instances: 3,
      providers: ['cuda', 'cpu'],
      logLevel: 'info',
    });
    expect(c.file).toBe(join(dir, 'zai.config.json'));
    expect(c.sourceOf('port')).toBe('flag --port');
    expect(c.sourceOf('instances')).toBe('env ZAI_INSTANCES');
    expect(c.sourceOf('host')).toBe(`file ${join(dir, 'zai.config.json')}`);
    expect(c.sourceOf('logLevel')).toBe('default');
    // file model settings sit under each config.json; variables and flags override every model
    const options = serverOptionsOf(c);
    expect(options.modelDefaults).toEqual({ instances: 2 });
    expect(options.modelOverrides).toEqual({ instances: 3, executionProviders: ['cuda', 'cpu'] });
    // ZAI_CONFIG names another file; a bad variable names itself
    const other = write(dir, 'other.yaml', 'port: 7000\n');
    expect((await loadConfig({ cwd: dir, env: { ZAI_CONFIG: other } })).config.port).toBe(7000);
    await expect(loadConfig({ cwd: dir, env: { ZAI_MAX_BATCH_SIZE: 'lots' } })).rejects.toThrow(
      "ZAI_MAX_BATCH_SIZE: must be a whole number ≥ 0, got 'lots'",
    );
  });

  it('prints the effective configuration with sources, per-model settings included (zai config print)', async () => {
    const dir = tempDir();
    writeOnnx(join(dir, 'repo', 'add', '1', 'model.onnx'), addReluModel());
    write(join(dir, 'repo', 'add'), 'config.json', JSON.stringify({ maxBatchSize: 16 }));
    const config = write(
      dir,
      'zai.config.json',
      JSON.stringify({ paths: ['repo'], apiKey: 'secret', models: { add: { instances: 2 } } }),
    );
    const text = await printConfig([], { config, backend: 'native' }, { ZAI_PORT: '9001' });
    expect(text).toMatch(/^port\s+9001\s+env ZAI_PORT$/m);
    expect(text).toMatch(/^backend\s+native\s+flag --backend$/m);
    expect(text).toMatch(/^apiKey\s+\*{8}\s+file /m);
    expect(text).not.toContain('secret');
    expect(text).toMatch(/^add\.maxBatchSize\s+16\s+.*repo\/add\/config\.json$/m);
    expect(text).toMatch(/^add\.instances\s+2\s+file .*zai\.config\.json$/m);
    expect(text).toMatch(/^add\.backend\s+native\s+flag --backend$/m);
    const json = JSON.parse(await printConfig([], { config, json: true }, {}));
    expect(json.sources).toMatchObject({ host: 'default', apiKey: `file ${config}` });
    expect(json.models['add.maxQueueSize']).toEqual({ value: 1024, source: 'default' });
    const out: string[] = [];
    await createProgram((t) => out.push(t)).parseAsync([
      'node',
      'zai',
      'config',
      'print',
      '--config',
      config,
      '--port',
      '0',
    ]);
    expect(out.join('\n')).toMatch(/^port\s+0\s+flag --port$/m);
  });
});

describe('modules named in the configuration', () => {
  it('serves a pipeline module and exports its step statistics in /metrics', async () => {
    const dir = tempDir();
    write(
      dir,
      'zai.config.json',
      JSON.stringify({
        port: 0,
        logLevel: 'silent',
        pipelines: {
          plus: { module: join(fixtures, 'staged-servable.ts'), export: 'staged', options: { offset: 10 } },
        },
      }),
    );
    const server = await ModelServer.create(serverOptionsOf(await loadConfig({ cwd: dir, env: {} })));
    try {
      const base = await server.start();
      const r = await infer(base, 'plus', { inputs: [fp32('x', [2], [1, 2])] });
      expect(r.status).toBe(200);
      expect(r.json.outputs).toEqual([expect.objectContaining({ name: 'y', data: [11, 12] })]);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain('zai_pipeline_step_runs_total{model="plus",version="1",step="pre"} 1');
      expect(metrics).toContain(
        'zai_pipeline_step_duration_seconds_total{model="plus",version="1",step="post"} 0.002',
      );
      expect(metrics).toContain(
        'zai_pipeline_step_last_duration_seconds{model="plus",version="1",step="pre"} 0.001',
      );
      await infer(base, 'plus', { inputs: [fp32('x', [1], [0])] });
      const again = await (await fetch(`${base}/metrics`)).text();
      expect(again).toContain('zai_pipeline_step_runs_total{model="plus",version="1",step="pre"} 2');
    } finally {
      await server.close();
    }
  });

  it('loads plugin operators into the model workers', async () => {
    const dir = tempDir();
    const g = graph({
      name: 'custom',
      nodes: [node('AddOne', ['x'], ['y'], {}, 'plus_one', 'com.example')],
      inputs: [tensorInfo('x', 'float32', ['n'])],
      outputs: [tensorInfo('y', 'float32', ['n'])],
    });
    const file = join(dir, 'custom.onnx');
    writeOnnx(
      file,
      encodeModel(
        model(g, [
          { domain: '', version: 17 },
          { domain: 'com.example', version: 1 },
        ]),
      ),
    );
    const options = serverOptionsOf(
      await loadConfig({
        cwd: dir,
        env: {},
        config: {
          backend: 'native',
          port: 0,
          logLevel: 'silent',
          plugins: [join(fixtures, 'add-one-plugin.ts')],
        },
        paths: [file],
      }),
    );
    const server = await ModelServer.create(options);
    try {
      const base = await server.start();
      const r = await infer(base, 'custom', { inputs: [fp32('x', [3], [1, 2, 3])] });
      expect(r.json.outputs).toEqual([expect.objectContaining({ name: 'y', data: [2, 3, 4] })]);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('names a module that cannot be loaded', async () => {
    const dir = tempDir();
    const c = await loadConfig({
      cwd: dir,
      env: {},
      config: { pipelines: { p: { module: './missing.mjs' } } },
    });
    await expect(ModelServer.create(serverOptionsOf(c))).rejects.toThrow(/pipelines\.p: cannot load module/);
  });
});
