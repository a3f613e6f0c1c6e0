import { dataTypeFromOnnx, type Shape, type ValueType } from '@zai/common';
import type { ShapeContext, ShapeFn } from '../../kernel.js';

// Static output types of the sequence and optional ops, for shape inference.

const INT64_SCALAR: ValueType = { kind: 'tensor', elemType: 'int64', shape: [] };
const BOOL_SCALAR: ValueType = { kind: 'tensor', elemType: 'bool', shape: [] };

export const sequenceOf = (elem: ValueType | null): ValueType => ({ kind: 'sequence', elem });

/** The element type of a sequence (or optional) type, null when unknown. */
function elementOf(t: ValueType | null | undefined, kind: 'sequence' | 'optional'): ValueType | null {
  return t && t.kind === kind ? t.elem : null;
}

/** A tensor type with the same element type and no shape (the shape depends on data). */
function shapeless(t: ValueType | null | undefined): ValueType | null {
  return t && t.kind === 'tensor' ? { kind: 'tensor', elemType: t.elemType } : null;
}

function sameShape(a: Shape | undefined, b: Shape | undefined): boolean {
  return !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);
}

export const sequenceEmptyType: ShapeFn = (ctx) => {
  const elemType = dataTypeFromOnnx(ctx.int('dtype', 1));
  return [sequenceOf(elemType ? { kind: 'tensor', elemType } : null)];
};

export const sequenceConstructType: ShapeFn = (ctx) => {
  const first = ctx.input(0);
  if (first?.kind !== 'tensor') return [sequenceOf(null)];
  // keep the shape only when every input has it
  const all = Array.from({ length: ctx.inputCount }, (_, i) => ctx.shape(i));
  return [sequenceOf(all.every((s) => sameShape(s, first.shape)) ? first : shapeless(first))];
};

export const sequenceInsertType: ShapeFn = (ctx) => {
  const seq = ctx.input(0);
  const elem = elementOf(seq, 'sequence');
  const t = ctx.input(1);
  if (!elem) return [sequenceOf(shapeless(t))];
  return [
    elem.kind === 'tensor' && t?.kind === 'tensor' && sameShape(elem.shape, t.shape)
      ? seq!
      : sequenceOf(shapeless(elem)),
  ];
};

export const sameSequenceType: ShapeFn = (ctx) => [ctx.input(0) ?? null];

export const sequenceAtType: ShapeFn = (ctx) => [elementOf(ctx.input(0), 'sequence')];

export const sequenceLengthType: ShapeFn = () => [INT64_SCALAR];

export const splitToSequenceType: ShapeFn = (ctx) => [sequenceOf(shapeless(ctx.input(0)))];

export const concatFromSequenceType: ShapeFn = (ctx) => [shapeless(elementOf(ctx.input(0), 'sequence'))];

/** SequenceMap: a sequence of each body output's declared type. */
export const sequenceMapType: ShapeFn = (ctx) => {
  const body = ctx.node.attributes.find((a) => a.name === 'body');
  if (body?.type !== 'graph') return [];
  return body.value.outputs.map((o) => sequenceOf(o.type));
};

export const optionalType: ShapeFn = (ctx: ShapeContext) => {
  if (ctx.hasInput(0)) return [{ kind: 'optional', elem: ctx.input(0) ?? null }];
  const attr = ctx.node.attributes.find((a) => a.name === 'type');
  return [{ kind: 'optional', elem: attr?.type === 'type_proto' ? attr.value : null }];
};

export const optionalHasElementType: ShapeFn = () => [BOOL_SCALAR];

export const optionalGetElementType: ShapeFn = (ctx) => {
  const t = ctx.input(0);
  return [t && t.kind === 'optional' ? t.elem : (t ?? null)];
};
