import { ShapeError } from '@zai/common';
import { sizeOf, stridesOf } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext } from '../../kernel.js';
import { allocElems, copyRun, elems, fmt, fromElems, indexValues, type Store, tensorAt } from './common.js';

// Gather copies one contiguous run (everything below the axis) per index;
// GatherElements picks single elements; GatherND copies one slice per index
// tuple.

function axisOf(axis: number, rank: number, op: string): number {
  if (axis < -rank || axis >= rank)
    throw new ShapeError(`${op}: axis ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

function gather(ctx: KernelContext): Kernel {
  const axis = ctx.int('axis', 0);
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Gather');
    const ind = tensorAt(inputs, 1, 'Gather');
    const a = axisOf(axis, x.dims.length, 'Gather');
    const n = x.dims[a]!;
    const idx = indexValues(ind, 'Gather indices');
    for (let i = 0; i < idx.length; i++) {
      const v = idx[i]!;
      if (v < -n || v >= n)
        throw new ShapeError(`Gather: index ${v} is out of range for axis ${a} of size ${n}`);
      if (v < 0) idx[i] = v + n;
    }
    const dims = [...x.dims.slice(0, a), ...ind.dims, ...x.dims.slice(a + 1)];
    const outer = sizeOf(x.dims.slice(0, a));
    const inner = sizeOf(x.dims.slice(a + 1));
    const out = allocElems(x.type, sizeOf(dims));
    const src = elems(x);
    const k = idx.length;
    let o = 0;
    if (inner === 1) {
      const S = src as Store;
      const D = out as Store;
      for (let b = 0; b < outer; b++) {
        const base = b * n;
        for (let j = 0; j < k; j++) D[o++] = S[base + idx[j]!];
      }
    } else if (inner > 0) {
      for (let b = 0; b < outer; b++) {
        const base = b * n * inner;
        for (let j = 0; j < k; j++, o += inner) copyRun(src, base + idx[j]! * inner, out, o, inner);
      }
    }
    return [fromElems(x.type, out, dims)];
  };
}

function gatherElements(ctx: KernelContext): Kernel {
  const axis = ctx.int('axis', 0);
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'GatherElements');
    const ind = tensorAt(inputs, 1, 'GatherElements');
    const r = x.dims.length;
    const a = axisOf(axis, r, 'GatherElements');
    if (ind.dims.length !== r || ind.dims.some((d, i) => i !== a && d > x.dims[i]!)) {
      throw new ShapeError(
        `GatherElements: indices ${fmt(ind.dims)} do not fit data ${fmt(x.dims)} on axis ${a}`,
      );
    }
    const idx = indexValues(ind, 'GatherElements indices');
    const out = allocElems(x.type, ind.size);
    const S = elems(x) as Store;
    const D = out as Store;
    const strides = stridesOf(x.dims);
    const n = x.dims[a]!;
    const sa = strides[a]!;
    const dims = ind.dims;
    const pos = new Int32Array(r);
    let base = 0;
    for (let i = 0; i < ind.size; i++) {
      let v = idx[i]!;
      if (v < -n || v >= n)
        throw new ShapeError(`GatherElements: index ${v} is out of range for axis ${a} of size ${n}`);
      if (v < 0) v += n;
      D[i] = S[base + v * sa];
      // odometer over the indices' dims; the axis itself adds no base offset
      for (let d = r - 1; d >= 0; d--) {
        if (d !== a) base += strides[d]!;
        if (++pos[d]! < dims[d]!) break;
        if (d !== a) base -= strides[d]! * dims[d]!;
        pos[d] = 0;
      }
    }
    return [fromElems(x.type, out, dims)];
  };
}

function gatherND(ctx: KernelContext): Kernel {
  const b = ctx.int('batch_dims', 0);
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'GatherND');
    const ind = tensorAt(inputs, 1, 'GatherND');
    const r = x.dims.length;
    const q = ind.dims.length;
    const k = ind.dims[q - 1] ?? 0;
    if (q < 1 || b < 0 || b >= Math.min(r, q) || k > r - b) {
      throw new ShapeError(
        `GatherND: indices ${fmt(ind.dims)} and batch_dims ${b} do not fit data ${fmt(x.dims)}`,
      );
    }
    for (let i = 0; i < b; i++) {
      if (x.dims[i] !== ind.dims[i]) {
        throw new ShapeError(
          `GatherND: batch dims of data ${fmt(x.dims)} and indices ${fmt(ind.dims)} differ`,
        );
      }
    }
    const dims = [...ind.dims.slice(0, q - 1), ...x.dims.slice(b + k)];
    const batches = sizeOf(x.dims.slice(0, b));
    const perBatch = sizeOf(ind.dims.slice(b, q - 1));
    const slice = sizeOf(x.dims.slice(b + k));
    const batchSize = sizeOf(x.dims.slice(b));
    const strides = stridesOf(x.dims.slice(b));
    const idx = indexValues(ind, 'GatherND indices');
    const src = elems(x);
    const out = allocElems(x.type, sizeOf(dims));
    let o = 0;
    let t = 0;
    for (let bi = 0; bi < batches; bi++) {
      for (let j = 0; j < perBatch; j++, o += slice) {
        let off = bi * batchSize;
        for (let c = 0; c < k; c++) {
          const n = x.dims[b + c]!;
          let v = idx[t++]!;
          if (v < -n || v >= n)
            throw new ShapeError(`GatherND: index ${v} is out of range for a dimension of size ${n}`);
          if (v < 0) v += n;
          off += v * strides[c]!;
        }
        copyRun(src, off, out, o, slice);
      }
    }
    return [fromElems(x.type, out, dims)];
  };
}

export const GATHER_OPS = [
  defineOp('Gather', '1+', gather),
  defineOp('GatherElements', '11+', gatherElements),
  defineOp('GatherND', '11+', gatherND),
];
