import { ShapeError, TypeMismatchError } from '@zai/common';
import { isPacked, sizeOf, stridesOf, type Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext } from '../../kernel.js';
import { floatData, floatTensor, isHalf } from '../util/float-io.js';
import {
  copyRun,
  type Elems,
  elems,
  fmt,
  fromElems,
  indexValues,
  optionalAt,
  type Store,
  tensorAt,
} from './common.js';

// Scatter, ScatterElements, ScatterND and TensorScatter write into a copy of
// the data. Reductions combine in the storage's own arithmetic (numbers or
// bigints; 16-bit floats are decoded to float32 first); on bool, add/max are
// "or" and mul/min are "and".

const NONE = 0;
const ADD = 1;
const MUL = 2;
const MAX = 3;
const MIN = 4;
const MODES: Record<string, number> = { none: NONE, add: ADD, mul: MUL, max: MAX, min: MIN };

function reductionOf(ctx: KernelContext): number {
  const name = ctx.opset >= 16 ? ctx.string('reduction', 'none') : 'none';
  const mode = MODES[name];
  if (mode === undefined || (ctx.opset < 18 && mode > MUL)) ctx.fail(`unsupported reduction '${name}'`);
  return mode;
}

/** A writable copy of the data (float32 for 16-bit floats) and how to wrap it back as a tensor. */
function workCopy(x: Tensor, mode: number): { data: Elems; finish: (dims: readonly number[]) => Tensor } {
  if (mode !== NONE && isHalf(x.type)) {
    const f = Float32Array.from(floatData(x));
    return { data: f, finish: (dims) => floatTensor(x.type, f, dims) };
  }
  if (mode !== NONE && (x.type === 'string' || x.type.startsWith('float8') || x.type === 'float4e2m1')) {
    throw new TypeMismatchError(`scatter reductions do not support ${x.type}`);
  }
  // packed types come back unpacked (already a copy); everything else is copied here
  const src = elems(x);
  const data = (isPacked(x.type) ? src : src.slice()) as Elems;
  return { data, finish: (dims) => fromElems(x.type, data, dims) };
}

/** Update values in the same form as the work copy. */
function updateValues(u: Tensor, data: Tensor, mode: number): Elems {
  if (u.type !== data.type)
    throw new TypeMismatchError(`updates must have the data's type ${data.type}, got ${u.type}`);
  return mode !== NONE && isHalf(u.type) ? floatData(u) : elems(u);
}

/** D[i] = combine(D[i], v); `+`, `*` and comparisons work on numbers and bigints alike. */
function apply(D: Store, i: number, v: unknown, mode: number, bool: boolean): void {
  switch (mode) {
    case NONE:
      D[i] = v;
      return;
    case ADD:
      if (bool) D[i] = (D[i] as number) | (v as number);
      else D[i] = (D[i] as number) + (v as number);
      return;
    case MUL:
      if (bool) D[i] = (D[i] as number) & (v as number);
      else D[i] = (D[i] as number) * (v as number);
      return;
    case MAX:
      if ((v as number) > (D[i] as number)) D[i] = v;
      return;
    default:
      if ((v as number) < (D[i] as number)) D[i] = v;
  }
}

function scatterElements(ctx: KernelContext): Kernel {
  const axis = ctx.int('axis', 0);
  const mode = reductionOf(ctx);
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'ScatterElements');
    const ind = tensorAt(inputs, 1, 'ScatterElements');
    const upd = tensorAt(inputs, 2, 'ScatterElements');
    const r = x.dims.length;
    if (axis < -r || axis >= r)
      throw new ShapeError(`ScatterElements: axis ${axis} is out of range for rank ${r}`);
    const a = axis < 0 ? axis + r : axis;
    if (
      ind.dims.length !== r ||
      upd.dims.join() !== ind.dims.join() ||
      ind.dims.some((d, i) => i !== a && d > x.dims[i]!)
    ) {
      throw new ShapeError(
        `ScatterElements: indices ${fmt(ind.dims)} and updates ${fmt(upd.dims)} must match in shape and fit data ${fmt(x.dims)}`,
      );
    }
    const work = workCopy(x, mode);
    const D = work.data as Store;
    const U = updateValues(upd, x, mode) as Store;
    const idx = indexValues(ind, 'ScatterElements indices');
    const strides = stridesOf(x.dims);
    const n = x.dims[a]!;
    const sa = strides[a]!;
    const dims = ind.dims;
    const pos = new Int32Array(r);
    const bool = x.type === 'bool';
    let base = 0;
    for (let i = 0; i < ind.size; i++) {
      let v = idx[i]!;
      if (v < -n || v >= n)
        throw new ShapeError(`ScatterElements: index ${v} is out of range for axis ${a} of size ${n}`);
      if (v < 0) v += n;
      apply(D, base + v * sa, U[i], mode, bool);
      for (let d = r - 1; d >= 0; d--) {
        if (d !== a) base += strides[d]!;
        if (++pos[d]! < dims[d]!) break;
        if (d !== a) base -= strides[d]! * dims[d]!;
        pos[d] = 0;
      }
    }
    return [work.finish(x.dims)];
  };
}

