import { ShapeError } from '@zai/common';
import { broadcastShapes, broadcastStrides, sizeOf, stridesOf, type Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext } from '../../kernel.js';
import { floatData, isHalf } from '../util/float-io.js';
import { allocElems, elems, fmt, fromElems, intValues, tensorAt } from './common.js';
import { copyStrided } from './strided.js';

// Expand reads the input through broadcast strides (0 on stretched dims);
// Tile reads it as [r0, d0, r1, d1, …] with stride 0 on each repeat dim.
// Both are one copyStrided call.

function expand(): Kernel {
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Expand');
    const shape = intValues(tensorAt(inputs, 1, 'Expand'), 'Expand shape');
    const dims = broadcastShapes(x.dims, shape);
    const out = allocElems(x.type, sizeOf(dims));
    copyStrided(elems(x), 0, dims, broadcastStrides(x.dims, dims), out);
    return [fromElems(x.type, out, dims)];
  };
}

/** `x` repeated `repeats[i]` times along each axis i. */
export function tileTensor(x: Tensor, repeats: readonly number[]): Tensor {
  const r = x.dims.length;
  if (repeats.length !== r) throw new ShapeError(`Tile: ${repeats.length} repeats for input ${fmt(x.dims)}`);
  const strides = stridesOf(x.dims);
  const view: number[] = [];
  const viewStrides: number[] = [];
  const dims = new Array<number>(r);
  for (let i = 0; i < r; i++) {
    const k = repeats[i]!;
    if (k < 0) throw new ShapeError(`Tile: negative repeat ${k} on axis ${i}`);
    view.push(k, x.dims[i]!);
    viewStrides.push(0, strides[i]!);
    dims[i] = k * x.dims[i]!;
  }
  const out = allocElems(x.type, sizeOf(dims));
  copyStrided(elems(x), 0, view, viewStrides, out);
  return fromElems(x.type, out, dims);
}

function tile(): Kernel {
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Tile');
    return [tileTensor(x, intValues(tensorAt(inputs, 1, 'Tile'), 'Tile repeats'))];
  };
}

function scalarOf(t: Tensor): number {
  return isHalf(t.type) ? floatData(t)[0]! : Number((t.data as ArrayLike<number | bigint>)[0]);
}

/** Tile-1: inputs (input, tiles, axis) repeat the whole tensor `tiles` times along one axis. */
function tile1(ctx: KernelContext): Kernel {
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Tile');
    const tiles = scalarOf(tensorAt(inputs, 1, 'Tile'));
    const axis = scalarOf(tensorAt(inputs, 2, 'Tile'));
    const r = x.dims.length;
    if (!(axis >= -r && axis < r)) ctx.fail(`Tile: axis ${axis} is out of range for rank ${r}`);
    const repeats = new Array<number>(r).fill(1);
    repeats[axis < 0 ? axis + r : axis] = tiles;
    return [tileTensor(x, repeats)];
  };
}

export const EXPAND_OPS = [
  defineOp('Expand', '8+', expand),
  defineOp('Tile', '1-5', tile1),
  defineOp('Tile', '6+', tile),
];
