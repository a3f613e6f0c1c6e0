import type { OperatorDef } from '../../kernel.js';

export const SEQUENCE_OPS: readonly OperatorDef[] = [];
