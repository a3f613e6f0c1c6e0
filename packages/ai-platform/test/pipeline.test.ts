import { ErrorCode, type Feeds, PipelineError, type Results } from '@zai/common';
import { Tensor } from '@zai/tensor-core';
import { describe, expect, it } from 'vitest';
import { type ModelRunner, Pipeline, pipelineServable, step } from '../src/index.js';

/** A runner whose one model doubles its input `x` into `y`. */
const doubler: ModelRunner = {
  async infer(model, feeds) {
    if (model !== 'double') throw new Error(`no model ${model}`);
    const x = feeds.x as Tensor<'float32'>;
    return {
      y: new Tensor(
        'float32',
        x.data.map((v) => v * 2),
        x.dims,
      ),
    };
  },
};

describe('Pipeline', () => {
  it('composes typed steps: pipe, branch, map and when, and times each step', async () => {
    const p = Pipeline.create<string>('words')
      .pipe(step('split', (s: string) => s.split(' ')))
      .map(step('length', (w: string) => w.length))
      .branch('stats', {
        total: step('sum', (xs: number[]) => xs.reduce((a, b) => a + b, 0)),
        longest: step('max', (xs: number[]) => Math.max(...xs)),
      })
      .when(
        (r) => r.total > 10,
        step('cap', (r: { total: number; longest: number }) => ({ ...r, total: 10 })),
      )
      .build();
    expect(await p.execute('a bb ccc', doubler)).toEqual({ total: 6, longest: 3 });
    expect(await p.execute('hello pipeline world', doubler)).toEqual({ total: 10, longest: 8 });
    const stats = p.stats().steps;
    expect(stats.map((s) => s.step)).toEqual(['split', 'length', 'sum', 'max', 'cap']);
    const byName = Object.fromEntries(stats.map((s) => [s.step, s]));
    expect(byName.split!.count).toBe(2);
    // map is timed once per run, not per item; `when` only when it ran
    expect(byName.length!.count).toBe(2);
    expect(byName.cap!.count).toBe(1);
    expect(byName.split!.totalNs).toBeGreaterThan(0);
  });

  it('runs model steps through the runner and nests pipelines (their steps are recorded too)', async () => {
    const inner = Pipeline.create<number[]>('inner')
      .pipe(step('tensor', (xs: number[]) => new Tensor('float32', Float32Array.from(xs), [xs.length])))
      .pipe(
        step('model', async (x: Tensor, ctx) => {
          const r = await ctx.models.infer('double', { x });
          return Array.from((r.y as Tensor<'float32'>).data);
        }),
      )
      .build();
    const outer = Pipeline.create<number[]>('outer')
      .pipe(inner)
      .pipe(step('sum', (xs: number[]) => xs.reduce((a, b) => a + b, 0)))
      .build();
    expect(await outer.execute([1, 2, 3], doubler)).toBe(12);
    expect(outer.stats().steps.map((s) => s.step)).toEqual(['tensor', 'model', 'inner', 'sum']);
  });

  it('names the pipeline and step that failed, keeping the cause and its code', async () => {
    const p = Pipeline.create<string>('parse')
      .pipe(step('json', (s: string) => JSON.parse(s) as unknown))
      .pipe(
        step('check', (v: unknown) => {
          if (typeof v !== 'number') throw new PipelineError('parse', 'check', 'not a number');
          return v;
        }),
      )
      .build();
    const e = await p.execute('{oops', doubler).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PipelineError);
    expect(e).toMatchObject({ code: ErrorCode.Pipeline, pipeline: 'parse', step: 'json' });
    expect((e as Error).message).toMatch(/^pipeline 'parse' step 'json': /);
    expect((e as PipelineError).cause).toBeInstanceOf(SyntaxError);
    await expect(p.execute('"text"', doubler)).rejects.toMatchObject({ step: 'check' });
    const failures = Object.fromEntries(p.stats().steps.map((s) => [s.step, s.failures]));
    expect(failures).toEqual({ json: 1, check: 1 });
    const controller = new AbortController();
    controller.abort();
    await expect(p.execute('1', doubler, { signal: controller.signal })).rejects.toMatchObject({
      step: 'json',
      causeCode: ErrorCode.Aborted,
    });
  });

  it('serves a pipeline built with inputs and outputs: checks inputs, keeps fetched outputs', async () => {
    const p = Pipeline.create<Feeds<Tensor>>('twice')
      .pipe(
        step<Feeds<Tensor>, Results<Tensor>>('model', async (feeds, ctx) => {
          const { y } = await ctx.models.infer('double', { x: feeds.x! });
          return { y: y!, copy: feeds.x! };
        }),
      )
      .build({
        inputs: [{ name: 'x', type: { kind: 'tensor', elemType: 'float32', shape: [null] } }],
        outputs: [
          { name: 'y', type: { kind: 'tensor', elemType: 'float32', shape: [null] } },
          { name: 'copy', type: { kind: 'tensor', elemType: 'float32', shape: [null] } },
        ],
      });
    const s = pipelineServable(p, doubler);
    const x = new Tensor('float32', Float32Array.of(1, 2), [2]);
    const out = await s.infer({ x }, { fetches: ['y'] });
    expect(Object.keys(out)).toEqual(['y']);
    expect(Array.from((out.y as Tensor<'float32'>).data)).toEqual([2, 4]);
    await expect(s.infer({})).rejects.toThrow("pipeline 'twice' needs input 'x'");
    expect(s.stats?.().steps[0]).toMatchObject({ step: 'model', count: 1 });
    expect(() => pipelineServable(Pipeline.create<never>('bare').build() as never, doubler)).toThrow(
      /no inputs and outputs declared/,
    );
  });
});
