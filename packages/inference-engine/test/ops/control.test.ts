import { type DataType, ErrorCode, type ValueType } from '@zai/common';
import {
  type GraphIR,
  graph,
  model,
  type NodeIR,
  node,
  tensorInfo,
  type ValueInfoIR,
} from '@zai/onnx-parser';
import { isTensor } from '@zai/tensor-core';
import { describe, expect, it } from 'vitest';
import { InferenceSession, Tensor } from '../../src/index.js';
import { defineOp, type RuntimeValue } from '../../src/kernel.js';
import { CONTROL_OPS } from '../../src/ops/control/index.js';
import { SEQUENCE_OPS } from '../../src/ops/sequence/index.js';
import { OperatorRegistry } from '../../src/registry.js';

// The control-flow and sequence kernels run here against a private registry
// holding them plus a few tiny helper kernels, so these tests depend on no
// other operator family.

const f32 = (values: readonly number[], dims: readonly number[] = [values.length]) =>
  new Tensor('float32', Float32Array.from(values), dims);
const i64 = (values: readonly number[], dims: readonly number[] = [values.length]) =>
  new Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);
const bool = (v: boolean) => new Tensor('bool', Uint8Array.of(v ? 1 : 0), []);

/** Elementwise over equal shapes or a scalar operand; float32 and int64 only. */
function binary(op: (a: number, b: number) => number, outType?: DataType) {
  return () => (inputs: readonly (RuntimeValue | undefined)[]) => {
    const [a, b] = inputs as [Tensor, Tensor];
    const big = a.type === 'int64';
    const at = (t: Tensor, i: number) => Number(t.data[t.size === 1 ? 0 : i]);
    const dims = a.size >= b.size ? a.dims : b.dims;
    const n = Math.max(a.size, b.size);
    const vals = Array.from({ length: n }, (_, i) => op(at(a, i), at(b, i)));
    const type = outType ?? a.type;
    if (type === 'bool') return [new Tensor('bool', Uint8Array.from(vals), dims)];
    return [big && !outType ? i64(vals, dims) : new Tensor(type, vals, dims)];
  };
}

const HELPERS = [
  defineOp('Identity', '1+', () => (inputs) => [inputs[0]]),
  defineOp(
    'Add',
    '1+',
    binary((a, b) => a + b),
  ),
  defineOp(
    'Mul',
    '1+',
    binary((a, b) => a * b),
  ),
  defineOp(
    'Less',
    '1+',
    binary((a, b) => (a < b ? 1 : 0), 'bool'),
  ),
];
const registry = new OperatorRegistry([...CONTROL_OPS, ...SEQUENCE_OPS, ...HELPERS]);

const seqOf = (elemType: DataType): ValueType => ({ kind: 'sequence', elem: { kind: 'tensor', elemType } });
const info = (name: string, type: ValueType | null): ValueInfoIR => ({ name, type, docString: '' });

