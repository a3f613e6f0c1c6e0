import { type DataType, type Dim, ShapeError, TypeMismatchError, type ValueType } from '@zai/common';
import { isTensor, type Tensor } from '@zai/tensor-core';
import type { KernelInputs, RuntimeValue } from '../../kernel.js';
import { floatData, floatTensor, isFloat, isHalf } from '../util/float-io.js';

// Helpers shared by FlexAttention, LinearAttention and CausalConvWithState.

export type FloatArray = Float32Array | Float64Array;

/** Input i as a float tensor of the given rank; throws naming the op and input otherwise. */
export function floatInput(inputs: KernelInputs, i: number, op: string, name: string, rank: number): Tensor {
  const t = inputs[i];
  if (!isTensor(t)) throw new TypeMismatchError(`${op}: input '${name}' must be a tensor`);
  if (!isFloat(t.type)) {
    throw new TypeMismatchError(`${op}: input '${name}' must be a float tensor, got ${t.type}`);
  }
  if (t.dims.length !== rank) {
    throw new ShapeError(`${op}: input '${name}' must have rank ${rank}, got shape [${t.dims.join(',')}]`);
  }
  return t;
}

/** An optional float input of the given rank: undefined when omitted. */
export function optionalFloatInput(
  inputs: KernelInputs,
  i: number,
  op: string,
  name: string,
  rank: number,
): Tensor | undefined {
  return isTensor(inputs[i]) ? floatInput(inputs, i, op, name, rank) : undefined;
}

/** Throws a ShapeError unless `actual` equals `expected`. */
export function expectDims(
  op: string,
  name: string,
  actual: readonly number[],
  expected: readonly number[],
): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new ShapeError(
      `${op}: '${name}' has shape [${actual.join(',')}], expected [${expected.join(',')}]`,
    );
  }
}

/** A subgraph result that must be one tensor. */
export function tensorResult(v: RuntimeValue | undefined, what: string): Tensor {
  if (!isTensor(v)) throw new TypeMismatchError(`${what} must yield a tensor`);
  return v;
}

/** Values rounded to the storage precision of `type` (16-bit floats), as float compute storage. */
export function roundTo(type: DataType, values: FloatArray, dims: readonly number[]): FloatArray {
  return isHalf(type) ? floatData(floatTensor(type, values, dims)) : values;
}

/** Symbolic `d / by`, or a fresh name when d is not a known multiple of it. */
export function divDim(d: Dim | undefined, by: number, fresh: () => string): Dim {
  if (typeof d === 'number') return by > 0 && d % by === 0 ? d / by : fresh();
  return by === 1 && typeof d === 'string' ? d : fresh();
}

/** Symbolic `d * by`. */
export function mulDim(d: Dim | undefined, by: number, fresh: () => string): Dim {
  if (typeof d === 'number') return d * by;
  return by === 1 && typeof d === 'string' ? d : fresh();
}

/** A tensor type, or null when the element type is unknown. */
export function tensorValue(
  elemType: DataType | undefined,
  shape: readonly Dim[] | undefined,
): ValueType | null {
  if (!elemType) return null;
  return shape ? { kind: 'tensor', elemType, shape } : { kind: 'tensor', elemType };
}
