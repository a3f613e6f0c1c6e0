import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeModel, graph, model, node, tensorInfo } from '@zai/onnx-parser';
import { decodeNpy, encodeNpy, Tensor } from '@zai/tensor-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createProgram } from '../src/index.js';

const bin = new URL('../dist/bin.js', import.meta.url).pathname;
let dir: string;
let file: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'zai-cli-'));
  file = join(dir, 'add.onnx');
  const g = graph({
    name: 'add_relu',
    nodes: [node('Add', ['a', 'bias'], ['s'], {}, 'add'), node('Relu', ['s'], ['y'], {}, 'relu')],
    inputs: [tensorInfo('a', 'float32', ['batch', 3])],
    outputs: [tensorInfo('y', 'float32', ['batch', 3])],
    initializers: { bias: new Tensor('float32', new Float32Array([1, -1, 0.5]), [3]) },
  });
  writeFileSync(file, encodeModel(model(g, [{ domain: '', version: 14 }], { producerName: 'cli-test' })));
});

async function zai(...args: string[]): Promise<string> {
  const out: string[] = [];
  await createProgram((t) => out.push(t)).parseAsync(['node', 'zai', ...args]);
  return out.join('\n');
}

describe('zai info', () => {
  it('prints inputs, outputs, opsets, producer, node count, histogram and parameters', async () => {
    const text = await zai('info', file);
    expect(text).toContain('producer   cli-test');
    expect(text).toContain('opsets     ai.onnx 14');
    expect(text).toMatch(/a\s+float32\[batch,3\]/);
    expect(text).toMatch(/y\s+float32\[batch,3\]/);
    expect(text).toMatch(/parameters 3 \(3\)/);
    expect(text).toMatch(/nodes\s+2/);
    expect(text).toMatch(/Add\s+1/);
  });

  it('prints JSON with --json', async () => {
    const r = JSON.parse(await zai('info', file, '--json'));
    expect(r.inputs).toEqual([{ name: 'a', type: 'float32[batch,3]' }]);
    expect(r.opTypes).toEqual({ Add: 1, Relu: 1 });
    expect(r.parameterCount).toBe(3);
  });
});

describe('zai run', () => {
  it('runs on JSON, inline and .npy inputs and saves .npy outputs', async () => {
    writeFileSync(
      join(dir, 'a.json'),
      JSON.stringify({ type: 'float32', dims: [2, 3], data: [1, 2, 3, -4, 0, 0] }),
    );
    expect(await zai('run', file, '--input', `a=${join(dir, 'a.json')}`)).toContain(
      'y: float32[2,3] [2, 1, 3.5, 0, 0, 0.5]',
    );
    expect(await zai('run', file, '--input', 'a=[[0,0,0]]')).toContain('y: float32[1,3] [1, 0, 0.5]');
    writeFileSync(join(dir, 'a.npy'), encodeNpy(new Tensor('float32', new Float32Array([1, 1, 1]), [1, 3])));
    const out = join(dir, 'out');
    await zai('run', file, '--input', `a=${join(dir, 'a.npy')}`, '--output', out);
    const y = decodeNpy(readFileSync(join(out, 'y.npy')));
    expect(y.dims).toEqual([1, 3]);
    expect(Array.from(y.data as Float32Array)).toEqual([2, 0, 1.5]);
    const json = JSON.parse(await zai('run', file, '--input', 'a=[[0,0,0]]', '--json'));
    expect(json.y).toEqual({ type: 'float32', dims: [1, 3], data: [1, 0, 0.5] });
  });

  it('names the problem for bad inputs', async () => {
    await expect(zai('run', file, '--input', 'b=[1]')).rejects.toThrow(/no such input.*inputs: a/);
    await expect(zai('run', file)).rejects.toThrow(/missing --input for 'a'/);
    await expect(zai('run', file, '--input', 'a=[[1,2],[3]]')).rejects.toThrow(/ragged/);
    await expect(zai('run', file, '--input', 'a=[1,2,3]')).rejects.toThrow(/input 'a' expects rank 2/);
    await expect(zai('run', file, '--input', `a=${join(dir, 'nope.npy')}`)).rejects.toThrow(/does not exist/);
  });
});

