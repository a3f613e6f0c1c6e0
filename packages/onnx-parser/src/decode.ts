import {
  type DataType,
  type Dim,
  dataTypeFromOnnx,
  type OpsetImport,
  ParseError,
  type ValueType,
} from '@zai/common';
import type { ByteSource } from './byte-source.js';
import type { ExternalDataResolver } from './external-data.js';
import type {
  AttributeIR,
  FunctionIR,
  GraphIR,
  ModelIR,
  NodeIR,
  SparseTensorIR,
  TensorHandle,
  ValueInfoIR,
} from './ir.js';
import { readStringPair, readTensorProto } from './tensor-proto.js';
import { WireReader, WireType } from './wire.js';

/** Decoding context threaded through the message readers. */
interface Ctx {
  readonly external: ExternalDataResolver | undefined;
}

/** Decodes a serialized ModelProto; tensor payloads stay in the source until loaded. */
export function decodeModelProto(source: ByteSource, external?: ExternalDataResolver): ModelIR {
  if (source.size === 0) throw new ParseError('the model file is empty', 0);
  const r = new WireReader(source);
  const ctx: Ctx = { external };
  let irVersion = 0;
  const opsetImports: OpsetImport[] = [];
  let producerName = '';
  let producerVersion = '';
  let domain = '';
  let modelVersion = 0;
  let docString = '';
  let graph: GraphIR | undefined;
  const functions: FunctionIR[] = [];
  const metadataProps: Record<string, string> = {};
  while (!r.done()) {
    const { field, wire } = r.readTag();
    switch (field) {
      case 1:
        r.expect(wire, WireType.Varint, 'ModelProto.ir_version');
        irVersion = r.readInt64();
        break;
      case 2:
        r.expect(wire, WireType.Len, 'ModelProto.producer_name');
        producerName = r.readString();
        break;
      case 3:
        r.expect(wire, WireType.Len, 'ModelProto.producer_version');
        producerVersion = r.readString();
        break;
      case 4:
        r.expect(wire, WireType.Len, 'ModelProto.domain');
        domain = r.readString();
        break;
      case 5:
        r.expect(wire, WireType.Varint, 'ModelProto.model_version');
        modelVersion = r.readInt64();
        break;
      case 6:
        r.expect(wire, WireType.Len, 'ModelProto.doc_string');
        docString = r.readString();
        break;
      case 7:
        r.expect(wire, WireType.Len, 'ModelProto.graph');
        graph = readGraph(r.readMessage(), ctx);
        break;
      case 8:
        r.expect(wire, WireType.Len, 'ModelProto.opset_import');
        opsetImports.push(readOpset(r.readMessage()));
        break;
      case 14: {
        r.expect(wire, WireType.Len, 'ModelProto.metadata_props');
        const [k, v] = readStringPair(r.readMessage());
        metadataProps[k] = v;
        break;
      }
      case 25:
        r.expect(wire, WireType.Len, 'ModelProto.functions');
        functions.push(readFunction(r.readMessage(), ctx));
        break;
      default:
        r.skip(wire);
    }
  }
  if (!graph) throw new ParseError('the model has no graph (is this an ONNX file?)', 0);
  return {
    irVersion,
    opsetImports,
    producerName,
    producerVersion,
    domain,
    modelVersion,
    docString,
    graph,
    functions,
    metadataProps,
  };
}

export function normalizeDomain(d: string): string {
  return d === 'ai.onnx' ? '' : d;
}

function readOpset(r: WireReader): OpsetImport {
  let domain = '';
  let version = 0;
  while (!r.done()) {
    const { field, wire } = r.readTag();
    if (field === 1 && wire === WireType.Len) domain = r.readString();
    else if (field === 2 && wire === WireType.Varint) version = r.readInt64();
    else r.skip(wire);
  }
  return { domain: normalizeDomain(domain), version };
}

export function readGraph(r: WireReader, ctx: Ctx): GraphIR {
  let name = '';
  let docString = '';
  const nodes: NodeIR[] = [];
  const initializers: TensorHandle[] = [];
  const sparseInitializers: (SparseTensorIR & { name: string })[] = [];
  const inputs: ValueInfoIR[] = [];
  const outputs: ValueInfoIR[] = [];
  const valueInfo: ValueInfoIR[] = [];
  while (!r.done()) {
    const { field, wire } = r.readTag();
    if (wire !== WireType.Len) {
      r.skip(wire);
      continue;
    }
    switch (field) {
      case 1:
        nodes.push(readNode(r.readMessage(), ctx));
        break;
      case 2:
        name = r.readString();
        break;
      case 5:
        initializers.push(readTensorProto(r.readMessage(), ctx.external));
        break;
      case 10:
        docString = r.readString();
        break;
      case 11:
        inputs.push(readValueInfo(r.readMessage()));
        break;
      case 12:
        outputs.push(readValueInfo(r.readMessage()));
        break;
      case 13:
        valueInfo.push(readValueInfo(r.readMessage()));
        break;
      case 15: {
        const sp = readSparseTensor(r.readMessage(), ctx);
        sparseInitializers.push({ ...sp, name: sp.values.name });
        break;
      }
      default:
        r.skip(wire);
    }
  }
  return { name, nodes, initializers, sparseInitializers, inputs, outputs, valueInfo, docString };
}

