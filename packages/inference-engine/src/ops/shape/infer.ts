import { type DataType, type Dim, dataTypeFromOnnx, type Shape, type ValueType } from '@zai/common';
import type { Tensor } from '@zai/tensor-core';
import type { OperatorDef, ShapeContext, ShapeFn } from '../../kernel.js';
import { broadcastSymbolic, dimProduct, tensorType } from '../../shape/dims.js';

// Static output types for the shape ops, with symbolic dims carried through
// (a batch dim 'N' survives Reshape [0, -1], Transpose, Concat, …). Inputs
// whose values are known before running (shape tensors) are read through
// ctx.value; anything unresolvable becomes a fresh unknown dim, or an
// unknown shape when even the rank is unknown.

function ints(t: Tensor | undefined): number[] | undefined {
  if (!t || t.type === 'string') return undefined;
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

/** Axes from the attribute (older opsets) or the given input (newer ones). */
function axesOf(ctx: ShapeContext, input: number, since: number): number[] | undefined {
  if (ctx.opset < since) return ctx.has('axes') ? ctx.ints('axes') : undefined;
  return ctx.hasInput(input) ? ints(ctx.value(input)) : undefined;
}

const norm = (a: number, r: number) => (a < 0 ? a + r : a);

function out(elem: DataType | undefined, shape?: Shape): (ValueType | null)[] {
  return [elem ? tensorType(elem, shape) : null];
}

const same: ShapeFn = (ctx) => [ctx.input(0) ?? null];

const shapeOf: ShapeFn = (ctx) => {
  const s = ctx.shape(0);
  if (!s) return out('int64', [ctx.unknownDim()]);
  const r = s.length;
  const clamp = (v: number) => Math.min(Math.max(norm(v, r), 0), r);
  const start = clamp(ctx.int('start', 0));
  const end = ctx.has('end') ? clamp(ctx.int('end')) : r;
  return out('int64', [Math.max(end - start, 0)]);
};

const size: ShapeFn = () => out('int64', []);

const reshape: ShapeFn = (ctx) => {
  const elem = ctx.elemType(0);
  const target = ctx.opset < 5 ? ctx.ints('shape') : ints(ctx.value(1));
  if (!target) {
    const n = ctx.shape(1)?.[0];
    return out(elem, typeof n === 'number' ? Array.from({ length: n }, () => ctx.unknownDim()) : undefined);
  }
  const input = ctx.shape(0);
  const allowZero = ctx.opset >= 14 && ctx.int('allowzero', 0) !== 0;
  const dims: Dim[] = target.map((d, i) => (d === 0 && !allowZero ? (input?.[i] ?? ctx.unknownDim()) : d));
  const infer = dims.indexOf(-1);
  if (infer >= 0) {
    // symbolic dims present on both sides cancel out ([N,3,4] → [N,-1,2] gives 6)
    const left: Dim[] = input ? input.slice() : [null];
    const right: Dim[] = [];
    dims.forEach((d, i) => {
      if (i === infer) return;
      const k = typeof d === 'string' ? left.indexOf(d) : -1;
      if (k >= 0) left.splice(k, 1);
      else right.push(d);
    });
    const total = dimProduct(left);
    const rest = dimProduct(right);
    dims[infer] = total !== undefined && rest ? total / rest : ctx.unknownDim();
  }
  return out(elem, dims);
};

const squeeze: ShapeFn = (ctx) => {
  const s = ctx.shape(0);
  const axes = axesOf(ctx, 1, 13);
  if (!s) return out(ctx.elemType(0));
  if (!axes) {
    if (ctx.opset >= 13 && ctx.hasInput(1)) {
      // axes given but not known statically: only the output rank is
      const n = ctx.shape(1)?.[0];
      const r = typeof n === 'number' ? s.length - n : undefined;
      if (r === undefined) return out(ctx.elemType(0));
      const kept = s.filter((d) => d !== 1);
      if (kept.length === r) return out(ctx.elemType(0), kept);
      return out(
        ctx.elemType(0),
        Array.from({ length: r }, () => ctx.unknownDim()),
      );
    }
    if (s.some((d) => typeof d !== 'number')) return out(ctx.elemType(0));
    return out(
      ctx.elemType(0),
      s.filter((d) => d !== 1),
    );
  }
  const ax = axes.map((a) => norm(a, s.length));
  return out(
    ctx.elemType(0),
    s.filter((_, i) => !ax.includes(i)),
  );
};

const unsqueeze: ShapeFn = (ctx) => {
  const s = ctx.shape(0);
  const axes = axesOf(ctx, 1, 13);
  if (!s || !axes) return out(ctx.elemType(0));
  const rank = s.length + axes.length;
  const ax = axes.map((a) => norm(a, rank));
  const dims: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) dims.push(ax.includes(i) ? 1 : s[k++]!);
  return out(ctx.elemType(0), dims);
};

