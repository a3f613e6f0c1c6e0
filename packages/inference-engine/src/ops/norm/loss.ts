import { InvalidArgumentError, ShapeError, TypeMismatchError } from '@zai/common';
import { isTensor, type Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type KernelInputs, type ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { floatBuffer, floatData, floatTensor } from '../util/float-io.js';
import { checkSize, type FloatArray, floatInput, optionalInput, prod } from './common.js';
import { Mode, softmaxInto } from './softmax.js';

// NegativeLogLikelihoodLoss (12, 13, 22) and SoftmaxCrossEntropyLoss (12, 13).
// Inputs are (N, C, d1, ..., dk) seen as [N, C, inner]; targets (N, d1, ..., dk)
// as [N, inner]. loss = -input[n, t, k] * weight[t], 0 where t = ignore_index.
// 'mean' divides the summed loss by the summed weights of the counted targets
// (their count without weights), as ONNX's reference does.

type Reduction = 'none' | 'sum' | 'mean';

interface LossAttrs {
  readonly reduction: Reduction;
  readonly ignore: number | undefined;
}

function lossAttrs(ctx: KernelContext): LossAttrs {
  const reduction = ctx.string('reduction', 'mean');
  if (reduction !== 'none' && reduction !== 'sum' && reduction !== 'mean') {
    ctx.fail(`reduction must be none, sum or mean, got '${reduction}'`);
  }
  return { reduction, ignore: ctx.has('ignore_index') ? ctx.int('ignore_index') : undefined };
}

/** Targets as numbers, checked against the input's (N, d1, ..., dk). */
function targets(
  inputs: KernelInputs,
  i: number,
  dims: readonly number[],
  op: string,
  name: string,
): ArrayLike<number | bigint> {
  const v = inputs[i];
  const t = isTensor(v) ? v : undefined;
  if (!t || (t.type !== 'int64' && t.type !== 'int32')) {
    throw new TypeMismatchError(
      `${op}: '${name}' must be an int32 or int64 tensor${t ? `, got ${t.type}` : ''}`,
    );
  }
  const want = [dims[0]!, ...dims.slice(2)];
  if (t.dims.length !== want.length || t.dims.some((d, k) => d !== want[k])) {
    throw new ShapeError(`${op}: '${name}' has shape [${t.dims.join(',')}], expected [${want.join(',')}]`);
  }
  return t.data as ArrayLike<number | bigint>;
}

/** The loss over log-probabilities `L` laid out as [N, C, inner]. */
function nll(
  L: FloatArray,
  dims: readonly number[],
  T: ArrayLike<number | bigint>,
  W: FloatArray | undefined,
  attrs: LossAttrs,
  type: Tensor['type'],
  op: string,
): Tensor {
  const N = dims[0]!;
  const C = dims[1]!;
  const inner = prod(dims, 2);
  const ignore = attrs.ignore;
  const none = attrs.reduction === 'none';
  const out = none ? floatBuffer(type, N * inner) : undefined;
  let sum = 0;
  let weights = 0;
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < inner; k++) {
      const t = Number(T[n * inner + k]!);
      if (t === ignore) continue; // loss 0, weight 0
      if (!(t >= 0 && t < C)) {
        throw new InvalidArgumentError(`${op}: target ${t} is outside [0, ${C}) and is not ignore_index`);
      }
      const w = W ? W[t]! : 1;
      const l = -L[(n * C + t) * inner + k]! * w;
      if (out) out[n * inner + k] = l;
      sum += l;
      weights += w;
    }
  }
  if (out) return floatTensor(type, out, [N, ...dims.slice(2)]);
  const v = floatBuffer(type, 1);
  v[0] = attrs.reduction === 'sum' ? sum : sum / weights;
  return floatTensor(type, v, []);
}

function checkInput(x: Tensor, op: string, name: string): void {
  if (x.dims.length < 2)
    throw new ShapeError(`${op}: '${name}' must have rank >= 2 (N, C, ...), got [${x.dims.join(',')}]`);
}

function nllLoss(ctx: KernelContext): Kernel {
  const op = 'NegativeLogLikelihoodLoss';
  const attrs = lossAttrs(ctx);
  return (inputs) => {
    const x = floatInput(inputs, 0, op, 'input');
    checkInput(x, op, 'input');
    const T = targets(inputs, 1, x.dims, op, 'target');
    const w = optionalInput(inputs, 2) && floatInput(inputs, 2, op, 'weight');
    if (w) checkSize(w, x.dims[1]!, op, 'weight');
    return [nll(floatData(x), x.dims, T, w && floatData(w), attrs, x.type, op)];
  };
}

function softmaxCrossEntropy(ctx: KernelContext): Kernel {
  const op = 'SoftmaxCrossEntropyLoss';
  const attrs = lossAttrs(ctx);
  const wantLogProb = ctx.hasOutput(1);
  return (inputs) => {
    const x = floatInput(inputs, 0, op, 'scores');
    checkInput(x, op, 'scores');
    const T = targets(inputs, 1, x.dims, op, 'labels');
    const w = optionalInput(inputs, 2) && floatInput(inputs, 2, op, 'weights');
    if (w) checkSize(w, x.dims[1]!, op, 'weights');
    // log_prob = LogSoftmax over the class axis, computed in the output's float width.
    const logp = floatBuffer(x.type, x.size);
    softmaxInto(floatData(x), logp, x.dims[0]!, x.dims[1]!, prod(x.dims, 2), Mode.LogSoftmax);
    const loss = nll(logp, x.dims, T, w && floatData(w), attrs, x.type, op);
    return [loss, wantLogProb ? floatTensor(x.type, logp, x.dims) : undefined];
  };
}

/** The loss: the target's shape with reduction 'none', a scalar otherwise; log_prob like the scores. */
const lossShape: ShapeFn = (ctx) => {
  const elem = ctx.elemType(0);
  if (!elem) return [null, null];
  const shape = ctx.string('reduction', 'mean') === 'none' ? ctx.shape(1) : [];
  return [tensorType(elem, shape), ctx.input(0) ?? null];
};

export const LOSSES = [
  defineOp('NegativeLogLikelihoodLoss', '12+', nllLoss, '', lossShape),
  defineOp('SoftmaxCrossEntropyLoss', '12+', softmaxCrossEntropy, '', lossShape),
];
