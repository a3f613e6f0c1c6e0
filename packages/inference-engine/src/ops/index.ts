import type { OperatorDef } from '../kernel.js';
import { ATTENTION_OPS } from './attention/index.js';
import { CAST_OPS } from './cast/index.js';
import { CONTROL_OPS } from './control/index.js';
import { IMAGE_OPS } from './image/index.js';
import { IO_OPS } from './io/index.js';
import { MATH_OPS } from './math/index.js';
import { ML_OPS } from './ml/index.js';
import { NN_OPS } from './nn/index.js';
import { NORM_OPS } from './norm/index.js';
import { REDUCE_OPS } from './reduce/index.js';
import { RNN_OPS } from './rnn/index.js';
import { SEQUENCE_OPS } from './sequence/index.js';
import { SEQUENCE_MODEL_OPS } from './sequence-models/index.js';
import { SHAPE_OPS } from './shape/index.js';
import { SIGNAL_OPS } from './signal/index.js';
import { TEXT_OPS } from './text/index.js';
import { TRAINING_OPS } from './training/index.js';

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
  ...RNN_OPS,
  ...ATTENTION_OPS,
  ...SEQUENCE_MODEL_OPS,
  ...SIGNAL_OPS,
  ...TEXT_OPS,
  ...ML_OPS,
  ...TRAINING_OPS,
  ...IO_OPS,
];
