import { describe, expect, it } from 'vitest';
import { graph, model, node, tensorInfo } from '../src/build-ir.js';
import { operatorSchema, validateModel } from '../src/index.js';
import type { NodeIR } from '../src/ir.js';

const x = tensorInfo('x', 'float32', [2, 3]);
const y = tensorInfo('y', 'float32', [2, 3]);

function findings(nodes: NodeIR[], opset = 21) {
  return validateModel(model(graph({ nodes, inputs: [x], outputs: [y] }), [{ domain: '', version: opset }]));
}

describe('validateModel', () => {
  it('accepts a well-formed graph', () => {
    expect(findings([node('Relu', ['x'], ['y'], {}, 'relu')])).toEqual([]);
  });

  it('names the node whose input is never produced', () => {
    const f = findings([node('Add', ['x', 'ghost'], ['y'], {}, 'add')]);
    expect(f).toContainEqual(
      expect.objectContaining({ severity: 'error', node: 'add', message: expect.stringMatching(/'ghost'/) }),
    );
  });

  it('finds duplicate outputs', () => {
    const f = findings([node('Relu', ['x'], ['y'], {}, 'a'), node('Relu', ['x'], ['y'], {}, 'b')]);
    expect(f.some((e) => e.node === 'b' && /also produced by node 'a'/.test(e.message))).toBe(true);
  });

  it('checks attribute types against the operator version the opset selects', () => {
    // Softmax's axis is an int; a float is a type error
    const f = findings([node('Softmax', ['x'], ['y'], { axis: { float: 1.5 } }, 'sm')]);
    expect(f).toEqual([
      expect.objectContaining({
        severity: 'error',
        node: 'sm',
        message: "attribute 'axis' is float, ai.onnx::Softmax expects int",
      }),
    ]);
  });

  it('reports a missing required attribute and a wrong input count', () => {
    const f = findings([
      node('Concat', ['x', 'x'], ['y'], {}, 'cat'),
      node('Relu', ['x', 'x'], ['r'], {}, 'relu'),
    ]);
    expect(f.map((e) => `${e.node}: ${e.message}`)).toEqual([
      "cat: required attribute 'axis' of ai.onnx::Concat is missing",
      'relu: ai.onnx::Relu-14 takes 1 inputs, got 2',
    ]);
  });

  it('warns about attributes the operator does not define', () => {
    const f = findings([node('Relu', ['x'], ['y'], { alpha: 0.5 }, 'relu')]);
    expect(f).toEqual([expect.objectContaining({ severity: 'warning', node: 'relu' })]);
  });

  it('warns about operator versions the docs mark deprecated', () => {
    const f = findings([node('Upsample', ['x', 'x'], ['y'], {}, 'up')], 10);
    expect(f).toEqual([
      expect.objectContaining({
        severity: 'warning',
        message: 'ai.onnx::Upsample is marked deprecated from opset 10 (the model imports 10)',
      }),
    ]);
  });

  it('the node builder gives integer-valued numbers the float type the operator declares', () => {
    const elu = node('Elu', ['x'], ['y'], { alpha: 1 });
    expect(elu.attributes[0]).toMatchObject({ type: 'float', value: 1 });
    const clip6 = node('Clip', ['x'], ['y'], { min: 0, max: 6 });
    expect(clip6.attributes.map((a) => a.type)).toEqual(['float', 'float']);
    expect(node('Softmax', ['x'], ['y'], { axis: 1 }).attributes[0]?.type).toBe('int');
  });

  it('selects the version in force at an opset', () => {
    expect(operatorSchema('', 'Resize', 12)?.sinceVersion).toBe(11);
    expect(operatorSchema('ai.onnx', 'Resize', 19)?.attributes.get('antialias')?.type).toBe('int');
    expect(operatorSchema('', 'NoSuchOp', 21)).toBeUndefined();
  });

  it('checks nodes inside subgraphs, naming the subgraph path', () => {
    const body = graph({
      name: 'then_body',
      nodes: [node('Softmax', ['x'], ['t'], { axis: 'one' }, 'inner')],
      inputs: [],
      outputs: [tensorInfo('t', 'float32')],
    });
    const cond = tensorInfo('c', 'bool', []);
    const m = model(
      graph({
        nodes: [node('If', ['c'], ['y'], { then_branch: body, else_branch: body }, 'if')],
        inputs: [cond, x],
        outputs: [y],
      }),
    );
    const f = validateModel(m);
    expect(f[0]).toMatchObject({ node: 'inner', graph: 'main/then_body', severity: 'error' });
  });
});
