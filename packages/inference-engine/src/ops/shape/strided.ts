import { copyRun, type Elems, fillRun, type Store } from './common.js';

// One copy routine behind Transpose, Slice, Expand, Tile and DepthToSpace:
// read a strided view of the source (any strides, 0 for broadcast, negative
// for reversed slices) into contiguous output. Dims are collapsed first so
// that the innermost run is as long as possible; a unit-stride run is a block
// copy, a zero-stride run a fill.

/** Merges dims that are contiguous in the view and drops size-1 dims. */
export function collapseView(
  dims: readonly number[],
  strides: readonly number[],
): { dims: number[]; strides: number[] } {
  const d: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < dims.length; i++) {
    const n = dims[i]!;
    if (n === 1) continue;
    const k = d.length;
    if (k > 0 && s[k - 1] === strides[i]! * n) {
      d[k - 1]! *= n;
      s[k - 1] = strides[i]!;
    } else {
      d.push(n);
      s.push(strides[i]!);
    }
  }
  return { dims: d, strides: s };
}

/**
 * Writes the view (`base`, `dims`, `strides`) of `src` into `dst` from `to`,
 * in row-major order of `dims`. Returns the number of elements written.
 */
export function copyStrided(
  src: Elems,
  base: number,
  dims: readonly number[],
  strides: readonly number[],
  dst: Elems,
  to = 0,
): number {
  for (const n of dims) if (n === 0) return 0;
  const c = collapseView(dims, strides);
  const r = c.dims.length;
  const S = src as Store;
  const D = dst as Store;
  if (r === 0) {
    D[to] = S[base];
    return 1;
  }
  const n = c.dims[r - 1]!;
  const step = c.strides[r - 1]!;
  if (step !== 0 && step !== 1 && n >= 8) {
    // a transpose-like view: tile the plane of the source's unit-stride dim
    // and the output's last dim so both sides stay in cache
    const q = c.strides.indexOf(1);
    if (q >= 0 && c.dims[q]! >= 8) return copyTiled(S, base, c.dims, c.strides, q, D, to);
  }
  let outer = 1;
  for (let i = 0; i < r - 1; i++) outer *= c.dims[i]!;
  const idx = new Int32Array(r);
  let off = base;
  let o = to;
  for (let k = 0; k < outer; k++) {
    if (step === 1) copyRun(src, off, dst, o, n);
    else if (step === 0) fillRun(dst, o, n, S[off]);
    else for (let i = 0, j = off; i < n; i++, j += step) D[o + i] = S[j];
    o += n;
    for (let d = r - 2; d >= 0; d--) {
      off += c.strides[d]!;
      if (++idx[d]! < c.dims[d]!) break;
      off -= c.strides[d]! * c.dims[d]!;
      idx[d] = 0;
    }
  }
  return o - to;
}

const TILE = 32;

/** copyStrided for views where dim `q` (not the last) has source stride 1: 2-D tiles of (q, last). */
function copyTiled(
  S: Store,
  base: number,
  dims: readonly number[],
  strides: readonly number[],
  q: number,
  D: Store,
  to: number,
): number {
  const r = dims.length;
  const nq = dims[q]!;
  const nl = dims[r - 1]!;
  const sl = strides[r - 1]!;
  // output strides (row-major over dims)
  const os = new Array<number>(r);
  let acc = 1;
  for (let i = r - 1; i >= 0; i--) {
    os[i] = acc;
    acc *= dims[i]!;
  }
  const dq = os[q]!;
  const rest: number[] = [];
  for (let i = 0; i < r - 1; i++) if (i !== q) rest.push(i);
  let outer = 1;
  for (const i of rest) outer *= dims[i]!;
  const idx = new Int32Array(r);
  let sOff = base;
  let dOff = to;
  for (let k = 0; k < outer; k++) {
    for (let i0 = 0; i0 < nq; i0 += TILE) {
      const i1 = Math.min(i0 + TILE, nq);
      for (let j0 = 0; j0 < nl; j0 += TILE) {
        const j1 = Math.min(j0 + TILE, nl);
        for (let i = i0; i < i1; i++) {
          let s = sOff + i + j0 * sl;
          let d = dOff + i * dq + j0;
          for (let j = j0; j < j1; j++, s += sl) D[d++] = S[s];
        }
      }
    }
    for (let t = rest.length - 1; t >= 0; t--) {
      const a = rest[t]!;
      sOff += strides[a]!;
      dOff += os[a]!;
      if (++idx[a]! < dims[a]!) break;
      sOff -= strides[a]! * dims[a]!;
      dOff -= os[a]! * dims[a]!;
      idx[a] = 0;
    }
  }
  return acc;
}
