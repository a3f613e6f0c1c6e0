import type { OperatorDef } from '../../kernel.js';
import { IMAGE_DECODER } from './image-decoder.js';

export const IO_OPS: readonly OperatorDef[] = [IMAGE_DECODER];
