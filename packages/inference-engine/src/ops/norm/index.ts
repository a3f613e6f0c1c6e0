import type { OperatorDef } from '../../kernel.js';

export const NORM_OPS: readonly OperatorDef[] = [];
