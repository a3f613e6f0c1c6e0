import { ShapeError, TypeMismatchError } from '@zai/common';
import { allocate, Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { floatData, floatTensor, isFloat } from '../util/float-io.js';
import {
  parseWindowAttrs,
  product,
  resolveWindow,
  tensorInput,
  to3d,
  type Window,
  type WindowAttrs,
  windowDims,
} from './conv-util.js';

// MaxPool, AveragePool, LpPool over 1-3 spatial axes. Each axis gets a table
// of the kernel taps that land inside the input for every output position,
// so the inner loops never test bounds; the window is read with dilations.
//   MaxPool      1; 8 Indices + storage_order; 10 ceil_mode, dilations; 12 int8/uint8
//   AveragePool  1; 7 count_include_pad; 10 ceil_mode; 19 dilations
//   LpPool       1 (float p); 2 (int p); 11 pads; 18 ceil_mode, dilations

type PoolKind = 'max' | 'avg' | 'lp';

/** Per-axis tap ranges: for output o, taps [lo[o], hi[o]) are inside the input, [0, hiPad[o]) inside the padded input. */
interface Taps {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly hiPad: Int32Array;
  readonly start: Int32Array;
}

function axisTaps(w: Window, axis: number): Taps {
  const out = w.outDims[axis]!;
  const size = w.inDims[axis]!;
  const s = w.strides[axis]!;
  const d = w.dilations[axis]!;
  const k = w.kernel[axis]!;
  const pb = w.padsBegin[axis]!;
  const pe = w.padsEnd[axis]!;
  const lo = new Int32Array(out);
  const hi = new Int32Array(out);
  const hiPad = new Int32Array(out);
  const start = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    const st = o * s - pb;
    start[o] = st;
    const l = Math.min(k, Math.max(0, Math.ceil(-st / d)));
    lo[o] = l;
    hi[o] = Math.max(l, Math.min(k, Math.ceil((size - st) / d)));
    hiPad[o] = Math.max(0, Math.min(k, Math.ceil((size + pe - st) / d)));
  }
  return { lo, hi, hiPad, start };
}

interface PoolParams {
  readonly kind: PoolKind;
  readonly countIncludePad: boolean;
  readonly p: number;
  /** 1 when MaxPool's Indices are column-major over the spatial axes. */
  readonly storageOrder: number;
}

/** Pools `planes` planes of X (spatial window w3) into Y; `I` receives MaxPool's flat argmax indices. */
function pool(
  X: ArrayLike<number>,
  Y: { [i: number]: number; length: number },
  I: BigInt64Array | undefined,
  planes: number,
  w3: Window,
  prm: PoolParams,
): void {
  const [ID, IH, IW] = w3.inDims as [number, number, number];
  const [OD, OH, OW] = w3.outDims as [number, number, number];
  const [dd, dh, dw] = w3.dilations as [number, number, number];
  const td = axisTaps(w3, 0);
  const th = axisTaps(w3, 1);
  const tw = axisTaps(w3, 2);
  const inSize = ID * IH * IW;
  const { kind, p } = prm;
  const colMajor = prm.storageOrder === 1;
  let o = 0;
  for (let c = 0; c < planes; c++) {
    const xb = c * inSize;
    for (let od = 0; od < OD; od++) {
      const d0 = td.lo[od]!;
      const d1 = td.hi[od]!;
      const sd = td.start[od]!;
      for (let oh = 0; oh < OH; oh++) {
        const h0 = th.lo[oh]!;
        const h1 = th.hi[oh]!;
        const sh = th.start[oh]!;
        for (let ow = 0; ow < OW; ow++, o++) {
          const w0 = tw.lo[ow]!;
          const w1 = tw.hi[ow]!;
          const sw = tw.start[ow]!;
          if (kind === 'max') {
            let best = -Infinity;
            let arg = -1;
            for (let kd = d0; kd < d1; kd++) {
              const id = sd + kd * dd;
              for (let kh = h0; kh < h1; kh++) {
                const ih = sh + kh * dh;
                const row = xb + (id * IH + ih) * IW + sw;
                for (let kw = w0; kw < w1; kw++) {
                  const v = X[row + kw * dw]!;
                  if (v > best || arg < 0) {
                    best = v;
                    arg = row + kw * dw;
                  }
                }
              }
            }
            Y[o] = best;
            if (I) {
              if (arg < 0) I[o] = -1n;
              else if (!colMajor) I[o] = BigInt(arg);
              else {
                const r = arg - xb;
                const iw = r % IW;
                const ih = Math.floor(r / IW) % IH;
                const id = Math.floor(r / (IW * IH));
                I[o] = BigInt(xb + id + ih * ID + iw * ID * IH);
              }
            }
          } else {
            let acc = 0;
            for (let kd = d0; kd < d1; kd++) {
              const id = sd + kd * dd;
              for (let kh = h0; kh < h1; kh++) {
                const row = xb + (id * IH + sh + kh * dh) * IW + sw;
                if (kind === 'avg') for (let kw = w0; kw < w1; kw++) acc += X[row + kw * dw]!;
                else if (p === 2) {
                  for (let kw = w0; kw < w1; kw++) {
                    const v = X[row + kw * dw]!;
                    acc += v * v;
                  }
                } else if (p === 1) for (let kw = w0; kw < w1; kw++) acc += Math.abs(X[row + kw * dw]!);
                else for (let kw = w0; kw < w1; kw++) acc += Math.abs(X[row + kw * dw]!) ** p;
              }
            }
            if (kind === 'avg') {
              const count = prm.countIncludePad
                ? td.hiPad[od]! * th.hiPad[oh]! * tw.hiPad[ow]!
                : (d1 - d0) * (h1 - h0) * (w1 - w0);
              Y[o] = count > 0 ? acc / count : NaN;
            } else {
              Y[o] = p === 1 ? acc : p === 2 ? Math.sqrt(acc) : acc ** (1 / p);
            }
          }
        }
      }
    }
  }
}

