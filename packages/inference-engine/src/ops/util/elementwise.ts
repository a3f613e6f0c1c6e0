import { type DataType, TypeMismatchError } from '@zai/common';
import {
  allocate,
  broadcastShapes,
  broadcastStrides,
  collapseBroadcast,
  sizeOf,
  Tensor,
} from '@zai/tensor-core';
import type { Kernel, KernelContext, KernelInputs } from '../../kernel.js';
import { floatData, floatTensor, isHalf } from './float-io.js';

// Elementwise loops are generated once per operator from an expression
// (`new Function`), so each operator gets its own monomorphic, inlinable loop
// instead of a shared loop calling a closure per element.

type UnaryLoop = (x: ArrayLike<unknown>, out: { [i: number]: unknown }, n: number, p: unknown) => void;
type BinaryLoop = (
  a: ArrayLike<unknown>,
  b: ArrayLike<unknown>,
  out: { [i: number]: unknown },
  dims: number[],
  as: number[],
  bs: number[],
  p: unknown,
) => void;

const unaryCache = new Map<string, UnaryLoop>();
const binaryCache = new Map<string, BinaryLoop>();

/** A loop `out[i] = expr(x)`; `p` is an optional parameter object (alpha, beta, …). */
export function unaryLoop(expr: string): UnaryLoop {
  let f = unaryCache.get(expr);
  if (!f) {
    f = new Function(
      'X',
      'O',
      'n',
      'p',
      `for (let i = 0; i < n; i++) { const x = X[i]; O[i] = ${expr}; }`,
    ) as UnaryLoop;
    unaryCache.set(expr, f);
  }
  return f;
}

/**
 * A broadcasting loop `out = expr(a, b)` over collapsed dims: the innermost
 * dimension runs as a tight loop with constant strides.
 */
export function binaryLoop(expr: string): BinaryLoop {
  let f = binaryCache.get(expr);
  if (!f) {
    const body = `
      const r = dims.length;
      if (r === 0) { const a = A[0], b = B[0]; O[0] = ${expr}; return; }
      const n = dims[r - 1], sa = as[r - 1], sb = bs[r - 1];
      let outer = 1; for (let d = 0; d < r - 1; d++) outer *= dims[d];
      const idx = new Int32Array(r);
      let ia = 0, ib = 0, o = 0;
      for (let k = 0; k < outer; k++) {
        if (sa === 1 && sb === 1) { for (let i = 0; i < n; i++) { const a = A[ia + i], b = B[ib + i]; O[o++] = ${expr}; } }
        else if (sa === 0 && sb === 1) { const a = A[ia]; for (let i = 0; i < n; i++) { const b = B[ib + i]; O[o++] = ${expr}; } }
        else if (sa === 1 && sb === 0) { const b = B[ib]; for (let i = 0; i < n; i++) { const a = A[ia + i]; O[o++] = ${expr}; } }
        else { for (let i = 0; i < n; i++) { const a = A[ia + i * sa], b = B[ib + i * sb]; O[o++] = ${expr}; } }
        for (let d = r - 2; d >= 0; d--) {
          ia += as[d]; ib += bs[d];
          if (++idx[d] < dims[d]) break;
          ia -= as[d] * dims[d]; ib -= bs[d] * dims[d]; idx[d] = 0;
        }
      }`;
    f = new Function('A', 'B', 'O', 'dims', 'as', 'bs', 'p', body) as BinaryLoop;
    binaryCache.set(expr, f);
  }
  return f;
}

export interface UnarySpec {
  /** Expression over `x` (and `p` for parameters) per input type; use `float` for all float types. */
  readonly float?: string;
  readonly int?: string;
  readonly bigint?: string;
  readonly bool?: string;
  /** Output type when it differs from the input's (IsNaN → bool). */
  readonly outType?: DataType;
  /** Parameters read from attributes once at creation. */
  readonly params?: (ctx: KernelContext) => unknown;
}

const INT_TYPES = new Set<DataType>(['int8', 'int16', 'int32', 'uint8', 'uint16', 'uint32']);
const BIG_TYPES = new Set<DataType>(['int64', 'uint64']);

function pick(
  spec: { float?: string; int?: string; bigint?: string; bool?: string },
  type: DataType,
): string | undefined {
  if (type === 'float32' || type === 'float64' || isHalf(type)) return spec.float;
  if (INT_TYPES.has(type)) return spec.int;
  if (BIG_TYPES.has(type)) return spec.bigint;
  if (type === 'bool') return spec.bool;
  return undefined;
}

