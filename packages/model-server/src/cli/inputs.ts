import { readFile } from 'node:fs/promises';
import { type DataType, InvalidArgumentError, NotFoundError, type ValueMetadata } from '@zai/common';
import { decodeNpy, float32ArrayToBfloat16, float32ArrayToFloat16, Tensor } from '@zai/tensor-core';

type Nested = number | boolean | string | Nested[];

/** Flattens a nested JSON array, checking it is rectangular; returns values and dims. */
function flatten(value: Nested, label: string): { values: (number | boolean | string)[]; dims: number[] } {
  const dims: number[] = [];
  let probe: Nested = value;
  while (Array.isArray(probe)) {
    dims.push(probe.length);
    probe = probe[0] as Nested;
  }
  const values: (number | boolean | string)[] = [];
  const walk = (v: Nested, depth: number): void => {
    if (depth === dims.length) {
      if (Array.isArray(v))
        throw new InvalidArgumentError(`${label}: ragged nested array (too deep at depth ${depth})`);
      values.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== dims[depth]) {
      throw new InvalidArgumentError(
        `${label}: ragged nested array (expected ${dims[depth]} items at depth ${depth})`,
      );
    }
    for (const x of v) walk(x, depth + 1);
  };
  walk(value, 0);
  return { values, dims };
}

/** Builds a tensor of `type` from plain JSON values. */
export function tensorFromValues(
  type: DataType,
  values: readonly (number | boolean | string)[],
  dims: readonly number[],
  label: string,
): Tensor {
  const nums = () =>
    values.map((v, i) => {
      const n = typeof v === 'boolean' ? Number(v) : typeof v === 'string' ? Number(v) : v;
      if (typeof n !== 'number' || (Number.isNaN(n) && v !== 'NaN'))
        throw new InvalidArgumentError(`${label}: element ${i} (${JSON.stringify(v)}) is not a number`);
      return n;
    });
  switch (type) {
    case 'string':
      return new Tensor('string', values.map(String), dims);
    case 'int64':
    case 'uint64':
      return new Tensor(
        type,
        values.map((v) => BigInt(typeof v === 'boolean' ? Number(v) : v)),
        dims,
      );
    case 'float16':
      return new Tensor('float16', float32ArrayToFloat16(nums()), dims);
    case 'bfloat16':
      return new Tensor('bfloat16', float32ArrayToBfloat16(nums()), dims);
    case 'bool':
    case 'float32':
    case 'float64':
    case 'int8':
    case 'int16':
    case 'int32':
    case 'uint8':
    case 'uint16':
    case 'uint32':
      return new Tensor(type, nums(), dims);
    default:
      throw new InvalidArgumentError(
        `${label}: JSON input of type ${type} is not supported; use a .npy file`,
      );
  }
}

/**
 * Parses a JSON input: `{"type","dims","data"}` (data flat or nested), or a
 * bare nested array / scalar whose type comes from the model's declaration.
 */
export function tensorFromJson(json: unknown, declared: DataType | undefined, label: string): Tensor {
  let type = declared;
  let data: unknown = json;
  let dims: number[] | undefined;
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    const o = json as { type?: unknown; dims?: unknown; shape?: unknown; data?: unknown };
    if (o.type !== undefined) type = String(o.type) as DataType;
    const d = o.dims ?? o.shape;
    if (d !== undefined) {
      if (!Array.isArray(d) || !d.every((x) => Number.isInteger(x) && x >= 0)) {
        throw new InvalidArgumentError(`${label}: "dims" must be an array of non-negative integers`);
      }
      dims = d as number[];
    }
    if (!('data' in o)) throw new InvalidArgumentError(`${label}: JSON object input needs a "data" field`);
    data = o.data;
  }
  if (!type)
    throw new InvalidArgumentError(`${label}: the element type is unknown; give {"type": ..., "data": ...}`);
  const flat = flatten(data as Nested, label);
  const shape = dims ?? flat.dims;
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== flat.values.length) {
    throw new InvalidArgumentError(
      `${label}: ${flat.values.length} values do not fill dims [${shape.join(',')}] (${size} elements)`,
    );
  }
  return tensorFromValues(type, flat.values, shape, label);
}

/** Reads `name=path.npy|path.json|<inline JSON>` into a named tensor for `zai run`. */
export async function readInputArg(arg: string, inputs: readonly ValueMetadata[]): Promise<[string, Tensor]> {
  const eq = arg.indexOf('=');
  if (eq <= 0)
    throw new InvalidArgumentError(
      `--input '${arg}' must look like name=file.npy, name=file.json or name='[1,2]'`,
    );
  const name = arg.slice(0, eq);
  const source = arg.slice(eq + 1);
  const meta = inputs.find((i) => i.name === name);
  if (!meta) {
    throw new InvalidArgumentError(
      `--input '${name}': the model has no such input (inputs: ${inputs.map((i) => i.name).join(', ')})`,
    );
  }
  const declared = meta.type?.kind === 'tensor' ? meta.type.elemType : undefined;
  const label = `input '${name}'`;
  if (/^\s*[[{\d.-]/.test(source)) return [name, tensorFromJson(parseJson(source, label), declared, label)];
  let bytes: Uint8Array;
  try {
    bytes = await readFile(source);
  } catch {
    throw new NotFoundError(`${label}: file '${source}' does not exist`);
  }
  if (source.endsWith('.npy')) return [name, decodeNpy(bytes, `${label} (${source})`)];
  return [
    name,
    tensorFromJson(
      parseJson(new TextDecoder().decode(bytes), `${label} (${source})`),
      declared,
      `${label} (${source})`,
    ),
  ];
}

function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidArgumentError(`${label}: invalid JSON (${(e as Error).message})`);
  }
}
