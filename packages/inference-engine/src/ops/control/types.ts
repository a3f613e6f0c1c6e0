import type { Dim, ValueType } from '@zai/common';
import type { GraphIR } from '@zai/onnx-parser';
import type { ShapeContext, ShapeFn } from '../../kernel.js';

// Static output types of If, Loop and Scan, from the declared outputs of
// their subgraphs and the types of their inputs.

function graphAttr(ctx: ShapeContext, name: string): GraphIR | undefined {
  const a = ctx.node.attributes.find((x) => x.name === name);
  return a?.type === 'graph' ? a.value : undefined;
}

/** Two branch types joined: equal dims stay, differing dims become unknown. */
function join(ctx: ShapeContext, a: ValueType | null, b: ValueType | null): ValueType | null {
  if (!a || !b) return a ?? b;
  if (a.kind === 'tensor' && b.kind === 'tensor') {
    if (a.elemType !== b.elemType) return null;
    if (!a.shape || !b.shape || a.shape.length !== b.shape.length)
      return { kind: 'tensor', elemType: a.elemType };
    const shape = a.shape.map((d, i) => (d === b.shape![i] ? d : ctx.unknownDim()));
    return { kind: 'tensor', elemType: a.elemType, shape };
  }
  // an optional branch makes the result optional
  if (a.kind === 'optional') return a;
  if (b.kind === 'optional') return b;
  return a.kind === b.kind ? a : null;
}

export const ifType: ShapeFn = (ctx) => {
  const then = graphAttr(ctx, 'then_branch')?.outputs ?? [];
  const other = graphAttr(ctx, 'else_branch')?.outputs ?? [];
  return Array.from({ length: ctx.outputCount }, (_, i) =>
    join(ctx, then[i]?.type ?? null, other[i]?.type ?? null),
  );
};

/** A body output accumulated along a new axis of length `len`. */
function stacked(t: ValueType | null | undefined, len: Dim, axis: number): ValueType | null {
  if (t?.kind !== 'tensor') return null;
  if (!t.shape) return { kind: 'tensor', elemType: t.elemType };
  const shape = t.shape.slice();
  shape.splice(axis < 0 ? axis + shape.length + 1 : axis, 0, len);
  return { kind: 'tensor', elemType: t.elemType, shape };
}

export const loopType: ShapeFn = (ctx) => {
  const outs = graphAttr(ctx, 'body')?.outputs ?? [];
  const n = ctx.inputCount - 2;
  // the trip count is static only for a constant M and no condition
  const m = ctx.value(0);
  const trips: Dim = m && m.size === 1 && !ctx.hasInput(1) ? Number(m.data[0]) : ctx.unknownDim();
  return Array.from({ length: ctx.outputCount }, (_, j) =>
    j < n ? (outs[1 + j]?.type ?? ctx.input(2 + j) ?? null) : stacked(outs[1 + j]?.type, trips, 0),
  );
};

export const scanType: ShapeFn = (ctx) => {
  const outs = graphAttr(ctx, 'body')?.outputs ?? [];
  const batched = ctx.opset < 9;
  const first = batched ? 1 : 0;
  const m = ctx.int('num_scan_inputs');
  const n = ctx.inputCount - first - m;
  const inAxes = batched ? [] : ctx.ints('scan_input_axes', []);
  const outAxes = batched ? [] : ctx.ints('scan_output_axes', []);
  const scanShape = ctx.shape(first + n);
  const axis = batched ? 1 : (inAxes[0] ?? 0);
  const len: Dim = scanShape ? (scanShape[axis < 0 ? axis + scanShape.length : axis] ?? null) : null;
  return Array.from({ length: ctx.outputCount }, (_, j) => {
    if (j < n) return ctx.input(first + j) ?? null;
    const elem = stacked(outs[j]?.type, len ?? ctx.unknownDim(), batched ? 0 : (outAxes[j - n] ?? 0));
    if (!batched || elem?.kind !== 'tensor' || !elem.shape) return elem;
    // opset 8 also has the batch axis in front
    const batch = ctx.shape(first + n)?.[0] ?? ctx.unknownDim();
    return { ...elem, shape: [batch, ...elem.shape] };
  });
};
