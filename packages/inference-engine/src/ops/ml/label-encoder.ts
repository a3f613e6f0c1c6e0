import type { DataType } from '@zai/common';
import { allocate, numberToFloat16, Tensor, tensorValues } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type ShapeFn } from '../../kernel.js';
import { ML_DOMAIN, mlInput, tensorOut } from './common.js';

// LabelEncoder. Opset 1 maps strings to their index in `classes_strings` (or
// int64 indices back to strings). Opsets 2+ map keys_* to values_* (strings,
// int64s, floats; from opset 4 also 1-D keys_tensor / values_tensor of any of
// string, int64, int32, int16, float, double), with default_* (or
// default_tensor) for inputs not found. Keys live in a Map (SameValueZero: a
// NaN key matches any NaN input, -0 matches 0); a repeated key keeps the last.

type Key = string | number | bigint;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** One representation per value: exact integers as numbers, larger int64 as bigint. */
function normKey(v: Key): Key {
  return typeof v === 'bigint' && v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v;
}

/** The elements of a tensor as lookup keys. */
function keysOf(t: Tensor): ArrayLike<Key> {
  if (t.type === 'string') return t.data as string[];
  if (t.type === 'int64' || t.type === 'uint64') return Array.from(t.data as BigInt64Array, normKey);
  return tensorValues(t);
}

interface Table {
  readonly index: Map<Key, number>;
  readonly type: DataType;
  /** Output values, in the output type's storage. */
  readonly values: ArrayLike<unknown>;
  readonly fallback: unknown;
}

function attrKeys(ctx: KernelContext): Key[] {
  const t = ctx.tensor('keys_tensor');
  if (t) return Array.from(keysOf(t));
  if (ctx.has('keys_strings')) return ctx.strings('keys_strings');
  if (ctx.has('keys_int64s')) return ctx.ints('keys_int64s');
  if (ctx.has('keys_floats')) return ctx.floats('keys_floats');
  return ctx.fail('one of keys_strings, keys_int64s, keys_floats, keys_tensor is required');
}

function attrValues(ctx: KernelContext): Tensor {
  const t = ctx.tensor('values_tensor');
  if (t) return t;
  if (ctx.has('values_strings')) return new Tensor('string', ctx.strings('values_strings'));
  if (ctx.has('values_int64s')) return new Tensor('int64', ctx.ints('values_int64s'));
  if (ctx.has('values_floats')) return new Tensor('float32', ctx.floats('values_floats'));
  return ctx.fail('one of values_strings, values_int64s, values_floats, values_tensor is required');
}

/** A number as an element of `type`'s storage (int64 as bigint, float16 as its code). */
function asElement(v: number, type: DataType): unknown {
  if (type === 'int64') return BigInt(Math.trunc(v));
  if (type === 'float16') return numberToFloat16(v);
  return v;
}

/** The default output value for `type`: default_tensor's element, else the default_* attribute. */
function defaultValue(ctx: KernelContext, type: DataType): unknown {
  const d = ctx.tensor('default_tensor');
  if (d) {
    if (d.size < 1) ctx.fail('default_tensor is empty');
    if (d.type === type) return (d.data as ArrayLike<unknown>)[0];
    if (type === 'string') return String((d.data as ArrayLike<unknown>)[0]);
    return asElement(tensorValues(d)[0]!, type);
  }
  if (type === 'string') return ctx.string('default_string', '_Unused');
  if (type === 'float32' || type === 'float64' || type === 'float16') {
    return asElement(ctx.float('default_float', -0), type);
  }
  return asElement(ctx.int('default_int64', -1), type);
}

function buildTable(ctx: KernelContext): Table {
  const keys = attrKeys(ctx);
  const vt = attrValues(ctx);
  if (keys.length !== vt.size) ctx.fail(`${keys.length} keys but ${vt.size} values`);
  const index = new Map<Key, number>();
  for (let i = 0; i < keys.length; i++) index.set(normKey(keys[i]!), i);
  const type = vt.type;
  const fallback = defaultValue(ctx, type);
  return { index, type, values: vt.data as ArrayLike<unknown>, fallback };
}

function encode(x: Tensor, table: Table): Tensor {
  const keys = keysOf(x);
  const { index, values, fallback } = table;
  const out = allocate(table.type, x.size) as unknown as { [i: number]: unknown };
  for (let i = 0; i < x.size; i++) {
    const j = index.get(keys[i]!);
    out[i] = j === undefined ? fallback : values[j];
  }
  return new Tensor(table.type, out as Tensor['data'], x.dims);
}

function labelEncoder(ctx: KernelContext): Kernel {
  const table = buildTable(ctx);
  return (inputs) => [encode(mlInput(inputs, 0, 'LabelEncoder'), table)];
}

/** Opset 1: string -> index in classes_strings, or int64 index -> string. */
function labelEncoderV1(ctx: KernelContext): Kernel {
  const classes = ctx.strings('classes_strings', []);
  const defInt = BigInt(ctx.int('default_int64', -1));
  const defString = ctx.string('default_string', '_Unused');
  const index = new Map<Key, number>();
  for (const [i, c] of classes.entries()) index.set(c, i);
  return (inputs) => {
    const x = mlInput(inputs, 0, 'LabelEncoder');
    if (x.type === 'string') {
      const src = x.data as string[];
      const out = new BigInt64Array(x.size);
      for (let i = 0; i < x.size; i++) {
        const j = index.get(src[i]!);
        out[i] = j === undefined ? defInt : BigInt(j);
      }
      return [new Tensor('int64', out, x.dims)];
    }
    const ids = tensorValues(x);
    const out = new Array<string>(x.size);
    for (let i = 0; i < x.size; i++) {
      const j = ids[i]!;
      out[i] = j >= 0 && j < classes.length ? classes[j]! : defString;
    }
    return [new Tensor('string', out, x.dims)];
  };
}

const shapeV1: ShapeFn = (ctx) => {
  const t = ctx.elemType(0);
  return tensorOut(t === undefined ? undefined : t === 'string' ? 'int64' : 'string', ctx.shape(0));
};

const shape: ShapeFn = (ctx) => {
  const t = ctx.tensor('values_tensor');
  const type: DataType | undefined = t
    ? t.type
    : ctx.has('values_strings')
      ? 'string'
      : ctx.has('values_int64s')
        ? 'int64'
        : ctx.has('values_floats')
          ? 'float32'
          : undefined;
  return tensorOut(type, ctx.shape(0));
};

export const LABEL_ENCODER = [
  defineOp('LabelEncoder', '1', labelEncoderV1, ML_DOMAIN, shapeV1),
  defineOp('LabelEncoder', '2+', labelEncoder, ML_DOMAIN, shape),
];
