import { ShapeError, TypeMismatchError } from '@zai/common';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { floatBuffer, floatData, floatTensor, isHalf } from '../util/float-io.js';
import { expectDims, floatInput, optionalFloatInput, roundTo, tensorValue } from './common.js';

// CausalConvWithState (27): a depthwise causal 1-D convolution over
// (batch, channels, length) with a carried state of the last k - 1 positions.
// Each (batch, channel) row is laid out once as [past | input] (zeros when
// there is no past), so the taps of output t are padded[t .. t + k - 1].

const OP = 'CausalConvWithState';

function create(ctx: KernelContext): Kernel {
  const activation = ctx.string('activation', 'none');
  if (activation !== 'none' && activation !== 'silu' && activation !== 'swish') {
    ctx.fail(`activation '${activation}' is not one of 'silu', 'swish', 'none'`);
  }
  const silu = activation !== 'none';
  return (inputs) => {
    const x = floatInput(inputs, 0, OP, 'input', 3);
    const w = floatInput(inputs, 1, OP, 'weight', 3);
    const bias = optionalFloatInput(inputs, 2, OP, 'bias', 1);
    const past = optionalFloatInput(inputs, 3, OP, 'past_state', 3);
    for (const t of [w, bias, past]) {
      if (t && t.type !== x.type) throw new TypeMismatchError(`${OP}: inputs are ${x.type} and ${t.type}`);
    }
    const [B, C, L] = x.dims as [number, number, number];
    const k = w.dims[2]!;
    if (k < 1) throw new ShapeError(`${OP}: kernel size must be at least 1, got ${k}`);
    expectDims(OP, 'weight', w.dims, [C, 1, k]);
    if (bias) expectDims(OP, 'bias', bias.dims, [C]);
    if (past) expectDims(OP, 'past_state', past.dims, [B, C, k - 1]);

    const X = floatData(x);
    const W = floatData(w);
    const Bs = bias ? floatData(bias) : undefined;
    const P = past ? floatData(past) : undefined;
    const km1 = k - 1;
    const padLen = L + km1;
    const Y = floatBuffer(x.type, x.size);
    const state = floatBuffer(x.type, B * C * km1);
    const padded = new Float64Array(padLen);
    for (let b = 0; b < B; b++) {
      for (let c = 0; c < C; c++) {
        const row = b * C + c;
        if (P) for (let j = 0; j < km1; j++) padded[j] = P[row * km1 + j]!;
        else padded.fill(0, 0, km1);
        const xo = row * L;
        for (let t = 0; t < L; t++) padded[km1 + t] = X[xo + t]!;
        const wo = c * k;
        const b0 = Bs ? Bs[c]! : 0;
        for (let t = 0; t < L; t++) {
          let s = b0;
          for (let j = 0; j < k; j++) s += W[wo + j]! * padded[t + j]!;
          Y[xo + t] = s;
        }
        const so = row * km1;
        for (let j = 0; j < km1; j++) state[so + j] = padded[L + j]!;
      }
    }
    if (silu) {
      // the convolution result is stored in T before the activation, which runs in float32
      const Z = isHalf(x.type) ? roundTo(x.type, Y, x.dims) : Y;
      for (let i = 0; i < Z.length; i++) {
        const z = Z[i]!;
        Y[i] = z / (1 + Math.exp(-z));
      }
    }
    return [floatTensor(x.type, Y, x.dims), floatTensor(x.type, state, [B, C, km1])];
  };
}

const shape: ShapeFn = (ctx) => {
  const t = ctx.elemType(0);
  const x = ctx.shape(0);
  const w = ctx.shape(1);
  const k = w?.[2];
  const state =
    x && x.length === 3 ? [x[0]!, x[1]!, typeof k === 'number' ? k - 1 : ctx.unknownDim()] : undefined;
  return [tensorValue(t, x), tensorValue(t, state)];
};

export const CAUSAL_CONV_WITH_STATE: OperatorDef[] = [defineOp(OP, '27+', create, '', shape)];