function scatterND(ctx: KernelContext): Kernel {
  const mode = reductionOf(ctx);
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'ScatterND');
    const ind = tensorAt(inputs, 1, 'ScatterND');
    const upd = tensorAt(inputs, 2, 'ScatterND');
    const q = ind.dims.length;
    const k = ind.dims[q - 1] ?? 0;
    const expect = [...ind.dims.slice(0, q - 1), ...x.dims.slice(k)];
    if (q < 1 || k > x.dims.length || upd.dims.join() !== expect.join()) {
      throw new ShapeError(
        `ScatterND: updates ${fmt(upd.dims)} must have shape ${fmt(expect)} for data ${fmt(x.dims)} and indices ${fmt(ind.dims)}`,
      );
    }
    const work = workCopy(x, mode);
    const U = updateValues(upd, x, mode);
    const idx = indexValues(ind, 'ScatterND indices');
    const strides = stridesOf(x.dims);
    const slice = sizeOf(x.dims.slice(k));
    const count = sizeOf(ind.dims.slice(0, q - 1));
    const bool = x.type === 'bool';
    const D = work.data as Store;
    const S = U as Store;
    let t = 0;
    for (let j = 0; j < count; j++) {
      let off = 0;
      for (let c = 0; c < k; c++) {
        const n = x.dims[c]!;
        let v = idx[t++]!;
        if (v < -n || v >= n)
          throw new ShapeError(`ScatterND: index ${v} is out of range for a dimension of size ${n}`);
        if (v < 0) v += n;
        off += v * strides[c]!;
      }
      const from = j * slice;
      if (mode === NONE) copyRun(U, from, work.data, off, slice);
      else for (let e = 0; e < slice; e++) apply(D, off + e, S[from + e], mode, bool);
    }
    return [work.finish(x.dims)];
  };
}

function tensorScatter(ctx: KernelContext): Kernel {
  const axis = ctx.int('axis', -2);
  const circular = ctx.string('mode', 'linear') === 'circular';
  return (inputs) => {
    const past = tensorAt(inputs, 0, 'TensorScatter');
    const upd = tensorAt(inputs, 1, 'TensorScatter');
    const w = optionalAt(inputs, 2);
    const r = past.dims.length;
    const a = axis < 0 ? axis + r : axis;
    if (a <= 0 || a >= r) throw new ShapeError(`TensorScatter: axis ${axis} is invalid for rank ${r}`);
    const ok = upd.dims.length === r && upd.dims.every((d, i) => i === a || d === past.dims[i]);
    if (!ok || upd.type !== past.type) {
      throw new ShapeError(
        `TensorScatter: update ${fmt(upd.dims)} does not fit cache ${fmt(past.dims)} along axis ${a}`,
      );
    }
    const writes = w ? indexValues(w, 'TensorScatter write_indices') : new Float64Array(past.dims[0]!);
    const work = workCopy(past, NONE);
    const src = elems(upd);
    const maxSeq = past.dims[a]!;
    const seq = upd.dims[a]!;
    const inner = sizeOf(past.dims.slice(a + 1));
    const outer = sizeOf(past.dims.slice(0, a));
    const perBatch = outer / past.dims[0]!;
    for (let o = 0; o < outer; o++) {
      const start = writes[Math.floor(o / perBatch)]!;
      for (let s = 0; s < seq; s++) {
        let p = start + s;
        if (circular) p = ((p % maxSeq) + maxSeq) % maxSeq;
        else if (p < 0 || p >= maxSeq) {
          throw new ShapeError(`TensorScatter: write position ${p} is past max_sequence_length ${maxSeq}`);
        }
        copyRun(src, (o * seq + s) * inner, work.data, (o * maxSeq + p) * inner, inner);
      }
    }
    return [work.finish(past.dims)];
  };
}

export const SCATTER_OPS = [
  defineOp('Scatter', '9+', scatterElements),
  defineOp('ScatterElements', '11+', scatterElements),
  defineOp('ScatterND', '11+', scatterND),
  defineOp('TensorScatter', '24+', tensorScatter),
];
