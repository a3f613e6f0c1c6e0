import { InvalidArgumentError, TypeMismatchError, type ValueType } from '@zai/common';
import { isTensor, type Tensor, tensorValues } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type KernelInputs, type ShapeFn } from '../../kernel.js';
import { floatBuffer, floatData, floatTensor, isFloat } from '../util/float-io.js';

// The optimizers of ai.onnx.preview.training (opset 1): Adagrad, Adam and
// Momentum. Inputs are R (learning rate), T (update count), then k groups of n
// tensors each (the n optimized tensors, their gradients, then the per-op
// state); outputs are the new tensors followed by their new state, group by
// group. Each of the n tensors is updated on its own; arithmetic is in
// float64, results are stored in each tensor's own type.

export const TRAINING_DOMAIN = 'ai.onnx.preview.training';

type F = Float32Array | Float64Array;

interface Step {
  readonly r: number;
  readonly t: number;
  /** For each optimized tensor: its inputs, one per group, as float arrays. */
  readonly inputs: readonly F[][];
  readonly tensors: readonly Tensor[][];
}

function scalar(inputs: KernelInputs, i: number, op: string, name: string): number {
  const v = inputs[i];
  if (!isTensor(v)) throw new TypeMismatchError(`${op}: input '${name}' must be a tensor`);
  if (v.size !== 1)
    throw new InvalidArgumentError(`${op}: input '${name}' must be a scalar, got [${v.dims}]`);
  return tensorValues(v)[0]!;
}

/** Splits the variadic inputs into n tensors of `groups` groups each. */
function readStep(inputs: KernelInputs, groups: number, op: string): Step {
  const count = inputs.length - 2;
  const n = count / groups;
  if (count < groups || !Number.isInteger(n)) {
    throw new InvalidArgumentError(
      `${op}: expected R, T and ${groups} groups of tensors, got ${inputs.length} inputs`,
    );
  }
  const r = scalar(inputs, 0, op, 'R');
  const t = scalar(inputs, 1, op, 'T');
  const data: F[][] = [];
  const tensors: Tensor[][] = [];
  for (let j = 0; j < n; j++) {
    const ts: Tensor[] = [];
    for (let g = 0; g < groups; g++) {
      const v = inputs[2 + g * n + j];
      if (!isTensor(v) || !isFloat(v.type)) {
        throw new TypeMismatchError(`${op}: input ${2 + g * n + j} must be a float tensor`);
      }
      if (v.size !== ts[0]?.size && g > 0) {
        throw new InvalidArgumentError(
          `${op}: input ${2 + g * n + j} has ${v.size} elements, expected ${ts[0]!.size}`,
        );
      }
      ts.push(v);
    }
    tensors.push(ts);
    data.push(ts.map(floatData));
  }
  return { r, t, inputs: data, tensors };
}

/**
 * Runs `update` on every optimized tensor; `outs` names the input groups whose
 * tensors the outputs mirror (type and shape), in output group order.
 */
function optimizer(
  ctx: KernelContext,
  op: string,
  groups: number,
  outs: readonly number[],
  update: (step: Step, x: readonly F[], y: readonly F[]) => void,
): Kernel {
  const nOut = ctx.outputCount;
  return (inputs) => {
    const step = readStep(inputs, groups, op);
    const n = step.inputs.length;
    const results: Tensor[] = new Array(outs.length * n);
    step.inputs.forEach((x, j) => {
      const ts = step.tensors[j]!;
      const y = outs.map((g) => floatBuffer(ts[g]!.type, ts[g]!.size));
      update(step, x, y);
      outs.forEach((g, o) => {
        results[o * n + j] = floatTensor(ts[g]!.type, y[o]!, ts[g]!.dims);
      });
    });
    return results.slice(0, nOut);
  };
}

function adagrad(ctx: KernelContext): Kernel {
  const decay = ctx.float('decay_factor', 0);
  const eps = ctx.float('epsilon', 0);
  const norm = ctx.float('norm_coefficient', 0);
  return optimizer(ctx, 'Adagrad', 3, [0, 2], ({ r, t }, [X, G, H], [XN, HN]) => {
    const rate = r / (1 + t * decay);
    for (let i = 0; i < X!.length; i++) {
      const g = norm * X![i]! + G![i]!;
      const h = H![i]! + g * g;
      HN![i] = h;
      XN![i] = X![i]! - (rate * g) / (Math.sqrt(h) + eps);
    }
  });
}

function adam(ctx: KernelContext): Kernel {
  const alpha = ctx.float('alpha', 0.9);
  const beta = ctx.float('beta', 0.999);
  const eps = ctx.float('epsilon', 0);
  const norm = ctx.float('norm_coefficient', 0);
  const post = ctx.float('norm_coefficient_post', 0);
  return optimizer(ctx, 'Adam', 4, [0, 2, 3], ({ r, t }, [X, G, V, H], [XN, VN, HN]) => {
    const rate = t > 0 ? (r * Math.sqrt(1 - beta ** t)) / (1 - alpha ** t) : r;
    for (let i = 0; i < X!.length; i++) {
      const g = norm * X![i]! + G![i]!;
      const v = alpha * V![i]! + (1 - alpha) * g;
      const h = beta * H![i]! + (1 - beta) * g * g;
      VN![i] = v;
      HN![i] = h;
      XN![i] = (1 - post) * (X![i]! - (rate * v) / (Math.sqrt(h) + eps));
    }
  });
}

function momentum(ctx: KernelContext): Kernel {
  for (const a of ['alpha', 'beta', 'mode', 'norm_coefficient']) {
    if (!ctx.has(a)) ctx.fail(`attribute '${a}' is required`);
  }
  const alpha = ctx.float('alpha');
  const beta = ctx.float('beta');
  const norm = ctx.float('norm_coefficient');
  const mode = ctx.string('mode');
  if (mode !== 'standard' && mode !== 'nesterov')
    ctx.fail(`mode must be 'standard' or 'nesterov', got '${mode}'`);
  const nesterov = mode === 'nesterov';
  return optimizer(ctx, 'Momentum', 3, [0, 2], ({ r, t }, [X, G, V], [XN, VN]) => {
    // In the first iteration (T = 0) the gradient enters with weight 1.
    const b = t > 0 ? beta : 1;
    for (let i = 0; i < X!.length; i++) {
      const g = norm * X![i]! + G![i]!;
      const v = alpha * V![i]! + b * g;
      VN![i] = v;
      XN![i] = X![i]! - r * (nesterov ? g + alpha * v : v);
    }
  });
}

/** Output types mirror the input groups `outs` of `groups`. */
function mirror(groups: number, outs: readonly number[]): ShapeFn {
  return (ctx) => {
    const n = (ctx.inputCount - 2) / groups;
    if (!Number.isInteger(n) || n < 1) return Array.from({ length: ctx.outputCount }, () => null);
    const types: (ValueType | null)[] = [];
    for (const g of outs) for (let j = 0; j < n; j++) types.push(ctx.input(2 + g * n + j) ?? null);
    return types.slice(0, ctx.outputCount);
  };
}

export const OPTIMIZERS = [
  defineOp('Adagrad', '1+', adagrad, TRAINING_DOMAIN, mirror(3, [0, 2])),
  defineOp('Adam', '1+', adam, TRAINING_DOMAIN, mirror(4, [0, 2, 3])),
  defineOp('Momentum', '1+', momentum, TRAINING_DOMAIN, mirror(3, [0, 2])),
];