async function run(
  g: GraphIR,
  feeds: Record<string, RuntimeValue>,
  opset = 21,
): Promise<Record<string, RuntimeValue>> {
  const s = await InferenceSession.create(model(g, [{ domain: '', version: opset }]), {
    backend: 'native',
    registry,
  });
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

function tensorOf(v: RuntimeValue | undefined): Tensor {
  if (!isTensor(v)) throw new Error(`expected a tensor, got ${String(v)}`);
  return v as Tensor;
}
const nums = (v: RuntimeValue | undefined) =>
  Array.from(tensorOf(v).data as ArrayLike<number | bigint>, Number);
const dimsOf = (v: RuntimeValue | undefined) => tensorOf(v).dims;

/** A subgraph with the given nodes, inputs and outputs (all tensors of unknown type unless given). */
function body(nodes: NodeIR[], inputs: ValueInfoIR[], outputs: ValueInfoIR[], initializers = {}): GraphIR {
  return graph({ name: 'body', nodes, inputs, outputs, initializers });
}

describe('If', () => {
  const branches = (n: NodeIR) => n;
  const ifGraph = graph({
    nodes: [
      branches(
        node('If', ['cond'], ['y'], {
          then_branch: body([node('Add', ['x', 'x'], ['t'])], [], [tensorInfo('t', 'float32')]),
          // a branch output may be an outer value itself, and of another shape
          else_branch: body([], [], [tensorInfo('z', 'float32')]),
        }),
      ),
    ],
    inputs: [tensorInfo('cond', 'bool', []), tensorInfo('x', 'float32'), tensorInfo('z', 'float32')],
    outputs: [tensorInfo('y', 'float32')],
  });

  it('runs the branch the condition picks, reading outer-scope values', async () => {
    const feeds = { x: f32([1, 2]), z: f32([7, 8, 9], [3, 1]) };
    const a = await run(ifGraph, { ...feeds, cond: bool(true) });
    expect(nums(a.y)).toEqual([2, 4]);
    const b = await run(ifGraph, { ...feeds, cond: bool(false) });
    expect(dimsOf(b.y)).toEqual([3, 1]);
    expect(nums(b.y)).toEqual([7, 8, 9]);
  });

  it('yields sequences and empty optionals', async () => {
    const g = graph({
      nodes: [
        node('If', ['cond'], ['out'], {
          then_branch: body(
            [node('SequenceConstruct', ['x', 'x'], ['s'])],
            [],
            [info('s', seqOf('float32'))],
          ),
          else_branch: body(
            [
              {
                ...node('Optional', [], ['o']),
                attributes: [{ name: 'type', type: 'type_proto', value: seqOf('float32') }],
              },
            ],
            [],
            [info('o', { kind: 'optional', elem: seqOf('float32') })],
          ),
        }),
      ],
      inputs: [tensorInfo('cond', 'bool', []), tensorInfo('x', 'float32')],
      outputs: [info('out', null)],
    });
    const a = await run(g, { cond: bool(true), x: f32([3]) });
    expect(Array.isArray(a.out) && a.out.length).toBe(2);
    const b = await run(g, { cond: bool(false), x: f32([3]) });
    expect(b.out).toBeNull();
  });

  it('rejects branches whose output count differs from the node', async () => {
    const g = graph({
      nodes: [node('If', ['cond'], ['y'], { then_branch: body([], [], []), else_branch: body([], [], []) })],
      inputs: [tensorInfo('cond', 'bool', [])],
      outputs: [tensorInfo('y', 'float32')],
    });
    await expect(run(g, { cond: bool(true) })).rejects.toMatchObject({ code: ErrorCode.Validation });
  });
});

describe('Loop', () => {
  // body(i, cond, acc): acc' = acc + x; keep going while acc' < limit; scan out acc' and i
  const accBody = body(
    [
      node('Add', ['acc', 'x'], ['acc_out']),
      node('Less', ['acc_out', 'limit'], ['cond_out']),
      node('Identity', ['acc_out'], ['scan_acc']),
      node('Identity', ['i'], ['scan_i']),
    ],
    [tensorInfo('i', 'int64', []), tensorInfo('cond_in', 'bool', []), tensorInfo('acc', 'float32', [1])],
    [
      tensorInfo('cond_out', 'bool', []),
      tensorInfo('acc_out', 'float32', [1]),
      tensorInfo('scan_acc', 'float32', [1]),
      tensorInfo('scan_i', 'int64', []),
    ],
  );
  const loopGraph = (m: string, cond: string) =>
    graph({
      nodes: [node('Loop', [m, cond, 'acc0'], ['acc', 'accs', 'iters'], { body: accBody })],
      inputs: [
        tensorInfo('M', 'int64', []),
        tensorInfo('cond', 'bool', []),
        tensorInfo('acc0', 'float32', [1]),
        tensorInfo('x', 'float32', [1]),
        tensorInfo('limit', 'float32', [1]),
      ],
      outputs: [tensorInfo('acc', 'float32'), tensorInfo('accs', 'float32'), tensorInfo('iters', 'int64')],
    });
  const feeds = (m: number, cond: boolean, limit = 100) => ({
    M: i64([m], []),
    cond: bool(cond),
    acc0: f32([0]),
    x: f32([2]),
    limit: f32([limit]),
  });

  it('runs M iterations, stacking scan outputs along a new first axis', async () => {
    const r = await run(loopGraph('M', 'cond'), feeds(3, true));
    expect(nums(r.acc)).toEqual([6]);
    expect(dimsOf(r.accs)).toEqual([3, 1]);
    expect(nums(r.accs)).toEqual([2, 4, 6]);
    expect(tensorOf(r.iters).type).toBe('int64');
    expect(nums(r.iters)).toEqual([0, 1, 2]);
  });

  it('stops when the body condition turns false', async () => {
    const r = await run(loopGraph('M', 'cond'), feeds(10, true, 5));
    expect(nums(r.accs)).toEqual([2, 4, 6]);
    // a while loop: no M
    const w = await run(loopGraph('', 'cond'), feeds(0, true, 7));
    expect(nums(w.accs)).toEqual([2, 4, 6, 8]);
  });

  it('ignores the body condition when only M is given', async () => {
    const r = await run(loopGraph('M', ''), feeds(4, true, 1));
    expect(nums(r.acc)).toEqual([8]);
  });

  it('runs zero iterations: carried values pass through, scan outputs are empty with declared shapes', async () => {
    const r = await run(loopGraph('M', 'cond'), feeds(3, false));
    expect(nums(r.acc)).toEqual([0]);
    expect(dimsOf(r.accs)).toEqual([0, 1]);
    expect(tensorOf(r.iters).dims).toEqual([0]);
    expect(tensorOf(r.iters).type).toBe('int64');
  });

  it('carries a sequence (13+) and an optional (16+)', async () => {
    const b = body(
      [node('Identity', ['c'], ['c_out']), node('SequenceInsert', ['s', 'i'], ['s_out'])],
      [tensorInfo('i', 'int64', []), tensorInfo('c', 'bool', []), info('s', seqOf('int64'))],
      [tensorInfo('c_out', 'bool', []), info('s_out', seqOf('int64'))],
    );
    const g = graph({
      nodes: [
        node('SequenceEmpty', [], ['empty'], { dtype: 7 }),
        node('Loop', ['M', '', 'empty'], ['seq'], { body: b }),
      ],
      inputs: [tensorInfo('M', 'int64', [])],
      outputs: [info('seq', seqOf('int64'))],
    });
    const r = await run(g, { M: i64([3], []) }, 16);
    expect(Array.isArray(r.seq) && r.seq.map(nums)).toEqual([[0], [1], [2]]);
  });

  it('passes body inputs and outer values straight through as body outputs', async () => {
    const b = body(
      [node('Identity', ['v'], ['scan'])],
      [tensorInfo('i', 'int64', []), tensorInfo('c', 'bool', []), tensorInfo('v', 'float32', [])],
      // cond and v pass through unchanged; the outer value w is a scan output
      [
        tensorInfo('c', 'bool', []),
        tensorInfo('v', 'float32', []),
        tensorInfo('scan', 'float32', []),
        tensorInfo('w', 'float32', []),
      ],
    );
    const g = graph({
      nodes: [node('Loop', ['M', 'cond', 'v0'], ['v', 'vs', 'ws'], { body: b })],
      inputs: [
        tensorInfo('M', 'int64', []),
        tensorInfo('cond', 'bool', []),
        tensorInfo('v0', 'float32', []),
        tensorInfo('w', 'float32', []),
      ],
      outputs: [tensorInfo('v', 'float32'), tensorInfo('vs', 'float32'), tensorInfo('ws', 'float32')],
    });
    const r = await run(g, { M: i64([2], []), cond: bool(true), v0: f32([3], []), w: f32([9], []) });
    expect(nums(r.v)).toEqual([3]);
    expect(nums(r.vs)).toEqual([3, 3]);
    expect(nums(r.ws)).toEqual([9, 9]);
  });

  it('nests: a Loop inside an If inside a Loop reads values two scopes up', async () => {
    // outer Loop over i < M: if i < two then acc = inner Loop (i+1 times: acc += x) else acc stays
    const inner = body(
      [node('Add', ['a', 'x'], ['a_out']), node('Identity', ['c2'], ['c2_out'])],
      [tensorInfo('j', 'int64', []), tensorInfo('c2', 'bool', []), tensorInfo('a', 'float32', [])],
      [tensorInfo('c2_out', 'bool', []), tensorInfo('a_out', 'float32', [])],
    );
    const thenBranch = body(
      [node('Add', ['i', 'one'], ['trips']), node('Loop', ['trips', '', 'acc'], ['looped'], { body: inner })],
      [],
      [tensorInfo('looped', 'float32', [])],
    );
    const elseBranch = body([node('Identity', ['acc'], ['kept'])], [], [tensorInfo('kept', 'float32', [])]);
    const outerBody = body(
      [
        node('Less', ['i', 'two'], ['flag']),
        node('If', ['flag'], ['acc_out'], { then_branch: thenBranch, else_branch: elseBranch }),
        node('Identity', ['c'], ['c_out']),
        node('Identity', ['acc_out'], ['scan']),
      ],
      [tensorInfo('i', 'int64', []), tensorInfo('c', 'bool', []), tensorInfo('acc', 'float32', [])],
      [
        tensorInfo('c_out', 'bool', []),
        tensorInfo('acc_out', 'float32', []),
        tensorInfo('scan', 'float32', []),
      ],
    );
    const g = graph({
      nodes: [node('Loop', ['M', '', 'zero'], ['acc', 'accs'], { body: outerBody })],
      inputs: [tensorInfo('M', 'int64', []), tensorInfo('x', 'float32', [])],
      outputs: [tensorInfo('acc', 'float32'), tensorInfo('accs', 'float32')],
      initializers: { zero: f32([0], []), one: i64([1], []), two: i64([2], []) },
    });
    const r = await run(g, { M: i64([4], []), x: f32([1.5], []) });
    // i=0: 1 trip -> 1.5; i=1: 2 trips -> 4.5; i=2,3: unchanged
    expect(nums(r.accs)).toEqual([1.5, 4.5, 4.5, 4.5]);
    expect(nums(r.acc)).toEqual([4.5]);
  });
});

describe('Scan', () => {
  // body(sum, x_t, y_t): sum' = sum + x_t; outputs sum' and x_t * y_t
  const scanBody = body(
    [node('Add', ['sum', 'xt'], ['sum_out']), node('Mul', ['xt', 'yt'], ['prod'])],
    [tensorInfo('sum', 'float32', [2]), tensorInfo('xt', 'float32', [2]), tensorInfo('yt', 'float32', [2])],
    [tensorInfo('sum_out', 'float32', [2]), tensorInfo('prod', 'float32', [2])],
  );

  it('opset 9+: input axes and directions, output axes and directions', async () => {
    const g = graph({
      nodes: [
        node('Scan', ['s0', 'x', 'y'], ['sum', 'prods'], {
          body: scanBody,
          num_scan_inputs: 2,
          // x scanned along axis 1, y along axis 0 in reverse; products stacked on the last axis, prepended
          scan_input_axes: [1, 0],
          scan_input_directions: [0, 1],
          scan_output_axes: [-1],
          scan_output_directions: [1],
        }),
      ],
      inputs: [tensorInfo('s0', 'float32'), tensorInfo('x', 'float32'), tensorInfo('y', 'float32')],
      outputs: [tensorInfo('sum', 'float32'), tensorInfo('prods', 'float32')],
    });
    // x is [2, 3]: steps are its columns [1,4], [2,5], [3,6]; y rows reversed: [3,3], [2,2], [1,1]
    const r = await run(g, {
      s0: f32([0, 0]),
      x: f32([1, 2, 3, 4, 5, 6], [2, 3]),
      y: f32([1, 1, 2, 2, 3, 3], [3, 2]),
    });
    expect(nums(r.sum)).toEqual([6, 15]);
    // step products: [3,12], [4,10], [3,6]; prepended -> order reversed, stacked on axis 1
    expect(dimsOf(r.prods)).toEqual([2, 3]);
    expect(nums(r.prods)).toEqual([3, 4, 3, 6, 10, 12]);
  });

  it('opset 8: batches with sequence_lens pad short sequences with zeros', async () => {
    const b = body(
      [node('Add', ['sum', 'xt'], ['sum_out']), node('Identity', ['sum_out'], ['out'])],
      [tensorInfo('sum', 'float32', [1]), tensorInfo('xt', 'float32', [1])],
      [tensorInfo('sum_out', 'float32', [1]), tensorInfo('out', 'float32', [1])],
    );
    const g = graph({
      nodes: [
        node('Scan', ['lens', 's0', 'x'], ['sum', 'outs'], { body: b, num_scan_inputs: 1, directions: [1] }),
      ],
      inputs: [tensorInfo('lens', 'int64'), tensorInfo('s0', 'float32'), tensorInfo('x', 'float32')],
      outputs: [tensorInfo('sum', 'float32'), tensorInfo('outs', 'float32')],
    });
    const x = f32([1, 2, 3, 10, 20, 30], [2, 3, 1]);
    const r = await run(g, { lens: i64([3, 2]), s0: f32([0, 100], [2, 1]), x }, 8);
    expect(nums(r.sum)).toEqual([6, 130]);
    expect(dimsOf(r.outs)).toEqual([2, 3, 1]);
    // reverse: batch 0 reads 3,2,1; batch 1 reads its 2 valid steps 20,10
    expect(nums(r.outs)).toEqual([3, 5, 6, 120, 130, 0]);
  });
});

describe('sequence ops', () => {
  it('construct, insert (negative position), at, erase, length', async () => {
    const g = graph({
      nodes: [
        node('SequenceConstruct', ['a', 'b'], ['s']),
        node('SequenceInsert', ['s', 'c', 'neg1'], ['s2']),
        node('SequenceAt', ['s2', 'neg1'], ['last']),
        node('SequenceErase', ['s2'], ['s3']),
        node('SequenceLength', ['s3'], ['n']),
      ],
      inputs: [tensorInfo('a', 'float32'), tensorInfo('b', 'float32'), tensorInfo('c', 'float32')],
      outputs: [info('s2', seqOf('float32')), tensorInfo('last', 'float32'), tensorInfo('n', 'int64')],
      initializers: { neg1: i64([-1], []) },
    });
    const r = await run(g, { a: f32([1]), b: f32([2]), c: f32([3]) });
    // inserting at -1 puts c before the last element
    expect((r.s2 as RuntimeValue[]).map(nums)).toEqual([[1], [3], [2]]);
    expect(nums(r.last)).toEqual([2]);
    expect(nums(r.n)).toEqual([2]);
    expect(dimsOf(r.n)).toEqual([]);
  });

  it('SequenceAt out of range is a shape error', async () => {
    const g = graph({
      nodes: [node('SequenceConstruct', ['a'], ['s']), node('SequenceAt', ['s', 'p'], ['y'])],
      inputs: [tensorInfo('a', 'float32'), tensorInfo('p', 'int64', [])],
      outputs: [tensorInfo('y', 'float32')],
    });
    await expect(run(g, { a: f32([1]), p: i64([1], []) })).rejects.toMatchObject({ code: ErrorCode.Shape });
  });

  it('SplitToSequence (scalar split with remainder, keepdims=0) and ConcatFromSequence (new_axis)', async () => {
    const g = graph({
      nodes: [
        node('SplitToSequence', ['x', 'k'], ['chunks'], { axis: 1 }),
        node('SplitToSequence', ['x'], ['rows'], { axis: 0, keepdims: 0 }),
        node('ConcatFromSequence', ['rows'], ['stacked'], { axis: -1, new_axis: 1 }),
        node('ConcatFromSequence', ['chunks'], ['joined'], { axis: 1 }),
      ],
      inputs: [tensorInfo('x', 'float32'), tensorInfo('k', 'int64', [])],
      outputs: [
        info('chunks', seqOf('float32')),
        tensorInfo('stacked', 'float32'),
        tensorInfo('joined', 'float32'),
      ],
    });
    const x = f32([1, 2, 3, 4, 5, 6], [2, 3]);
    const r = await run(g, { x, k: i64([2], []) });
    const chunks = r.chunks as RuntimeValue[];
    expect(chunks.map(dimsOf)).toEqual([
      [2, 2],
      [2, 1],
    ]);
    expect(chunks.map(nums)).toEqual([
      [1, 2, 4, 5],
      [3, 6],
    ]);
    // rows [1,2,3] and [4,5,6] stacked on a new last axis: the transpose
    expect(dimsOf(r.stacked)).toEqual([3, 2]);
    expect(nums(r.stacked)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(nums(r.joined)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('splits and joins string and packed 4-bit tensors', async () => {
    const g = graph({
      nodes: [
        node('SplitToSequence', ['x'], ['parts']),
        node('ConcatFromSequence', ['parts'], ['y'], { axis: 0 }),
      ],
      inputs: [info('x', null)],
      outputs: [info('parts', null), info('y', null)],
    });
    const strs = await run(g, { x: new Tensor('string', ['a', 'b', 'c'], [3]) });
    expect((strs.parts as Tensor[]).map((t) => t.data)).toEqual([['a'], ['b'], ['c']]);
    expect(tensorOf(strs.y).data).toEqual(['a', 'b', 'c']);
    // uint4 [1, 2, 3] packs into bytes 0x21, 0x03
    const packed = await run(g, { x: new Tensor('uint4', Uint8Array.of(0x21, 0x03), [3]) });
    expect((packed.parts as Tensor[]).map((t) => Array.from(t.data as Uint8Array))).toEqual([[1], [2], [3]]);
    expect(Array.from(tensorOf(packed.y).data as Uint8Array)).toEqual([0x21, 0x03]);
  });

  it('SequenceMap maps a body over a sequence and a tensor', async () => {
    const g = graph({
      nodes: [
        node('SequenceMap', ['s', 't'], ['sums', 'copies'], {
          body: body(
            [node('Add', ['e', 'u'], ['sum']), node('Identity', ['u'], ['copy'])],
            [tensorInfo('e', 'float32'), tensorInfo('u', 'float32')],
            [tensorInfo('sum', 'float32'), tensorInfo('copy', 'float32')],
          ),
        }),
      ],
      inputs: [info('s', seqOf('float32')), tensorInfo('t', 'float32')],
      outputs: [info('sums', seqOf('float32')), info('copies', seqOf('float32'))],
    });
    const r = await run(g, { s: [f32([1, 2]), f32([3, 4])], t: f32([10, 20]) }, 17);
    expect((r.sums as RuntimeValue[]).map(nums)).toEqual([
      [11, 22],
      [13, 24],
    ]);
    expect((r.copies as RuntimeValue[]).length).toBe(2);
  });
});

describe('optional ops', () => {
  const typeAttr = {
    name: 'type',
    type: 'type_proto',
    value: { kind: 'tensor', elemType: 'float32' },
  } as const;

  it('Optional, OptionalHasElement and OptionalGetElement', async () => {
    const g = graph({
      nodes: [
        { ...node('Optional', [], ['none']), attributes: [typeAttr] },
        node('Optional', ['x'], ['some']),
        node('OptionalHasElement', ['none'], ['has_none']),
        node('OptionalHasElement', ['some'], ['has_some']),
        node('OptionalHasElement', [], ['has_nothing']),
        node('OptionalGetElement', ['some'], ['got']),
        // 18+: a plain tensor passes through
        node('OptionalGetElement', ['x'], ['plain']),
      ],
      inputs: [tensorInfo('x', 'float32')],
      outputs: ['none', 'has_none', 'has_some', 'has_nothing', 'got', 'plain'].map((n) => info(n, null)),
    });
    const r = await run(g, { x: f32([5]) }, 18);
    expect(r.none).toBeNull();
    expect(nums(r.has_none)).toEqual([0]);
    expect(nums(r.has_some)).toEqual([1]);
    expect(nums(r.has_nothing)).toEqual([0]);
    expect(tensorOf(r.has_some).type).toBe('bool');
    expect(nums(r.got)).toEqual([5]);
    expect(nums(r.plain)).toEqual([5]);
  });

  it('OptionalGetElement on an empty optional fails', async () => {
    const g = graph({
      nodes: [node('OptionalGetElement', ['o'], ['y'])],
      inputs: [info('o', { kind: 'optional', elem: { kind: 'tensor', elemType: 'float32' } })],
      outputs: [tensorInfo('y', 'float32')],
    });
    await expect(run(g, { o: null }, 18)).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
  });
});

describe('static types', () => {
  it('infers Loop scan outputs, sequence and optional types', async () => {
    const { inferTypes } = await import('../../src/index.js');
    const b = body(
      [
        node('Identity', ['c'], ['c_out']),
        node('Identity', ['v'], ['v_out']),
        node('Identity', ['v'], ['scan']),
      ],
      [tensorInfo('i', 'int64', []), tensorInfo('c', 'bool', []), tensorInfo('v', 'float32', [2])],
      [
        tensorInfo('c_out', 'bool', []),
        tensorInfo('v_out', 'float32', [2]),
        tensorInfo('scan', 'float32', [2]),
      ],
    );
    const g = graph({
      nodes: [
        node('Loop', ['M', '', 'v0'], ['v', 'scans'], { body: b }),
        node('SequenceConstruct', ['v0', 'v0'], ['seq']),
        node('SequenceLength', ['seq'], ['len']),
        node('Optional', ['seq'], ['opt']),
        node('OptionalGetElement', ['opt'], ['back']),
      ],
      inputs: [tensorInfo('v0', 'float32', [2])],
      outputs: ['v', 'scans', 'len', 'back'].map((n) => info(n, null)),
      initializers: { M: i64([5], []) },
    });
    const t = inferTypes(model(g, [{ domain: '', version: 18 }]), registry).byName;
    expect(t.get('scans')).toEqual({ kind: 'tensor', elemType: 'float32', shape: [5, 2] });
    expect(t.get('len')).toEqual({ kind: 'tensor', elemType: 'int64', shape: [] });
    expect(t.get('back')).toEqual(t.get('seq'));
    expect(t.get('seq')).toEqual({
      kind: 'sequence',
      elem: { kind: 'tensor', elemType: 'float32', shape: [2] },
    });
  });
});
