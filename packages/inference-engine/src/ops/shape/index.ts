import type { OperatorDef } from '../../kernel.js';
import { CONCAT_OPS } from './concat.js';
import { CONSTANT_OPS } from './constant.js';
import { EXPAND_OPS } from './expand.js';
import { GATHER_OPS } from './gather.js';
import { withShapeFns } from './infer.js';
import { PAD_OPS } from './pad.js';
import { RESHAPE_OPS } from './reshape.js';
import { SCATTER_OPS } from './scatter.js';
import { SELECT_OPS } from './select.js';
import { SLICE_OPS } from './slice.js';
import { TRANSPOSE_OPS } from './transpose.js';
import { UNIQUE_OPS } from './unique.js';

/** Shape, layout and indexing operators: every element type moves through them unconverted. */
export const SHAPE_OPS: readonly OperatorDef[] = withShapeFns([
  ...CONSTANT_OPS,
  ...RESHAPE_OPS,
  ...TRANSPOSE_OPS,
  ...CONCAT_OPS,
  ...SLICE_OPS,
  ...GATHER_OPS,
  ...SCATTER_OPS,
  ...EXPAND_OPS,
  ...PAD_OPS,
  ...SELECT_OPS,
  ...UNIQUE_OPS,
]);