function runPool(
  op: string,
  x: Tensor,
  w: Window,
  prm: PoolParams,
  wantIndices: boolean,
): [Tensor, Tensor | undefined] {
  const planes = x.dims[0]! * x.dims[1]!;
  const outDims = [x.dims[0]!, x.dims[1]!, ...w.outDims];
  const size = product(outDims);
  const I = wantIndices ? new BigInt64Array(size) : undefined;
  const w3 = to3d(w);
  let y: Tensor;
  if (isFloat(x.type)) {
    const X = floatData(x);
    const Y = x.type === 'float64' ? new Float64Array(size) : new Float32Array(size);
    pool(X, Y, I, planes, w3, prm);
    y = floatTensor(x.type, Y, outDims);
  } else if (prm.kind === 'max' && (x.type === 'int8' || x.type === 'uint8')) {
    const Y = allocate(x.type, size);
    pool(x.data as Int8Array | Uint8Array, Y, I, planes, w3, prm);
    y = new Tensor(x.type, Y, outDims);
  } else {
    throw new TypeMismatchError(`${op} does not support ${x.type} input`);
  }
  return [y, I ? new Tensor('int64', I, outDims) : undefined];
}

function spatialInput(op: string, x: Tensor): void {
  if (x.dims.length < 3)
    throw new ShapeError(`${op}: X [${x.dims.join(',')}] must have rank >= 3 (N, C, spatial...)`);
}

function windowOf(op: string, attrs: WindowAttrs, x: Tensor): Window {
  spatialInput(op, x);
  if (!attrs.kernelShape) throw new ShapeError(`${op}: kernel_shape is required`);
  return resolveWindow(attrs, x.dims.slice(2), attrs.kernelShape);
}

function createMaxPool(ctx: KernelContext): Kernel {
  const attrs = parseWindowAttrs(ctx);
  if (!attrs.kernelShape) ctx.fail('MaxPool needs kernel_shape');
  const prm: PoolParams = {
    kind: 'max',
    countIncludePad: false,
    p: 1,
    storageOrder: ctx.int('storage_order', 0),
  };
  const wantIndices = ctx.hasOutput(1);
  return (inputs) => {
    const x = tensorInput(inputs, 0, 'MaxPool', 'X');
    return runPool('MaxPool', x, windowOf('MaxPool', attrs, x), prm, wantIndices);
  };
}