function readNode(r: WireReader, ctx: Ctx): NodeIR {
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes: AttributeIR[] = [];
  let name = '';
  let opType = '';
  let domain = '';
  let overload = '';
  let docString = '';
  while (!r.done()) {
    const { field, wire } = r.readTag();
    if (wire !== WireType.Len) {
      r.skip(wire);
      continue;
    }
    switch (field) {
      case 1:
        inputs.push(r.readString());
        break;
      case 2:
        outputs.push(r.readString());
        break;
      case 3:
        name = r.readString();
        break;
      case 4:
        opType = r.readString();
        break;
      case 5:
        attributes.push(readAttribute(r.readMessage(), ctx));
        break;
      case 6:
        docString = r.readString();
        break;
      case 7:
        domain = r.readString();
        break;
      case 8:
        overload = r.readString();
        break;
      default:
        r.skip(wire);
    }
  }
  return { name, opType, domain: normalizeDomain(domain), overload, inputs, outputs, attributes, docString };
}

const ATTR_TYPES = [
  'undefined',
  'float',
  'int',
  'string',
  'tensor',
  'graph',
  'floats',
  'ints',
  'strings',
  'tensors',
  'graphs',
  'sparse_tensor',
  'sparse_tensors',
  'type_proto',
  'type_protos',
] as const;

