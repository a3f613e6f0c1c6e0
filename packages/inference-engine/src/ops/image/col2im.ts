import { InvalidArgumentError, ShapeError, TypeMismatchError } from '@zai/common';
import { Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { floatData, floatTensor, isFloat } from '../util/float-io.js';
import { floatToIntStorage, intValues, isNumeric, numericAsFloat, tensorAt } from './common.js';

// Col2Im: scatters-and-sums column blocks back into an N-D image (the
// inverse of im2col). Per axis, the image position of every (kernel offset,
// block index) pair is tabulated once; -1 marks positions in the padding.

function col2im(ctx: KernelContext): Kernel {
  const dilAttr = ctx.has('dilations') ? ctx.ints('dilations') : undefined;
  const padAttr = ctx.has('pads') ? ctx.ints('pads') : undefined;
  const strAttr = ctx.has('strides') ? ctx.ints('strides') : undefined;
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Col2Im');
    const image = intValues(tensorAt(inputs, 1, 'Col2Im'), 'Col2Im', 'image_shape');
    const block = intValues(tensorAt(inputs, 2, 'Col2Im'), 'Col2Im', 'block_shape');
    const r = image.length;
    if (block.length !== r)
      throw new ShapeError(`Col2Im: image_shape has ${r} values but block_shape has ${block.length}`);
    const dil = dilAttr ?? new Array<number>(r).fill(1);
    const pads = padAttr ?? new Array<number>(2 * r).fill(0);
    const strides = strAttr ?? new Array<number>(r).fill(1);
    if (dil.length !== r || strides.length !== r || pads.length !== 2 * r)
      throw new InvalidArgumentError(`Col2Im: dilations/strides need ${r} values and pads ${2 * r}`);
    if (x.dims.length !== 3) throw new ShapeError(`Col2Im: input must be 3-D, got [${x.dims}]`);
    if (!isNumeric(x.type)) throw new TypeMismatchError(`Col2Im: unsupported input type ${x.type}`);

    let K = 1;
    for (const k of block) K *= k;
    const [N, CK, L] = x.dims as [number, number, number];
    if (K <= 0 || CK % K !== 0)
      throw new ShapeError(`Col2Im: input dim 1 (${CK}) is not a multiple of the block size ${K}`);
    const C = CK / K;
    const nBlocks = image.map((n, d) => {
      const span = dil[d]! * (block[d]! - 1) + 1;
      return Math.floor((n + pads[d]! + pads[r + d]! - span) / strides[d]!) + 1;
    });
    let expectL = 1;
    for (const b of nBlocks) expectL *= Math.max(b, 0);
    if (expectL !== L) throw new ShapeError(`Col2Im: input has ${L} blocks, the shapes give ${expectL}`);

    let S = 1;
    const outStride = new Array<number>(r);
    for (let d = r - 1; d >= 0; d--) {
      outStride[d] = S;
      S *= image[d]!;
    }
    // pos[d][k * nBlocks + b]: flat output offset on axis d, or -1 in the padding
    const pos = image.map((n, d) => {
      const nb = nBlocks[d]!;
      const t = new Int32Array(block[d]! * nb);
      for (let k = 0; k < block[d]!; k++) {
        for (let b = 0; b < nb; b++) {
          const p = b * strides[d]! - pads[d]! + k * dil[d]!;
          t[k * nb + b] = p >= 0 && p < n ? p * outStride[d]! : -1;
        }
      }
      return t;
    });
    // block index of each column l along each axis
    const lIdx = nBlocks.map(() => new Int32Array(L));
    for (let l = 0; l < L; l++) {
      let rem = l;
      for (let d = r - 1; d >= 0; d--) {
        lIdx[d]![l] = rem % nBlocks[d]!;
        rem = Math.floor(rem / nBlocks[d]!);
      }
    }

    const src = isFloat(x.type) ? floatData(x) : numericAsFloat(x);
    const out = src instanceof Float32Array ? new Float32Array(N * C * S) : new Float64Array(N * C * S);
    const kIdx = new Array<number>(r).fill(0);
    for (let kf = 0; kf < K; kf++) {
      for (let n = 0; n < N; n++) {
        for (let c = 0; c < C; c++) {
          const row = ((n * C + c) * K + kf) * L;
          const oBase = (n * C + c) * S;
          for (let l = 0; l < L; l++) {
            let off = 0;
            let d = 0;
            for (; d < r; d++) {
              const p = pos[d]![kIdx[d]! * nBlocks[d]! + lIdx[d]![l]!]!;
              if (p < 0) break;
              off += p;
            }
            if (d === r) out[oBase + off]! += src[row + l]!;
          }
        }
      }
      for (let d = r - 1; d >= 0; d--) {
        if (++kIdx[d]! < block[d]!) break;
        kIdx[d] = 0;
      }
    }
    const dims = [N, C, ...image];
    if (isFloat(x.type)) return [floatTensor(x.type, out, dims)];
    return [new Tensor(x.type, floatToIntStorage(x.type, out), dims)];
  };
}

/** [N, C, ...image_shape] with C = input dim 1 / prod(block_shape). */
const col2imShape: ShapeFn = (ctx) => {
  const elem = ctx.elemType(0);
  if (!elem) return [null];
  const s = ctx.shape(0);
  const image = ctx.value(1);
  const block = ctx.value(2);
  const n = s?.[0] ?? ctx.unknownDim();
  const cb = s?.[1];
  const blockProd = block ? intValues(block, 'Col2Im', 'block_shape').reduce((p, v) => p * v, 1) : undefined;
  const c = typeof cb === 'number' && blockProd ? cb / blockProd : ctx.unknownDim();
  if (image) return [tensorType(elem, [n, c, ...intValues(image, 'Col2Im', 'image_shape')])];
  const k = ctx.shape(1)?.[0];
  if (typeof k !== 'number') return [tensorType(elem)];
  return [tensorType(elem, [n, c, ...Array.from({ length: k }, () => ctx.unknownDim())])];
};

export const COL2IM_OPS: readonly OperatorDef[] = [defineOp('Col2Im', '18+', col2im, '', col2imShape)];
