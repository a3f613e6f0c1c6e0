import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParseError } from '@zai/common';
import { Tensor } from '@zai/tensor-core';
import { describe, expect, it } from 'vitest';
import {
  decodeModel,
  decodeTensor,
  encodeModel,
  encodeTensor,
  type GraphIR,
  graph,
  loadModel,
  type ModelIR,
  model,
  node,
  tensorInfo,
  WireReader,
} from '../src/index.js';

const cases = new URL('../../../../shared/onnx-backend-tests/node/', import.meta.url).pathname;

/** A comparable snapshot of a model: structure plus decoded initializer data. */
function snapshot(m: ModelIR): unknown {
  const g = (x: GraphIR): unknown => ({
    name: x.name,
    inputs: x.inputs,
    outputs: x.outputs,
    nodes: x.nodes.map((n) => ({
      ...n,
      attributes: n.attributes.map((a) =>
        a.type === 'graph'
          ? { ...a, value: g(a.value) }
          : a.type === 'tensor'
            ? { ...a, value: Array.from(a.value.loadSync().data as ArrayLike<unknown>) }
            : a,
      ),
    })),
    inits: x.initializers.map((i) => [
      i.name,
      i.type,
      i.dims,
      Array.from(i.loadSync().data as ArrayLike<unknown>),
    ]),
  });
  return { ...m, graph: g(m.graph), functions: m.functions.length };
}

describe('decodeModel / encodeModel', () => {
  it('round-trips every 25th conformance model to the same IR', () => {
    const names = readdirSync(cases)
      .sort()
      .filter((_, i) => i % 25 === 0);
    expect(names.length).toBeGreaterThan(60);
    for (const name of names) {
      const bytes = readFileSync(join(cases, name, 'model.onnx'));
      const a = decodeModel(bytes);
      const b = decodeModel(encodeModel(a));
      expect(snapshot(b), name).toEqual(snapshot(a));
    }
  });

  it('builds the same IR from a file (windowed reads) as from bytes in memory, on all conformance models', async () => {
    const names = readdirSync(cases).sort();
    expect(names.length).toBe(1802);
    for (const name of names) {
      const path = join(cases, name, 'model.onnx');
      const fromFile = await loadModel(path);
      const fromBytes = decodeModel(readFileSync(path));
      expect(snapshot(fromFile), name).toEqual(snapshot(fromBytes));
    }
  });

  it('reads the graph, opsets, attributes and typed test data of a real case', async () => {
    const m = await loadModel(join(cases, 'test_conv_with_strides_padding', 'model.onnx'));
    expect(m.opsetImports[0]?.version).toBeGreaterThan(0);
    const conv = m.graph.nodes[0]!;
    expect(conv.opType).toBe('Conv');
    expect(conv.attributes.find((a) => a.name === 'strides')).toMatchObject({ type: 'ints', value: [2, 2] });
    const x = decodeTensor(
      readFileSync(join(cases, 'test_conv_with_strides_padding', 'test_data_set_0', 'input_0.pb')),
    );
    expect(x.type).toBe('float32');
    expect(x.dims).toEqual([1, 1, 7, 5]);
  });

  it('writes tensors of every common type and reads them back exactly', () => {
    const ts = [
      new Tensor('float32', new Float32Array([1.5, -2, Number.NaN]), [3]),
      new Tensor('int64', new BigInt64Array([-(2n ** 62n), 5n]), [2]),
      new Tensor('string', ['a', 'héllo', ''], [3]),
      new Tensor('bool', new Uint8Array([1, 0]), [2]),
      new Tensor('float16', new Uint16Array([0x3c00]), [1, 1]),
    ];
    for (const t of ts) {
      const back = decodeTensor(encodeTensor(t, 'x'));
      expect(back.type).toBe(t.type);
      expect(back.dims).toEqual(t.dims);
      expect(Array.from(back.data as ArrayLike<unknown>)).toEqual(Array.from(t.data as ArrayLike<unknown>));
    }
  });
});

