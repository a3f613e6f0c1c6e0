import type { OperatorDef } from '../../kernel.js';
import { AFFINE_GRID_OPS } from './affine-grid.js';
import { COL2IM_OPS } from './col2im.js';
import { GRID_SAMPLE_OPS } from './grid-sample.js';
import { NMS_OPS } from './nms.js';
import { RESIZE_OPS } from './resize.js';
import { ROI_ALIGN_OPS } from './roi-align.js';

/** Image resampling and detection kernels. */
export const IMAGE_OPS: readonly OperatorDef[] = [
  ...RESIZE_OPS,
  ...GRID_SAMPLE_OPS,
  ...AFFINE_GRID_OPS,
  ...ROI_ALIGN_OPS,
  ...COL2IM_OPS,
  ...NMS_OPS,
];
