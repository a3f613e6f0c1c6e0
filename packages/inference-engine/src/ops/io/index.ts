import type { OperatorDef } from '../../kernel.js';

export const IO_OPS: readonly OperatorDef[] = [];
