import { Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { tensorInput, unsupported } from './common.js';

// DynamicQuantizeLinear (11): uint8 quantization with a scale and zero point
// computed from the data range extended to include 0. Every step rounds to
// float32, as the op's function body (float32 Div/Sub) does.

const OP = 'DynamicQuantizeLinear';

/** Round half to even. */
function rint(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const create = (): Kernel => (inputs) => {
  const x = tensorInput(inputs, 0, OP, 'x');
  if (x.type !== 'float32') unsupported(OP, 'input x', x.type);
  const xv = x.data as Float32Array;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < xv.length; i++) {
    const v = xv[i]!;
    if (v < lo) lo = v;
    else if (v > hi) hi = v;
  }
  // a constant-zero input would divide by zero: use scale 1 as onnxruntime does
  const scale = hi === lo ? 1 : Math.fround(Math.fround(hi - lo) / 255);
  const zpf = Math.fround(0 - Math.fround(lo / scale));
  const zp = Math.min(255, Math.max(0, rint(zpf)));
  const y = new Uint8Array(xv.length);
  for (let i = 0; i < xv.length; i++) {
    const r = rint(Math.fround(xv[i]! / scale)) + zp;
    y[i] = Math.max(0, Math.min(r, 255));
  }
  return [
    new Tensor('uint8', y, x.dims),
    new Tensor('float32', new Float32Array([scale]), []),
    new Tensor('uint8', new Uint8Array([zp]), []),
  ];
};

const shape: ShapeFn = (ctx) => {
  const s = ctx.shape(0);
  return [
    s ? { kind: 'tensor', elemType: 'uint8', shape: s } : { kind: 'tensor', elemType: 'uint8' },
    { kind: 'tensor', elemType: 'float32', shape: [] },
    { kind: 'tensor', elemType: 'uint8', shape: [] },
  ];
};

export const DYNAMIC_QUANTIZE_LINEAR: OperatorDef = defineOp(
  'DynamicQuantizeLinear',
  '11+',
  create,
  '',
  shape,
);
