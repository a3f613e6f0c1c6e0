import type { OperatorDef } from '../../kernel.js';

export const REDUCE_OPS: readonly OperatorDef[] = [];
