import { type Dim, ShapeError, TypeMismatchError } from '@zai/common';
import { isTensor, type Tensor } from '@zai/tensor-core';
import type { KernelInputs, NodeView } from '../../kernel.js';

// Window geometry shared by Conv, ConvTranspose and the pooling operators:
// attributes are parsed once at creation, and the per-run geometry (pads,
// output sizes) is resolved from the input's spatial shape.

export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';

export interface WindowAttrs {
  readonly autoPad: AutoPad;
  readonly kernelShape: readonly number[] | undefined;
  readonly strides: readonly number[] | undefined;
  readonly pads: readonly number[] | undefined;
  readonly dilations: readonly number[] | undefined;
  readonly ceilMode: boolean;
}

export function parseWindowAttrs(ctx: NodeView): WindowAttrs {
  const autoPad = ctx.string('auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER' && autoPad !== 'VALID') {
    ctx.fail(`auto_pad '${autoPad}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`);
  }
  const opt = (name: string): number[] | undefined => (ctx.has(name) ? ctx.ints(name) : undefined);
  const attrs: WindowAttrs = {
    autoPad,
    kernelShape: opt('kernel_shape'),
    strides: opt('strides'),
    pads: opt('pads'),
    dilations: opt('dilations'),
    ceilMode: ctx.int('ceil_mode', 0) !== 0,
  };
  for (const [name, v, min] of [
    ['strides', attrs.strides, 1],
    ['dilations', attrs.dilations, 1],
    ['kernel_shape', attrs.kernelShape, 1],
    ['pads', attrs.pads, 0],
  ] as const) {
    if (v?.some((x) => x < min)) ctx.fail(`${name} [${v.join(',')}] must all be >= ${min}`);
  }
  return attrs;
}

/** A resolved sliding window over the spatial axes. */
export interface Window {
  readonly inDims: readonly number[];
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padsBegin: readonly number[];
  readonly padsEnd: readonly number[];
  readonly outDims: readonly number[];
}

function spatialList(v: readonly number[] | undefined, n: number, fill: number, name: string): number[] {
  if (!v) return new Array<number>(n).fill(fill);
  if (v.length !== n)
    throw new ShapeError(`${name} has ${v.length} values, expected ${n} (one per spatial axis)`);
  return v.slice();
}

/**
 * Resolves pads and output sizes for a window sliding over `inDims` (the
 * spatial dims only). `kernel` is the window size per axis.
 */
export function resolveWindow(
  attrs: WindowAttrs,
  inDims: readonly number[],
  kernel: readonly number[],
): Window {
  const n = inDims.length;
  if (kernel.length !== n) {
    throw new ShapeError(`kernel_shape [${kernel.join(',')}] does not match ${n} spatial axes`);
  }
  const strides = spatialList(attrs.strides, n, 1, 'strides');
  const dilations = spatialList(attrs.dilations, n, 1, 'dilations');
  const padsBegin = new Array<number>(n).fill(0);
  const padsEnd = new Array<number>(n).fill(0);
  const outDims = new Array<number>(n);
  if (attrs.autoPad === 'NOTSET' && attrs.pads && attrs.pads.length !== 2 * n) {
    throw new ShapeError(`pads has ${attrs.pads.length} values, expected ${2 * n}`);
  }
  for (let i = 0; i < n; i++) {
    const extent = (kernel[i]! - 1) * dilations[i]! + 1;
    const pads = attrs.pads ? [attrs.pads[i]!, attrs.pads[i + n]!] : [0, 0];
    [padsBegin[i], padsEnd[i], outDims[i]] = axisWindow(attrs, inDims[i]!, extent, strides[i]!, pads);
  }
  return { inDims: inDims.slice(), kernel: kernel.slice(), strides, dilations, padsBegin, padsEnd, outDims };
}

