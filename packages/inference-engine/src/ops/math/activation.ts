import { ShapeError } from '@zai/common';
import { broadcastShapes, shapesEqual } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type OperatorDef } from '../../kernel.js';
import { binary, type UnarySpec, unary } from '../util/elementwise.js';
import { sameAsInput, tensorInput } from './common.js';

// Activation functions. Attributes are read once at creation into `p`.
// NaN inputs stay NaN (comparisons are written so NaN takes the x branch).

const act = (opType: string, versions: string, spec: UnarySpec): OperatorDef =>
  defineOp(opType, versions, unary(spec), '', sameAsInput());

const alpha = (fallback: number) => (ctx: KernelContext) => ({ alpha: ctx.float('alpha', fallback) });

export const RELU = act('Relu', '1+', {
  float: 'x < 0 ? 0 : x',
  int: 'x < 0 ? 0 : x',
  bigint: 'x < 0n ? 0n : x',
});
export const LEAKY_RELU = act('LeakyRelu', '1+', { float: 'x < 0 ? p.alpha * x : x', params: alpha(0.01) });
export const THRESHOLDED_RELU = act('ThresholdedRelu', '10+', {
  float: 'x > p.alpha ? x : 0',
  params: alpha(1),
});
export const ELU = act('Elu', '1+', { float: 'x < 0 ? p.alpha * (Math.exp(x) - 1) : x', params: alpha(1) });
export const CELU = act('Celu', '12+', {
  float: 'Math.max(0, x) + Math.min(0, p.alpha * (Math.exp(x / p.alpha) - 1))',
  params: alpha(1),
});

// Selu's defaults were rounded to 4 decimals before opset 6; from 6 they are the float32 constants.
export const SELU = act('Selu', '1+', {
  float: 'x > 0 ? p.gamma * x : p.gamma * (p.alpha * Math.exp(x) - p.alpha)',
  params: (ctx) =>
    ctx.opset < 6
      ? { alpha: ctx.float('alpha', 1.6732), gamma: ctx.float('gamma', 1.0507) }
      : {
          alpha: ctx.float('alpha', 1.6732631921768188),
          gamma: ctx.float('gamma', 1.0507010221481323),
        },
});

export const SIGMOID = act('Sigmoid', '1+', { float: '1 / (1 + Math.exp(-x))' });
export const TANH = act('Tanh', '1+', { float: 'Math.tanh(x)' });
export const HARD_SIGMOID = act('HardSigmoid', '1+', {
  float: 'Math.max(0, Math.min(1, p.alpha * x + p.beta))',
  params: (ctx) => ({ alpha: ctx.float('alpha', 0.2), beta: ctx.float('beta', 0.5) }),
});
export const HARD_SWISH = act('HardSwish', '14+', { float: 'x * Math.max(0, Math.min(1, x / 6 + 0.5))' });

// softplus(x) = log(1 + e^x), written to neither overflow nor lose small values
const SOFTPLUS = 'x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))';
export const SOFTPLUS_OP = act('Softplus', '1+', { float: SOFTPLUS });
export const SOFTSIGN = act('Softsign', '1+', { float: 'x / (1 + Math.abs(x))' });
export const MISH = act('Mish', '18+', { float: `x * Math.tanh(${SOFTPLUS})` });
export const SWISH = act('Swish', '24+', { float: 'x / (1 + Math.exp(-p.alpha * x))', params: alpha(1) });

// Shrink accepts every numeric type; integer results truncate when stored.
export const SHRINK = act('Shrink', '9+', {
  float: 'x < -p.lambd ? x + p.bias : x > p.lambd ? x - p.bias : 0',
  int: 'x < -p.lambd ? x + p.bias : x > p.lambd ? x - p.bias : 0',
  bigint:
    'Number(x) < -p.lambd ? BigInt(Math.trunc(Number(x) + p.bias)) : Number(x) > p.lambd ? BigInt(Math.trunc(Number(x) - p.bias)) : 0n',
  params: (ctx) => ({ bias: ctx.float('bias', 0), lambd: ctx.float('lambd', 0.5) }),
});

// PRelu: slope broadcasts onto X (unidirectionally from opset 7; before, it
// had X's shape or a single element), so the output keeps X's shape.
const PRELU_PAIR = binary({
  float: 'a < 0 ? a * b : a',
  int: 'a < 0 ? Math.imul(a, b) : a',
  bigint: 'a < 0n ? a * b : a',
});

function preluKernel(ctx: KernelContext): Kernel {
  const pair = PRELU_PAIR(ctx);
  return (inputs, run) => {
    const x = tensorInput(inputs, 0, 'PRelu');
    const slope = tensorInput(inputs, 1, 'PRelu');
    if (!shapesEqual(broadcastShapes(x.dims, slope.dims), x.dims)) {
      throw new ShapeError(`PRelu slope [${slope.dims}] does not broadcast to X [${x.dims}]`);
    }
    return pair([x, slope], run);
  };
}

export const PRELU = defineOp('PRelu', '1+', preluKernel, '', sameAsInput());

export const ACTIVATION_OPS: readonly OperatorDef[] = [
  RELU,
  LEAKY_RELU,
  THRESHOLDED_RELU,
  ELU,
  CELU,
  SELU,
  SIGMOID,
  TANH,
  HARD_SIGMOID,
  HARD_SWISH,
  SOFTPLUS_OP,
  SOFTSIGN,
  MISH,
  SWISH,
  SHRINK,
  PRELU,
];
