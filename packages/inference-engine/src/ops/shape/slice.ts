import { ShapeError } from '@zai/common';
import { sizeOf, stridesOf, type Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext } from '../../kernel.js';
import { allocElems, elems, fromElems, intValues, normalizeAxes, optionalAt, tensorAt } from './common.js';
import { copyStrided } from './strided.js';

// Slice is a strided view (start offset, stride × step per axis) copied out
// with copyStrided; unit steps on the inner dims become block copies.

/** Slices `x`; `starts`/`ends`/`steps` are per entry of `axes` (already known to be valid axes). */
export function sliceTensor(
  x: Tensor,
  starts: readonly number[],
  ends: readonly number[],
  axes: readonly number[],
  steps: readonly number[],
): Tensor {
  const r = x.dims.length;
  const first = new Array<number>(r).fill(0);
  const step = new Array<number>(r).fill(1);
  const dims = x.dims.slice();
  for (let k = 0; k < axes.length; k++) {
    const a = axes[k]!;
    const n = x.dims[a]!;
    const st = steps[k]!;
    if (st === 0) throw new ShapeError(`Slice: step for axis ${a} must not be 0`);
    let s = starts[k]!;
    let e = ends[k]!;
    if (s < 0) s += n;
    if (e < 0) e += n;
    if (st > 0) {
      s = Math.min(Math.max(s, 0), n);
      e = Math.min(Math.max(e, 0), n);
      dims[a] = Math.max(0, Math.ceil((e - s) / st));
    } else {
      s = Math.min(Math.max(s, 0), n - 1);
      e = Math.min(Math.max(e, -1), n - 1);
      dims[a] = Math.max(0, Math.ceil((s - e) / -st));
    }
    first[a] = s;
    step[a] = st;
  }
  const strides = stridesOf(x.dims);
  let base = 0;
  const view = new Array<number>(r);
  for (let i = 0; i < r; i++) {
    if (dims[i]! > 0) base += first[i]! * strides[i]!;
    view[i] = strides[i]! * step[i]!;
  }
  const size = sizeOf(dims);
  const out = allocElems(x.type, size);
  if (size > 0) copyStrided(elems(x), base, dims, view, out);
  return fromElems(x.type, out, dims);
}

function run(
  x: Tensor,
  starts: readonly number[],
  ends: readonly number[],
  axes: readonly number[] | undefined,
  steps: readonly number[] | undefined,
): Tensor {
  if (starts.length !== ends.length) {
    throw new ShapeError(`Slice: ${starts.length} starts but ${ends.length} ends`);
  }
  const ax = normalizeAxes(axes ?? starts.map((_, i) => i), x.dims.length, 'Slice');
  if (ax.length !== starts.length)
    throw new ShapeError(`Slice: ${ax.length} axes for ${starts.length} starts`);
  if (steps && steps.length !== starts.length)
    throw new ShapeError(`Slice: ${steps.length} steps for ${starts.length} starts`);
  return sliceTensor(x, starts, ends, ax, steps ?? starts.map(() => 1));
}

function slice1(ctx: KernelContext): Kernel {
  const starts = ctx.ints('starts');
  const ends = ctx.ints('ends');
  const axes = ctx.has('axes') ? ctx.ints('axes') : undefined;
  return (inputs) => [run(tensorAt(inputs, 0, 'Slice'), starts, ends, axes, undefined)];
}

function slice10(): Kernel {
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Slice');
    const starts = intValues(tensorAt(inputs, 1, 'Slice'), 'Slice starts');
    const ends = intValues(tensorAt(inputs, 2, 'Slice'), 'Slice ends');
    const a = optionalAt(inputs, 3);
    const s = optionalAt(inputs, 4);
    return [
      run(
        x,
        starts,
        ends,
        a ? intValues(a, 'Slice axes') : undefined,
        s ? intValues(s, 'Slice steps') : undefined,
      ),
    ];
  };
}

export const SLICE_OPS = [defineOp('Slice', '1-9', slice1), defineOp('Slice', '10+', slice10)];
