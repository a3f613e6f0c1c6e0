import type { OperatorDef } from '../../kernel.js';
import { ADD, RELU } from './basic.js';

export const MATH_OPS: readonly OperatorDef[] = [ADD, RELU];
