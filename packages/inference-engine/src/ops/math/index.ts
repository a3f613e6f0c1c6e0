import type { OperatorDef } from '../../kernel.js';
import { ACTIVATION_OPS } from './activation.js';
import { ADD, DIV, MOD, MUL, POW, SUB } from './arithmetic.js';
import {
  AND,
  BIT_SHIFT,
  BITWISE_AND,
  BITWISE_NOT,
  BITWISE_OR,
  BITWISE_XOR,
  NOT,
  OR,
  XOR,
} from './bitwise.js';
import { CLIP_OPS } from './clip.js';
import { EQUAL, GREATER, GREATER_OR_EQUAL, LESS, LESS_OR_EQUAL } from './compare.js';
import { ERF, GELU } from './erf.js';
import { UNARY_OPS } from './unary.js';
import { VARIADIC_OPS } from './variadic.js';
import { WHERE } from './where.js';

export const MATH_OPS: readonly OperatorDef[] = [
  // arithmetic: rows for opset 1-6 (legacy broadcast) and 7+
  ...ADD,
  ...SUB,
  ...MUL,
  ...DIV,
  ...POW,
  ...MOD,
  // bits and logic
  BIT_SHIFT,
  BITWISE_AND,
  BITWISE_OR,
  BITWISE_XOR,
  BITWISE_NOT,
  ...AND,
  ...OR,
  ...XOR,
  NOT,
  // comparisons
  ...EQUAL,
  ...LESS,
  ...GREATER,
  ...LESS_OR_EQUAL,
  ...GREATER_OR_EQUAL,
  // unary math and activations
  ...UNARY_OPS,
  ERF,
  GELU,
  ...ACTIVATION_OPS,
  ...CLIP_OPS,
  // variadic and selection
  ...VARIADIC_OPS,
  WHERE,
];
