import { ShapeError } from '@zai/common';
import { sizeOf, Tensor, tensorValues } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext } from '../../kernel.js';
import { allocElems, copyRun, elems, fromElems, tensorAt } from './common.js';

// Unique over elements (no axis: the flattened input) or over slices along
// an axis. Items are grouped by value (16-bit floats and other encoded types
// by their decoded value), then ordered by first occurrence or sorted
// ascending (slices lexicographically), as numpy.unique does.

type Key = number | bigint | string;

function compareKeys(a: Key, b: Key): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function unique(ctx: KernelContext): Kernel {
  const sorted = ctx.int('sorted', 1) !== 0;
  const axis = ctx.has('axis') ? ctx.int('axis') : undefined;
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Unique');
    const vals: ArrayLike<Key> =
      x.type === 'string' || x.type === 'int64' || x.type === 'uint64'
        ? (x.data as ArrayLike<Key>)
        : tensorValues(x);
    const r = x.dims.length;
    let a = -1;
    if (axis !== undefined) {
      if (axis < -r || axis >= r) throw new ShapeError(`Unique: axis ${axis} is out of range for rank ${r}`);
      a = axis < 0 ? axis + r : axis;
    }
    // items: elements of the flattened input, or slices along the axis
    const n = a < 0 ? x.size : x.dims[a]!;
    const outer = a < 0 ? 1 : sizeOf(x.dims.slice(0, a));
    const inner = a < 0 ? 1 : sizeOf(x.dims.slice(a + 1));
    const item = (i: number): Key[] => {
      const k: Key[] = [];
      for (let o = 0; o < outer; o++) for (let e = 0; e < inner; e++) k.push(vals[(o * n + i) * inner + e]!);
      return k;
    };
    const firsts: number[] = [];
    const group = new Int32Array(n);
    const counts: number[] = [];
    const seen = new Map<Key, number>();
    for (let i = 0; i < n; i++) {
      const key: Key =
        a < 0 ? vals[i]! : JSON.stringify(item(i), (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
      let g = seen.get(key);
      if (g === undefined) {
        g = firsts.length;
        seen.set(key, g);
        firsts.push(i);
        counts.push(0);
      }
      group[i] = g;
      counts[g]!++;
    }
    const u = firsts.length;
    const order = Array.from({ length: u }, (_, g) => g);
    if (sorted) {
      if (a < 0) order.sort((p, q) => compareKeys(vals[firsts[p]!]!, vals[firsts[q]!]!));
      else {
        const items = firsts.map(item);
        order.sort((p, q) => {
          const ip = items[p]!;
          const iq = items[q]!;
          for (let e = 0; e < ip.length; e++) {
            const c = compareKeys(ip[e]!, iq[e]!);
            if (c !== 0) return c;
          }
          return 0;
        });
      }
    }
    const rank = new Int32Array(u);
    for (let j = 0; j < u; j++) rank[order[j]!] = j;
    const src = elems(x);
    const dims = a < 0 ? [u] : x.dims.map((d, i) => (i === a ? u : d));
    const out = allocElems(x.type, sizeOf(dims));
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < u; j++)
        copyRun(src, (o * n + firsts[order[j]!]!) * inner, out, (o * u + j) * inner, inner);
    }
    const int64 = (f: (j: number) => number, len: number) =>
      new Tensor(
        'int64',
        BigInt64Array.from({ length: len }, (_, j) => BigInt(f(j))),
        [len],
      );
    return [
      fromElems(x.type, out, dims),
      int64((j) => firsts[order[j]!]!, u),
      int64((i) => rank[group[i]!]!, n),
      int64((j) => counts[order[j]!]!, u),
    ];
  };
}

export const UNIQUE_OPS = [defineOp('Unique', '11+', unique)];
