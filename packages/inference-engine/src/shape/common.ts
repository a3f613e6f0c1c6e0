import type { DataType, ValueType } from '@zai/common';
import type { ShapeContext, ShapeFn } from '../kernel.js';
import { broadcastSymbolic, tensorType } from './dims.js';

/** Output 0 has input `i`'s type and shape (activations, unary math, Identity). */
export function sameAsInput(i = 0): ShapeFn {
  return (ctx) => [ctx.input(i) ?? null];
}

/** Output 0 broadcasts all given inputs; its element type is `out` or input 0's. */
export function broadcastInputs(out?: DataType): ShapeFn {
  return (ctx: ShapeContext) => {
    const shapes = [];
    for (let i = 0; i < ctx.inputCount; i++) {
      if (!ctx.hasInput(i)) continue;
      const s = ctx.shape(i);
      if (!s) return [unknownShape(ctx, out)];
      shapes.push(s);
    }
    const elem = out ?? ctx.elemType(0);
    return [
      elem
        ? tensorType(
            elem,
            broadcastSymbolic(shapes, () => ctx.unknownDim()),
          )
        : null,
    ];
  };
}

function unknownShape(ctx: ShapeContext, out?: DataType): ValueType | null {
  const elem = out ?? ctx.elemType(0);
  return elem ? tensorType(elem) : null;
}
