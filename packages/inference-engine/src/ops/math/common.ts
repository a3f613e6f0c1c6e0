import { type DataType, type Shape, ShapeError, TypeMismatchError } from '@zai/common';
import { isTensor, shapesEqual, Tensor } from '@zai/tensor-core';
import type { Kernel, KernelContext, KernelInputs, ShapeFn } from '../../kernel.js';
import { broadcastInputs, sameAsInput as sameInputShape } from '../../shape/common.js';
import { broadcastSymbolic, tensorType } from '../../shape/dims.js';

// Helpers shared by the elementwise math kernels: type classes, shape
// functions for static inference, and the pre-opset-7 broadcast attributes.

export const INT32_TYPES: ReadonlySet<DataType> = new Set<DataType>([
  'int8',
  'int16',
  'int32',
  'uint8',
  'uint16',
  'uint32',
]);
export const BIGINT_TYPES: ReadonlySet<DataType> = new Set<DataType>(['int64', 'uint64']);

/** Input i as a tensor; throws naming the op when it is missing or not a tensor. */
export function tensorInput(inputs: KernelInputs, i: number, op: string): Tensor {
  const t = inputs[i];
  if (!isTensor(t)) throw new TypeMismatchError(`${op}: input ${i} must be a tensor`);
  return t;
}

/** An optional input: the tensor, or undefined when omitted. */
export function optionalTensor(inputs: KernelInputs, i: number): Tensor | undefined {
  const t = inputs[i];
  return isTensor(t) ? t : undefined;
}

/** Output 0 has input 0's shape, and its type unless `outType` (IsNaN → bool). */
export function sameAsInput(outType?: DataType): ShapeFn {
  if (!outType) return sameInputShape(0);
  return (ctx) => {
    const t = ctx.input(0);
    return [t?.kind === 'tensor' ? { ...t, elemType: outType } : null];
  };
}

/** Output 0 broadcasts every given input; element type `outType`, else input `typeFrom`'s. */
export function broadcastShapeFn(outType?: DataType, typeFrom = 0): ShapeFn {
  if (typeFrom === 0) return broadcastInputs(outType);
  return (ctx) => {
    const elem = outType ?? ctx.elemType(typeFrom);
    if (!elem) return [null];
    const shapes: Shape[] = [];
    for (let i = 0; i < ctx.inputCount; i++) {
      if (!ctx.hasInput(i)) continue;
      const s = ctx.shape(i);
      if (!s) return [tensorType(elem)];
      shapes.push(s);
    }
    return [
      tensorType(
        elem,
        broadcastSymbolic(shapes, () => ctx.unknownDim()),
      ),
    ];
  };
}

/**
 * Opset 1-6 binary ops broadcast B onto A only when `broadcast=1`, aligning B
 * at `axis` (suffix when unset). Rewrites B's dims so the numpy-style kernel
 * computes the same thing; with `broadcast=0` the shapes must match.
 */
export function legacyBroadcast(create: (ctx: KernelContext) => Kernel): (ctx: KernelContext) => Kernel {
  return (ctx) => {
    const inner = create(ctx);
    const enabled = ctx.int('broadcast', 0) !== 0;
    const axis = ctx.has('axis') ? ctx.int('axis') : undefined;
    return (inputs, run) => {
      const a = tensorInput(inputs, 0, ctx.node.opType);
      const b = tensorInput(inputs, 1, ctx.node.opType);
      if (!enabled) {
        if (!shapesEqual(a.dims, b.dims)) {
          throw new ShapeError(
            `${ctx.node.opType} without broadcast=1 needs equal shapes, got [${a.dims}] and [${b.dims}]`,
          );
        }
        return inner(inputs, run);
      }
      let bDims = b.dims;
      if (axis !== undefined && b.dims.length > 0) {
        const ax = axis < 0 ? axis + a.dims.length : axis;
        const trailing = a.dims.length - ax - b.dims.length;
        if (ax < 0 || trailing < 0) {
          throw new ShapeError(
            `${ctx.node.opType}: B [${b.dims}] does not fit A [${a.dims}] at axis ${axis}`,
          );
        }
        bDims = [...b.dims, ...new Array<number>(trailing).fill(1)];
      }
      for (let k = 1; k <= bDims.length; k++) {
        const db = bDims[bDims.length - k]!;
        const da = a.dims[a.dims.length - k];
        if (db !== 1 && db !== da) {
          throw new ShapeError(`${ctx.node.opType}: B [${b.dims}] cannot broadcast to A [${a.dims}]`);
        }
      }
      const b2 = bDims === b.dims ? b : new Tensor(b.type, b.data, bDims);
      return inner([a, b2, ...inputs.slice(2)], run);
    };
  };
}
