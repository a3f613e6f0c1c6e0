import type { OperatorDef } from '../../kernel.js';

export const NN_OPS: readonly OperatorDef[] = [];
