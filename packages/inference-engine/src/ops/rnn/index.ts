import type { OperatorDef } from '../../kernel.js';

export const RNN_OPS: readonly OperatorDef[] = [];