function createAveragePool(ctx: KernelContext): Kernel {
  const attrs = parseWindowAttrs(ctx);
  if (!attrs.kernelShape) ctx.fail('AveragePool needs kernel_shape');
  const prm: PoolParams = {
    kind: 'avg',
    countIncludePad: ctx.int('count_include_pad', 0) !== 0,
    p: 1,
    storageOrder: 0,
  };
  return (inputs) => {
    const x = tensorInput(inputs, 0, 'AveragePool', 'X');
    return [runPool('AveragePool', x, windowOf('AveragePool', attrs, x), prm, false)[0]];
  };
}

function lpNorm(ctx: KernelContext): number {
  // LpPool-1 and GlobalLpPool-1 carry p as a float attribute.
  const p = ctx.opset < 2 ? ctx.float('p', 2) : ctx.int('p', 2);
  if (!(p > 0)) ctx.fail(`p must be positive, got ${p}`);
  return p;
}

function createLpPool(ctx: KernelContext): Kernel {
  const attrs = parseWindowAttrs(ctx);
  if (!attrs.kernelShape) ctx.fail('LpPool needs kernel_shape');
  const prm: PoolParams = { kind: 'lp', countIncludePad: false, p: lpNorm(ctx), storageOrder: 0 };
  return (inputs) => {
    const x = tensorInput(inputs, 0, 'LpPool', 'X');
    return [runPool('LpPool', x, windowOf('LpPool', attrs, x), prm, false)[0]];
  };
}

/** Global pools are a window covering the whole spatial extent. */
function createGlobal(op: string, kind: PoolKind) {
  return (ctx: KernelContext): Kernel => {
    const prm: PoolParams = {
      kind,
      countIncludePad: false,
      p: kind === 'lp' ? lpNorm(ctx) : 1,
      storageOrder: 0,
    };
    return (inputs) => {
      const x = tensorInput(inputs, 0, op, 'X');
      spatialInput(op, x);
      // Any number of spatial axes flattens to one axis of their product.
      const spatial = product(x.dims, 2);
      const w: Window = {
        inDims: [spatial],
        kernel: [spatial],
        strides: [1],
        dilations: [1],
        padsBegin: [0],
        padsEnd: [0],
        outDims: [1],
      };
      const y = runPool(op, x, w, prm, false)[0];
      return [new Tensor(y.type, y.data, [x.dims[0]!, x.dims[1]!, ...x.dims.slice(2).map(() => 1)])];
    };
  };
}

/** Pooled shape [N, C, windowed spatial...]; MaxPool's Indices (output 1) share it as int64. */
const poolShape: ShapeFn = (ctx) => {
  const type = ctx.elemType(0);
  if (!type) return [null, null];
  const x = ctx.shape(0);
  if (!x) return [tensorType(type), tensorType('int64')];
  if (x.length < 3) ctx.fail(`X must have rank >= 3, got ${x.length}`);
  const attrs = parseWindowAttrs(ctx);
  const kernel = attrs.kernelShape ?? ctx.fail('kernel_shape is required');
  const shape = [x[0]!, x[1]!, ...windowDims(attrs, x.slice(2), kernel, () => ctx.unknownDim())];
  return [tensorType(type, shape), tensorType('int64', shape)];
};

/** Global pools keep N and C and reduce every spatial axis to 1. */
const globalShape: ShapeFn = (ctx) => {
  const type = ctx.elemType(0);
  if (!type) return [null];
  const x = ctx.shape(0);
  if (!x) return [tensorType(type)];
  if (x.length < 3) ctx.fail(`X must have rank >= 3, got ${x.length}`);
  return [tensorType(type, [x[0]!, x[1]!, ...x.slice(2).map(() => 1)])];
};

export const POOL_OPS = [
  defineOp('MaxPool', '1+', createMaxPool, '', poolShape),
  defineOp('AveragePool', '1+', createAveragePool, '', (ctx) => poolShape(ctx).slice(0, 1)),
  defineOp('LpPool', '1+', createLpPool, '', (ctx) => poolShape(ctx).slice(0, 1)),
  defineOp('GlobalAveragePool', '1+', createGlobal('GlobalAveragePool', 'avg'), '', globalShape),
  defineOp('GlobalMaxPool', '1+', createGlobal('GlobalMaxPool', 'max'), '', globalShape),
  defineOp('GlobalLpPool', '1+', createGlobal('GlobalLpPool', 'lp'), '', globalShape),
];
