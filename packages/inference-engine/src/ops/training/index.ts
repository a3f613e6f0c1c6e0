import type { OperatorDef } from '../../kernel.js';

export const TRAINING_OPS: readonly OperatorDef[] = [];
