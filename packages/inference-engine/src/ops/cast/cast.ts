import type { DataType } from '@zai/common';
import { type CastOptions, castTensor, type E8M0RoundMode } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { tensorInput, typeAttr } from './common.js';

// Cast (1: `to` is a type name; 6: a type number; 19: `saturate` for float8;
// 25: `round_mode` for float8e8m0) and CastLike (15+, the type of input 1).
// The conversions themselves live in tensor-core's castTensor.

const ROUND_MODES = new Set<string>(['up', 'down', 'nearest']);

function castOptions(ctx: KernelContext): CastOptions {
  const saturate = ctx.opset >= 19 ? ctx.int('saturate', 1) !== 0 : true;
  const mode = ctx.opset >= 25 ? ctx.string('round_mode', 'up') : 'up';
  if (!ROUND_MODES.has(mode)) ctx.fail(`round_mode must be 'up', 'down' or 'nearest', got '${mode}'`);
  return { saturate, roundMode: mode as E8M0RoundMode };
}

function createCast(ctx: KernelContext): Kernel {
  const to = typeAttr(ctx, 'to');
  const options = castOptions(ctx);
  return (inputs) => [castTensor(tensorInput(inputs, 0, 'Cast', 'input'), to, options)];
}

function createCastLike(ctx: KernelContext): Kernel {
  const options = castOptions(ctx);
  return (inputs) => {
    const target = tensorInput(inputs, 1, 'CastLike', 'target_type');
    return [castTensor(tensorInput(inputs, 0, 'CastLike', 'input'), target.type, options)];
  };
}

const castShape: ShapeFn = (ctx) => {
  const shape = ctx.shape(0);
  const elemType: DataType = typeAttr(ctx, 'to');
  return [shape ? { kind: 'tensor', elemType, shape } : { kind: 'tensor', elemType }];
};

const castLikeShape: ShapeFn = (ctx) => {
  const shape = ctx.shape(0);
  const elemType = ctx.elemType(1);
  if (!elemType) return [null];
  return [shape ? { kind: 'tensor', elemType, shape } : { kind: 'tensor', elemType }];
};

export const CAST: OperatorDef = defineOp('Cast', '1+', createCast, '', castShape);
export const CAST_LIKE: OperatorDef = defineOp('CastLike', '15+', createCastLike, '', castLikeShape);
