import { type DataType, dataTypeFromOnnx, TypeMismatchError } from '@zai/common';
import {
  bfloat16ToNumber,
  encodeValues,
  float16ToNumber,
  isMinifloat,
  numberToBfloat16,
  numberToFloat16,
  Tensor,
  tensorValues,
} from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import {
  checkZeroPoint,
  INT_RANGE,
  optionalTensor,
  optionalTypeAttr,
  type ScaleLayout,
  scaleLayout,
  tensorInput,
  unsupported,
} from './common.js';

// QuantizeLinear: y = saturate(round_half_even(x / scale) + zero_point) for
// integer outputs, y = cast(x / scale + zero_point) for float8/float4
// outputs (saturating unless `saturate` = 0). The division runs in the
// precision of the scale's type (or the `precision` attribute, opset 23+):
// float32 quotients are stored in a Float32Array, which rounds them.
// Versions: 10 (per-tensor), 13 (axis), 19 (float8, saturate), 21
// (block_size, output_dtype, 4-bit, 16-bit), 23 (float4, precision), 24, 25 (2-bit).

const OP = 'QuantizeLinear';

/** x / scale for every element, rounded to the division precision. */
function quotients(
  x: ArrayLike<number>,
  s: ArrayLike<number>,
  L: ScaleLayout,
  precision: DataType,
): Float32Array | Float64Array {
  const n = L.outer * L.axisDim * L.inner;
  const q = precision === 'float32' ? new Float32Array(n) : new Float64Array(n);
  let p = 0;
  for (let o = 0; o < L.outer; o++) {
    for (let k = 0; k < L.axisDim; k++) {
      const sb = o * L.so + Math.floor(k / L.block) * L.sa;
      if (L.sj === 0) {
        const sc = s[sb]!;
        for (let j = 0; j < L.inner; j++, p++) q[p] = x[p]! / sc;
      } else {
        for (let j = 0; j < L.inner; j++, p++) q[p] = x[p]! / s[sb + j]!;
      }
    }
  }
  if (precision === 'float16') for (let i = 0; i < n; i++) q[i] = float16ToNumber(numberToFloat16(q[i]!));
  else if (precision === 'bfloat16')
    for (let i = 0; i < n; i++) q[i] = bfloat16ToNumber(numberToBfloat16(q[i]!));
  return q;
}

/** Integer outputs: round half to even, add the zero point, clamp. */
function quantizeInt(
  q: Float32Array | Float64Array,
  zp: ArrayLike<number> | undefined,
  L: ScaleLayout,
  lo: number,
  hi: number,
): Int32Array {
  const out = new Int32Array(q.length);
  let p = 0;
  for (let o = 0; o < L.outer; o++) {
    for (let k = 0; k < L.axisDim; k++) {
      const sb = o * L.so + Math.floor(k / L.block) * L.sa;
      for (let j = 0; j < L.inner; j++, p++) {
        const v = q[p]!;
        let r = Math.round(v);
        if (r - v === 0.5 && r % 2 !== 0) r -= 1; // Math.round sends ties up
        if (zp) r += zp[sb + j * L.sj]!;
        out[p] = Math.max(lo, Math.min(r, hi)); // NaN stays NaN and stores 0
      }
    }
  }
  return out;
}

/** Float8/float4 outputs: the quotient plus the zero point, encoded. */
function quantizeFloat(
  q: Float32Array | Float64Array,
  zp: ArrayLike<number> | undefined,
  L: ScaleLayout,
): Float32Array {
  if (!zp) return q instanceof Float32Array ? q : Float32Array.from(q);
  const out = new Float32Array(q.length);
  let p = 0;
  for (let o = 0; o < L.outer; o++) {
    for (let k = 0; k < L.axisDim; k++) {
      const sb = o * L.so + Math.floor(k / L.block) * L.sa;
      for (let j = 0; j < L.inner; j++, p++) out[p] = q[p]! + zp[sb + j * L.sj]!;
    }
  }
  return out;
}

function create(ctx: KernelContext): Kernel {
  const axis = ctx.opset >= 13 ? ctx.int('axis', 1) : 1;
  const blockSize = ctx.opset >= 21 ? ctx.int('block_size', 0) : 0;
  if (blockSize < 0) ctx.fail(`block_size must be positive, got ${blockSize}`);
  const saturate = ctx.opset >= 19 ? ctx.int('saturate', 1) !== 0 : true;
  const outputDtype = ctx.opset >= 21 ? optionalTypeAttr(ctx, 'output_dtype') : undefined;
  const precisionAttr = ctx.opset >= 23 ? optionalTypeAttr(ctx, 'precision') : undefined;
  return (inputs) => {
    const x = tensorInput(inputs, 0, OP, 'x');
    const scale = tensorInput(inputs, 1, OP, 'y_scale');
    const zp = optionalTensor(inputs, 2, OP, 'y_zero_point');
    if (zp && outputDtype && zp.type !== outputDtype) {
      throw new TypeMismatchError(
        `${OP}: output_dtype ${outputDtype} differs from y_zero_point type ${zp.type}`,
      );
    }
    const outType: DataType = outputDtype ?? zp?.type ?? 'uint8';
    const range = INT_RANGE[outType];
    if (!range && !isMinifloat(outType)) unsupported(OP, 'output', outType);
    if (x.type === 'string' || x.type === 'bool') unsupported(OP, 'input x', x.type);
    const L = scaleLayout(OP, x, scale, axis, blockSize);
    checkZeroPoint(OP, scale, zp);
    const precision = precisionAttr ?? scale.type;
    const q = quotients(tensorValues(x), tensorValues(scale), L, precision);
    const zv = zp ? tensorValues(zp) : undefined;
    if (range) {
      const codes = quantizeInt(q, zv, L, range[0], range[1]);
      return [new Tensor<DataType>(outType, encodeValues(outType, codes, x.size, {}, false), x.dims)];
    }
    const values = quantizeFloat(q, zv, L);
    return [new Tensor<DataType>(outType, encodeValues(outType, values, x.size, { saturate }), x.dims)];
  };
}

const shape: ShapeFn = (ctx) => {
  const n = ctx.has('output_dtype') ? ctx.int('output_dtype') : 0;
  const elemType = n ? dataTypeFromOnnx(n) : ctx.hasInput(2) ? ctx.elemType(2) : 'uint8';
  const s = ctx.shape(0);
  if (!elemType) return [null];
  return [s ? { kind: 'tensor', elemType, shape: s } : { kind: 'tensor', elemType }];
};

export const QUANTIZE_LINEAR: OperatorDef = defineOp('QuantizeLinear', '10+', create, '', shape);
