import { ValidationError } from '@zai/common';
import type { AttributeIR, FunctionIR, NodeIR } from '@zai/onnx-parser';
import { nodeLabel } from './context.js';

/**
 * The body of a model-local function, specialised for one call: formal
 * inputs/outputs renamed to the caller's values, internal values prefixed so
 * they cannot collide, and `ref_attr_name` attributes bound to the caller's.
 */
export function inlineFunction(call: NodeIR, fn: FunctionIR, prefix: string): NodeIR[] {
  const rename = new Map<string, string>();
  for (const [i, name] of fn.inputs.entries()) rename.set(name, call.inputs[i] ?? '');
  for (const [i, name] of fn.outputs.entries()) rename.set(name, call.outputs[i] ?? '');
  const callAttrs = new Map(call.attributes.map((a) => [a.name, a]));
  const defaults = new Map(fn.attributeDefaults.map((a) => [a.name, a]));
  const map = (name: string): string => {
    if (name === '') return '';
    const r = rename.get(name);
    return r !== undefined ? r : `${prefix}/${name}`;
  };
  const bind = (attrs: readonly AttributeIR[]): AttributeIR[] => {
    const out: AttributeIR[] = [];
    for (const a of attrs) {
      if (a.refAttrName === undefined) {
        out.push(a);
        continue;
      }
      const given = callAttrs.get(a.refAttrName) ?? defaults.get(a.refAttrName);
      if (given) out.push({ ...given, name: a.name } as AttributeIR);
    }
    return out;
  };
  if (call.inputs.length > fn.inputs.length) {
    throw new ValidationError(
      `node '${nodeLabel(call)}' passes ${call.inputs.length} inputs to function '${fn.name}', which takes ${fn.inputs.length}`,
      nodeLabel(call),
    );
  }
  return fn.nodes.map((n, i) => ({
    ...n,
    name: `${prefix}/${n.name || i}`,
    inputs: n.inputs.map(map),
    outputs: n.outputs.map(map),
    attributes: bind(n.attributes),
  }));
}