/** A unary elementwise kernel from per-type expressions. */
export function unary(spec: UnarySpec): (ctx: KernelContext) => Kernel {
  return (ctx) => {
    const p = spec.params?.(ctx);
    return (inputs: KernelInputs) => {
      const x = inputs[0] as Tensor;
      const expr = pick(spec, x.type);
      if (expr === undefined)
        throw new TypeMismatchError(`${ctx.node.opType} does not support ${x.type} input`);
      const loop = unaryLoop(expr);
      const outType = spec.outType ?? x.type;
      if (isHalf(x.type)) {
        const src = floatData(x);
        if (outType === x.type) {
          const o = new Float32Array(x.size);
          loop(src, o, x.size, p);
          return [floatTensor(x.type, o, x.dims)];
        }
        const o = allocate(outType, x.size);
        loop(src, o as { [i: number]: unknown }, x.size, p);
        return [new Tensor(outType, o, x.dims)];
      }
      const o = allocate(outType, x.size);
      loop(x.data as ArrayLike<unknown>, o as { [i: number]: unknown }, x.size, p);
      return [new Tensor(outType, o, x.dims)];
    };
  };
}

export interface BinarySpec {
  readonly float?: string;
  readonly int?: string;
  readonly bigint?: string;
  readonly bool?: string;
  readonly string?: string;
  /** Output type: same as the inputs' unless set ('bool' for comparisons). */
  readonly outType?: DataType;
  /** Whether the two inputs may differ in type (Pow: float base, int exponent). */
  readonly mixedTypes?: boolean;
  readonly params?: (ctx: KernelContext) => unknown;
}

/** Runs `expr` over two broadcast tensors and returns the output tensor. */
export function broadcastBinary(a: Tensor, b: Tensor, expr: string, outType: DataType, p?: unknown): Tensor {
  const dims = broadcastShapes(a.dims, b.dims);
  const size = sizeOf(dims);
  const half = isHalf(outType) || isHalf(a.type);
  const A = isHalf(a.type) ? floatData(a) : (a.data as ArrayLike<unknown>);
  const B = isHalf(b.type) ? floatData(b) : (b.data as ArrayLike<unknown>);
  const out = half && outType === a.type ? new Float32Array(size) : allocate(outType, size);
  if (size > 0) {
    const c = collapseBroadcast(dims, broadcastStrides(a.dims, dims), broadcastStrides(b.dims, dims));
    binaryLoop(expr)(A, B, out as { [i: number]: unknown }, c.dims, c.a, c.b, p);
  }
  if (half && outType === a.type) return floatTensor(outType, out as Float32Array, dims);
  return new Tensor(outType, out, dims);
}

/** A broadcasting binary elementwise kernel from per-type expressions over `a` and `b`. */
export function binary(spec: BinarySpec): (ctx: KernelContext) => Kernel {
  return (ctx) => {
    const p = spec.params?.(ctx);
    return (inputs: KernelInputs) => {
      const a = inputs[0] as Tensor;
      const b = inputs[1] as Tensor;
      if (!spec.mixedTypes && a.type !== b.type) {
        throw new TypeMismatchError(
          `${ctx.node.opType} inputs have different types: ${a.type} and ${b.type}`,
        );
      }
      const expr = a.type === 'string' ? spec.string : pick(spec, a.type);
      if (expr === undefined)
        throw new TypeMismatchError(`${ctx.node.opType} does not support ${a.type} inputs`);
      return [broadcastBinary(a, b, expr, spec.outType ?? a.type, p)];
    };
  };
}

/** Folds a variadic op (Sum, Max, Min, Mean) pairwise with broadcasting. */
export function variadic(
  spec: BinarySpec,
  finish?: (acc: Tensor, count: number) => Tensor,
): (ctx: KernelContext) => Kernel {
  return (ctx) => {
    const pair = binary(spec)(ctx);
    return (inputs, run) => {
      const xs = inputs.filter((x): x is Tensor => x !== undefined && x !== null) as Tensor[];
      if (xs.length === 0) throw new TypeMismatchError(`${ctx.node.opType} needs at least one input`);
      let acc = xs[0]!;
      if (xs.length === 1) acc = new Tensor(acc.type, acc.data.slice() as typeof acc.data, acc.dims);
      for (let i = 1; i < xs.length; i++) acc = pair([acc, xs[i]], run)[0] as Tensor;
      return [finish ? finish(acc, xs.length) : acc];
    };
  };
}
