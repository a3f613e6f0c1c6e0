import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Each library package must work alone from its npm tarball: pack common,
// tensor-core, onnx-parser and inference-engine, install the tarballs into an
// empty project, and run a real model through them.

const root = new URL('../../../', import.meta.url).pathname;
const packages = ['common', 'packages/tensor-core', 'packages/onnx-parser', 'packages/inference-engine'];
const model = new URL('../../../../shared/onnx-backend-tests/node/test_relu/model.onnx', import.meta.url)
  .pathname;

describe('npm packages', () => {
  it('pack only dist, README and package.json, and run a model from an empty project', () => {
    const out = mkdtempSync(join(tmpdir(), 'zai-pack-'));
    const tarballs: string[] = [];
    for (const dir of packages) {
      const json = execFileSync('npm', ['pack', '--json', '--pack-destination', out], {
        cwd: join(root, dir),
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const [info] = JSON.parse(json) as { filename: string; files: { path: string }[] }[];
      const files = info!.files.map((f) => f.path);
      expect(files, dir).toContain('package.json');
      expect(files, dir).toContain('README.md');
      expect(files, dir).toContain('dist/index.js');
      expect(files, dir).toContain('dist/index.cjs');
      expect(files, dir).toContain('dist/index.d.ts');
      const stray = files.filter((f) => !/^(dist\/|README\.md$|package\.json$|LICENSE$)/.test(f));
      expect(stray, dir).toEqual([]);
      tarballs.push(join(out, info!.filename));
    }

    const app = mkdtempSync(join(tmpdir(), 'zai-app-'));
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    execFileSync(
      'npm',
      ['install', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund', ...tarballs],
      {
        cwd: app,
        stdio: 'ignore',
      },
    );
    expect(readdirSync(join(app, 'node_modules', '@zai')).sort()).toEqual([
      'common',
      'inference-engine',
      'onnx-parser',
      'tensor-core',
    ]);
    const script = `
      import { InferenceSession, Tensor } from '@zai/inference-engine';
      const s = await InferenceSession.create(${JSON.stringify(model)}, { backend: 'native' });
      const x = new Tensor('float32', Float32Array.from({ length: 60 }, (_, i) => i - 30), [3, 4, 5]);
      const { y } = await s.run({ x });
      console.log(JSON.stringify({ dims: y.dims, first: y.data[0], last: y.data[59] }));`;
    writeFileSync(join(app, 'main.mjs'), script);
    const esm = JSON.parse(execFileSync('node', ['main.mjs'], { cwd: app, encoding: 'utf8' }));
    expect(esm).toEqual({ dims: [3, 4, 5], first: 0, last: 29 });
    writeFileSync(
      join(app, 'main.cjs'),
      `const { Tensor } = require('@zai/tensor-core'); const t = new Tensor('int64', [1n, 2n], [2]); console.log(t.type, t.size);`,
    );
    expect(execFileSync('node', ['main.cjs'], { cwd: app, encoding: 'utf8' }).trim()).toBe('int64 2');
  }, 120_000);
});
