import type { OperatorDef } from '../../kernel.js';
import { BATCH_NORMALIZATION } from './batchnorm.js';
import { DROPOUT } from './dropout.js';
import { GROUP_NORMALIZATION } from './groupnorm.js';
import { LAYER_NORMALIZATION } from './layernorm.js';
import { LOSSES } from './loss.js';
import { LRN } from './lrn.js';
import { MVN } from './mvn.js';
import { SOFTMAX } from './softmax.js';

export const NORM_OPS: readonly OperatorDef[] = [
  ...SOFTMAX,
  ...BATCH_NORMALIZATION,
  ...LAYER_NORMALIZATION,
  ...GROUP_NORMALIZATION,
  ...LRN,
  ...MVN,
  ...DROPOUT,
  ...LOSSES,
];
