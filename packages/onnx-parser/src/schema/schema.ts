import type { AttributeIR, NodeIR } from '../ir.js';
import { OPERATOR_SCHEMA_ROWS } from './operators.generated.js';

/** [domain, opType, sinceVersion, attributes ("name:code[!]", …) or null when deprecated, minIn, maxIn, minOut, maxOut]. */
export type OperatorSchemaRow = readonly [
  string,
  string,
  number,
  string | null,
  number,
  number,
  number,
  number,
];

const TYPE_OF_CODE: Record<string, AttributeIR['type']> = {
  i: 'int',
  f: 'float',
  s: 'string',
  t: 'tensor',
  g: 'graph',
  p: 'sparse_tensor',
  y: 'type_proto',
  I: 'ints',
  F: 'floats',
  S: 'strings',
  T: 'tensors',
  G: 'graphs',
  P: 'sparse_tensors',
  Y: 'type_protos',
};

export interface AttributeSchema {
  readonly type: AttributeIR['type'];
  readonly required: boolean;
}

/** One version of an operator as the ONNX docs define it. */
export interface OperatorSchema {
  readonly domain: string;
  readonly opType: string;
  readonly sinceVersion: number;
  /** The operator no longer exists from `sinceVersion` on. */
  readonly deprecated: boolean;
  readonly attributes: ReadonlyMap<string, AttributeSchema>;
  readonly inputs: readonly [min: number, max: number];
  readonly outputs: readonly [min: number, max: number];
}

let byOperator: Map<string, OperatorSchema[]> | undefined;

function decode(row: OperatorSchemaRow): OperatorSchema {
  const [domain, opType, sinceVersion, attrs, minIn, maxIn, minOut, maxOut] = row;
  const attributes = new Map<string, AttributeSchema>();
  for (const entry of attrs ? attrs.split(',') : []) {
    if (!entry) continue;
    const [name = '', code = ''] = entry.split(':');
    attributes.set(name, { type: TYPE_OF_CODE[code[0] ?? ''] ?? 'int', required: code.endsWith('!') });
  }
  return {
    domain,
    opType,
    sinceVersion,
    deprecated: attrs === null,
    attributes,
    inputs: [minIn, maxIn < 0 ? Number.POSITIVE_INFINITY : maxIn],
    outputs: [minOut, maxOut < 0 ? Number.POSITIVE_INFINITY : maxOut],
  };
}

const canonicalDomain = (domain: string): string => (domain === 'ai.onnx' ? '' : domain);

function versionsOf(domain: string, opType: string): readonly OperatorSchema[] {
  if (!byOperator) {
    byOperator = new Map();
    for (const row of OPERATOR_SCHEMA_ROWS) {
      const key = `${row[0]}::${row[1]}`;
      const list = byOperator.get(key) ?? [];
      list.push(decode(row));
      byOperator.set(key, list);
    }
  }
  return byOperator.get(`${canonicalDomain(domain)}::${opType}`) ?? [];
}

/** The version of `domain::opType` in force at `opset`, or undefined when the docs do not define it. */
export function operatorSchema(domain: string, opType: string, opset: number): OperatorSchema | undefined {
  let found: OperatorSchema | undefined;
  for (const s of versionsOf(domain, opType)) if (s.sinceVersion <= opset) found = s;
  return found;
}

/** The type the newest version that defines attribute `name` gives it. */
export function attributeTypeOf(
  domain: string,
  opType: string,
  name: string,
): AttributeIR['type'] | undefined {
  const versions = versionsOf(domain, opType);
  for (let i = versions.length - 1; i >= 0; i--) {
    const a = versions[i]!.attributes.get(name);
    if (a) return a.type;
  }
  return undefined;
}

export interface SchemaFinding {
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

function range(lo: number, hi: number): string {
  return hi === Number.POSITIVE_INFINITY ? `at least ${lo}` : lo === hi ? `${lo}` : `${lo} to ${hi}`;
}

/**
 * Checks a node against the documented operator version its opset selects:
 * attribute types, required attributes, input and output counts. Unknown
 * attributes are warnings (runtimes differ on them); the rest are errors.
 */
export function checkNodeSchema(node: NodeIR, opset: number): SchemaFinding[] {
  const schema = operatorSchema(node.domain, node.opType, opset);
  if (!schema) return [];
  const label = `${node.domain || 'ai.onnx'}::${node.opType}`;
  // a warning: the docs also mark versions deprecated that runtimes still serve (GroupNormalization-18)
  if (schema.deprecated)
    return [
      {
        severity: 'warning',
        message: `${label} is marked deprecated from opset ${schema.sinceVersion} (the model imports ${opset})`,
      },
    ];
  const out: SchemaFinding[] = [];
  const seen = new Set<string>();
  for (const a of node.attributes) {
    if (seen.has(a.name)) out.push({ severity: 'error', message: `attribute '${a.name}' is given twice` });
    seen.add(a.name);
    const want = schema.attributes.get(a.name);
    if (!want) {
      out.push({
        severity: 'warning',
        message: `attribute '${a.name}' is not defined for ${label}-${schema.sinceVersion}`,
      });
    } else if (want.type !== a.type && !a.refAttrName) {
      out.push({
        severity: 'error',
        message: `attribute '${a.name}' is ${a.type}, ${label} expects ${want.type}`,
      });
    }
  }
  for (const [name, a] of schema.attributes)
    if (a.required && !seen.has(name))
      out.push({ severity: 'error', message: `required attribute '${name}' of ${label} is missing` });
  const [minIn, maxIn] = schema.inputs;
  const nIn = node.inputs.length;
  if (nIn < minIn || nIn > maxIn)
    out.push({
      severity: 'error',
      message: `${label}-${schema.sinceVersion} takes ${range(minIn, maxIn)} inputs, got ${nIn}`,
    });
  const [minOut, maxOut] = schema.outputs;
  const nOut = node.outputs.length;
  if (nOut < minOut || nOut > maxOut)
    out.push({
      severity: 'error',
      message: `${label}-${schema.sinceVersion} has ${range(minOut, maxOut)} outputs, got ${nOut}`,
    });
  return out;
}
