import type { OperatorDef } from '../../kernel.js';
import { ATTENTION } from './attention.js';
import { ROTARY_EMBEDDING } from './rotary-embedding.js';
import { SWIGLU } from './swiglu.js';

export const ATTENTION_OPS: readonly OperatorDef[] = [...ATTENTION, ...ROTARY_EMBEDDING, ...SWIGLU];
