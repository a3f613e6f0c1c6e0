import { ShapeError, TypeMismatchError } from '@zai/common';
import { sizeOf, Tensor, tensorValues } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext } from '../../kernel.js';
import {
  allocElems,
  copyRun,
  elems,
  fillRun,
  fmt,
  fromElems,
  indexValues,
  optionalAt,
  type Store,
  tensorAt,
} from './common.js';

// Masking and selection: Compress, NonZero, Trilu, ReverseSequence, OneHot.

/** Numbers of any numeric tensor (indices that may be given as floats). */
function numbersOf(t: Tensor, what: string): ArrayLike<number> {
  if (t.type === 'string') throw new TypeMismatchError(`${what} must be numeric, got string`);
  if (t.type === 'int64' || t.type === 'uint64') return indexValues(t, what);
  return tensorValues(t);
}

function compress(ctx: KernelContext): Kernel {
  const axis = ctx.has('axis') ? ctx.int('axis') : undefined;
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Compress');
    const c = tensorAt(inputs, 1, 'Compress');
    if (c.type !== 'bool' || c.dims.length !== 1) {
      throw new TypeMismatchError(
        `Compress: condition must be a 1-D bool tensor, got ${c.type} ${fmt(c.dims)}`,
      );
    }
    const cond = c.data as Uint8Array;
    const src = elems(x);
    if (axis === undefined) {
      // flattened input; entries past the condition's length count as false
      const n = Math.min(cond.length, x.size);
      let k = 0;
      for (let i = 0; i < n; i++) if (cond[i]) k++;
      const out = allocElems(x.type, k);
      const S = src as Store;
      const D = out as Store;
      for (let i = 0, o = 0; i < n; i++) if (cond[i]) D[o++] = S[i];
      return [fromElems(x.type, out, [k])];
    }
    const r = x.dims.length;
    if (axis < -r || axis >= r) throw new ShapeError(`Compress: axis ${axis} is out of range for rank ${r}`);
    const a = axis < 0 ? axis + r : axis;
    const n = x.dims[a]!;
    if (cond.length > n)
      throw new ShapeError(`Compress: condition length ${cond.length} exceeds axis size ${n}`);
    const keep: number[] = [];
    for (let i = 0; i < cond.length; i++) if (cond[i]) keep.push(i);
    const dims = x.dims.slice();
    dims[a] = keep.length;
    const outer = sizeOf(x.dims.slice(0, a));
    const inner = sizeOf(x.dims.slice(a + 1));
    const out = allocElems(x.type, sizeOf(dims));
    let o = 0;
    for (let b = 0; b < outer; b++) {
      for (const i of keep) {
        copyRun(src, (b * n + i) * inner, out, o, inner);
        o += inner;
      }
    }
    return [fromElems(x.type, out, dims)];
  };
}

function nonZero(): Kernel {
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'NonZero');
    const r = x.dims.length;
    const vals: ArrayLike<unknown> =
      x.type === 'string' ? (x.data as string[]) : numbersOf(x, 'NonZero input');
    const hits: number[] = [];
    for (let i = 0; i < x.size; i++) {
      const v = vals[i];
      if (v !== 0 && v !== '') hits.push(i);
    }
    const k = hits.length;
    // a scalar counts as shape [1] for the coordinates (numpy's behaviour)
    const dims = r === 0 ? [1] : x.dims;
    const rank = dims.length;
    const out = new BigInt64Array(rank * k);
    for (let j = 0; j < k; j++) {
      let flat = hits[j]!;
      for (let d = rank - 1; d >= 0; d--) {
        const n = dims[d]!;
        out[d * k + j] = BigInt(flat % n);
        flat = Math.floor(flat / n);
      }
    }
    return [new Tensor('int64', out, [rank, k])];
  };
}

function trilu(ctx: KernelContext): Kernel {
  const upper = ctx.int('upper', 1) !== 0;
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Trilu');
    const kt = optionalAt(inputs, 1);
    const k = kt ? Number(indexValues(kt, 'Trilu k')[0]) : 0;
    const r = x.dims.length;
    if (r < 2) throw new ShapeError(`Trilu: input must have rank >= 2, got ${fmt(x.dims)}`);
    const rows = x.dims[r - 2]!;
    const cols = x.dims[r - 1]!;
    const mats = sizeOf(x.dims.slice(0, r - 2));
    const src = elems(x);
    const out = allocElems(x.type, x.size);
    for (let m = 0; m < mats; m++) {
      for (let i = 0; i < rows; i++) {
        const row = (m * rows + i) * cols;
        // upper keeps j >= i + k, lower keeps j <= i + k
        const from = upper ? Math.min(Math.max(i + k, 0), cols) : 0;
        const to = upper ? cols : Math.min(Math.max(i + k + 1, 0), cols);
        if (to > from) copyRun(src, row + from, out, row + from, to - from);
      }
    }
    return [fromElems(x.type, out, x.dims)];
  };
}

