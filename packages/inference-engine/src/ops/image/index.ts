import type { OperatorDef } from '../../kernel.js';

export const IMAGE_OPS: readonly OperatorDef[] = [];
