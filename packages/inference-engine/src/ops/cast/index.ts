import type { OperatorDef } from '../../kernel.js';
import { BITCAST } from './bitcast.js';
import { CAST, CAST_LIKE } from './cast.js';
import { DEQUANTIZE_LINEAR } from './dequantize.js';
import { DYNAMIC_QUANTIZE_LINEAR } from './dynamic-quantize.js';
import { QUANTIZE_LINEAR } from './quantize.js';

export const CAST_OPS: readonly OperatorDef[] = [
  CAST,
  CAST_LIKE,
  BITCAST,
  QUANTIZE_LINEAR,
  DEQUANTIZE_LINEAR,
  DYNAMIC_QUANTIZE_LINEAR,
];