const product = (ctx: ShapeContext, dims: Shape): Dim => {
  if (dims.length === 1) return dims[0]!;
  return dimProduct(dims) ?? ctx.unknownDim();
};

const flatten: ShapeFn = (ctx) => {
  const s = ctx.shape(0);
  if (!s) return out(ctx.elemType(0), [ctx.unknownDim(), ctx.unknownDim()]);
  const a = norm(ctx.int('axis', 1), s.length);
  return out(ctx.elemType(0), [product(ctx, s.slice(0, a)), product(ctx, s.slice(a))]);
};

const transpose: ShapeFn = (ctx) => {
  const s = ctx.shape(0);
  if (!s) return out(ctx.elemType(0));
  const perm = ctx.has('perm') ? ctx.ints('perm') : s.map((_, i) => s.length - 1 - i);
  return out(
    ctx.elemType(0),
    perm.map((p) => s[p]!),
  );
};

const concat: ShapeFn = (ctx) => {
  const shapes: Shape[] = [];
  for (let i = 0; i < ctx.inputCount; i++) {
    const s = ctx.shape(i);
    if (!s) return out(ctx.elemType(0));
    shapes.push(s);
  }
  const first = shapes[0];
  if (!first) return [null];
  const a = norm(ctx.opset < 4 ? ctx.int('axis', 1) : ctx.int('axis'), first.length);
  const dims = first.slice();
  dims[a] = sumDims(
    ctx,
    shapes.map((s) => s[a]!),
  );
  return out(ctx.elemType(0), dims);
};

function sumDims(ctx: ShapeContext, ds: readonly Dim[]): Dim {
  let n = 0;
  for (const d of ds) {
    if (typeof d !== 'number') return ds.length === 1 ? d : ctx.unknownDim();
    n += d;
  }
  return n;
}

const gather: ShapeFn = (ctx) => {
  const s = ctx.shape(0);
  const q = ctx.shape(1);
  if (!s || !q) return out(ctx.elemType(0));
  const a = norm(ctx.int('axis', 0), s.length);
  return out(ctx.elemType(0), [...s.slice(0, a), ...q, ...s.slice(a + 1)]);
};

const gatherElements: ShapeFn = (ctx) => out(ctx.elemType(0), ctx.shape(1));

const expand: ShapeFn = (ctx) => {
  const s = ctx.shape(0);
  const target = ints(ctx.value(1));
  if (!s || !target) return out(ctx.elemType(0));
  return out(
    ctx.elemType(0),
    broadcastSymbolic([s, target], () => ctx.unknownDim()),
  );
};

const constant: ShapeFn = (ctx) => {
  const t = ctx.has('value') ? ctx.tensor('value') : undefined;
  if (t) return out(t.type, t.dims);
  if (ctx.has('value_float')) return out('float32', []);
  if (ctx.has('value_floats')) return out('float32', [ctx.floats('value_floats').length]);
  if (ctx.has('value_int')) return out('int64', []);
  if (ctx.has('value_ints')) return out('int64', [ctx.ints('value_ints').length]);
  if (ctx.has('value_string')) return out('string', []);
  if (ctx.has('value_strings')) return out('string', [ctx.strings('value_strings').length]);
  return [null];
};

const constantOfShape: ShapeFn = (ctx) => {
  const elem = ctx.tensor('value')?.type ?? 'float32';
  const dims = ints(ctx.value(0));
  if (dims) return out(elem, dims);
  const n = ctx.shape(0)?.[0];
  return out(elem, typeof n === 'number' ? Array.from({ length: n }, () => ctx.unknownDim()) : undefined);
};

/** Output rank known, dims data dependent (Slice, Tile, Pad, Compress, …). */
const sameRank: ShapeFn = (ctx) => {
  const s = ctx.shape(0);
  return out(ctx.elemType(0), s ? s.map(() => ctx.unknownDim()) : undefined);
};

/** One number from a constant scalar input (any numeric type but 16-bit floats). */
function scalarOf(ctx: ShapeContext, i: number): number | undefined {
  const t = ctx.value(i);
  if (t?.size !== 1 || t.type === 'float16' || t.type === 'bfloat16') return undefined;
  return ints(t)?.[0];
}

const range: ShapeFn = (ctx) => {
  const [s, l, d] = [0, 1, 2].map((i) => scalarOf(ctx, i));
  const n = s !== undefined && l !== undefined && d ? Math.max(Math.ceil((l - s) / d), 0) : ctx.unknownDim();
  return out(ctx.elemType(0), [n]);
};

