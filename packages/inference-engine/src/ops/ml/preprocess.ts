import { InvalidArgumentError } from '@zai/common';
import { tensorFromValues, tensorValues } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type ShapeFn } from '../../kernel.js';
import { ML_DOMAIN, numericInput, rows, tensorOut } from './common.js';

// The element-wise and per-row preprocessing ops of ai.onnx.ml (all opset 1):
// Binarizer (same type), Imputer (same type), Scaler and Normalizer (float
// output). Inputs are [N, C] or [C]; per-feature parameters have length 1
// (broadcast) or C.

function binarizer(ctx: KernelContext): Kernel {
  const threshold = ctx.float('threshold', 0);
  return (inputs) => {
    const x = numericInput(inputs, 0, 'Binarizer');
    const X = tensorValues(x);
    const Y = new Float64Array(x.size);
    // NaN compares false, so it maps to 0 like any value not above the threshold.
    for (let i = 0; i < Y.length; i++) Y[i] = X[i]! > threshold ? 1 : 0;
    return [tensorFromValues(x.type, Y, x.dims)];
  };
}

/** Checks a per-feature parameter list against C; returns a stride of 0 (broadcast) or 1. */
function featureStride(op: string, name: string, len: number, c: number): number {
  if (len === 1) return 0;
  if (len !== c) throw new InvalidArgumentError(`${op}: '${name}' has ${len} values, expected 1 or ${c}`);
  return 1;
}

function scaler(ctx: KernelContext): Kernel {
  const op = 'Scaler';
  const offset = ctx.floats('offset', [0]);
  const scale = ctx.floats('scale', [1]);
  if (offset.length !== scale.length) ctx.fail(`'offset' and 'scale' lengths differ`);
  const O = Float32Array.from(offset);
  const S = Float32Array.from(scale);
  return (inputs) => {
    const x = numericInput(inputs, 0, op);
    const { n, c } = rows(x);
    const st = featureStride(op, 'scale', S.length, c);
    const X = tensorValues(x);
    const Y = new Float32Array(x.size);
    for (let r = 0; r < n; r++) {
      const base = r * c;
      for (let j = 0; j < c; j++) Y[base + j] = (X[base + j]! - O[j * st]!) * S[j * st]!;
    }
    return [tensorFromValues('float32', Y, x.dims)];
  };
}

function imputer(ctx: KernelContext): Kernel {
  const op = 'Imputer';
  const floats = ctx.floats('imputed_value_floats', []);
  const ints = ctx.ints('imputed_value_int64s', []);
  const replacedFloat = ctx.float('replaced_value_float', 0);
  const replacedInt = ctx.int('replaced_value_int64', 0);
  return (inputs) => {
    const x = numericInput(inputs, 0, op);
    const isFloat = x.type === 'float32' || x.type === 'float64' || x.type === 'float16';
    const values = isFloat ? floats : ints;
    if (values.length === 0) {
      throw new InvalidArgumentError(
        `${op}: imputed_value_${isFloat ? 'floats' : 'int64s'} is required for ${x.type}`,
      );
    }
    const replaced = isFloat ? replacedFloat : replacedInt;
    const replaceNaN = Number.isNaN(replaced);
    const { n, c } = rows(x);
    const st = featureStride(op, 'imputed values', values.length, c);
    const X = tensorValues(x);
    const Y = Float64Array.from(X);
    for (let r = 0; r < n; r++) {
      const base = r * c;
      for (let j = 0; j < c; j++) {
        const v = X[base + j]!;
        if (v === replaced || (replaceNaN && Number.isNaN(v))) Y[base + j] = values[j * st]!;
      }
    }
    return [tensorFromValues(x.type, Y, x.dims)];
  };
}

type Norm = 'MAX' | 'L1' | 'L2';

function normalizer(ctx: KernelContext): Kernel {
  const norm = ctx.string('norm', 'MAX') as Norm;
  if (norm !== 'MAX' && norm !== 'L1' && norm !== 'L2') ctx.fail(`unknown norm '${norm}'`);
  return (inputs) => {
    const x = numericInput(inputs, 0, 'Normalizer');
    const { n, c } = rows(x);
    const X = tensorValues(x);
    const Y = new Float32Array(x.size);
    for (let r = 0; r < n; r++) {
      const base = r * c;
      let d = 0;
      if (norm === 'MAX') {
        d = Number.NEGATIVE_INFINITY;
        for (let j = 0; j < c; j++) d = Math.max(d, X[base + j]!);
      } else if (norm === 'L1') {
        for (let j = 0; j < c; j++) d += Math.abs(X[base + j]!);
      } else {
        for (let j = 0; j < c; j++) d += X[base + j]! * X[base + j]!;
        d = Math.sqrt(d);
      }
      // A zero divisor leaves the row as it is.
      if (d === 0) for (let j = 0; j < c; j++) Y[base + j] = X[base + j]!;
      else for (let j = 0; j < c; j++) Y[base + j] = X[base + j]! / d;
    }
    return [tensorFromValues('float32', Y, x.dims)];
  };
}

const sameType: ShapeFn = (ctx) => [ctx.input(0) ?? null];
const floatSameShape: ShapeFn = (ctx) => tensorOut('float32', ctx.shape(0));

export const PREPROCESS = [
  defineOp('Binarizer', '1+', binarizer, ML_DOMAIN, sameType),
  defineOp('Imputer', '1+', imputer, ML_DOMAIN, sameType),
  defineOp('Scaler', '1+', scaler, ML_DOMAIN, floatSameShape),
  defineOp('Normalizer', '1+', normalizer, ML_DOMAIN, floatSameShape),
];
