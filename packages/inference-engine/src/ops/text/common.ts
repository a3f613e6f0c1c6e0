import {
  type DataType,
  InvalidArgumentError,
  type Shape,
  TypeMismatchError,
  type ValueType,
} from '@zai/common';
import { isTensor, type Tensor } from '@zai/tensor-core';
import type { KernelInputs } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';

// Helpers shared by the string operators. String tensors hold a plain
// string[] (JavaScript strings decoded from the UTF-8 bytes of the model or
// the feeds), so the ops work on code points, never on raw bytes.

/** Input i as a tensor, or a typed error naming the op and input. */
export function tensorArg(inputs: KernelInputs, i: number, op: string, name: string): Tensor {
  const v = inputs[i];
  if (!isTensor(v)) throw new InvalidArgumentError(`${op}: input '${name}' must be a tensor`);
  return v;
}

/** Input i as a string tensor. */
export function stringArg(inputs: KernelInputs, i: number, op: string, name: string): Tensor<'string'> {
  const t = tensorArg(inputs, i, op, name);
  if (t.type !== 'string')
    throw new TypeMismatchError(`${op}: input '${name}' must be string, got ${t.type}`);
  return t as Tensor<'string'>;
}

/** A one-output type list: `elem` with `shape` (unknown shape when undefined). */
export function typed(elem: DataType, shape?: Shape): ValueType {
  return tensorType(elem, shape);
}
