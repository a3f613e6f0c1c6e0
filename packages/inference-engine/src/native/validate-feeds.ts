import {
  InvalidArgumentError,
  ShapeError,
  TypeMismatchError,
  type ValueMetadata,
  type ValueType,
} from '@zai/common';
import { isTensor } from '@zai/tensor-core';
import type { RuntimeValue } from '../kernel.js';

function describe(v: RuntimeValue): string {
  if (v === null) return 'an absent optional (null)';
  if (Array.isArray(v)) return 'a sequence';
  if (v instanceof Map) return 'a map';
  return `a ${v.type} tensor [${v.dims.join(',')}]`;
}

/** Checks a fed value against the declared type of a graph input; names the input in every error. */
export function checkFeed(meta: ValueMetadata, v: RuntimeValue): void {
  const t = meta.type;
  if (!t) return;
  checkValue(meta.name, t, v);
}

function checkValue(name: string, t: ValueType, v: RuntimeValue): void {
  switch (t.kind) {
    case 'tensor':
    case 'sparse_tensor': {
      if (!isTensor(v))
        throw new TypeMismatchError(`input '${name}' expects a ${t.elemType} tensor, got ${describe(v)}`);
      if (v.type !== t.elemType) {
        throw new TypeMismatchError(`input '${name}' expects element type ${t.elemType}, got ${v.type}`);
      }
      if (t.shape) {
        if (t.shape.length !== v.dims.length) {
          throw new ShapeError(
            `input '${name}' expects rank ${t.shape.length} [${t.shape.map((d) => d ?? '?').join(',')}], got [${v.dims.join(',')}]`,
          );
        }
        t.shape.forEach((d, i) => {
          if (typeof d === 'number' && d >= 0 && d !== v.dims[i]) {
            throw new ShapeError(
              `input '${name}' dimension ${i} must be ${d} (declared [${t.shape!.map((x) => x ?? '?').join(',')}]), got [${v.dims.join(',')}]`,
            );
          }
        });
      }
      return;
    }
    case 'sequence':
      if (!Array.isArray(v))
        throw new TypeMismatchError(`input '${name}' expects a sequence, got ${describe(v)}`);
      if (t.elem) for (const e of v) checkValue(`${name}[]`, t.elem, e);
      return;
    case 'map':
      if (!(v instanceof Map))
        throw new TypeMismatchError(`input '${name}' expects a map, got ${describe(v)}`);
      return;
    case 'optional':
      if (v !== null && t.elem) checkValue(name, t.elem, v);
      return;
  }
}

export function unknownFeed(name: string, known: readonly string[]): never {
  throw new InvalidArgumentError(
    `'${name}' is not an input of this model (inputs: ${known.join(', ') || 'none'})`,
  );
}
