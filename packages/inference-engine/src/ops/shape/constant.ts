import { type DataType, dataTypeFromOnnx, ShapeError, TypeMismatchError } from '@zai/common';
import { Tensor, tensorFromValues } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext } from '../../kernel.js';
import { floatData, floatTensor, isHalf } from '../util/float-io.js';
import { allocElems, elems, fillRun, fromElems, intValues, tensorAt } from './common.js';

// Ops that make tensors from attributes or from shapes: Constant,
// ConstantOfShape, EyeLike, Range.

function constant(ctx: KernelContext): Kernel {
  let value: Tensor | undefined;
  if (ctx.has('value')) value = ctx.tensor('value');
  else if (ctx.has('value_float'))
    value = new Tensor('float32', Float32Array.of(ctx.float('value_float')), []);
  else if (ctx.has('value_floats'))
    value = new Tensor('float32', Float32Array.from(ctx.floats('value_floats')));
  else if (ctx.has('value_int'))
    value = new Tensor('int64', BigInt64Array.of(BigInt(ctx.int('value_int'))), []);
  else if (ctx.has('value_ints')) {
    value = new Tensor(
      'int64',
      BigInt64Array.from(ctx.ints('value_ints'), (v) => BigInt(v)),
    );
  } else if (ctx.has('value_string')) value = new Tensor('string', [ctx.string('value_string')], []);
  else if (ctx.has('value_strings')) value = new Tensor('string', ctx.strings('value_strings'));
  else if (ctx.has('sparse_value')) ctx.fail('Constant: sparse_value is not supported');
  if (!value) ctx.fail('Constant needs one of value, value_float(s), value_int(s), value_string(s)');
  const out = value;
  return () => [out];
}

/** The one stored element of a tensor of `type` holding `v` (bits for float16, bigint for int64, …). */
export function scalarElem(type: DataType, v: number): unknown {
  return elems(tensorFromValues(type, [v], [1]))[0];
}

function constantOfShape(ctx: KernelContext): Kernel {
  const value = ctx.tensor('value');
  if (value && value.size !== 1) ctx.fail(`ConstantOfShape: value must hold one element, got ${value.size}`);
  const type: DataType = value?.type ?? 'float32';
  const fill = value ? elems(value)[0] : 0;
  return (inputs) => {
    const dims = intValues(tensorAt(inputs, 0, 'ConstantOfShape'), 'ConstantOfShape input');
    for (const d of dims)
      if (d < 0) throw new ShapeError(`ConstantOfShape: negative dim in [${dims.join(',')}]`);
    let n = 1;
    for (const d of dims) n *= d;
    const out = allocElems(type, n);
    if (n > 0) fillRun(out, 0, n, fill);
    return [fromElems(type, out, dims)];
  };
}

function eyeLike(ctx: KernelContext): Kernel {
  const k = ctx.int('k', 0);
  let dtype: DataType | undefined;
  if (ctx.has('dtype')) {
    dtype = dataTypeFromOnnx(ctx.int('dtype'));
    if (!dtype) ctx.fail(`EyeLike: unknown dtype ${ctx.int('dtype')}`);
  }
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'EyeLike');
    if (x.dims.length !== 2) throw new ShapeError(`EyeLike: input must be 2-D, got [${x.dims.join(',')}]`);
    const type = dtype ?? x.type;
    if (type === 'string') throw new TypeMismatchError('EyeLike: string output is not supported');
    const [rows, cols] = x.dims as [number, number];
    const out = allocElems(type, rows * cols);
    const one = scalarElem(type, 1);
    const o = out as { [i: number]: unknown };
    for (let i = Math.max(0, -k); i < rows && i + k < cols; i++) o[i * cols + i + k] = one;
    return [fromElems(type, out, [rows, cols])];
  };
}

function scalarNumber(t: Tensor, what: string): number {
  if (t.size !== 1) throw new ShapeError(`Range: ${what} must be a scalar, got [${t.dims.join(',')}]`);
  if (isHalf(t.type)) return floatData(t)[0]!;
  return Number((t.data as ArrayLike<number | bigint>)[0]);
}

function range(ctx: KernelContext): Kernel {
  // opset 27's stash_type: 1 computes 16-bit floats in float32; otherwise accumulate in the type itself
  const stash = ctx.opset >= 27 ? ctx.int('stash_type', 1) : 1;
  return (inputs) => {
    const ts = [0, 1, 2].map((i) => tensorAt(inputs, i, 'Range'));
    const type = ts[0]!.type;
    for (const t of ts) {
      if (t.type !== type)
        throw new TypeMismatchError(`Range inputs must share a type, got ${t.type} and ${type}`);
    }
    if (type === 'int64') {
      const [s, l, d] = ts.map((t) => (t.data as BigInt64Array)[0]!) as [bigint, bigint, bigint];
      if (d === 0n) throw new ShapeError('Range: delta must not be 0');
      // ceil((l - s) / d) in integers
      const diff = l - s;
      let n = diff / d;
      if (n * d !== diff && diff > 0n === d > 0n) n += 1n;
      const count = n > 0n ? Number(n) : 0;
      const out = new BigInt64Array(count);
      for (let i = 0; i < count; i++) out[i] = s + BigInt(i) * d;
      return [new Tensor('int64', out, [count])];
    }
    const [s, l, d] = ts.map((t, i) => scalarNumber(t, ['start', 'limit', 'delta'][i]!)) as [
      number,
      number,
      number,
    ];
    if (d === 0) throw new ShapeError('Range: delta must not be 0');
    const count = Math.max(Math.ceil((l - s) / d), 0);
    if (isHalf(type)) {
      const vals = new Float32Array(count);
      if (stash === 1) for (let i = 0; i < count; i++) vals[i] = s + i * d;
      else {
        // each step rounds to the 16-bit type, as an accumulating loop in that type would
        const round = (v: number) => floatData(floatTensor(type, Float32Array.of(v), [1]))[0]!;
        let acc = s;
        for (let i = 0; i < count; i++, acc = round(acc + d)) vals[i] = acc;
      }
      return [floatTensor(type, vals, [count])];
    }
    if (type !== 'float32' && type !== 'float64' && type !== 'int32' && type !== 'int16') {
      throw new TypeMismatchError(`Range does not support ${type}`);
    }
    const out = allocElems(type, count) as Float32Array | Float64Array | Int32Array | Int16Array;
    for (let i = 0; i < count; i++) out[i] = s + i * d;
    return [new Tensor(type, out, [count])];
  };
}

export const CONSTANT_OPS = [
  defineOp('Constant', '1+', constant),
  defineOp('ConstantOfShape', '9+', constantOfShape),
  defineOp('EyeLike', '9+', eyeLike),
  defineOp('Range', '11+', range),
];
