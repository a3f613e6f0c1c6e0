import type { OperatorDef } from '../kernel.js';
import { CAST_OPS } from './cast/index.js';
import { CONTROL_OPS } from './control/index.js';
import { IMAGE_OPS } from './image/index.js';
import { MATH_OPS } from './math/index.js';
import { NN_OPS } from './nn/index.js';
import { NORM_OPS } from './norm/index.js';
import { REDUCE_OPS } from './reduce/index.js';
import { SEQUENCE_OPS } from './sequence/index.js';
import { SHAPE_OPS } from './shape/index.js';

/** Every built-in kernel, one table row per (op type, domain, versions). */
export const BUILTIN_OPERATORS: readonly OperatorDef[] = [
  ...MATH_OPS,
  ...NN_OPS,
  ...NORM_OPS,
  ...REDUCE_OPS,
  ...SHAPE_OPS,
  ...CAST_OPS,
  ...IMAGE_OPS,
  ...CONTROL_OPS,
  ...SEQUENCE_OPS,
];
