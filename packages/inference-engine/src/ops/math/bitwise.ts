import { defineOp, type OperatorDef } from '../../kernel.js';
import { binary, unary } from '../util/elementwise.js';
import { broadcastShapeFn, legacyBroadcast, sameAsInput } from './common.js';

// Bit and boolean logic. 32-bit-or-narrower integers use JS int32 bit ops:
// the typed-array store keeps the low bits, so uint32 results come out right
// even though `a & b` is signed. BigInt ops are two's complement, so they
// serve int64 and uint64 alike.

// JS masks shift counts to 5 bits; C-style shifts past the width give 0.
const SHIFT_LEFT = binary({ int: 'b > 31 ? 0 : a << b', bigint: 'b > 63n ? 0n : a << b' });
const SHIFT_RIGHT = binary({ int: 'b > 31 ? 0 : a >>> b', bigint: 'a >> b' });

export const BIT_SHIFT = defineOp(
  'BitShift',
  '11+',
  (ctx) => {
    const dir = ctx.string('direction');
    if (dir === 'LEFT') return SHIFT_LEFT(ctx);
    if (dir === 'RIGHT') return SHIFT_RIGHT(ctx);
    return ctx.fail(`direction must be "LEFT" or "RIGHT", got "${dir}"`);
  },
  '',
  broadcastShapeFn(),
);

const bitwise = (opType: string, op: string): OperatorDef =>
  defineOp(opType, '18+', binary({ int: `a ${op} b`, bigint: `a ${op} b` }), '', broadcastShapeFn());

export const BITWISE_AND = bitwise('BitwiseAnd', '&');
export const BITWISE_OR = bitwise('BitwiseOr', '|');
export const BITWISE_XOR = bitwise('BitwiseXor', '^');
export const BITWISE_NOT = defineOp(
  'BitwiseNot',
  '18+',
  unary({ int: '~x', bigint: '~x' }),
  '',
  sameAsInput(),
);

/** Boolean And/Or/Xor: legacy broadcast attributes before opset 7. */
const logical = (opType: string, op: string): OperatorDef[] => {
  const create = binary({ bool: `a ${op} b` });
  return [
    defineOp(opType, '1-6', legacyBroadcast(create), '', sameAsInput()),
    defineOp(opType, '7+', create, '', broadcastShapeFn()),
  ];
};

export const AND = logical('And', '&');
export const OR = logical('Or', '|');
export const XOR = logical('Xor', '^');
export const NOT = defineOp('Not', '1+', unary({ bool: '1 - x' }), '', sameAsInput());
