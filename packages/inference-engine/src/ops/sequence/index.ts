import type { OperatorDef } from '../../kernel.js';
import { OPTIONAL, OPTIONAL_GET_ELEMENT, OPTIONAL_HAS_ELEMENT } from './optional.js';
import {
  SEQUENCE_AT,
  SEQUENCE_CONSTRUCT,
  SEQUENCE_EMPTY,
  SEQUENCE_ERASE,
  SEQUENCE_INSERT,
  SEQUENCE_LENGTH,
} from './sequence.js';
import { SEQUENCE_MAP } from './sequence-map.js';
import { CONCAT_FROM_SEQUENCE, SPLIT_TO_SEQUENCE } from './split-concat.js';

/** Sequence and optional kernels. */
export const SEQUENCE_OPS: readonly OperatorDef[] = [
  SEQUENCE_EMPTY,
  SEQUENCE_CONSTRUCT,
  SEQUENCE_INSERT,
  SEQUENCE_AT,
  SEQUENCE_ERASE,
  SEQUENCE_LENGTH,
  SPLIT_TO_SEQUENCE,
  CONCAT_FROM_SEQUENCE,
  SEQUENCE_MAP,
  OPTIONAL,
  OPTIONAL_HAS_ELEMENT,
  OPTIONAL_GET_ELEMENT,
];
