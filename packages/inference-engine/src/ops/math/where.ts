import { TypeMismatchError } from '@zai/common';
import { allocate, broadcastShapes, broadcastStrides, sizeOf, storageLength, Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext } from '../../kernel.js';
import { broadcastShapeFn, tensorInput } from './common.js';

// Where(cond, X, Y): elements are copied as stored (float16 bits, strings,
// bigints), so every element type works without conversion.

type Elems = ArrayLike<unknown>;
type Store = { [i: number]: unknown };

/**
 * Walks the broadcast output with an odometer over all but the innermost
 * dimension, which runs as a tight loop with per-input constant strides.
 */
function whereLoop(
  C: Uint8Array,
  X: Elems,
  Y: Elems,
  O: Store,
  dims: readonly number[],
  sc: readonly number[],
  sx: readonly number[],
  sy: readonly number[],
): void {
  const r = dims.length;
  if (r === 0) {
    O[0] = C[0] ? X[0] : Y[0];
    return;
  }
  const n = dims[r - 1]!;
  const ic = sc[r - 1]!;
  const ix = sx[r - 1]!;
  const iy = sy[r - 1]!;
  let outer = 1;
  for (let d = 0; d < r - 1; d++) outer *= dims[d]!;
  const idx = new Int32Array(r);
  let oc = 0;
  let ox = 0;
  let oy = 0;
  let o = 0;
  for (let k = 0; k < outer; k++) {
    for (let i = 0; i < n; i++) O[o++] = C[oc + i * ic] ? X[ox + i * ix] : Y[oy + i * iy];
    for (let d = r - 2; d >= 0; d--) {
      oc += sc[d]!;
      ox += sx[d]!;
      oy += sy[d]!;
      if (++idx[d]! < dims[d]!) break;
      oc -= sc[d]! * dims[d]!;
      ox -= sx[d]! * dims[d]!;
      oy -= sy[d]! * dims[d]!;
      idx[d] = 0;
    }
  }
}

function whereKernel(ctx: KernelContext): Kernel {
  return (inputs) => {
    const c = tensorInput(inputs, 0, 'Where');
    const x = tensorInput(inputs, 1, 'Where');
    const y = tensorInput(inputs, 2, 'Where');
    if (c.type !== 'bool')
      throw new TypeMismatchError(`${ctx.label}: Where condition must be bool, got ${c.type}`);
    if (x.type !== y.type) {
      throw new TypeMismatchError(`Where X and Y must share a type, got ${x.type} and ${y.type}`);
    }
    // packed sub-byte types would need bit-level copies
    if (storageLength(x.type, 4) !== 4)
      throw new TypeMismatchError(`${ctx.label}: Where does not support ${x.type}`);
    const dims = broadcastShapes(c.dims, x.dims, y.dims);
    const size = sizeOf(dims);
    const out = allocate(x.type, size);
    const C = c.data as Uint8Array;
    const X = x.data as Elems;
    const Y = y.data as Elems;
    const O = out as Store;
    if (c.size === size && x.size === size && y.size === size) {
      for (let i = 0; i < size; i++) O[i] = C[i] ? X[i] : Y[i];
    } else if (size > 0) {
      whereLoop(
        C,
        X,
        Y,
        O,
        dims,
        broadcastStrides(c.dims, dims),
        broadcastStrides(x.dims, dims),
        broadcastStrides(y.dims, dims),
      );
    }
    return [new Tensor(x.type, out, dims)];
  };
}

export const WHERE = defineOp('Where', '9+', whereKernel, '', broadcastShapeFn(undefined, 1));
