import { ONNX_ELEMENT_TYPE, type ValueType } from '@zai/common';
import type { Tensor } from '@zai/tensor-core';
import type { AttributeIR, FunctionIR, GraphIR, ModelIR, NodeIR, TensorHandle, ValueInfoIR } from './ir.js';
import { utf8, WireWriter } from './wire-writer.js';

// Field numbers are onnx.proto's; see decode.ts for the reading side.

/** Collects tensor payloads moved out of the model into one external data file. */
export class ExternalDataSink {
  readonly chunks: Uint8Array[] = [];
  size = 0;
  constructor(
    readonly location: string,
    /** Tensors of at least this many bytes go to the external file. */
    readonly threshold = 1024,
  ) {}

  /** Appends a payload, 64-byte aligned so readers can map it; returns its offset. */
  append(bytes: Uint8Array): number {
    const pad = (64 - (this.size % 64)) % 64;
    if (pad) this.chunks.push(new Uint8Array(pad));
    const offset = this.size + pad;
    this.chunks.push(bytes);
    this.size = offset + bytes.length;
    return offset;
  }
}

let sink: ExternalDataSink | undefined;

/** Serializes a model IR to `.onnx` bytes (weights embedded as raw_data). */
export function encodeModel(model: ModelIR): Uint8Array {
  const w = new WireWriter();
  writeModelProto(w, model);
  return w.toBytes();
}

/** Serializes a model as chunks, moving large weights into `external` when given. */
export function encodeModelChunks(model: ModelIR, external?: ExternalDataSink): Uint8Array[] {
  const w = new WireWriter();
  sink = external;
  try {
    writeModelProto(w, model);
  } finally {
    sink = undefined;
  }
  return w.finish();
}

function writeModelProto(w: WireWriter, model: ModelIR): void {
  w.intField(1, model.irVersion);
  w.stringField(2, model.producerName);
  w.stringField(3, model.producerVersion);
  w.stringField(4, model.domain);
  w.intField(5, model.modelVersion);
  w.stringField(6, model.docString);
  w.messageField(7, (g) => writeGraph(g, model.graph));
  for (const o of model.opsetImports) {
    w.messageField(8, (m) => {
      m.stringField(1, o.domain);
      m.tag(2, 0).varint(o.version);
    });
  }
  for (const [k, v] of Object.entries(model.metadataProps)) {
    w.messageField(14, (m) => m.stringField(1, k).stringField(2, v));
  }
  for (const f of model.functions) w.messageField(25, (m) => writeFunction(m, f));
}

function writeGraph(w: WireWriter, g: GraphIR): void {
  for (const n of g.nodes) w.messageField(1, (m) => writeNode(m, n));
  w.stringField(2, g.name);
  for (const t of g.initializers) w.messageField(5, (m) => writeTensor(m, t.loadSync(), t.name, sink));
  w.stringField(10, g.docString);
  for (const v of g.inputs) w.messageField(11, (m) => writeValueInfo(m, v));
  for (const v of g.outputs) w.messageField(12, (m) => writeValueInfo(m, v));
  for (const v of g.valueInfo) w.messageField(13, (m) => writeValueInfo(m, v));
}

function writeNode(w: WireWriter, n: NodeIR): void {
  for (const i of n.inputs) w.tag(1, 2).bytes(utf8(i));
  for (const o of n.outputs) w.tag(2, 2).bytes(utf8(o));
  w.stringField(3, n.name);
  w.stringField(4, n.opType);
  for (const a of n.attributes) w.messageField(5, (m) => writeAttribute(m, a));
  w.stringField(6, n.docString);
  w.stringField(7, n.domain);
  w.stringField(8, n.overload);
}

const ATTR_TYPE: Record<AttributeIR['type'], number> = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  graph: 5,
  floats: 6,
  ints: 7,
  strings: 8,
  tensors: 9,
  graphs: 10,
  sparse_tensor: 11,
  sparse_tensors: 12,
  type_proto: 13,
  type_protos: 14,
};

function writeAttribute(w: WireWriter, a: AttributeIR): void {
  w.stringField(1, a.name);
  w.tag(20, 0).varint(ATTR_TYPE[a.type]);
  if (a.refAttrName !== undefined) {
    w.stringField(21, a.refAttrName);
    return;
  }
  switch (a.type) {
    case 'float':
      w.tag(2, 5).float(a.value);
      break;
    case 'int':
      w.tag(3, 0).varint(a.value);
      break;
    case 'string':
      w.tag(4, 2).bytes(a.value);
      break;
    case 'tensor':
      w.messageField(5, (m) => writeTensor(m, a.value.loadSync(), a.value.name));
      break;
    case 'graph':
      w.messageField(6, (m) => writeGraph(m, a.value));
      break;
    case 'floats':
      for (const f of a.value) w.tag(7, 5).float(f);
      break;
    case 'ints':
      for (const i of a.value) w.tag(8, 0).varint(i);
      break;
    case 'strings':
      for (const s of a.value) w.tag(9, 2).bytes(s);
      break;
    case 'tensors':
      for (const t of a.value) w.messageField(10, (m) => writeTensor(m, t.loadSync(), t.name));
      break;
    case 'graphs':
      for (const g of a.value) w.messageField(11, (m) => writeGraph(m, g));
      break;
    case 'type_proto':
      if (a.value) w.messageField(14, (m) => writeType(m, a.value!));
      break;
    case 'type_protos':
      for (const t of a.value) w.messageField(15, (m) => (t ? writeType(m, t) : undefined));
      break;
    case 'sparse_tensor':
      w.messageField(22, (m) => writeSparse(m, a.value));
      break;
    case 'sparse_tensors':
      for (const s of a.value) w.messageField(23, (m) => writeSparse(m, s));
      break;
  }
}