const oneHot: ShapeFn = (ctx) => {
  const s = ctx.shape(0);
  const elem = ctx.elemType(2);
  if (!s) return out(elem);
  const a = norm(ctx.int('axis', -1), s.length + 1);
  const depth = scalarOf(ctx, 1);
  return out(elem, [
    ...s.slice(0, a),
    depth !== undefined ? Math.trunc(depth) : ctx.unknownDim(),
    ...s.slice(a),
  ]);
};

const gatherND: ShapeFn = (ctx) => {
  const s = ctx.shape(0);
  const q = ctx.shape(1);
  const k = q?.[q.length - 1];
  if (!s || !q || typeof k !== 'number') return out(ctx.elemType(0));
  const b = ctx.int('batch_dims', 0);
  return out(ctx.elemType(0), [...q.slice(0, -1), ...s.slice(b + k)]);
};

/** Kept entries: counted when the condition is constant, else unknown. */
const compress: ShapeFn = (ctx) => {
  const s = ctx.shape(0);
  const cond = ints(ctx.value(1));
  const hasAxis = ctx.has('axis');
  if (!s) return out(ctx.elemType(0), hasAxis ? undefined : [ctx.unknownDim()]);
  const a = hasAxis ? norm(ctx.int('axis'), s.length) : -1;
  const len = hasAxis ? s[a] : dimProduct(s);
  let n: Dim = ctx.unknownDim();
  if (cond && typeof len === 'number') n = cond.slice(0, len).filter((v) => v !== 0).length;
  if (!hasAxis) return out(ctx.elemType(0), [n]);
  const dims = s.slice();
  dims[a] = n;
  return out(ctx.elemType(0), dims);
};

/** Y, indices and counts share one data-dependent length; inverse_indices follows the input. */
const unique: ShapeFn = (ctx) => {
  const s = ctx.shape(0);
  const u = ctx.unknownDim();
  const hasAxis = ctx.has('axis');
  const a = s && hasAxis ? norm(ctx.int('axis'), s.length) : -1;
  let y: Shape | undefined = [u];
  if (hasAxis) y = s ? s.map((d, i) => (i === a ? u : d)) : undefined;
  const inv = s ? (hasAxis ? s[a] : dimProduct(s)) : undefined;
  return [
    ...out(ctx.elemType(0), y),
    tensorType('int64', [u]),
    tensorType('int64', [inv ?? ctx.unknownDim()]),
    tensorType('int64', [u]),
  ];
};

const eyeLike: ShapeFn = (ctx) => {
  const dtype = ctx.has('dtype') ? dataTypeFromOnnx(ctx.int('dtype')) : ctx.elemType(0);
  return out(dtype, ctx.shape(0));
};

/** The input with the given axes (all by default) set to the constant target shape. */
const centerCropPad: ShapeFn = (ctx) => {
  const s = ctx.shape(0);
  if (!s) return out(ctx.elemType(0));
  const target = ints(ctx.value(1));
  const axes = (ctx.has('axes') ? ctx.ints('axes') : [...s.keys()]).map((a) => norm(a, s.length));
  const dims = s.slice();
  axes.forEach((a, i) => {
    dims[a] = target?.[i] ?? ctx.unknownDim();
  });
  return out(ctx.elemType(0), dims);
};

const SHAPE_FNS: Readonly<Record<string, ShapeFn>> = {
  Identity: same,
  Shape: shapeOf,
  Size: size,
  Reshape: reshape,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Flatten: flatten,
  Transpose: transpose,
  Concat: concat,
  Gather: gather,
  GatherElements: gatherElements,
  Expand: expand,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Slice: sameRank,
  Tile: sameRank,
  Pad: sameRank,
  CenterCropPad: centerCropPad,
  Range: range,
  OneHot: oneHot,
  GatherND: gatherND,
  Compress: compress,
  Unique: unique,
  Trilu: same,
  Scatter: same,
  ScatterElements: same,
  ScatterND: same,
  TensorScatter: same,
  ReverseSequence: same,
  EyeLike: eyeLike,
  NonZero: (ctx) => {
    const s = ctx.shape(0);
    return out('int64', [s ? Math.max(s.length, 1) : ctx.unknownDim(), ctx.unknownDim()]);
  },
};

/** The same definitions with the shape functions above attached where one exists. */
export function withShapeFns(defs: readonly OperatorDef[]): OperatorDef[] {
  return defs.map((d) => {
    const fn = d.domain === '' ? SHAPE_FNS[d.opType] : undefined;
    return fn && !d.inferTypes ? { ...d, inferTypes: fn } : d;
  });
}
