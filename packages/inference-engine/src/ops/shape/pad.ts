import { ShapeError, TypeMismatchError } from '@zai/common';
import { sizeOf, stridesOf, type Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext } from '../../kernel.js';
import {
  allocElems,
  copyRun,
  elems,
  fmt,
  fromElems,
  intValues,
  normalizeAxes,
  optionalAt,
  type Store,
  tensorAt,
} from './common.js';
import { scalarElem } from './constant.js';

// Pad maps each output coordinate to a source coordinate per axis (or -1 for
// the constant), so every mode is one table per axis. Negative pads crop
// first; the padding then applies to the cropped tensor. The contiguous
// middle of each output row is a block copy.

export type PadMode = 'constant' | 'reflect' | 'edge' | 'wrap';

/** Source index along one axis for each output index; -1 where the constant goes. */
function axisMap(n: number, begin: number, end: number, mode: PadMode): Int32Array {
  const lo = Math.max(-begin, 0);
  const m = n - lo - Math.max(-end, 0);
  if (m < 0) throw new ShapeError(`Pad: pads (${begin}, ${end}) crop more than the dimension ${n}`);
  const pb = Math.max(begin, 0);
  const total = pb + m + Math.max(end, 0);
  const map = new Int32Array(total);
  if (m === 0 && mode !== 'constant' && total > 0) {
    throw new ShapeError(`Pad: ${mode} mode cannot pad an empty dimension`);
  }
  for (let j = 0; j < total; j++) {
    const t = j - pb;
    let s: number;
    if (t >= 0 && t < m) s = t;
    else if (mode === 'constant') {
      map[j] = -1;
      continue;
    } else if (mode === 'edge') s = t < 0 ? 0 : m - 1;
    else if (mode === 'wrap') s = ((t % m) + m) % m;
    else if (m === 1) s = 0;
    else {
      // reflect without repeating the edge: period 2(m-1)
      const p = 2 * (m - 1);
      s = ((t % p) + p) % p;
      if (s >= m) s = p - s;
    }
    map[j] = lo + s;
  }
  return map;
}

/** Pads (or crops, for negative values) `x` by `begins`/`ends` per axis. */
export function padTensor(
  x: Tensor,
  begins: readonly number[],
  ends: readonly number[],
  mode: PadMode,
  value: unknown,
): Tensor {
  const r = x.dims.length;
  const maps = x.dims.map((n, i) => axisMap(n, begins[i]!, ends[i]!, mode));
  const dims = maps.map((m) => m.length);
  const size = sizeOf(dims);
  const out = allocElems(x.type, size);
  if (size === 0) return fromElems(x.type, out, dims);
  const src = elems(x);
  if (r === 0) {
    copyRun(src, 0, out, 0, 1);
    return fromElems(x.type, out, dims);
  }
  const S = src as Store;
  const D = out as Store;
  const strides = stridesOf(x.dims);
  const last = maps[r - 1]!;
  const w = last.length;
  // the block-copyable middle of a row: where the last map runs contiguously
  const pb = Math.max(begins[r - 1]!, 0);
  const mid = x.dims[r - 1]! - Math.max(-begins[r - 1]!, 0) - Math.max(-ends[r - 1]!, 0);
  const rows = size / w;
  const pos = new Int32Array(r);
  for (let row = 0, o = 0; row < rows; row++, o += w) {
    let base = 0;
    for (let d = 0; d < r - 1; d++) {
      const s = maps[d]![pos[d]!]!;
      if (s < 0) {
        base = -1;
        break;
      }
      base += s * strides[d]!;
    }
    if (base < 0) {
      for (let j = 0; j < w; j++) D[o + j] = value;
    } else {
      for (let j = 0; j < pb; j++) {
        const s = last[j]!;
        D[o + j] = s < 0 ? value : S[base + s];
      }
      if (mid > 0) copyRun(src, base + last[pb]!, out, o + pb, mid);
      for (let j = pb + mid; j < w; j++) {
        const s = last[j]!;
        D[o + j] = s < 0 ? value : S[base + s];
      }
    }
    for (let d = r - 2; d >= 0; d--) {
      if (++pos[d]! < dims[d]!) break;
      pos[d] = 0;
    }
  }
  return fromElems(x.type, out, dims);
}