/** One axis of a window: [pad begin, pad end, output size] for input `size` and dilated kernel `extent`. */
function axisWindow(
  attrs: WindowAttrs,
  size: number,
  extent: number,
  s: number,
  [pb, pe]: readonly number[],
): [number, number, number] {
  if (attrs.autoPad === 'SAME_UPPER' || attrs.autoPad === 'SAME_LOWER') {
    const out = Math.ceil(size / s);
    const total = Math.max(0, (out - 1) * s + extent - size);
    const small = Math.floor(total / 2);
    const begin = attrs.autoPad === 'SAME_UPPER' ? small : total - small;
    return [begin, total - begin, out];
  }
  if (attrs.autoPad === 'VALID') return [0, 0, Math.max(0, Math.floor((size - extent) / s) + 1)];
  const span = size + pb! + pe! - extent;
  let out: number;
  if (attrs.ceilMode) {
    out = Math.ceil(span / s) + 1;
    // A last window starting inside the end padding is dropped.
    if ((out - 1) * s >= size + pb!) out--;
  } else {
    out = Math.floor(span / s) + 1;
  }
  return [pb!, pe!, Math.max(0, out)];
}

/**
 * Static output sizes of a window over symbolic spatial dims, for shape
 * inference: exact where the input size and kernel are numbers, the input's
 * own dim where the window preserves size (stride 1 with SAME padding, or
 * padding that exactly cancels the kernel extent), else a fresh name.
 */
export function windowDims(
  attrs: WindowAttrs,
  inDims: readonly Dim[],
  kernel: readonly Dim[],
  fresh: () => string,
): Dim[] {
  const n = inDims.length;
  if (kernel.length !== n) throw new ShapeError(`kernel has ${kernel.length} axes, expected ${n}`);
  const strides = spatialList(attrs.strides, n, 1, 'strides');
  const dilations = spatialList(attrs.dilations, n, 1, 'dilations');
  if (attrs.autoPad === 'NOTSET' && attrs.pads && attrs.pads.length !== 2 * n) {
    throw new ShapeError(`pads has ${attrs.pads.length} values, expected ${2 * n}`);
  }
  return inDims.map((size, i) => {
    const k = kernel[i];
    const s = strides[i]!;
    const same = attrs.autoPad === 'SAME_UPPER' || attrs.autoPad === 'SAME_LOWER';
    if (same && s === 1) return size;
    if (typeof k !== 'number') return fresh();
    const extent = (k - 1) * dilations[i]! + 1;
    const pads = attrs.autoPad === 'NOTSET' && attrs.pads ? [attrs.pads[i]!, attrs.pads[i + n]!] : [0, 0];
    if (typeof size === 'number') return axisWindow(attrs, size, extent, s, pads)[2];
    if (s === 1 && !same && pads[0]! + pads[1]! + 1 === extent) return size;
    return fresh();
  });
}

/** The same window padded out to three spatial axes (leading axes of size 1), for 3-D loops. */
export function to3d(w: Window): Window {
  const lead = 3 - w.inDims.length;
  if (lead < 0) throw new ShapeError(`${w.inDims.length} spatial axes are not supported (at most 3)`);
  const pad = (v: readonly number[], fill: number) => [...new Array<number>(lead).fill(fill), ...v];
  return {
    inDims: pad(w.inDims, 1),
    kernel: pad(w.kernel, 1),
    strides: pad(w.strides, 1),
    dilations: pad(w.dilations, 1),
    padsBegin: pad(w.padsBegin, 0),
    padsEnd: pad(w.padsEnd, 0),
    outDims: pad(w.outDims, 1),
  };
}

/** Input i as a tensor, or a TypeMismatchError naming it. */
export function tensorInput(inputs: KernelInputs, i: number, op: string, name: string): Tensor {
  const t = inputs[i];
  if (!isTensor(t)) throw new TypeMismatchError(`${op}: input '${name}' must be a tensor`);
  return t;
}

/** Optional input i: the tensor, or undefined when omitted. */
export function optionalTensor(inputs: KernelInputs, i: number): Tensor | undefined {
  const t = inputs[i];
  return isTensor(t) ? t : undefined;
}

export function product(dims: readonly number[], from = 0, to = dims.length): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= dims[i]!;
  return n;
}

/** Round half to even, as ONNX quantization does. */
export function roundEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Numeric view of a tensor's values (int64 converted), for zero points and small parameters. */
export function numbers(t: Tensor): ArrayLike<number> {
  const d = t.data;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return Array.from(d, Number);
  return d as ArrayLike<number>;
}