function writeSparse(
  w: WireWriter,
  s: { values: TensorHandle; indices: TensorHandle; dims: readonly number[] },
): void {
  w.messageField(1, (m) => writeTensor(m, s.values.loadSync(), s.values.name));
  w.messageField(2, (m) => writeTensor(m, s.indices.loadSync(), s.indices.name));
  for (const d of s.dims) w.tag(3, 0).varint(d);
}

/** Writes a TensorProto: dims, data_type, name and raw_data (string_data for strings). */
export function writeTensor(w: WireWriter, t: Tensor, name: string, external?: ExternalDataSink): void {
  for (const d of t.dims) w.tag(1, 0).varint(d);
  w.tag(2, 0).varint(ONNX_ELEMENT_TYPE[t.type]);
  w.stringField(8, name);
  if (t.type === 'string') {
    for (const s of t.data as string[]) w.tag(6, 2).bytes(utf8(s));
    return;
  }
  const d = t.data as ArrayBufferView;
  const bytes = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  if (external && bytes.length >= external.threshold) {
    const offset = external.append(bytes);
    const entry = (k: string, v: string) => w.messageField(13, (m) => m.stringField(1, k).stringField(2, v));
    entry('location', external.location);
    entry('offset', String(offset));
    entry('length', String(bytes.length));
    w.tag(14, 0).varint(1); // data_location = EXTERNAL
    return;
  }
  w.tag(9, 2).bytes(bytes);
}

/** Serializes a tensor as a standalone TensorProto (`.pb`). */
export function encodeTensor(t: Tensor, name = ''): Uint8Array {
  const w = new WireWriter();
  writeTensor(w, t, name);
  return w.toBytes();
}

function writeValueInfo(w: WireWriter, v: ValueInfoIR): void {
  w.stringField(1, v.name);
  if (v.type) w.messageField(2, (m) => writeType(m, v.type!));
  w.stringField(3, v.docString);
}

function writeType(w: WireWriter, t: ValueType): void {
  switch (t.kind) {
    case 'tensor':
    case 'sparse_tensor':
      w.messageField(t.kind === 'tensor' ? 1 : 8, (m) => {
        m.tag(1, 0).varint(ONNX_ELEMENT_TYPE[t.elemType]);
        if (t.shape) {
          m.messageField(2, (s) => {
            for (const d of t.shape!) {
              s.messageField(1, (dim) => {
                if (typeof d === 'number') dim.tag(1, 0).varint(d);
                else if (typeof d === 'string') dim.stringField(2, d);
              });
            }
          });
        }
      });
      break;
    case 'sequence':
    case 'optional':
      w.messageField(t.kind === 'sequence' ? 4 : 9, (m) => {
        if (t.elem) m.messageField(1, (e) => writeType(e, t.elem!));
      });
      break;
    case 'map':
      w.messageField(5, (m) => {
        m.tag(1, 0).varint(ONNX_ELEMENT_TYPE[t.keyType]);
        if (t.valueType) m.messageField(2, (e) => writeType(e, t.valueType!));
      });
      break;
  }
}

function writeFunction(w: WireWriter, f: FunctionIR): void {
  w.stringField(1, f.name);
  for (const i of f.inputs) w.tag(4, 2).bytes(utf8(i));
  for (const o of f.outputs) w.tag(5, 2).bytes(utf8(o));
  for (const a of f.attributes) w.tag(6, 2).bytes(utf8(a));
  for (const n of f.nodes) w.messageField(7, (m) => writeNode(m, n));
  w.stringField(8, f.docString);
  for (const o of f.opsetImports) {
    w.messageField(9, (m) => {
      m.stringField(1, o.domain);
      m.tag(2, 0).varint(o.version);
    });
  }
  w.stringField(10, f.domain);
  for (const a of f.attributeDefaults) w.messageField(11, (m) => writeAttribute(m, a));
  for (const v of f.valueInfo) w.messageField(12, (m) => writeValueInfo(m, v));
  w.stringField(13, f.overload);
}
