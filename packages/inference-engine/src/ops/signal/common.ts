import { type DataType, dataTypeFromOnnx, ShapeError, TypeMismatchError } from '@zai/common';
import { castTensor, isTensor, Tensor } from '@zai/tensor-core';
import type { KernelInputs, NodeView, ShapeContext } from '../../kernel.js';
import { floatTensor, isFloat } from '../util/float-io.js';

// Helpers shared by the signal kernels: input access, scalar inputs, and the
// `output_datatype` attribute of the window / mel generators.

/** Input i as a tensor; throws naming the op and input when missing. */
export function tensorInput(inputs: KernelInputs, i: number, op: string, name: string): Tensor {
  const t = inputs[i];
  if (!isTensor(t)) throw new TypeMismatchError(`${op}: input '${name}' must be a tensor`);
  return t;
}

/** Input i as a float tensor. */
export function floatInput(inputs: KernelInputs, i: number, op: string, name: string): Tensor {
  const t = tensorInput(inputs, i, op, name);
  if (!isFloat(t.type)) {
    throw new TypeMismatchError(`${op}: input '${name}' must be a float tensor, got ${t.type}`);
  }
  return t;
}

/** An optional input: the tensor, or undefined when omitted. */
export function optionalInput(inputs: KernelInputs, i: number): Tensor | undefined {
  const t = inputs[i];
  return isTensor(t) ? t : undefined;
}

/** The value of a one-element int32/int64 tensor. */
export function intScalar(t: Tensor, op: string, name: string): number {
  if (t.type !== 'int32' && t.type !== 'int64') {
    throw new TypeMismatchError(`${op}: '${name}' must be int32 or int64, got ${t.type}`);
  }
  if (t.size !== 1) throw new ShapeError(`${op}: '${name}' must be a scalar, got shape [${t.dims}]`);
  return Number((t.data as ArrayLike<number | bigint>)[0]!);
}

/** The value of a one-element numeric tensor, as a float. */
export function numberScalar(t: Tensor, op: string, name: string): number {
  if (t.size !== 1) throw new ShapeError(`${op}: '${name}' must be a scalar, got shape [${t.dims}]`);
  if (isFloat(t.type)) return castTensor(t, 'float64').data[0] as number;
  if (t.type === 'string' || t.type === 'bool') {
    throw new TypeMismatchError(`${op}: '${name}' must be numeric, got ${t.type}`);
  }
  return Number((t.data as ArrayLike<number | bigint>)[0]!);
}

/** A statically known integer scalar input, for shape functions. */
export function staticInt(ctx: ShapeContext, i: number): number | undefined {
  const t = ctx.hasInput(i) ? ctx.value(i) : undefined;
  if (t?.size !== 1 || (t.type !== 'int32' && t.type !== 'int64')) return undefined;
  return Number((t.data as ArrayLike<number | bigint>)[0]!);
}

const NUMERIC_OUT = new Set<DataType>([
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'int8',
  'int16',
  'int32',
  'int64',
  'float16',
  'float32',
  'float64',
  'bfloat16',
]);

/** The `output_datatype` attribute (a TensorProto data type, default float). */
export function outputType(ctx: NodeView): DataType {
  const code = ctx.int('output_datatype', 1);
  const type = dataTypeFromOnnx(code);
  if (!type || !NUMERIC_OUT.has(type)) ctx.fail(`output_datatype ${code} is not a numeric type`);
  return type;
}

/** Float64 results as a tensor of `type`: floats are rounded, integers converted as Cast does. */
export function typedResult(type: DataType, values: Float64Array, dims: readonly number[]): Tensor {
  if (isFloat(type)) return floatTensor(type, values, dims);
  return castTensor(new Tensor('float64', values, dims), type);
}
