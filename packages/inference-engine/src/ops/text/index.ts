import type { OperatorDef } from '../../kernel.js';

export const TEXT_OPS: readonly OperatorDef[] = [];