function readAttribute(r: WireReader, ctx: Ctx): AttributeIR {
  const start = r.offset;
  let name = '';
  let refAttrName: string | undefined;
  let docString: string | undefined;
  let type = 0;
  let f: number | undefined;
  let i: number | undefined;
  let s: Uint8Array | undefined;
  let t: TensorHandle | undefined;
  let g: GraphIR | undefined;
  let sp: SparseTensorIR | undefined;
  let tp: ValueType | null | undefined;
  const floats: number[] = [];
  const ints: number[] = [];
  const strings: Uint8Array[] = [];
  const tensors: TensorHandle[] = [];
  const graphs: GraphIR[] = [];
  const sparse: SparseTensorIR[] = [];
  const tps: (ValueType | null)[] = [];
  while (!r.done()) {
    const { field, wire } = r.readTag();
    switch (field) {
      case 1:
        r.expect(wire, WireType.Len, 'AttributeProto.name');
        name = r.readString();
        break;
      case 2:
        r.expect(wire, WireType.I32, 'AttributeProto.f');
        f = r.readFloat();
        break;
      case 3:
        r.expect(wire, WireType.Varint, 'AttributeProto.i');
        i = r.readInt64();
        break;
      case 4:
        r.expect(wire, WireType.Len, 'AttributeProto.s');
        s = r.readBytes();
        break;
      case 5:
        r.expect(wire, WireType.Len, 'AttributeProto.t');
        t = readTensorProto(r.readMessage(), ctx.external);
        break;
      case 6:
        r.expect(wire, WireType.Len, 'AttributeProto.g');
        g = readGraph(r.readMessage(), ctx);
        break;
      case 7:
        if (wire === WireType.Len) {
          const [a, b] = r.readLengthDelimited();
          r.pos = a;
          while (r.pos < b) floats.push(r.readFloat());
        } else {
          r.expect(wire, WireType.I32, 'AttributeProto.floats');
          floats.push(r.readFloat());
        }
        break;
      case 8:
        r.readRepeatedVarint(wire, ints, 'AttributeProto.ints');
        break;
      case 9:
        r.expect(wire, WireType.Len, 'AttributeProto.strings');
        strings.push(r.readBytes());
        break;
      case 10:
        r.expect(wire, WireType.Len, 'AttributeProto.tensors');
        tensors.push(readTensorProto(r.readMessage(), ctx.external));
        break;
      case 11:
        r.expect(wire, WireType.Len, 'AttributeProto.graphs');
        graphs.push(readGraph(r.readMessage(), ctx));
        break;
      case 13:
        r.expect(wire, WireType.Len, 'AttributeProto.doc_string');
        docString = r.readString();
        break;
      case 14:
        r.expect(wire, WireType.Len, 'AttributeProto.tp');
        tp = readType(r.readMessage());
        break;
      case 15:
        r.expect(wire, WireType.Len, 'AttributeProto.type_protos');
        tps.push(readType(r.readMessage()));
        break;
      case 20:
        r.expect(wire, WireType.Varint, 'AttributeProto.type');
        type = r.readInt32();
        break;
      case 21:
        r.expect(wire, WireType.Len, 'AttributeProto.ref_attr_name');
        refAttrName = r.readString();
        break;
      case 22:
        r.expect(wire, WireType.Len, 'AttributeProto.sparse_tensor');
        sp = readSparseTensor(r.readMessage(), ctx);
        break;
      case 23:
        r.expect(wire, WireType.Len, 'AttributeProto.sparse_tensors');
        sparse.push(readSparseTensor(r.readMessage(), ctx));
        break;
      default:
        r.skip(wire);
    }
  }
  // Old models omit `type`; infer it from the field that is set.
  let kind: (typeof ATTR_TYPES)[number] | undefined = ATTR_TYPES[type];
  if (type === 0 || kind === undefined) {
    if (type !== 0) throw new ParseError(`attribute '${name}' has unknown type ${type}`, start);
    kind =
      f !== undefined
        ? 'float'
        : i !== undefined
          ? 'int'
          : s !== undefined
            ? 'string'
            : t
              ? 'tensor'
              : g
                ? 'graph'
                : sp
                  ? 'sparse_tensor'
                  : tp !== undefined
                    ? 'type_proto'
                    : floats.length
                      ? 'floats'
                      : ints.length
                        ? 'ints'
                        : strings.length
                          ? 'strings'
                          : tensors.length
                            ? 'tensors'
                            : graphs.length
                              ? 'graphs'
                              : sparse.length
                                ? 'sparse_tensors'
                                : tps.length
                                  ? 'type_protos'
                                  : 'undefined';
  }
  const extra = {
    name,
    ...(refAttrName !== undefined ? { refAttrName } : {}),
    ...(docString ? { docString } : {}),
  };
  const missing = (what: string): never => {
    throw new ParseError(`attribute '${name}' of type ${kind} has no ${what} value`, start);
  };
  switch (kind) {
    case 'float':
      return { ...extra, type: 'float', value: f ?? 0 };
    case 'int':
      return { ...extra, type: 'int', value: i ?? 0 };
    case 'string':
      return { ...extra, type: 'string', value: s ?? new Uint8Array(0) };
    case 'tensor':
      return {
        ...extra,
        type: 'tensor',
        value: t ?? (refAttrName ? (undefined as never) : missing('tensor')),
      };
    case 'graph':
      return { ...extra, type: 'graph', value: g ?? (refAttrName ? (undefined as never) : missing('graph')) };
    case 'sparse_tensor':
      return {
        ...extra,
        type: 'sparse_tensor',
        value: sp ?? (refAttrName ? (undefined as never) : missing('sparse')),
      };
    case 'type_proto':
      return { ...extra, type: 'type_proto', value: tp ?? null };
    case 'floats':
      return { ...extra, type: 'floats', value: floats };
    case 'ints':
      return { ...extra, type: 'ints', value: ints };
    case 'strings':
      return { ...extra, type: 'strings', value: strings };
    case 'tensors':
      return { ...extra, type: 'tensors', value: tensors };
    case 'graphs':
      return { ...extra, type: 'graphs', value: graphs };
    case 'sparse_tensors':
      return { ...extra, type: 'sparse_tensors', value: sparse };
    case 'type_protos':
      return { ...extra, type: 'type_protos', value: tps };
    default:
      if (refAttrName) return { ...extra, type: 'int', value: 0 };
      throw new ParseError(`attribute '${name}' has no value`, start);
  }
}

function readSparseTensor(r: WireReader, ctx: Ctx): SparseTensorIR {
  let values: TensorHandle | undefined;
  let indices: TensorHandle | undefined;
  const dims: number[] = [];
  const start = r.offset;
  while (!r.done()) {
    const { field, wire } = r.readTag();
    if (field === 1 && wire === WireType.Len) values = readTensorProto(r.readMessage(), ctx.external);
    else if (field === 2 && wire === WireType.Len) indices = readTensorProto(r.readMessage(), ctx.external);
    else if (field === 3) r.readRepeatedVarint(wire, dims, 'SparseTensorProto.dims');
    else r.skip(wire);
  }
  if (!values || !indices) throw new ParseError('sparse tensor without values or indices', start);
  return { values, indices, dims };
}

