import type { OperatorDef } from '../../kernel.js';
import { CAUSAL_CONV_WITH_STATE } from './causal-conv.js';
import { FLEX_ATTENTION } from './flex-attention.js';
import { LINEAR_ATTENTION } from './linear-attention.js';

/** Sequence-model building blocks: linear / flex attention and the stateful causal convolution. */
export const SEQUENCE_MODEL_OPS: readonly OperatorDef[] = [
  ...FLEX_ATTENTION,
  ...LINEAR_ATTENTION,
  ...CAUSAL_CONV_WITH_STATE,
];
