import { graph, node, tensorInfo } from '@zai/onnx-parser';
import { describe, expect, it } from 'vitest';
import { defineOp, OperatorRegistry, Tensor } from '../src/index.js';
import { eliminateDeadCode, foldConstants, optimizeGraph } from '../src/optimizer/index.js';

const f32 = (...v: number[]) => new Tensor('float32', Float32Array.from(v), [v.length]);
let addRuns = 0;
const registry = new OperatorRegistry([
  defineOp('Add', '1+', () => (inputs) => {
    addRuns++;
    const [a, b] = inputs as Tensor[];
    return [
      new Tensor(
        'float32',
        (a!.data as Float32Array).map((x, i) => x + (b!.data as Float32Array)[i]!),
        a!.dims,
      ),
    ];
  }),
  defineOp('RandomUniformLike', '1+', () => (inputs) => [inputs[0]]),
]);
const ctx = { registry, opsets: new Map([['', 17]]) };

describe('foldConstants', () => {
  it('evaluates nodes whose inputs are all constant, once, into initializers', () => {
    const g = graph({
      nodes: [node('Add', ['w', 'w'], ['w2']), node('Add', ['x', 'w2'], ['y'])],
      inputs: [tensorInfo('x', 'float32', [2])],
      outputs: [tensorInfo('y', 'float32', [2])],
      initializers: { w: f32(1, 2) },
    });
    addRuns = 0;
    const out = foldConstants.run(g, ctx);
    expect(addRuns).toBe(1);
    expect(out.nodes.map((n) => n.outputs[0])).toEqual(['y']);
    const w2 = out.initializers.find((i) => i.name === 'w2')!;
    expect(Array.from(w2.loadSync().data as Float32Array)).toEqual([2, 4]);
  });

  it('leaves random operators and overridable initializers alone', () => {
    const g = graph({
      nodes: [node('RandomUniformLike', ['w'], ['r']), node('Add', ['d', 'd'], ['y'])],
      inputs: [tensorInfo('d', 'float32', [2])],
      outputs: [tensorInfo('r', 'float32', [2]), tensorInfo('y', 'float32', [2])],
      initializers: { w: f32(1, 2), d: f32(3, 4) },
    });
    expect(foldConstants.run(g, ctx)).toBe(g);
  });
});

describe('eliminateDeadCode', () => {
  it('drops nodes and initializers that no output needs', () => {
    const g = graph({
      nodes: [node('Add', ['x', 'w'], ['y']), node('Add', ['x', 'unused'], ['dead'])],
      inputs: [tensorInfo('x', 'float32', [2])],
      outputs: [tensorInfo('y', 'float32', [2])],
      initializers: { w: f32(1, 2), unused: f32(0, 0) },
    });
    const out = eliminateDeadCode.run(g, ctx);
    expect(out.nodes.map((n) => n.outputs[0])).toEqual(['y']);
    expect(out.initializers.map((i) => i.name)).toEqual(['w']);
  });

  it('runs nothing at level disabled', () => {
    const g = graph({
      nodes: [node('Add', ['w', 'w'], ['y'])],
      inputs: [],
      outputs: [tensorInfo('y', 'float32', [2])],
      initializers: { w: f32(1, 2) },
    });
    expect(optimizeGraph(g, ctx, 'disabled')).toBe(g);
    expect(optimizeGraph(g, ctx, 'basic').nodes).toHaveLength(0);
  });
});
