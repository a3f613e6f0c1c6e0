import { type DataType, TypeMismatchError } from '@zai/common';
import { allocate, numberToBfloat16, numberToFloat16, sizeOf, Tensor } from '@zai/tensor-core';
import { floatData, floatTensor, isFloat, isHalf } from '../util/float-io.js';
import { floatToIntStorage, isNumeric, numericAsFloat } from './common.js';
import { type AxisTable, axisTable, type ResampleParams } from './resize-core.js';

// Separable N-D resampling shared by Resize and Upsample. Each resized axis
// gets a tap table (resize-core.ts), built once per call; nearest mode becomes
// a single gather, linear / cubic a sequence of 1-D passes, one per resized
// axis, in the order that does the least work.

/** The extrapolation value in `type`'s storage representation. */
function fillValue(type: DataType, v: number): number | bigint | string {
  if (type === 'float16') return numberToFloat16(v);
  if (type === 'bfloat16') return numberToBfloat16(v);
  if (type === 'int64' || type === 'uint64') return BigInt(Math.trunc(Number.isFinite(v) ? v : 0));
  if (type === 'string') return '';
  if (type === 'bool') return v ? 1 : 0;
  return isFloat(type) ? v : Math.trunc(v);
}

type Store = { [i: number]: unknown };

/** Nearest resampling of any element type: one gather over all axes. */
function gather(x: Tensor, outDims: readonly number[], tables: readonly AxisTable[], fill: unknown): Tensor {
  const rank = x.dims.length;
  const out = allocate(x.type, sizeOf(outDims));
  if (out.length === 0) return new Tensor(x.type, out, outDims);
  const src = x.data as unknown as Store;
  const dst = out as unknown as Store;
  const inStride = new Array<number>(rank);
  const outStride = new Array<number>(rank);
  let si = 1;
  let so = 1;
  for (let d = rank - 1; d >= 0; d--) {
    inStride[d] = si;
    outStride[d] = so;
    si *= x.dims[d]!;
    so *= outDims[d]!;
  }
  const copyRows = dst as unknown as { copyWithin(target: number, start: number, end: number): unknown };
  const walk = (d: number, sOff: number, dOff: number): void => {
    const idx = tables[d]!.idx;
    const ex = tables[d]!.extrap;
    const n = outDims[d]!;
    if (d === rank - 1) {
      if (ex) for (let i = 0; i < n; i++) dst[dOff + i] = ex[i] ? fill : src[sOff + idx[i]!];
      else for (let i = 0; i < n; i++) dst[dOff + i] = src[sOff + idx[i]!];
      return;
    }
    const block = outStride[d]!;
    const step = inStride[d]!;
    for (let i = 0; i < n; i++) {
      const o = dOff + i * block;
      if (ex?.[i]) {
        for (let j = 0; j < block; j++) dst[o + j] = fill;
      } else if (i > 0 && idx[i] === idx[i - 1] && !ex?.[i - 1]) {
        // upsampling repeats source rows: copy the row just written
        copyRows.copyWithin(o, o - block, o);
      } else walk(d + 1, sOff + idx[i]! * step, o);
    }
  };
  if (rank === 0) dst[0] = src[0];
  else walk(0, 0, 0);
  return new Tensor(x.type, out, outDims);
}

/** One separable pass: resizes axis `d` of `src` (shape `dims`) with `t`. */
function pass(
  src: Float32Array | Float64Array,
  dims: number[],
  d: number,
  t: AxisTable,
  outLen: number,
  fill: number,
): Float32Array | Float64Array {
  const inLen = dims[d]!;
  let outer = 1;
  for (let k = 0; k < d; k++) outer *= dims[k]!;
  let inner = 1;
  for (let k = d + 1; k < dims.length; k++) inner *= dims[k]!;
  const dst =
    src instanceof Float64Array
      ? new Float64Array(outer * outLen * inner)
      : new Float32Array(outer * outLen * inner);
  const { taps, idx, w, extrap } = t;
  for (let o = 0; o < outer; o++) {
    const sBase = o * inLen * inner;
    const dBase = o * outLen * inner;
    if (inner === 1) {
      // innermost axis: one dot product per output element
      for (let i = 0; i < outLen; i++) {
        const tb = i * taps;
        if (extrap?.[i]) dst[dBase + i] = fill;
        else if (taps === 2) {
          dst[dBase + i] = w[tb]! * src[sBase + idx[tb]!]! + w[tb + 1]! * src[sBase + idx[tb + 1]!]!;
        } else {
          let acc = 0;
          for (let k = 0; k < taps; k++) acc += w[tb + k]! * src[sBase + idx[tb + k]!]!;
          dst[dBase + i] = acc;
        }
      }
      continue;
    }
    // outer axis: whole rows of `inner` elements are blended
    for (let i = 0; i < outLen; i++) {
      const row = dBase + i * inner;
      const tb = i * taps;
      if (extrap?.[i]) {
        dst.fill(fill, row, row + inner);
      } else if (taps === 2) {
        const w0 = w[tb]!;
        const w1 = w[tb + 1]!;
        const r0 = sBase + idx[tb]! * inner;
        const r1 = sBase + idx[tb + 1]! * inner;
        for (let j = 0; j < inner; j++) dst[row + j] = w0 * src[r0 + j]! + w1 * src[r1 + j]!;
      } else if (taps === 4) {
        const w0 = w[tb]!;
        const w1 = w[tb + 1]!;
        const w2 = w[tb + 2]!;
        const w3 = w[tb + 3]!;
        const r0 = sBase + idx[tb]! * inner;
        const r1 = sBase + idx[tb + 1]! * inner;
        const r2 = sBase + idx[tb + 2]! * inner;
        const r3 = sBase + idx[tb + 3]! * inner;
        for (let j = 0; j < inner; j++) {
          dst[row + j] = w0 * src[r0 + j]! + w1 * src[r1 + j]! + w2 * src[r2 + j]! + w3 * src[r3 + j]!;
        }
      } else {
        for (let k = 0; k < taps; k++) {
          const wk = w[tb + k]!;
          if (wk === 0) continue;
          const sRow = sBase + idx[tb + k]! * inner;
          for (let j = 0; j < inner; j++) dst[row + j]! += wk * src[sRow + j]!;
        }
      }
    }
  }
  dims[d] = outLen;
  return dst;
}

