import type { OperatorDef } from '../../kernel.js';
import { CONV_OPS } from './conv.js';
import { CONV_TRANSPOSE_OPS } from './conv-transpose.js';
import { DEFORM_CONV_OPS } from './deform-conv.js';
import { GEMM_OPS } from './gemm.js';
import { MATMUL_OPS } from './matmul.js';
import { POOL_OPS } from './pool.js';
import { MAX_UNPOOL_OPS } from './unpool.js';

export const NN_OPS: readonly OperatorDef[] = [
  ...MATMUL_OPS,
  ...GEMM_OPS,
  ...CONV_OPS,
  ...CONV_TRANSPOSE_OPS,
  ...DEFORM_CONV_OPS,
  ...POOL_OPS,
  ...MAX_UNPOOL_OPS,
];
