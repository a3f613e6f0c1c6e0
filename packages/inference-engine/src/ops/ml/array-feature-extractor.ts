import { InvalidArgumentError, TypeMismatchError } from '@zai/common';
import { allocate, Tensor, tensorValues } from '@zai/tensor-core';
import { defineOp, type Kernel, type ShapeFn } from '../../kernel.js';
import { dimProduct } from '../../shape/dims.js';
import { ML_DOMAIN, mlInput, tensorOut } from './common.js';

// ArrayFeatureExtractor (ai.onnx.ml 1): gathers the given indices along the
// last axis. A 1-D input is seen as [1, C], so its output is [1, k].

function arrayFeatureExtractor(): Kernel {
  const op = 'ArrayFeatureExtractor';
  return (inputs) => {
    const x = mlInput(inputs, 0, op);
    const y = mlInput(inputs, 1, op);
    if (y.type !== 'int64' && y.type !== 'int32') {
      throw new TypeMismatchError(`${op}: indices must be int64, got ${y.type}`);
    }
    if (x.dims.length === 0) throw new InvalidArgumentError(`${op}: X must have at least one dimension`);
    const idx = tensorValues(y);
    const k = idx.length;
    const c = x.dims[x.dims.length - 1]!;
    for (let j = 0; j < k; j++) {
      const v = idx[j]!;
      if (v < 0 || v >= c) throw new InvalidArgumentError(`${op}: index ${v} is out of range [0, ${c})`);
    }
    const outer = c === 0 ? 0 : x.size / c;
    const dims = x.dims.length === 1 ? [1, k] : [...x.dims.slice(0, -1), k];
    const src = x.data as ArrayLike<unknown> & { [i: number]: unknown };
    const dst = allocate(x.type, outer * k) as unknown as { [i: number]: unknown };
    for (let r = 0; r < outer; r++) {
      const si = r * c;
      const di = r * k;
      for (let j = 0; j < k; j++) dst[di + j] = src[si + idx[j]!];
    }
    return [new Tensor(x.type, dst as Tensor['data'], dims)];
  };
}

const shape: ShapeFn = (ctx) => {
  const s = ctx.shape(0);
  const k = ctx.shape(1);
  const count = k ? dimProduct(k) : undefined;
  const n = count ?? (k?.length === 1 ? k[0]! : ctx.unknownDim());
  if (!s || s.length === 0) return tensorOut(ctx.elemType(0));
  return tensorOut(ctx.elemType(0), s.length === 1 ? [1, n] : [...s.slice(0, -1), n]);
};

export const ARRAY_FEATURE_EXTRACTOR = [
  defineOp('ArrayFeatureExtractor', '1+', arrayFeatureExtractor, ML_DOMAIN, shape),
];
