import { ShapeError } from '@zai/common';

/** Row-major strides in elements. */
export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i]!;
  }
  return s;
}

/** Numpy-style broadcast of any number of shapes; throws ShapeError naming both shapes when they clash. */
export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  let rank = 0;
  for (const s of shapes) rank = Math.max(rank, s.length);
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    const off = rank - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i]!;
      const o = out[off + i]!;
      if (d === o || d === 1) continue;
      if (o === 1) out[off + i] = d;
      else {
        throw new ShapeError(
          `cannot broadcast shapes ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')} (dimension ${off + i}: ${o} vs ${d})`,
        );
      }
    }
  }
  return out;
}

/**
 * Strides of `dims` seen through a broadcast to `outDims`: 0 where the input
 * is stretched. The result has `outDims.length` entries.
 */
export function broadcastStrides(dims: readonly number[], outDims: readonly number[]): number[] {
  const rank = outDims.length;
  const s = new Array<number>(rank).fill(0);
  const off = rank - dims.length;
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[off + i] = dims[i] === 1 ? 0 : acc;
    acc *= dims[i]!;
  }
  return s;
}

/** Normalises a possibly negative axis into [0, rank); throws ShapeError when out of range. */
export function normalizeAxis(axis: number, rank: number, what = 'axis'): number {
  if (axis < -rank || axis >= Math.max(rank, 1)) {
    throw new ShapeError(`${what} ${axis} is out of range for rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Merges adjacent dims so that a broadcast binary op walks as few, as long,
 * runs as possible. Returns collapsed (outDims, aStrides, bStrides).
 */
export function collapseBroadcast(
  outDims: readonly number[],
  aStrides: readonly number[],
  bStrides: readonly number[],
): { dims: number[]; a: number[]; b: number[] } {
  const dims: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < outDims.length; i++) {
    const d = outDims[i]!;
    if (d === 1) continue;
    const n = dims.length;
    if (n > 0 && a[n - 1] === aStrides[i]! * d && b[n - 1] === bStrides[i]! * d) {
      dims[n - 1]! *= d;
      a[n - 1] = aStrides[i]!;
      b[n - 1] = bStrides[i]!;
    } else {
      dims.push(d);
      a.push(aStrides[i]!);
      b.push(bStrides[i]!);
    }
  }
  return { dims, a, b };
}
