import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, type Value } from '@zai/common';
import { InferenceSession } from '@zai/inference-engine';
import { bfloat16ToNumber, encodeNpy, float16ToNumber, isTensor, type Tensor } from '@zai/tensor-core';
import { readInputArg } from './inputs.js';

export interface RunCommandOptions {
  readonly input?: string[];
  readonly output?: string;
  readonly json?: boolean;
  readonly full?: boolean;
}

function plainValues(t: Tensor): (number | string | boolean)[] {
  const d = t.data as ArrayLike<number | bigint | string>;
  const out: (number | string | boolean)[] = new Array(t.size);
  for (let i = 0; i < t.size; i++) {
    const v = d[i]!;
    if (t.type === 'float16') out[i] = float16ToNumber(v as number);
    else if (t.type === 'bfloat16') out[i] = bfloat16ToNumber(v as number);
    else if (t.type === 'bool') out[i] = v === 1;
    else out[i] = typeof v === 'bigint' ? Number(v) : (v as number | string);
  }
  return out;
}

function toJson(v: Value<Tensor>): unknown {
  if (v === null) return null;
  if (Array.isArray(v)) return v.map(toJson);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), toJson(x)]));
  return { type: v.type, dims: v.dims, data: plainValues(v) };
}

function formatValue(name: string, v: Value<Tensor>, full: boolean): string {
  if (!isTensor(v)) return `${name}: ${JSON.stringify(toJson(v))}`;
  const values = plainValues(v);
  const shown = full ? values : values.slice(0, 16);
  const fmt = (x: number | string | boolean) =>
    typeof x === 'number' && !Number.isInteger(x) ? Number(x.toPrecision(6)) : x;
  const more = values.length > shown.length ? `, … (${values.length - shown.length} more)` : '';
  return `${name}: ${v.type}[${v.dims.join(',')}] [${shown.map(fmt).join(', ')}${more}]`;
}

/** `zai run`: runs a model natively on inputs from files and prints or saves the outputs. */
export async function runModel(file: string, options: RunCommandOptions): Promise<string> {
  const session = await InferenceSession.create(file, { backend: 'native' });
  try {
    const feeds: Record<string, Tensor> = {};
    for (const arg of options.input ?? []) {
      const [name, t] = await readInputArg(arg, session.inputMetadata);
      feeds[name] = t;
    }
    const missing = session.inputNames.filter((n) => !(n in feeds));
    if (missing.length) {
      throw new InvalidArgumentError(`missing --input for ${missing.map((m) => `'${m}'`).join(', ')}`);
    }
    const started = performance.now();
    const outputs = await session.run(feeds);
    const ms = performance.now() - started;
    if (options.output) {
      await mkdir(options.output, { recursive: true });
      for (const [name, v] of Object.entries(outputs)) {
        const safe = name.replace(/[^\w.-]/g, '_');
        if (isTensor(v) && v.type !== 'string')
          await writeFile(join(options.output, `${safe}.npy`), encodeNpy(v));
        else await writeFile(join(options.output, `${safe}.json`), JSON.stringify(toJson(v)));
      }
    }
    if (options.json)
      return JSON.stringify(Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, toJson(v)])));
    const lines = Object.entries(outputs).map(([k, v]) => formatValue(k, v, options.full ?? false));
    lines.push(
      `(${ms.toFixed(1)} ms, native backend${options.output ? `; saved to ${options.output}` : ''})`,
    );
    return lines.join('\n');
  } finally {
    await session.release();
  }
}
