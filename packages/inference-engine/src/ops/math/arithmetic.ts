import { type DataType, TypeMismatchError } from '@zai/common';
import { defineOp, type Kernel, type KernelContext, type OperatorDef } from '../../kernel.js';
import { type BinarySpec, binary, broadcastBinary } from '../util/elementwise.js';
import { isFloat } from '../util/float-io.js';
import {
  BIGINT_TYPES,
  broadcastShapeFn,
  INT32_TYPES,
  legacyBroadcast,
  sameAsInput,
  tensorInput,
} from './common.js';

// Add, Sub, Mul, Div, Mod, Pow. Integer results wrap like C: the loops
// compute in doubles (exact for 32-bit operands, Math.imul for products) and
// the typed-array store truncates to the element width; int64/uint64 use
// BigInt and the BigInt64Array store wraps modulo 2^64.

/** One row for opset 1-6 (legacy broadcast attributes) and one for 7+ (numpy broadcasting). */
function arith(opType: string, create: (ctx: KernelContext) => Kernel, from7 = '7+'): OperatorDef[] {
  return [
    defineOp(opType, '1-6', legacyBroadcast(create), '', sameAsInput()),
    defineOp(opType, from7, create, '', broadcastShapeFn()),
  ];
}

const ADD_SPEC: BinarySpec = { float: 'a + b', int: 'a + b', bigint: 'a + b' };
const SUB_SPEC: BinarySpec = { float: 'a - b', int: 'a - b', bigint: 'a - b' };
const MUL_SPEC: BinarySpec = { float: 'a * b', int: 'Math.imul(a, b)', bigint: 'a * b' };
// Integer division truncates toward zero; x/0 gives ±Infinity/NaN, stored as 0.
const DIV_SPEC: BinarySpec = {
  float: 'a / b',
  int: 'Math.trunc(a / b)',
  bigint: 'b === 0n ? 0n : a / b',
};

export const ADD = arith('Add', binary(ADD_SPEC));
export const SUB = arith('Sub', binary(SUB_SPEC));
export const MUL = arith('Mul', binary(MUL_SPEC));
export const DIV = arith('Div', binary(DIV_SPEC));

// fmod=1: C fmod (sign of the dividend), which JS `%` is. fmod=0: Python `%`
// (sign of the divisor): ((a % b) + b) % b, exact for integers.
const FMOD = binary({ float: 'a % b', int: 'a % b', bigint: 'b === 0n ? 0n : a % b' });
const PYMOD = binary({
  float: 'b === 0 ? a % b : ((a % b) + b) % b',
  int: '((a % b) + b) % b',
  bigint: 'b === 0n ? 0n : ((a % b) + b) % b',
});

export const MOD = [
  defineOp(
    'Mod',
    '10+',
    (ctx) => {
      const fmod = ctx.int('fmod', 0);
      if (fmod !== 0 && fmod !== 1) ctx.fail(`fmod must be 0 or 1, got ${fmod}`);
      return fmod === 1 ? FMOD(ctx) : PYMOD(ctx);
    },
    '',
    broadcastShapeFn(),
  ),
];

type NumClass = 'float' | 'int' | 'bigint';

function numClass(t: DataType, op: string): NumClass {
  if (isFloat(t)) return 'float';
  if (INT32_TYPES.has(t)) return 'int';
  if (BIGINT_TYPES.has(t)) return 'bigint';
  throw new TypeMismatchError(`${op} does not support ${t} inputs`);
}

/** Integer power by squaring, wrapping to 64 bits at each step; negative exponents truncate like C. */
function ipow(a: bigint, b: bigint): bigint {
  if (b < 0n) {
    if (a === 1n) return 1n;
    if (a === -1n) return b % 2n === 0n ? 1n : -1n;
    return 0n;
  }
  let result = 1n;
  let base = BigInt.asIntN(64, a);
  let e = b;
  while (e > 0n) {
    if (e & 1n) result = BigInt.asIntN(64, result * base);
    e >>= 1n;
    if (e > 0n) base = BigInt.asIntN(64, base * base);
  }
  return result;
}

/** A float power converted to a 64-bit integer result (truncated; non-finite → 0). */
function fpow(a: bigint, b: number): bigint {
  const r = Number(a) ** b;
  return Number.isFinite(r) ? BigInt(Math.trunc(r)) : 0n;
}

const POW_PARAMS = { ipow, fpow };

// Expressions by (base class, exponent class); the result has the base's type.
const POW_EXPR: Record<NumClass, Record<NumClass, string>> = {
  float: { float: 'Math.pow(a, b)', int: 'Math.pow(a, b)', bigint: 'Math.pow(a, Number(b))' },
  int: { float: 'Math.pow(a, b)', int: 'Math.pow(a, b)', bigint: 'Math.pow(a, Number(b))' },
  bigint: { float: 'p.fpow(a, b)', int: 'p.fpow(a, b)', bigint: 'p.ipow(a, b)' },
};

const powKernel = (ctx: KernelContext): Kernel => {
  // before opset 12 base and exponent share one type
  const sameType = ctx.opset < 12;
  return (inputs) => {
    const a = tensorInput(inputs, 0, 'Pow');
    const b = tensorInput(inputs, 1, 'Pow');
    if (sameType && a.type !== b.type) {
      throw new TypeMismatchError(`Pow-${ctx.opset} inputs must share a type, got ${a.type} and ${b.type}`);
    }
    const expr = POW_EXPR[numClass(a.type, 'Pow')][numClass(b.type, 'Pow')];
    return [broadcastBinary(a, b, expr, a.type, POW_PARAMS)];
  };
};

export const POW = arith('Pow', powKernel);
