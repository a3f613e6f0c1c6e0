import type { OperatorDef } from '../../kernel.js';
import { OPTIMIZERS } from './optimizers.js';

export const TRAINING_OPS: readonly OperatorDef[] = [...OPTIMIZERS];
