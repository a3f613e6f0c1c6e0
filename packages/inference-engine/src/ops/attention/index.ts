import type { OperatorDef } from '../../kernel.js';

export const ATTENTION_OPS: readonly OperatorDef[] = [];