/**
 * The order of the separable passes with the least estimated work: each pass
 * costs its output size times its taps, doubled on the innermost axis (a dot
 * product per element instead of a row blend). Axes with `taps` 0 are skipped.
 */
function passOrder(inDims: readonly number[], outDims: readonly number[], taps: readonly number[]): number[] {
  const axes = [...inDims.keys()].filter((d) => taps[d]! > 0);
  let inner = inDims.length - 1;
  while (inner > 0 && outDims[inner] === 1 && inDims[inner] === 1) inner--;
  const cost = (order: readonly number[]): number => {
    const dims = inDims.slice();
    let total = 0;
    for (const d of order) {
      dims[d] = outDims[d]!;
      total += sizeOf(dims) * taps[d]! * (d === inner ? 2 : 1);
    }
    return total;
  };
  if (axes.length > 5) return axes.sort((a, b) => outDims[a]! / inDims[a]! - outDims[b]! / inDims[b]!);
  let best = axes;
  let bestCost = Number.POSITIVE_INFINITY;
  const permute = (done: number[], rest: number[]): void => {
    if (rest.length === 0) {
      const c = cost(done);
      if (c < bestCost) {
        bestCost = c;
        best = done;
      }
      return;
    }
    for (let i = 0; i < rest.length; i++)
      permute(
        [...done, rest[i]!],
        rest.filter((_, j) => j !== i),
      );
  };
  permute([], axes);
  return best;
}

/**
 * Resamples `x` to `outDims` with the given per-axis scales (and roi for
 * tf_crop_and_resize, as [starts..., ends...] over all axes).
 */
export function resample(
  x: Tensor,
  outDims: readonly number[],
  scales: readonly number[],
  p: ResampleParams,
  roi?: ArrayLike<number>,
  op = 'Resize',
): Tensor {
  const rank = x.dims.length;
  const tables: AxisTable[] = [];
  for (let d = 0; d < rank; d++) {
    const rs = roi ? roi[d]! : 0;
    const re = roi ? roi[rank + d]! : 1;
    tables.push(axisTable(p, x.dims[d]!, outDims[d]!, scales[d]!, rs, re));
  }
  if (p.mode === 'nearest') return gather(x, outDims, tables, fillValue(x.type, p.extrapolation));
  if (!isNumeric(x.type))
    throw new TypeMismatchError(`${op}: ${p.mode} mode does not support ${x.type} input`);
  let buf: Float32Array | Float64Array = isFloat(x.type) ? floatData(x) : numericAsFloat(x);
  if (sizeOf(outDims) === 0 || x.size === 0) buf = new Float64Array(sizeOf(outDims));
  else {
    const order = passOrder(
      x.dims,
      outDims,
      tables.map((t) => (t.identity ? 0 : t.taps)),
    );
    const dims = x.dims.slice();
    for (const d of order) buf = pass(buf, dims, d, tables[d]!, outDims[d]!, p.extrapolation);
    if (order.length === 0 && buf === x.data) buf = buf.slice();
  }
  if (isFloat(x.type)) {
    if (isHalf(x.type) || x.type === 'float64') return floatTensor(x.type, buf, outDims);
    return new Tensor('float32', buf instanceof Float32Array ? buf : Float32Array.from(buf), outDims);
  }
  // integer outputs are a plain cast of the float result, as in the reference and onnxruntime
  return new Tensor(x.type, floatToIntStorage(x.type, buf, true), outDims);
}
