import { type Dim, ShapeError, TypeMismatchError } from '@zai/common';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { floatData, floatTensor, isFloat } from '../util/float-io.js';
import { tensorAt } from './common.js';

// Det (11+; 22 added bfloat16): determinants of the trailing [M, M] matrices,
// by LU decomposition with partial pivoting in float64.

/** Determinant of the m×m matrix at `a` (overwritten with its LU factors). */
function luDet(a: Float64Array, m: number): number {
  let det = 1;
  for (let c = 0; c < m; c++) {
    let p = c;
    let best = Math.abs(a[c * m + c]!);
    for (let r = c + 1; r < m; r++) {
      const v = Math.abs(a[r * m + c]!);
      if (v > best) {
        best = v;
        p = r;
      }
    }
    if (best === 0) return 0;
    if (p !== c) {
      for (let j = 0; j < m; j++) {
        const t = a[c * m + j]!;
        a[c * m + j] = a[p * m + j]!;
        a[p * m + j] = t;
      }
      det = -det;
    }
    const piv = a[c * m + c]!;
    det *= piv;
    for (let r = c + 1; r < m; r++) {
      const f = a[r * m + c]! / piv;
      if (f === 0) continue;
      const ro = r * m;
      const co = c * m;
      for (let j = c + 1; j < m; j++) a[ro + j]! -= f * a[co + j]!;
    }
  }
  return det;
}

function detKernel(ctx: KernelContext): Kernel {
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Det');
    if (!isFloat(x.type)) throw new TypeMismatchError(`${ctx.label}: Det needs a float input, got ${x.type}`);
    const r = x.dims.length;
    const m = x.dims[r - 1];
    if (r < 2 || m !== x.dims[r - 2]) {
      throw new ShapeError(`${ctx.label}: Det needs [*, M, M] input, got [${x.dims}]`);
    }
    const outDims = x.dims.slice(0, r - 2);
    let batch = 1;
    for (const d of outDims) batch *= d;
    const X = floatData(x);
    const out = new Float64Array(batch);
    const mm = m * m;
    const scratch = new Float64Array(mm);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < mm; i++) scratch[i] = X[b * mm + i]!;
      out[b] = luDet(scratch, m);
    }
    return [floatTensor(x.type, out, outDims)];
  };
}

const detShape: ShapeFn = (ctx) => {
  const elemType = ctx.elemType(0);
  if (!elemType) return [null];
  const shape = ctx.shape(0);
  const out: Dim[] | undefined = shape && shape.length >= 2 ? shape.slice(0, shape.length - 2) : undefined;
  return [out ? { kind: 'tensor', elemType, shape: out } : { kind: 'tensor', elemType }];
};

export const DET_ROWS: readonly OperatorDef[] = [defineOp('Det', '11+', detKernel, '', detShape)];