describe('the zai binary', () => {
  it('prints one line and exits 1 on a missing file, a corrupt model and a bad input', () => {
    const corrupt = join(dir, 'corrupt.onnx');
    writeFileSync(corrupt, readFileSync(file).subarray(0, 40));
    for (const args of [
      ['info', join(dir, 'missing.onnx')],
      ['info', corrupt],
      ['run', file, '--input', 'a=[[1]]'],
    ]) {
      const r = spawnSync('node', [bin, ...args], { encoding: 'utf8' });
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^zai: /);
    }
  });
});

describe('zai validate', () => {
  it('accepts a valid model and reports dangling inputs, duplicate outputs and missing kernels by node', async () => {
    expect(await zai('validate', file)).toMatch(/valid \(2 nodes/);
    const bad = join(dir, 'bad.onnx');
    const g = graph({
      nodes: [
        node('Relu', ['a', 'ghost'], ['t'], {}, 'first'),
        node('Relu', ['a'], ['t'], {}, 'second'),
        node('NoSuchOp', ['t'], ['y'], {}, 'third'),
      ],
      inputs: [tensorInfo('a', 'float32', [1])],
      outputs: [tensorInfo('y', 'float32', [1])],
    });
    writeFileSync(bad, encodeModel(model(g)));
    const err = await zai('validate', bad).catch((e: Error) => e.message);
    expect(err).toMatch(/node 'first' .*input 1 'ghost' is not produced/);
    expect(err).toMatch(/node 'second' .*output 't' is also produced by node 'first'/);
    expect(err).toMatch(/node 'third' .*NoSuchOp \(opset 21\) has no native kernel/);
  });
});

describe('zai optimize', () => {
  it('folds constant subgraphs and writes a model that gives the same outputs', async () => {
    // y = x + (c1 * c2): the product is foldable; Identity on a dead branch is dropped
    const src = join(dir, 'foldable.onnx');
    const g = graph({
      nodes: [
        node('Mul', ['c1', 'c2'], ['k'], {}, 'mul'),
        node('Add', ['x', 'k'], ['y'], {}, 'add'),
        node('Identity', ['x'], ['unused'], {}, 'dead'),
      ],
      inputs: [tensorInfo('x', 'float32', [2])],
      outputs: [tensorInfo('y', 'float32', [2])],
      initializers: {
        c1: new Tensor('float32', new Float32Array([2, 3]), [2]),
        c2: new Tensor('float32', new Float32Array([5, 7]), [2]),
      },
    });
    writeFileSync(src, encodeModel(model(g, [{ domain: '', version: 17 }])));
    const out = join(dir, 'folded.onnx');
    const text = await zai('optimize', src, out);
    expect(text).toMatch(/foldable\.onnx: 3 nodes/);
    expect(text).toMatch(/folded\.onnx: 1 nodes/);
    const inputs = JSON.stringify({ type: 'float32', dims: [2], data: [1, 1] });
    expect(await zai('run', out, '--input', `x=${inputs}`)).toContain('y: float32[2] [11, 22]');
    await expect(zai('optimize', src, out, '--level', 'bogus')).rejects.toThrow(/--level must be one of/);
  });
});

describe('zai bench', () => {
  it('times each backend on synthetic inputs and reports the ratio', async () => {
    const json = JSON.parse(
      await zai('bench', file, '--runs', '3', '--warmup', '0', '--dim', 'batch=4', '--json'),
    ) as {
      rows: { backend: string; medianMs?: number; error?: string }[];
    };
    expect(json.rows.map((r) => r.backend)).toEqual(['native', 'onnxruntime']);
    for (const r of json.rows) expect(r.medianMs).toBeGreaterThan(0);
    await expect(zai('bench', file, '--backend', 'gpu')).rejects.toThrow(/unknown backend 'gpu'/);
  });
});
