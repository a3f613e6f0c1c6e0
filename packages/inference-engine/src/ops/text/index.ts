import type { OperatorDef } from '../../kernel.js';
import { REGEX_FULL_MATCH } from './regex-full-match.js';
import { STRING_CONCAT } from './string-concat.js';
import { STRING_NORMALIZER } from './string-normalizer.js';
import { STRING_SPLIT } from './string-split.js';
import { TFIDF_VECTORIZER } from './tfidf-vectorizer.js';

export const TEXT_OPS: readonly OperatorDef[] = [
  ...STRING_CONCAT,
  ...STRING_SPLIT,
  ...STRING_NORMALIZER,
  ...REGEX_FULL_MATCH,
  ...TFIDF_VECTORIZER,
];
