import type { OperatorDef } from '../../kernel.js';

export const CONTROL_OPS: readonly OperatorDef[] = [];
