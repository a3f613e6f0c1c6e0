import { defineOp, type OperatorDef } from '../../kernel.js';
import { type UnarySpec, unary } from '../util/elementwise.js';
import { sameAsInput } from './common.js';

// Unary elementwise math. Values are computed in double precision and
// rounded once when stored (float32 arrays, or the float16/bfloat16 encode).

const op = (opType: string, versions: string, spec: UnarySpec): OperatorDef =>
  defineOp(opType, versions, unary(spec), '', sameAsInput(spec.outType));

/** A float-only op from one Math function. */
const math = (opType: string, versions: string, fn: string): OperatorDef =>
  op(opType, versions, { float: `Math.${fn}(x)` });

export const NEG = op('Neg', '1+', { float: '-x', int: '-x', bigint: '-x' });
export const ABS = op('Abs', '1+', {
  float: 'Math.abs(x)',
  int: 'x < 0 ? -x : x',
  bigint: 'x < 0n ? -x : x',
});
export const RECIPROCAL = op('Reciprocal', '1+', { float: '1 / x' });
export const FLOOR = math('Floor', '1+', 'floor');
export const CEIL = math('Ceil', '1+', 'ceil');
// Half to even: an exact half rounds to 2 * round(x / 2), the even neighbour.
export const ROUND = op('Round', '11+', {
  float: 'x - Math.floor(x) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x)',
});
export const SQRT = math('Sqrt', '1+', 'sqrt');
export const EXP = math('Exp', '1+', 'exp');
export const LOG = math('Log', '1+', 'log');
// NaN and ±0 pass through for floats.
export const SIGN = op('Sign', '9+', {
  float: 'x > 0 ? 1 : x < 0 ? -1 : x',
  int: 'x > 0 ? 1 : x < 0 ? -1 : 0',
  bigint: 'x > 0n ? 1n : x < 0n ? -1n : 0n',
});

export const SIN = math('Sin', '7+', 'sin');
export const COS = math('Cos', '7+', 'cos');
export const TAN = math('Tan', '7+', 'tan');
export const ASIN = math('Asin', '7+', 'asin');
export const ACOS = math('Acos', '7+', 'acos');
export const ATAN = math('Atan', '7+', 'atan');
export const SINH = math('Sinh', '9+', 'sinh');
export const COSH = math('Cosh', '9+', 'cosh');
export const ASINH = math('Asinh', '9+', 'asinh');
export const ACOSH = math('Acosh', '9+', 'acosh');
export const ATANH = math('Atanh', '9+', 'atanh');

export const IS_NAN = op('IsNaN', '9+', { float: 'x !== x ? 1 : 0', outType: 'bool' });
export const IS_INF = op('IsInf', '10+', {
  float: '(x === Infinity && p.pos) || (x === -Infinity && p.neg) ? 1 : 0',
  outType: 'bool',
  params: (ctx) => ({
    pos: ctx.int('detect_positive', 1) !== 0,
    neg: ctx.int('detect_negative', 1) !== 0,
  }),
});

export const UNARY_OPS: readonly OperatorDef[] = [
  NEG,
  ABS,
  RECIPROCAL,
  FLOOR,
  CEIL,
  ROUND,
  SQRT,
  EXP,
  LOG,
  SIGN,
  SIN,
  COS,
  TAN,
  ASIN,
  ACOS,
  ATAN,
  SINH,
  COSH,
  ASINH,
  ACOSH,
  ATANH,
  IS_NAN,
  IS_INF,
];
