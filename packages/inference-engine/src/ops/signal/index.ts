import type { OperatorDef } from '../../kernel.js';

export const SIGNAL_OPS: readonly OperatorDef[] = [];
