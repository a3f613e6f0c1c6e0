import { defineOp, type OperatorDef } from '../../kernel.js';
import { binary } from '../util/elementwise.js';
import { broadcastShapeFn, legacyBroadcast, sameAsInput } from './common.js';

// Comparisons produce bool tensors. Float16/bfloat16 inputs are compared as
// their decoded float32 values (exact), so NaN compares false everywhere.

function comparison(opType: string, op: string, from: number, withStrings = false): OperatorDef[] {
  const expr = `a ${op} b ? 1 : 0`;
  const create = binary({
    float: expr,
    int: expr,
    bigint: expr,
    bool: expr,
    ...(withStrings ? { string: expr } : {}),
    outType: 'bool',
  });
  const shapeFn = broadcastShapeFn('bool');
  if (from >= 7) return [defineOp(opType, `${from}+`, create, '', shapeFn)];
  return [
    defineOp(opType, '1-6', legacyBroadcast(create), '', sameAsInput('bool')),
    defineOp(opType, '7+', create, '', shapeFn),
  ];
}

export const EQUAL = comparison('Equal', '===', 1, true);
export const LESS = comparison('Less', '<', 1);
export const GREATER = comparison('Greater', '>', 1);
export const LESS_OR_EQUAL = comparison('LessOrEqual', '<=', 12);
export const GREATER_OR_EQUAL = comparison('GreaterOrEqual', '>=', 12);
