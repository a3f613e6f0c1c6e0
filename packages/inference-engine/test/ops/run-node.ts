import type { DataType, OpsetImport, ValueType } from '@zai/common';
import { graph, model, node, tensorInfo } from '@zai/onnx-parser';
import { InferenceSession, type Tensor } from '../../src/index.js';

export type Attrs = Parameters<typeof node>[3];

export interface RunNodeOptions {
  /** Opset of the default domain (default 22). */
  readonly opset?: number;
  /** The node's domain; imported at `domainOpset` (default 1) next to the default domain. */
  readonly domain?: string;
  readonly domainOpset?: number;
  /** Output names, in node order; '' marks an omitted output (default ['out0']). */
  readonly outputs?: readonly string[];
  /** Declared types of the outputs (default float32 each). */
  readonly outputTypes?: readonly (DataType | ValueType)[];
}

/** `count` output names out0, out1, … */
export const outputNames = (count: number): string[] => Array.from({ length: count }, (_, i) => `out${i}`);

/**
 * Runs one node through a native session: inputs in node order, undefined for
 * an omitted optional input. Returns every produced output by name.
 */
export async function runNode(
  opType: string,
  inputs: readonly (Tensor | undefined)[],
  attrs: Attrs = {},
  options: RunNodeOptions = {},
): Promise<Record<string, unknown>> {
  const { opset = 22, domain = '', domainOpset = 1, outputs = ['out0'], outputTypes = [] } = options;
  const names = inputs.map((t, i) => (t ? `in${i}` : ''));
  while (names.length > 0 && names[names.length - 1] === '') names.pop();
  const g = graph({
    nodes: [node(opType, names, outputs, attrs, '', domain)],
    inputs: inputs.flatMap((t, i) => (t ? [tensorInfo(`in${i}`, t.type as DataType)] : [])),
    outputs: outputs.flatMap((n, i) => {
      if (!n) return [];
      const type = outputTypes[i] ?? 'float32';
      return [typeof type === 'string' ? tensorInfo(n, type) : { name: n, type, docString: '' }];
    }),
  });
  const opsets: OpsetImport[] = [{ domain: '', version: opset }];
  if (domain) opsets.push({ domain, version: domainOpset });
  const s = await InferenceSession.create(model(g, opsets), { backend: 'native' });
  try {
    const feeds: Record<string, Tensor> = {};
    inputs.forEach((t, i) => {
      if (t) feeds[`in${i}`] = t;
    });
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

/** The outputs of `runNode` as tensors, in order. */
export async function runNodeTensors(
  opType: string,
  inputs: readonly (Tensor | undefined)[],
  attrs: Attrs,
  options: RunNodeOptions & { readonly outputs: readonly string[] },
): Promise<Tensor[]> {
  const r = await runNode(opType, inputs, attrs, options);
  return options.outputs.map((n) => r[n] as Tensor);
}
