import type { Dim } from '@zai/common';
import { ShapeError } from '@zai/common';
import { stridesOf, type Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type ShapeContext, type ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { allocElems, elems, fmt, fromElems, tensorAt } from './common.js';
import { copyStrided } from './strided.js';

/** Elements of `x` read as `viewDims` (same size) and permuted by `perm`, with the output dims. */
export function permute(
  x: Tensor,
  viewDims: readonly number[],
  perm: readonly number[],
  outDims?: readonly number[],
): Tensor {
  const strides = stridesOf(viewDims);
  const dims = perm.map((p) => viewDims[p]!);
  const out = allocElems(x.type, x.size);
  copyStrided(
    elems(x),
    0,
    dims,
    perm.map((p) => strides[p]!),
    out,
  );
  return fromElems(x.type, out, outDims ?? dims);
}

function transpose(ctx: KernelContext): Kernel {
  const attr = ctx.has('perm') ? ctx.ints('perm') : undefined;
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Transpose');
    const r = x.dims.length;
    const perm = attr ?? Array.from({ length: r }, (_, i) => r - 1 - i);
    const seen = new Set(perm);
    if (perm.length !== r || seen.size !== r || perm.some((p) => p < 0 || p >= r)) {
      throw new ShapeError(
        `Transpose: perm [${perm.join(',')}] is not a permutation of ${r} axes of ${fmt(x.dims)}`,
      );
    }
    return [permute(x, x.dims, perm)];
  };
}

function blockOf(ctx: KernelContext): number {
  const b = ctx.int('blocksize');
  if (b <= 0) ctx.fail(`blocksize must be positive, got ${b}`);
  return b;
}

function depthToSpace(ctx: KernelContext): Kernel {
  const b = blockOf(ctx);
  const crd = ctx.opset >= 11 && ctx.string('mode', 'DCR') === 'CRD';
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'DepthToSpace');
    if (x.dims.length !== 4) throw new ShapeError(`DepthToSpace: input must be 4-D, got ${fmt(x.dims)}`);
    const [n, c, h, w] = x.dims as [number, number, number, number];
    if (c % (b * b) !== 0)
      throw new ShapeError(`DepthToSpace: channels ${c} not divisible by blocksize² ${b * b}`);
    const c2 = c / (b * b);
    const out = [n, c2, h * b, w * b];
    if (crd) return [permute(x, [n, c2, b, b, h, w], [0, 1, 4, 2, 5, 3], out)];
    return [permute(x, [n, b, b, c2, h, w], [0, 3, 4, 1, 5, 2], out)];
  };
}

function spaceToDepth(ctx: KernelContext): Kernel {
  const b = blockOf(ctx);
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'SpaceToDepth');
    if (x.dims.length !== 4) throw new ShapeError(`SpaceToDepth: input must be 4-D, got ${fmt(x.dims)}`);
    const [n, c, h, w] = x.dims as [number, number, number, number];
    if (h % b !== 0 || w % b !== 0) {
      throw new ShapeError(`SpaceToDepth: spatial dims ${h}x${w} not divisible by blocksize ${b}`);
    }
    const out = [n, c * b * b, h / b, w / b];
    return [permute(x, [n, c, h / b, b, w / b, b], [0, 3, 5, 1, 2, 4], out)];
  };
}

/** d * mul / div; a symbolic dim stays only when mul equals div. */
function scaleDim(ctx: ShapeContext, d: Dim | undefined, mul: number, div: number): Dim {
  if (typeof d === 'number') return (d * mul) / div;
  return mul === div && d != null ? d : ctx.unknownDim();
}

/** DepthToSpace (up = true) and SpaceToDepth: [N, C / b², H * b, W * b] and back. */
function blockShape(up: boolean): ShapeFn {
  return (ctx) => {
    const elem = ctx.elemType(0);
    if (!elem) return [null];
    const s = ctx.shape(0);
    const b = ctx.int('blocksize');
    if (s?.length !== 4) return [tensorType(elem)];
    const [n, c, h, w] = s;
    const bb = b * b;
    return [
      tensorType(
        elem,
        up
          ? [n!, scaleDim(ctx, c, 1, bb), scaleDim(ctx, h, b, 1), scaleDim(ctx, w, b, 1)]
          : [n!, scaleDim(ctx, c, bb, 1), scaleDim(ctx, h, 1, b), scaleDim(ctx, w, 1, b)],
      ),
    ];
  };
}

export const TRANSPOSE_OPS = [
  defineOp('Transpose', '1+', transpose),
  defineOp('DepthToSpace', '1+', depthToSpace, '', blockShape(true)),
  defineOp('SpaceToDepth', '1+', spaceToDepth, '', blockShape(false)),
];
