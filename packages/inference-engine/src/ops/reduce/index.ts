import type { OperatorDef } from '../../kernel.js';
import { ARG_ROWS } from './argminmax.js';
import { CUMULATIVE_ROWS } from './cumulative.js';
import { DET_ROWS } from './det.js';
import { EINSUM_ROWS } from './einsum.js';
import { REDUCE_ROWS } from './reduce.js';
import { TOPK_ROWS } from './topk.js';

export const REDUCE_OPS: readonly OperatorDef[] = [
  // ReduceSum/Mean/Max/Min/Prod/L1/L2/LogSum/LogSumExp/SumSquare: attribute axes, then input axes
  ...REDUCE_ROWS,
  // ArgMax, ArgMin
  ...ARG_ROWS,
  // CumSum, CumProd
  ...CUMULATIVE_ROWS,
  ...TOPK_ROWS,
  ...EINSUM_ROWS,
  ...DET_ROWS,
];
