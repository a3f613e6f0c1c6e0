import { ShapeError, TypeMismatchError } from '@zai/common';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { floatBuffer, floatTensor } from '../util/float-io.js';
import { floatValues, intValues, tensorAt } from './common.js';

// AffineGrid: applies each batch's affine matrix to a regular grid of
// normalized positions in [-1, 1]; the grid's per-axis coordinates are
// computed once per call.

/** Evenly spaced normalized coordinates of `n` pixels (centers, or corners with align_corners). */
function axisCoords(n: number, alignCorners: boolean): Float64Array {
  const c = new Float64Array(n);
  if (alignCorners) {
    // a single pixel sits at -1, as torch.linspace(-1, 1, 1) gives
    const step = n > 1 ? 2 / (n - 1) : 0;
    for (let i = 0; i < n; i++) c[i] = -1 + i * step;
  } else {
    const step = 2 / n;
    for (let i = 0; i < n; i++) c[i] = -1 + step / 2 + i * step;
  }
  return c;
}

function affineGrid(ctx: KernelContext): Kernel {
  const alignCorners = ctx.int('align_corners', 0) !== 0;
  return (inputs) => {
    const theta = tensorAt(inputs, 0, 'AffineGrid');
    const size = intValues(tensorAt(inputs, 1, 'AffineGrid'), 'AffineGrid', 'size');
    const r = size.length - 2;
    if (r !== 2 && r !== 3)
      throw new ShapeError(`AffineGrid: size must have 4 (2D) or 5 (3D) values, got ${size.length}`);
    const N = size[0]!;
    if (theta.dims.length !== 3 || theta.dims[0] !== N || theta.dims[1] !== r || theta.dims[2] !== r + 1) {
      throw new ShapeError(`AffineGrid: theta shape [${theta.dims}] does not match [${N}, ${r}, ${r + 1}]`);
    }
    if (size.some((d) => d < 0)) throw new ShapeError(`AffineGrid: negative size [${size.join(', ')}]`);
    if (
      theta.type !== 'float32' &&
      theta.type !== 'float64' &&
      theta.type !== 'float16' &&
      theta.type !== 'bfloat16'
    )
      throw new TypeMismatchError(`AffineGrid: theta must be a float tensor, got ${theta.type}`);
    const th = floatValues(theta, 'AffineGrid', 'theta');
    // spatial sizes outer to inner (D, H, W); coordinates are listed inner first (x, y, z)
    const spatial = size.slice(2);
    const coords = spatial.map((n) => axisCoords(n, alignCorners));
    let P = 1;
    for (const n of spatial) P *= n;
    const out = floatBuffer(theta.type, N * P * r);
    const base = new Float64Array(r + 1);
    base[r] = 1;
    const idx = new Array<number>(r).fill(0);
    for (let b = 0; b < N; b++) {
      const t = b * r * (r + 1);
      idx.fill(0);
      for (let p = 0; p < P; p++) {
        // base = (x, y[, z], 1): x follows the innermost axis
        for (let k = 0; k < r; k++) base[k] = coords[r - 1 - k]![idx[r - 1 - k]!]!;
        const o = (b * P + p) * r;
        for (let i = 0; i < r; i++) {
          let acc = 0;
          for (let j = 0; j <= r; j++) acc += th[t + i * (r + 1) + j]! * base[j]!;
          out[o + i] = acc;
        }
        for (let d = r - 1; d >= 0; d--) {
          if (++idx[d]! < spatial[d]!) break;
          idx[d] = 0;
        }
      }
    }
    return [floatTensor(theta.type, out, [N, ...spatial, r])];
  };
}

/** size [N, C, (D,) H, W] gives a grid [N, (D,) H, W, 2 or 3] of theta's type. */
const affineGridShape: ShapeFn = (ctx) => {
  const elem = ctx.elemType(0);
  if (!elem) return [null];
  const v = ctx.value(1);
  if (v) {
    const size = intValues(v, 'AffineGrid', 'size');
    return [tensorType(elem, [size[0]!, ...size.slice(2), size.length - 2])];
  }
  const n = ctx.shape(1)?.[0];
  if (typeof n !== 'number') return [tensorType(elem)];
  const theta = ctx.shape(0);
  return [
    tensorType(elem, [
      theta?.[0] ?? ctx.unknownDim(),
      ...Array.from({ length: n - 2 }, () => ctx.unknownDim()),
      n - 2,
    ]),
  ];
};

export const AFFINE_GRID_OPS: readonly OperatorDef[] = [
  defineOp('AffineGrid', '20+', affineGrid, '', affineGridShape),
];