function modeOf(ctx: KernelContext): PadMode {
  const mode = ctx.string('mode', 'constant');
  const ok =
    mode === 'constant' || mode === 'reflect' || mode === 'edge' || (mode === 'wrap' && ctx.opset >= 19);
  if (!ok) ctx.fail(`Pad: unsupported mode '${mode}'`);
  return mode as PadMode;
}

function zeroOf(x: Tensor): unknown {
  if (x.type === 'complex64') return 0n;
  return x.type === 'string' ? '' : scalarElem(x.type, 0);
}

/** Pad-1 (`paddings`) and Pad-2 (`pads`): attributes, float `value`. */
function padAttr(ctx: KernelContext): Kernel {
  const mode = modeOf(ctx);
  const pads = ctx.opset < 2 ? ctx.ints('paddings') : ctx.ints('pads');
  const value = ctx.float('value', 0);
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Pad');
    const r = x.dims.length;
    if (pads.length !== 2 * r) throw new ShapeError(`Pad: ${pads.length} pads for input ${fmt(x.dims)}`);
    const v = x.type === 'string' ? '' : scalarElem(x.type, value);
    return [padTensor(x, pads.slice(0, r), pads.slice(r), mode, v)];
  };
}

function pad(ctx: KernelContext): Kernel {
  const mode = modeOf(ctx);
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Pad');
    const pads = intValues(tensorAt(inputs, 1, 'Pad'), 'Pad pads');
    const c = optionalAt(inputs, 2);
    const a = ctx.opset >= 18 ? optionalAt(inputs, 3) : undefined;
    const r = x.dims.length;
    const axes = a
      ? normalizeAxes(intValues(a, 'Pad axes'), r, 'Pad')
      : Array.from({ length: r }, (_, i) => i);
    const k = axes.length;
    if (pads.length !== 2 * k)
      throw new ShapeError(`Pad: ${pads.length} pads for ${k} axes of input ${fmt(x.dims)}`);
    const begins = new Array<number>(r).fill(0);
    const ends = new Array<number>(r).fill(0);
    axes.forEach((ax, i) => {
      begins[ax] = pads[i]!;
      ends[ax] = pads[k + i]!;
    });
    let value = zeroOf(x);
    if (c && c.size > 0) {
      if (c.type !== x.type)
        throw new TypeMismatchError(`Pad: constant_value must be ${x.type}, got ${c.type}`);
      value = elems(c)[0];
    }
    return [padTensor(x, begins, ends, mode, value)];
  };
}

function centerCropPad(ctx: KernelContext): Kernel {
  const attrAxes = ctx.has('axes') ? ctx.ints('axes') : undefined;
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'CenterCropPad');
    const shape = intValues(tensorAt(inputs, 1, 'CenterCropPad'), 'CenterCropPad shape');
    const r = x.dims.length;
    const axes = normalizeAxes(attrAxes ?? Array.from({ length: r }, (_, i) => i), r, 'CenterCropPad');
    if (shape.length !== axes.length) {
      throw new ShapeError(`CenterCropPad: shape has ${shape.length} dims for ${axes.length} axes`);
    }
    const begins = new Array<number>(r).fill(0);
    const ends = new Array<number>(r).fill(0);
    axes.forEach((ax, i) => {
      const diff = shape[i]! - x.dims[ax]!;
      // crop windows start rounded down; odd padding puts the extra pixel on the right
      const b = diff >= 0 ? Math.floor(diff / 2) : -Math.floor(-diff / 2);
      begins[ax] = b;
      ends[ax] = diff - b;
    });
    return [padTensor(x, begins, ends, 'constant', zeroOf(x))];
  };
}

export const PAD_OPS = [
  defineOp('Pad', '1-10', padAttr),
  defineOp('Pad', '11+', pad),
  defineOp('CenterCropPad', '18+', centerCropPad),
];
