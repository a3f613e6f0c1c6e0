import { dataTypeFromOnnx, ParseError, type Value } from '@zai/common';
import type { Tensor } from '@zai/tensor-core';
import { readTensorProto } from './tensor-proto.js';
import { WireReader, WireType } from './wire.js';

/** What a serialized test-data file holds (onnx-data.proto's messages, or a bare TensorProto). */
export type ValueProtoKind = 'tensor' | 'sequence' | 'map' | 'optional';

/** Decodes a TensorProto, SequenceProto, MapProto or OptionalProto into a runtime value. */
export function decodeValue(bytes: Uint8Array, kind: ValueProtoKind = 'tensor'): Value<Tensor> {
  const r = new WireReader(bytes);
  switch (kind) {
    case 'tensor':
      return readTensorProto(r).loadSync();
    case 'sequence':
      return readSequence(r);
    case 'map':
      return readMap(r);
    case 'optional':
      return readOptional(r);
  }
}

// SequenceProto: name=1 elem_type=2 tensor_values=3 sparse_tensor_values=4 sequence_values=5 map_values=6 optional_values=7
function readSequence(r: WireReader): Value<Tensor>[] {
  const out: Value<Tensor>[] = [];
  while (!r.done()) {
    const { field, wire } = r.readTag();
    if (wire !== WireType.Len) {
      r.skip(wire);
      continue;
    }
    switch (field) {
      case 3:
        out.push(readTensorProto(r.readMessage()).loadSync());
        break;
      case 5:
        out.push(readSequence(r.readMessage()));
        break;
      case 6:
        out.push(readMap(r.readMessage()));
        break;
      case 7:
        out.push(readOptional(r.readMessage()));
        break;
      case 4:
        r.fail('sparse tensors in sequences are not supported');
        break;
      default:
        r.skip(wire);
    }
  }
  return out;
}

// MapProto: name=1 key_type=2 keys=3 string_keys=4 values=5 (a SequenceProto)
function readMap(r: WireReader): Map<string | number | bigint, Tensor> {
  const start = r.offset;
  let keyType = 0;
  const keys: bigint[] = [];
  const stringKeys: string[] = [];
  let values: Value<Tensor>[] = [];
  while (!r.done()) {
    const { field, wire } = r.readTag();
    if (field === 2 && wire === WireType.Varint) keyType = r.readInt32();
    else if (field === 3) {
      if (wire === WireType.Len) {
        const [s, e] = r.readLengthDelimited();
        r.pos = s;
        while (r.pos < e) keys.push(r.readVarint64());
      } else keys.push(r.readVarint64());
    } else if (field === 4 && wire === WireType.Len) stringKeys.push(r.readString());
    else if (field === 5 && wire === WireType.Len) values = readSequence(r.readMessage());
    else r.skip(wire);
  }
  const kt = dataTypeFromOnnx(keyType);
  const ks: (string | number | bigint)[] =
    kt === 'string' ? stringKeys : kt === 'int64' || kt === 'uint64' ? keys : keys.map(Number);
  if (ks.length !== values.length)
    throw new ParseError(`map has ${ks.length} keys but ${values.length} values`, start);
  const m = new Map<string | number | bigint, Tensor>();
  for (let i = 0; i < ks.length; i++) m.set(ks[i]!, values[i] as Tensor);
  return m;
}

// OptionalProto: name=1 elem_type=2 tensor_value=3 sparse_tensor_value=4 sequence_value=5 map_value=6 optional_value=7
function readOptional(r: WireReader): Value<Tensor> {
  let v: Value<Tensor> = null;
  while (!r.done()) {
    const { field, wire } = r.readTag();
    if (wire !== WireType.Len) {
      r.skip(wire);
      continue;
    }
    if (field === 3) v = readTensorProto(r.readMessage()).loadSync();
    else if (field === 5) v = readSequence(r.readMessage());
    else if (field === 6) v = readMap(r.readMessage());
    else if (field === 7) v = readOptional(r.readMessage());
    else r.skip(wire);
  }
  return v;
}
