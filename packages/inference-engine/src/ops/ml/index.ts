import type { OperatorDef } from '../../kernel.js';
import { ARRAY_FEATURE_EXTRACTOR } from './array-feature-extractor.js';
import { ENCODERS } from './encoders.js';
import { LABEL_ENCODER } from './label-encoder.js';
import { LINEAR } from './linear.js';
import { PREPROCESS } from './preprocess.js';
import { SVM } from './svm.js';
import { TREE_ENSEMBLE } from './tree-ensemble.js';
import { TREE_ENSEMBLE_LEGACY } from './tree-legacy.js';

/** ai.onnx.ml operators. */
export const ML_OPS: readonly OperatorDef[] = [
  ...ARRAY_FEATURE_EXTRACTOR,
  ...PREPROCESS,
  ...LABEL_ENCODER,
  ...ENCODERS,
  ...TREE_ENSEMBLE,
  ...TREE_ENSEMBLE_LEGACY,
  ...LINEAR,
  ...SVM,
];