function reverseSequence(ctx: KernelContext): Kernel {
  const timeAxis = ctx.int('time_axis', 0);
  const batchAxis = ctx.int('batch_axis', 1);
  if (!((timeAxis === 0 && batchAxis === 1) || (timeAxis === 1 && batchAxis === 0))) {
    ctx.fail(`ReverseSequence: time_axis/batch_axis must be 0/1 or 1/0, got ${timeAxis}/${batchAxis}`);
  }
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'ReverseSequence');
    const lens = indexValues(tensorAt(inputs, 1, 'ReverseSequence'), 'ReverseSequence sequence_lens');
    if (x.dims.length < 2)
      throw new ShapeError(`ReverseSequence: input must have rank >= 2, got ${fmt(x.dims)}`);
    const T = x.dims[timeAxis]!;
    const B = x.dims[batchAxis]!;
    if (lens.length !== B)
      throw new ShapeError(`ReverseSequence: ${lens.length} sequence lengths for batch ${B}`);
    const inner = sizeOf(x.dims.slice(2));
    const src = elems(x);
    const out = allocElems(x.type, x.size);
    const at =
      timeAxis === 0
        ? (t: number, b: number) => (t * B + b) * inner
        : (t: number, b: number) => (b * T + t) * inner;
    for (let b = 0; b < B; b++) {
      const len = lens[b]!;
      if (len < 0 || len > T)
        throw new ShapeError(`ReverseSequence: sequence length ${len} is outside [0, ${T}]`);
      for (let t = 0; t < T; t++) copyRun(src, at(t < len ? len - 1 - t : t, b), out, at(t, b), inner);
    }
    return [fromElems(x.type, out, x.dims)];
  };
}

function oneHot(ctx: KernelContext): Kernel {
  const axis = ctx.int('axis', -1);
  return (inputs) => {
    const ind = tensorAt(inputs, 0, 'OneHot');
    const depthT = tensorAt(inputs, 1, 'OneHot');
    const values = tensorAt(inputs, 2, 'OneHot');
    if (depthT.size !== 1) throw new ShapeError(`OneHot: depth must hold one value, got ${fmt(depthT.dims)}`);
    if (values.size !== 2)
      throw new ShapeError(`OneHot: values must hold [off, on], got ${fmt(values.dims)}`);
    const depth = Math.trunc(numbersOf(depthT, 'OneHot depth')[0]!);
    if (!(depth >= 1)) throw new ShapeError(`OneHot: depth must be positive, got ${depth}`);
    const r = ind.dims.length;
    if (axis < -r - 1 || axis > r)
      throw new ShapeError(`OneHot: axis ${axis} is out of range for rank ${r + 1}`);
    const a = axis < 0 ? axis + r + 1 : axis;
    const dims = [...ind.dims.slice(0, a), depth, ...ind.dims.slice(a)];
    const vs = elems(values);
    const off = vs[0];
    const on = vs[1];
    const out = allocElems(values.type, sizeOf(dims));
    fillRun(out, 0, out.length, off);
    const D = out as Store;
    const idx = numbersOf(ind, 'OneHot indices');
    const inner = sizeOf(ind.dims.slice(a));
    for (let p = 0; p < ind.size; p++) {
      let v = Math.trunc(idx[p]!);
      if (v < 0) v += depth;
      // out-of-range indices leave the whole row "off"
      if (v < 0 || v >= depth) continue;
      const o = Math.floor(p / inner);
      const i = p - o * inner;
      D[(o * depth + v) * inner + i] = on;
    }
    return [fromElems(values.type, out, dims)];
  };
}

export const SELECT_OPS = [
  defineOp('Compress', '9+', compress),
  defineOp('NonZero', '9+', nonZero),
  defineOp('Trilu', '14+', trilu),
  defineOp('ReverseSequence', '10+', reverseSequence),
  defineOp('OneHot', '9+', oneHot),
];
