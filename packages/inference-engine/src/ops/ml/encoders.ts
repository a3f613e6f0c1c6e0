import { InvalidArgumentError, TypeMismatchError } from '@zai/common';
import { Tensor, tensorValues } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type ShapeFn } from '../../kernel.js';
import { ML_DOMAIN, mlInput, rows, tensorOut } from './common.js';

// OneHotEncoder and ZipMap (ai.onnx.ml 1).
// OneHotEncoder: Y = X.dims + [categories] of float 0/1; numeric inputs are
// truncated to integers and looked up in cats_int64s, strings in
// cats_strings. An unknown category gives a zero row (zeros = 1) or fails.
// ZipMap: each row of X ([N, C] or [C]) becomes a map from the C class
// labels to that row's float scores; the output is the sequence of the N maps.

function oneHotEncoder(ctx: KernelContext): Kernel {
  const op = 'OneHotEncoder';
  const byString = ctx.has('cats_strings');
  if (!byString && !ctx.has('cats_int64s')) ctx.fail('cats_int64s or cats_strings is required');
  const list: (string | number)[] = byString ? ctx.strings('cats_strings') : ctx.ints('cats_int64s');
  const cats = new Map<string | number, number>();
  for (const [i, c] of list.entries()) cats.set(c, i);
  const k = list.length;
  const zeros = ctx.int('zeros', 1) !== 0;
  return (inputs) => {
    const x = mlInput(inputs, 0, op);
    if ((x.type === 'string') !== byString) {
      throw new TypeMismatchError(
        `${op}: ${x.type} input needs cats_${x.type === 'string' ? 'strings' : 'int64s'}`,
      );
    }
    const keys: ArrayLike<string | number> = byString ? (x.data as string[]) : tensorValues(x);
    const Y = new Float32Array(x.size * k);
    for (let i = 0; i < x.size; i++) {
      const v = keys[i]!;
      const j = cats.get(typeof v === 'number' ? Math.trunc(v) : v);
      if (j !== undefined) Y[i * k + j] = 1;
      else if (!zeros) throw new InvalidArgumentError(`${op}: unknown category ${String(v)}`);
    }
    return [new Tensor('float32', Y, [...x.dims, k])];
  };
}

function zipMap(ctx: KernelContext): Kernel {
  const byString = ctx.has('classlabels_strings');
  const labels: (string | bigint)[] = byString
    ? ctx.strings('classlabels_strings')
    : ctx.has('classlabels_int64s')
      ? ctx.ints('classlabels_int64s').map(BigInt)
      : ctx.fail('classlabels_strings or classlabels_int64s is required');
  return (inputs) => {
    const x = mlInput(inputs, 0, 'ZipMap');
    const { n, c } = rows(x);
    if (c !== labels.length) {
      throw new InvalidArgumentError(`ZipMap: X has ${c} columns for ${labels.length} class labels`);
    }
    const X = tensorValues(x);
    const out: Map<string | bigint, Tensor>[] = [];
    for (let r = 0; r < n; r++) {
      const m = new Map<string | bigint, Tensor>();
      for (let j = 0; j < c; j++)
        m.set(labels[j]!, new Tensor('float32', new Float32Array([X[r * c + j]!]), []));
      out.push(m);
    }
    return [out];
  };
}

const oneHotShape: ShapeFn = (ctx) => {
  const k = ctx.has('cats_strings') ? ctx.strings('cats_strings').length : ctx.ints('cats_int64s', []).length;
  const s = ctx.shape(0);
  return tensorOut('float32', s && [...s, k]);
};

const zipMapShape: ShapeFn = (ctx) => [
  {
    kind: 'sequence',
    elem: {
      kind: 'map',
      keyType: ctx.has('classlabels_strings') ? 'string' : 'int64',
      valueType: { kind: 'tensor', elemType: 'float32', shape: [] },
    },
  },
];

export const ENCODERS = [
  defineOp('OneHotEncoder', '1+', oneHotEncoder, ML_DOMAIN, oneHotShape),
  defineOp('ZipMap', '1+', zipMap, ML_DOMAIN, zipMapShape),
];
