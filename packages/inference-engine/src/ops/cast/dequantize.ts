import { type DataType, dataTypeFromOnnx } from '@zai/common';
import { float32ArrayToBfloat16, float32ArrayToFloat16, Tensor, tensorValues } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import {
  checkZeroPoint,
  optionalTensor,
  optionalTypeAttr,
  scaleLayout,
  tensorInput,
  unsupported,
} from './common.js';

// DequantizeLinear: y = (x - zero_point) * scale, per tensor, per axis (13+)
// or per block (21+). The product is computed in float32, as onnxruntime
// does, then stored in the output type: output_dtype (21+) or the scale's type.

const OP = 'DequantizeLinear';

const INPUT_TYPES = new Set<DataType>([
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'float8e4m3fn',
  'float8e4m3fnuz',
  'float8e5m2',
  'float8e5m2fnuz',
  'uint4',
  'int4',
  'float4e2m1',
  'uint2',
  'int2',
]);
const OUTPUT_TYPES = new Set<DataType>(['float32', 'float16', 'bfloat16']);

function create(ctx: KernelContext): Kernel {
  const axis = ctx.opset >= 13 ? ctx.int('axis', 1) : 1;
  const blockSize = ctx.opset >= 21 ? ctx.int('block_size', 0) : 0;
  if (blockSize < 0) ctx.fail(`block_size must be positive, got ${blockSize}`);
  const outputDtype = ctx.opset >= 21 ? optionalTypeAttr(ctx, 'output_dtype') : undefined;
  if (outputDtype && !OUTPUT_TYPES.has(outputDtype))
    ctx.fail(`output_dtype ${outputDtype} is not a float type`);
  return (inputs) => {
    const x = tensorInput(inputs, 0, OP, 'x');
    const scale = tensorInput(inputs, 1, OP, 'x_scale');
    const zp = optionalTensor(inputs, 2, OP, 'x_zero_point');
    if (!INPUT_TYPES.has(x.type)) unsupported(OP, 'input x', x.type);
    const outType = outputDtype ?? (scale.type === 'float8e8m0' ? 'float32' : scale.type);
    if (!OUTPUT_TYPES.has(outType)) unsupported(OP, 'x_scale', scale.type);
    const L = scaleLayout(OP, x, scale, axis, blockSize);
    checkZeroPoint(OP, scale, zp);
    const xv = tensorValues(x);
    const sv = tensorValues(scale);
    const zv = zp ? tensorValues(zp) : undefined;
    const y = new Float32Array(x.size);
    let p = 0;
    for (let o = 0; o < L.outer; o++) {
      for (let k = 0; k < L.axisDim; k++) {
        const sb = o * L.so + Math.floor(k / L.block) * L.sa;
        if (L.sj === 0) {
          const s = sv[sb]!;
          const z = zv ? zv[sb]! : 0;
          for (let j = 0; j < L.inner; j++, p++) y[p] = Math.fround(xv[p]! - z) * s;
        } else {
          for (let j = 0; j < L.inner; j++, p++) {
            const z = zv ? zv[sb + j]! : 0;
            y[p] = Math.fround(xv[p]! - z) * sv[sb + j]!;
          }
        }
      }
    }
    if (outType === 'float16') return [new Tensor('float16', float32ArrayToFloat16(y), x.dims)];
    if (outType === 'bfloat16') return [new Tensor('bfloat16', float32ArrayToBfloat16(y), x.dims)];
    return [new Tensor('float32', y, x.dims)];
  };
}

const shape: ShapeFn = (ctx) => {
  const n = ctx.has('output_dtype') ? ctx.int('output_dtype') : 0;
  const st = ctx.elemType(1);
  const elemType = n ? dataTypeFromOnnx(n) : st === 'float8e8m0' ? 'float32' : st;
  const s = ctx.shape(0);
  if (!elemType) return [null];
  return [s ? { kind: 'tensor', elemType, shape: s } : { kind: 'tensor', elemType }];
};

export const DEQUANTIZE_LINEAR: OperatorDef = defineOp('DequantizeLinear', '10+', create, '', shape);
