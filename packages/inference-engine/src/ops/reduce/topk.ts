import { type Dim, ShapeError, TypeMismatchError } from '@zai/common';
import { allocate, normalizeAxis, Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { floatData, floatTensor, isFloat, isHalf } from '../util/float-io.js';
import { intScalar, isBig, SMALL_INT_TYPES, splitAt, staticInts, tensorAt } from './common.js';

// TopK: the k largest (or smallest) values along an axis with their int64
// indices, best first; equal values keep the lower index first. Each slice is
// gathered into a scratch row, then selected with a bounded heap of k
// (O(n log k)) and the k survivors sorted. k comes from the `k` attribute
// before opset 10 and from a one-element input after; `largest`/`sorted`
// arrived in 11 (unsorted output is returned sorted too, which is allowed).

type Num = number | bigint;

/** True when (va, ia) ranks before (vb, ib). NaN ranks as the largest value. */
function before(va: Num, ia: number, vb: Num, ib: number, largest: boolean): boolean {
  const an = typeof va === 'number' && Number.isNaN(va);
  const bn = typeof vb === 'number' && Number.isNaN(vb);
  if (an || bn) {
    if (an && bn) return ia < ib;
    return largest ? an : bn;
  }
  if (va === vb) return ia < ib;
  return largest ? va > vb : va < vb;
}

/**
 * Selects the best k of row[0..n) into idx[0..k), best first. The heap keeps
 * the worst survivor at its root so each candidate is one comparison when it
 * does not qualify.
 */
function selectTopK(row: ArrayLike<Num>, n: number, k: number, largest: boolean, heap: Int32Array): void {
  const worse = (a: number, b: number): boolean => before(row[b]!, b, row[a]!, a, largest);
  const siftDown = (start: number, size: number): void => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      let w = l;
      if (l + 1 < size && worse(heap[l + 1]!, heap[l]!)) w = l + 1;
      if (!worse(heap[w]!, heap[i]!)) break;
      const t = heap[i]!;
      heap[i] = heap[w]!;
      heap[w] = t;
      i = w;
    }
  };
  for (let i = 0; i < k; i++) heap[i] = i;
  for (let i = (k >> 1) - 1; i >= 0; i--) siftDown(i, k);
  for (let i = k; i < n; i++) {
    if (before(row[i]!, i, row[heap[0]!]!, heap[0]!, largest)) {
      heap[0] = i;
      siftDown(0, k);
    }
  }
  // pop worst to the end: the heap array ends up ordered best first
  for (let size = k - 1; size > 0; size--) {
    const t = heap[0]!;
    heap[0] = heap[size]!;
    heap[size] = t;
    siftDown(0, size);
  }
}

function topK(
  X: ArrayLike<Num>,
  V: { [i: number]: Num },
  I: BigInt64Array,
  outer: number,
  n: number,
  inner: number,
  k: number,
  largest: boolean,
  row: { [i: number]: Num; length: number },
): void {
  const heap = new Int32Array(k);
  const words = new Int32Array(I.buffer, I.byteOffset, I.length * 2);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const src = o * n * inner + j;
      for (let i = 0; i < n; i++) row[i] = X[src + i * inner]!;
      selectTopK(row as ArrayLike<Num>, n, k, largest, heap);
      const dst = o * k * inner + j;
      for (let i = 0; i < k; i++) {
        const at = dst + i * inner;
        V[at] = row[heap[i]!]!;
        // int64 index written as its low 32-bit word (little-endian)
        words[2 * at] = heap[i]!;
      }
    }
  }
}

function topkKernel(ctx: KernelContext): Kernel {
  const axisAttr = ctx.int('axis', -1);
  const largest = ctx.opset < 11 || ctx.int('largest', 1) !== 0;
  const kAttr = ctx.opset < 10 ? ctx.int('k') : undefined;
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'TopK');
    const rank = x.dims.length;
    if (rank === 0) throw new ShapeError(`${ctx.label}: TopK needs an input of rank >= 1`);
    const axis = normalizeAxis(axisAttr, rank, `${ctx.label}: axis`);
    const k = kAttr ?? intScalar(tensorAt(inputs, 1, 'TopK'), `${ctx.label}: K`);
    const [outer, n, inner] = splitAt(x.dims, axis);
    if (k < 0 || k > n) throw new ShapeError(`${ctx.label}: k=${k} is out of range for axis of size ${n}`);
    const outDims = x.dims.slice();
    outDims[axis] = k;
    const size = outer * k * inner;
    const I = new BigInt64Array(size);
    const type = x.type;
    if (isFloat(type)) {
      const V = type === 'float64' ? new Float64Array(size) : new Float32Array(size);
      const row = type === 'float64' ? new Float64Array(n) : new Float32Array(n);
      if (k > 0) topK(floatData(x), V, I, outer, n, inner, k, largest, row);
      return [
        isHalf(type) ? floatTensor(type, V, outDims) : new Tensor(type, V, outDims),
        new Tensor('int64', I, outDims),
      ];
    }
    if (SMALL_INT_TYPES.has(type) || isBig(type)) {
      const V = allocate(type, size) as unknown as { [i: number]: Num };
      const row = allocate(type, n) as unknown as { [i: number]: Num; length: number };
      if (k > 0) topK(x.data as ArrayLike<Num>, V, I, outer, n, inner, k, largest, row);
      return [new Tensor(type, V as never, outDims), new Tensor('int64', I, outDims)];
    }
    throw new TypeMismatchError(`${ctx.label}: TopK does not support ${type} input`);
  };
}

const topkShape: ShapeFn = (ctx) => {
  const elemType = ctx.elemType(0);
  const shape = ctx.shape(0);
  if (!elemType) return [null, { kind: 'tensor', elemType: 'int64' }];
  let k: Dim | undefined;
  if (ctx.opset < 10) k = ctx.int('k');
  else {
    const v = staticInts(ctx, 1);
    k = v && v.length === 1 ? v[0] : ctx.unknownDim();
  }
  if (!shape || shape.length === 0)
    return [
      { kind: 'tensor', elemType },
      { kind: 'tensor', elemType: 'int64' },
    ];
  const out: Dim[] = shape.slice();
  out[normalizeAxis(ctx.int('axis', -1), shape.length, `${ctx.label}: axis`)] = k ?? null;
  return [
    { kind: 'tensor', elemType, shape: out },
    { kind: 'tensor', elemType: 'int64', shape: out },
  ];
};

export const TOPK_ROWS: readonly OperatorDef[] = [defineOp('TopK', '1+', topkKernel, '', topkShape)];
