import type { DataType, Dim, OpsetImport } from '@zai/common';
import type { Tensor } from '@zai/tensor-core';
import type { AttributeIR, GraphIR, ModelIR, NodeIR, TensorHandle, ValueInfoIR } from './ir.js';
import { attributeTypeOf } from './schema/schema.js';

// Small builders for writing models in code (tests, demo models, tools).

/** A tensor handle over a tensor already in memory. */
export function tensorHandle(name: string, t: Tensor): TensorHandle {
  return {
    name,
    type: t.type,
    dims: t.dims,
    location: { kind: 'embedded' },
    byteLength: (t.data as { byteLength?: number }).byteLength ?? 0,
    loadSync: () => t,
    load: async () => t,
  };
}

export function tensorInfo(name: string, elemType: DataType, shape?: readonly Dim[]): ValueInfoIR {
  return {
    name,
    type: shape ? { kind: 'tensor', elemType, shape } : { kind: 'tensor', elemType },
    docString: '',
  };
}

type AttrInput = number | string | readonly number[] | readonly string[] | Tensor | GraphIR;

const enc = new TextEncoder();

/** Builds attributes from plain values: integers become `int`, other numbers `float`; use `{ float: x }` keys… */
export function attributes(
  values: Record<string, AttrInput | { readonly floats: readonly number[] } | { readonly float: number }>,
): AttributeIR[] {
  return Object.entries(values).map(([name, v]): AttributeIR => {
    if (typeof v === 'number')
      return Number.isInteger(v) ? { name, type: 'int', value: v } : { name, type: 'float', value: v };
    if (typeof v === 'string') return { name, type: 'string', value: enc.encode(v) };
    if (Array.isArray(v)) {
      if (v.every((x) => typeof x === 'string'))
        return { name, type: 'strings', value: (v as string[]).map((s) => enc.encode(s)) };
      return (v as number[]).every(Number.isInteger)
        ? { name, type: 'ints', value: v as number[] }
        : { name, type: 'floats', value: v as number[] };
    }
    if (typeof v === 'object' && v !== null && 'float' in v) return { name, type: 'float', value: v.float };
    if (typeof v === 'object' && v !== null && 'floats' in v)
      return { name, type: 'floats', value: v.floats };
    if (typeof v === 'object' && v !== null && 'nodes' in v)
      return { name, type: 'graph', value: v as GraphIR };
    return { name, type: 'tensor', value: tensorHandle(name, v as Tensor) };
  });
}

/**
 * Integer-valued numbers are ambiguous (`alpha: 1`): where the operator's
 * definition declares the attribute as float(s), build float(s).
 */
function coerceToSchema(opType: string, domain: string, attrs: AttributeIR[]): AttributeIR[] {
  return attrs.map((a): AttributeIR => {
    const want = attributeTypeOf(domain, opType, a.name);
    if (a.type === 'int' && want === 'float') return { name: a.name, type: 'float', value: a.value };
    if (a.type === 'ints' && want === 'floats') return { name: a.name, type: 'floats', value: a.value };
    return a;
  });
}

export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attrs: Parameters<typeof attributes>[0] = {},
  name = '',
  domain = '',
): NodeIR {
  return {
    name,
    opType,
    domain,
    overload: '',
    inputs,
    outputs,
    attributes: coerceToSchema(opType, domain, attributes(attrs)),
    docString: '',
  };
}

export function graph(parts: {
  name?: string;
  nodes: readonly NodeIR[];
  inputs: readonly ValueInfoIR[];
  outputs: readonly ValueInfoIR[];
  initializers?: Readonly<Record<string, Tensor>>;
}): GraphIR {
  return {
    name: parts.name ?? 'main',
    nodes: parts.nodes,
    inputs: parts.inputs,
    outputs: parts.outputs,
    initializers: Object.entries(parts.initializers ?? {}).map(([n, t]) => tensorHandle(n, t)),
    sparseInitializers: [],
    valueInfo: [],
    docString: '',
  };
}

export function model(
  g: GraphIR,
  opsetImports: readonly OpsetImport[] = [{ domain: '', version: 21 }],
  meta: Partial<
    Pick<
      ModelIR,
      'producerName' | 'producerVersion' | 'docString' | 'metadataProps' | 'modelVersion' | 'domain'
    >
  > = {},
): ModelIR {
  return {
    irVersion: 10,
    opsetImports,
    producerName: meta.producerName ?? 'zai',
    producerVersion: meta.producerVersion ?? '0.1.0',
    domain: meta.domain ?? '',
    modelVersion: meta.modelVersion ?? 1,
    docString: meta.docString ?? '',
    graph: g,
    functions: [],
    metadataProps: meta.metadataProps ?? {},
  };
}
