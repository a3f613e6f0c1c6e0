import { broadcastShapes, broadcastStrides, sizeOf, Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type ShapeFn } from '../../kernel.js';
import { broadcastSymbolic } from '../../shape/dims.js';
import { stringArg, typed } from './common.js';

// StringConcat (20): Z = X + Y elementwise, with numpy broadcasting. Strings
// are JavaScript strings decoded from UTF-8, so concatenating them is the
// concatenation of their UTF-8 encodings (multi-byte characters stay whole).

const OP = 'StringConcat';

const create = (): Kernel => (inputs) => {
  const x = stringArg(inputs, 0, OP, 'X');
  const y = stringArg(inputs, 1, OP, 'Y');
  const dims = broadcastShapes(x.dims, y.dims);
  const n = sizeOf(dims);
  const X = x.data;
  const Y = y.data;
  const out = new Array<string>(n);
  if (x.size === n && y.size === n) {
    for (let i = 0; i < n; i++) out[i] = X[i]! + Y[i]!;
  } else if (y.size === 1) {
    const b = Y[0]!;
    for (let i = 0; i < n; i++) out[i] = X[i]! + b;
  } else if (x.size === 1) {
    const a = X[0]!;
    for (let i = 0; i < n; i++) out[i] = a + Y[i]!;
  } else {
    // general broadcast: walk the output index, stepping each input by its strides
    const r = dims.length;
    const xs = broadcastStrides(x.dims, dims);
    const ys = broadcastStrides(y.dims, dims);
    const idx = new Array<number>(r).fill(0);
    let ix = 0;
    let iy = 0;
    for (let o = 0; o < n; o++) {
      out[o] = X[ix]! + Y[iy]!;
      for (let d = r - 1; d >= 0; d--) {
        ix += xs[d]!;
        iy += ys[d]!;
        if (++idx[d]! < dims[d]!) break;
        ix -= xs[d]! * dims[d]!;
        iy -= ys[d]! * dims[d]!;
        idx[d] = 0;
      }
    }
  }
  return [new Tensor('string', out, dims)];
};

const shape: ShapeFn = (ctx) => {
  const a = ctx.shape(0);
  const b = ctx.shape(1);
  return [typed('string', a && b ? broadcastSymbolic([a, b], () => ctx.unknownDim()) : undefined)];
};

export const STRING_CONCAT = [defineOp('StringConcat', '20+', create, '', shape)];
