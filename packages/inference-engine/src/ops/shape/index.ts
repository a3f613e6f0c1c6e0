import type { OperatorDef } from '../../kernel.js';

export const SHAPE_OPS: readonly OperatorDef[] = [];
