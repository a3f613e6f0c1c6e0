import {
  type DataType,
  dataTypeFromOnnx,
  InvalidArgumentError,
  ONNX_ELEMENT_TYPE_NAME,
  ShapeError,
  TypeMismatchError,
} from '@zai/common';
import { normalizeAxis, type Tensor } from '@zai/tensor-core';
import type { KernelContext, KernelInputs, NodeView } from '../../kernel.js';

const BY_NAME: ReadonlyMap<string, DataType> = new Map(
  (Object.entries(ONNX_ELEMENT_TYPE_NAME) as [DataType, string][]).map(([t, name]) => [name, t]),
);

/** A data type attribute: an ONNX element type number, or (Cast-1) its upper-case name. */
export function typeAttr(ctx: NodeView, name: string): DataType {
  const attr = ctx.node.attributes.find((a) => a.name === name);
  if (attr?.type === 'string') {
    const text = ctx.string(name);
    const t = BY_NAME.get(text.toUpperCase());
    return t ?? ctx.fail(`attribute '${name}' names unknown data type '${text}'`);
  }
  const n = ctx.int(name);
  return dataTypeFromOnnx(n) ?? ctx.fail(`attribute '${name}' is not a valid data type (${n})`);
}

/** An optional data type attribute (0 or absent means unset). */
export function optionalTypeAttr(ctx: KernelContext, name: string): DataType | undefined {
  const n = ctx.int(name, 0);
  if (n === 0) return undefined;
  return dataTypeFromOnnx(n) ?? ctx.fail(`attribute '${name}' is not a valid data type (${n})`);
}

/** Input i as a tensor, or a typed error naming the op and input. */
export function tensorInput(inputs: KernelInputs, i: number, op: string, name: string): Tensor {
  const v = inputs[i];
  if (!v || Array.isArray(v) || v instanceof Map) {
    throw new InvalidArgumentError(`${op}: input '${name}' must be a tensor`);
  }
  return v as Tensor;
}

export function optionalTensor(
  inputs: KernelInputs,
  i: number,
  op: string,
  name: string,
): Tensor | undefined {
  return inputs[i] === undefined || inputs[i] === null ? undefined : tensorInput(inputs, i, op, name);
}

/**
 * How elements map to their scale / zero point: element (o, k, j) of x seen
 * as [outer, axisDim, inner] uses scale index o*so + floor(k/block)*sa + j*sj.
 * Per-tensor: one scale; per-axis: a 1-D scale along `axis`; blocked: the
 * scale has x's rank with ceil(D/block) along `axis`.
 */
export interface ScaleLayout {
  readonly outer: number;
  readonly axisDim: number;
  readonly inner: number;
  readonly block: number;
  readonly so: number;
  readonly sa: number;
  readonly sj: number;
}

export function scaleLayout(
  op: string,
  x: Tensor,
  scale: Tensor,
  axisAttr: number,
  blockSize: number,
): ScaleLayout {
  const n = x.size;
  if (scale.size === 1 && blockSize <= 0 && scale.dims.length <= 1) {
    return { outer: 1, axisDim: 1, inner: n, block: 1, so: 0, sa: 0, sj: 0 };
  }
  const r = x.dims.length;
  const axis = normalizeAxis(axisAttr, r);
  const outer = x.dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const axisDim = x.dims[axis]!;
  const inner = x.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  if (blockSize <= 0) {
    if (scale.dims.length !== 1 || scale.dims[0] !== axisDim) {
      throw new ShapeError(
        `${op}: per-axis scale must be 1-D of length ${axisDim} (axis ${axis} of [${x.dims}]), got [${scale.dims}]`,
      );
    }
    return { outer, axisDim, inner, block: 1, so: 0, sa: 1, sj: 0 };
  }
  const blocks = Math.ceil(axisDim / blockSize);
  const ok =
    scale.dims.length === r && scale.dims.every((d, i) => (i === axis ? d === blocks : d === x.dims[i]));
  if (!ok) {
    throw new ShapeError(
      `${op}: blocked scale for x [${x.dims}], axis ${axis}, block_size ${blockSize} must have shape with ${blocks} along the axis, got [${scale.dims}]`,
    );
  }
  return { outer, axisDim, inner, block: blockSize, so: blocks * inner, sa: inner, sj: 1 };
}

export function checkZeroPoint(op: string, scale: Tensor, zp: Tensor | undefined): void {
  if (zp && (zp.size !== scale.size || (zp.dims.length !== scale.dims.length && zp.size !== 1))) {
    throw new ShapeError(`${op}: zero point shape [${zp.dims}] does not match scale shape [${scale.dims}]`);
  }
}

export function unsupported(op: string, what: string, type: DataType): never {
  throw new TypeMismatchError(`${op}: ${what} of type ${type} is not supported`);
}

/** Integer quantization ranges by output type. */
export const INT_RANGE: Partial<Record<DataType, readonly [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  uint4: [0, 15],
  int4: [-8, 7],
  uint2: [0, 3],
  int2: [-2, 1],
};