describe('bad input', () => {
  const good = encodeModel(
    model(
      graph({
        nodes: [node('Relu', ['x'], ['y'])],
        inputs: [tensorInfo('x', 'float32', [2])],
        outputs: [tensorInfo('y', 'float32', [2])],
        initializers: { w: new Tensor('float32', new Float32Array([1, 2]), [2]) },
      }),
    ),
  );

  it('fails with a ParseError carrying a byte offset on every truncation', () => {
    for (let n = 1; n < good.length; n++) {
      try {
        decodeModel(good.subarray(0, n));
      } catch (e) {
        expect(e).toBeInstanceOf(ParseError);
        expect((e as ParseError).offset).toBeGreaterThanOrEqual(0);
      }
      // some prefixes end exactly at a field boundary and still decode; that is fine
    }
  });

  it('rejects varints over 10 bytes, bad wire types and lengths past the end', () => {
    expect(() => new WireReader(new Uint8Array(11).fill(0x80)).readVarint()).toThrow(/longer than 10 bytes/);
    expect(() => decodeModel(new Uint8Array([0x3f]))).toThrow(ParseError); // field 7, wire type 7
    expect(() => decodeModel(new Uint8Array([0x3a, 0xff, 0xff, 0x03, 0x00]))).toThrow(/runs past the end/);
    expect(() => decodeModel(new Uint8Array(0))).toThrow(/empty/);
  });

  it('refuses messages nested deeper than the limit', () => {
    // graph → node → attribute(g) → graph → … repeated past the depth limit
    let inner = new Uint8Array(0);
    for (let i = 0; i < 40; i++) {
      const attr = [0x32, ...varint(inner.length), ...inner]; // AttributeProto.g = 6
      const nodeMsg = [0x2a, ...varint(attr.length), ...attr]; // NodeProto.attribute = 5
      inner = Uint8Array.from([0x0a, ...varint(nodeMsg.length), ...nodeMsg]); // GraphProto.node = 1
    }
    const bytes = Uint8Array.from([0x3a, ...varint(inner.length), ...inner]); // ModelProto.graph = 7
    expect(() => decodeModel(bytes)).toThrow(/nested deeper/);
  });
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

describe('external data', () => {
  function withExternal(location: string, offset = 0, length = 8): Uint8Array {
    // a TensorProto initializer 'w' (float32 [2]) whose data lives in an external file
    const kv = (k: string, v: string) => {
      const kb = new TextEncoder().encode(k);
      const vb = new TextEncoder().encode(v);
      const msg = [0x0a, kb.length, ...kb, 0x12, vb.length, ...vb];
      return [0x6a, msg.length, ...msg]; // external_data = 13
    };
    const t = [
      0x08,
      0x02,
      0x10,
      0x01,
      0x42,
      0x01,
      0x77,
      ...kv('location', location),
      ...kv('offset', String(offset)),
      ...kv('length', String(length)),
      0x70,
      0x01,
    ];
    const g = [0x2a, t.length, ...t];
    return Uint8Array.from([0x3a, g.length, ...g]);
  }

  it('loads weights from a file next to the model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zai-ext-'));
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(new Float32Array([0, 3, 4]).buffer));
    writeFileSync(join(dir, 'model.onnx'), withExternal('weights.bin', 4, 8));
    const m = await loadModel(join(dir, 'model.onnx'));
    const w = await m.graph.initializers[0]!.load();
    expect(Array.from(w.data as Float32Array)).toEqual([3, 4]);
  });

  it('refuses locations that leave the model folder, absolute paths and escaping links', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zai-ext-'));
    const outside = mkdtempSync(join(tmpdir(), 'zai-out-'));
    writeFileSync(join(outside, 'secret.bin'), new Uint8Array(8));
    symlinkSync(join(outside, 'secret.bin'), join(dir, 'link.bin'));
    for (const [loc, msg] of [
      ['../secret.bin', /leaves the model's folder/],
      [join(outside, 'secret.bin'), /absolute/],
      ['link.bin', /link that leads outside/],
      ['missing.bin', /does not exist/],
    ] as const) {
      writeFileSync(join(dir, 'model.onnx'), withExternal(loc));
      const m = await loadModel(join(dir, 'model.onnx'));
      await expect(m.graph.initializers[0]!.load()).rejects.toThrow(msg);
    }
  });

  it('refuses offsets and lengths past the end of the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zai-ext-'));
    writeFileSync(join(dir, 'w.bin'), new Uint8Array(8));
    writeFileSync(join(dir, 'model.onnx'), withExternal('w.bin', 4, 8));
    const m = await loadModel(join(dir, 'model.onnx'));
    await expect(m.graph.initializers[0]!.load()).rejects.toThrow(/runs past the end/);
  });
});

describe('streaming from a file', () => {
  it('decodes metadata without reading weights, and reads them on load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zai-lazy-'));
    const n = 1 << 20; // 4 MiB of float32
    const w = new Float32Array(n).fill(1);
    const bytes = encodeModel(
      model(
        graph({
          nodes: [node('Add', ['x', 'w'], ['y'])],
          inputs: [tensorInfo('x', 'float32', [n])],
          outputs: [tensorInfo('y', 'float32', [n])],
          initializers: { w: new Tensor('float32', w, [n]) },
        }),
      ),
    );
    const path = join(dir, 'big.onnx');
    writeFileSync(path, bytes);
    const m = await loadModel(path);
    const handle = m.graph.initializers[0]!;
    expect(handle.byteLength).toBe(4 * n);
    // change the weights on disk after parsing: the handle must read what is there now
    const patched = Buffer.from(bytes);
    const at = patched.lastIndexOf(Buffer.from(new Uint8Array(new Float32Array([1, 1]).buffer)));
    patched.writeFloatLE(7, at);
    writeFileSync(path, patched);
    const t = await handle.load();
    expect(t.dims).toEqual([n]);
    expect(Array.from(t.data as Float32Array).includes(7)).toBe(true);
  });
});

describe('loadModel from a stream', () => {
  it('reads a model from a readable stream, weights loaded on demand', async () => {
    const { createReadStream } = await import('node:fs');
    const path = join(cases, 'test_conv_with_strides_padding', 'model.onnx');
    const m = await loadModel(createReadStream(path, { highWaterMark: 97 }));
    expect(snapshot(m)).toEqual(snapshot(decodeModel(readFileSync(path))));
  });
});