export function readValueInfo(r: WireReader): ValueInfoIR {
  let name = '';
  let type: ValueType | null = null;
  let docString = '';
  while (!r.done()) {
    const { field, wire } = r.readTag();
    if (field === 1 && wire === WireType.Len) name = r.readString();
    else if (field === 2 && wire === WireType.Len) type = readType(r.readMessage());
    else if (field === 3 && wire === WireType.Len) docString = r.readString();
    else r.skip(wire);
  }
  return { name, type, docString };
}

function elemType(r: WireReader, n: number): DataType {
  const t = dataTypeFromOnnx(n);
  if (!t) r.fail(`unknown element type ${n}`);
  return t;
}

/** TypeProto → ValueType (null when no variant is set). */
export function readType(r: WireReader): ValueType | null {
  let out: ValueType | null = null;
  while (!r.done()) {
    const { field, wire } = r.readTag();
    if (wire !== WireType.Len) {
      r.skip(wire);
      continue;
    }
    switch (field) {
      case 1:
      case 8: {
        // Tensor / SparseTensor: elem_type = 1, shape = 2
        const m = r.readMessage();
        let et = 0;
        let shape: Dim[] | undefined;
        while (!m.done()) {
          const t = m.readTag();
          if (t.field === 1 && t.wire === WireType.Varint) et = m.readInt32();
          else if (t.field === 2 && t.wire === WireType.Len) shape = readShape(m.readMessage());
          else m.skip(t.wire);
        }
        const kind = field === 1 ? 'tensor' : 'sparse_tensor';
        const elem = et === 0 ? 'float32' : elemType(m, et);
        out = shape ? { kind, elemType: elem, shape } : { kind, elemType: elem };
        break;
      }
      case 4:
      case 9: {
        // Sequence / Optional: elem_type = 1
        const m = r.readMessage();
        let elem: ValueType | null = null;
        while (!m.done()) {
          const t = m.readTag();
          if (t.field === 1 && t.wire === WireType.Len) elem = readType(m.readMessage());
          else m.skip(t.wire);
        }
        out = field === 4 ? { kind: 'sequence', elem } : { kind: 'optional', elem };
        break;
      }
      case 5: {
        const m = r.readMessage();
        let key = 0;
        let value: ValueType | null = null;
        while (!m.done()) {
          const t = m.readTag();
          if (t.field === 1 && t.wire === WireType.Varint) key = m.readInt32();
          else if (t.field === 2 && t.wire === WireType.Len) value = readType(m.readMessage());
          else m.skip(t.wire);
        }
        out = { kind: 'map', keyType: elemType(m, key), valueType: value };
        break;
      }
      default:
        r.skip(wire);
    }
  }
  return out;
}

function readShape(r: WireReader): Dim[] {
  const dims: Dim[] = [];
  while (!r.done()) {
    const { field, wire } = r.readTag();
    if (field !== 1 || wire !== WireType.Len) {
      r.skip(wire);
      continue;
    }
    const m = r.readMessage();
    let d: Dim = null;
    while (!m.done()) {
      const t = m.readTag();
      if (t.field === 1 && t.wire === WireType.Varint) d = m.readInt64();
      else if (t.field === 2 && t.wire === WireType.Len) d = m.readString();
      else m.skip(t.wire);
    }
    dims.push(d);
  }
  return dims;
}

function readFunction(r: WireReader, ctx: Ctx): FunctionIR {
  let name = '';
  let domain = '';
  let overload = '';
  let docString = '';
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes: string[] = [];
  const attributeDefaults: AttributeIR[] = [];
  const nodes: NodeIR[] = [];
  const opsetImports: OpsetImport[] = [];
  const valueInfo: ValueInfoIR[] = [];
  while (!r.done()) {
    const { field, wire } = r.readTag();
    if (wire !== WireType.Len) {
      r.skip(wire);
      continue;
    }
    switch (field) {
      case 1:
        name = r.readString();
        break;
      case 4:
        inputs.push(r.readString());
        break;
      case 5:
        outputs.push(r.readString());
        break;
      case 6:
        attributes.push(r.readString());
        break;
      case 7:
        nodes.push(readNode(r.readMessage(), ctx));
        break;
      case 8:
        docString = r.readString();
        break;
      case 9:
        opsetImports.push(readOpset(r.readMessage()));
        break;
      case 10:
        domain = r.readString();
        break;
      case 11:
        attributeDefaults.push(readAttribute(r.readMessage(), ctx));
        break;
      case 12:
        valueInfo.push(readValueInfo(r.readMessage()));
        break;
      case 13:
        overload = r.readString();
        break;
      default:
        r.skip(wire);
    }
  }
  return {
    name,
    domain: normalizeDomain(domain),
    overload,
    inputs,
    outputs,
    attributes,
    attributeDefaults,
    nodes,
    opsetImports,
    valueInfo,
    docString,
  };
}
