import { type Dim, ShapeError } from '@zai/common';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { floatBuffer, floatData, floatTensor } from '../util/float-io.js';
import { floatInput, intScalar, optionalInput, staticInt } from './common.js';
import { complexFFT, realFFT } from './fft.js';

// STFT (17): signal [batch, length, 1 | 2] (rank 2 is read as real), cut into
// frames of frame_length samples every frame_step samples, each multiplied by
// the window and transformed. Only whole frames count: 1 + floor((length -
// frame_length) / frame_step) of them, none when the signal is shorter than a
// frame. frame_length defaults to the window's length; when both are given
// they must agree. Output [batch, frames, bins, 2] with bins = frame_length / 2
// + 1 when onesided (default), else frame_length. A complex signal with
// onesided=1 returns the first bins of its full spectrum.

function frameCount(length: number, frameLength: number, step: number): number {
  return length < frameLength ? 0 : Math.floor((length - frameLength) / step) + 1;
}

function stftKernel(ctx: KernelContext): Kernel {
  const op = 'STFT';
  const onesided = ctx.int('onesided', 1) !== 0;
  return (inputs) => {
    const signal = floatInput(inputs, 0, op, 'signal');
    const dims = signal.dims;
    if (dims.length !== 2 && dims.length !== 3) {
      throw new ShapeError(`${ctx.label}: signal must be [batch, length, 1 | 2], got [${dims}]`);
    }
    const comps = dims.length === 3 ? dims[2]! : 1;
    if (comps !== 1 && comps !== 2) {
      throw new ShapeError(`${ctx.label}: the last signal dim must be 1 (real) or 2 (complex), got ${comps}`);
    }
    const batch = dims[0]!;
    const length = dims[1]!;
    const step = intScalar(optionalInput(inputs, 1) ?? ctx.fail('frame_step is required'), op, 'frame_step');
    if (step < 1) throw new ShapeError(`${ctx.label}: frame_step must be >= 1, got ${step}`);
    const windowT = optionalInput(inputs, 2) && floatInput(inputs, 2, op, 'window');
    const lengthT = optionalInput(inputs, 3);
    if (windowT && windowT.dims.length !== 1) {
      throw new ShapeError(`${ctx.label}: window must have rank 1, got [${windowT.dims}]`);
    }
    let n: number;
    if (lengthT) {
      n = intScalar(lengthT, op, 'frame_length');
      if (windowT && windowT.size !== n) {
        throw new ShapeError(`${ctx.label}: window length ${windowT.size} differs from frame_length ${n}`);
      }
    } else if (windowT) n = windowT.size;
    else return ctx.fail('STFT needs a window or a frame_length');
    if (n < 1) throw new ShapeError(`${ctx.label}: frame_length must be >= 1, got ${n}`);
    const frames = frameCount(length, n, step);
    const bins = onesided ? (n >> 1) + 1 : n;
    const Y = floatBuffer(signal.type, batch * frames * bins * 2);
    const X = floatData(signal);
    const W = windowT ? floatData(windowT) : undefined;
    const re = new Float64Array(n);
    const im = new Float64Array(n);
    let q = 0;
    if (comps === 1) {
      const plan = realFFT(n);
      const half = plan.bins;
      const x = new Float64Array(n);
      for (let b = 0; b < batch; b++) {
        for (let f = 0; f < frames; f++) {
          const start = b * length + f * step;
          if (W) for (let j = 0; j < n; j++) x[j] = X[start + j]! * W[j]!;
          else for (let j = 0; j < n; j++) x[j] = X[start + j]!;
          plan.forward(x, re, im);
          for (let k = 0; k < bins; k++, q += 2) {
            if (k < half) {
              Y[q] = re[k]!;
              Y[q + 1] = im[k]!;
            } else {
              Y[q] = re[n - k]!;
              Y[q + 1] = -im[n - k]!;
            }
          }
        }
      }
    } else {
      const plan = complexFFT(n);
      for (let b = 0; b < batch; b++) {
        for (let f = 0; f < frames; f++) {
          const start = (b * length + f * step) * 2;
          for (let j = 0, p = start; j < n; j++, p += 2) {
            const w = W ? W[j]! : 1;
            re[j] = X[p]! * w;
            im[j] = X[p + 1]! * w;
          }
          plan.forward(re, im);
          for (let k = 0; k < bins; k++, q += 2) {
            Y[q] = re[k]!;
            Y[q + 1] = im[k]!;
          }
        }
      }
    }
    return [floatTensor(signal.type, Y, [batch, frames, bins, 2])];
  };
}

const stftShape: ShapeFn = (ctx) => {
  const elem = ctx.elemType(0);
  if (!elem) return [null];
  const shape = ctx.shape(0);
  const step = staticInt(ctx, 1);
  let n = ctx.hasInput(3) ? staticInt(ctx, 3) : undefined;
  if (n === undefined && ctx.hasInput(2)) {
    const w = ctx.shape(2)?.[0];
    if (typeof w === 'number') n = w;
  }
  const batch: Dim = shape?.[0] ?? ctx.unknownDim();
  const length = shape?.[1];
  const frames: Dim =
    typeof length === 'number' && n !== undefined && step !== undefined && step > 0
      ? frameCount(length, n, step)
      : ctx.unknownDim();
  const onesided = ctx.int('onesided', 1) !== 0;
  const bins: Dim = n === undefined ? ctx.unknownDim() : onesided ? (n >> 1) + 1 : n;
  return [tensorType(elem, [batch, frames, bins, 2])];
};

export const STFT: readonly OperatorDef[] = [defineOp('STFT', '17+', stftKernel, '', stftShape)];
