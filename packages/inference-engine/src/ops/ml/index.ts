import type { OperatorDef } from '../../kernel.js';

export const ML_OPS: readonly OperatorDef[] = [];
