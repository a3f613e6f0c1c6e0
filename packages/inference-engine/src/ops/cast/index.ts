import type { OperatorDef } from '../../kernel.js';

export const CAST_OPS: readonly OperatorDef[] = [];
