import { ShapeError, TypeMismatchError } from '@zai/common';
import { Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type ShapeFn } from '../../kernel.js';
import { tensorArg, typed } from './common.js';

// TfIdfVectorizer (9): counts the pool n-grams found in each row of X.
//
// The pool (pool_int64s or pool_strings) holds the 1-grams, then the 2-grams,
// …; ngram_counts[k] is the pool offset (in elements) where the (k+1)-grams
// start, and the i-th n-gram of the pool (counting n-grams, not elements) is
// added to output coordinate ngram_indexes[i]. An n-gram of length
// n >= 2 is taken at every start position with every skip s in
// [0, max_skip_count] (elements at stride s + 1); 1-grams are counted once per
// position whatever the skips. Only lengths in [min_gram_length,
// max_gram_length] are counted, and n-grams never cross rows of a 2-D input.
//
// Modes: TF writes the counts; IDF writes weights[j] where the count is > 0
// (1 without weights); TFIDF writes count * weights[j]. As in onnxruntime and
// the ONNX reference implementation, `weights` is indexed by output
// coordinate j (the same as by pool n-gram when ngram_indexes is 0..n-1).
//
// X [C] gives Y [max(ngram_indexes) + 1]; X [N, C] gives [N, max + 1].

const OP = 'TfIdfVectorizer';

/** A trie of pool n-grams: the node reached by n tokens holds the output coordinate of that n-gram. */
interface Trie {
  slot: number;
  readonly next: Map<string, Trie>;
}

const trie = (): Trie => ({ slot: -1, next: new Map() });

interface Config {
  readonly mode: 'TF' | 'IDF' | 'TFIDF';
  readonly minN: number;
  readonly maxN: number;
  readonly maxSkip: number;
  readonly size: number;
  readonly root: Trie;
  readonly strings: boolean;
  readonly weights: readonly number[] | undefined;
}

function configure(ctx: KernelContext): Config {
  const mode = ctx.string('mode');
  if (mode !== 'TF' && mode !== 'IDF' && mode !== 'TFIDF')
    ctx.fail(`mode must be TF, IDF or TFIDF, got '${mode}'`);
  const minN = ctx.int('min_gram_length');
  const maxN = ctx.int('max_gram_length');
  const maxSkip = ctx.int('max_skip_count');
  if (minN < 1 || maxN < minN) ctx.fail(`need 1 <= min_gram_length <= max_gram_length, got ${minN}, ${maxN}`);
  if (maxSkip < 0) ctx.fail(`max_skip_count must be >= 0, got ${maxSkip}`);
  const counts = ctx.ints('ngram_counts');
  const indexes = ctx.ints('ngram_indexes');
  const strings = ctx.has('pool_strings');
  if (strings === ctx.has('pool_int64s')) ctx.fail('exactly one of pool_strings and pool_int64s must be set');
  const pool = strings ? ctx.strings('pool_strings') : ctx.ints('pool_int64s').map(String);
  const root = trie();
  let id = 0;
  for (let k = 0; k < counts.length; k++) {
    const n = k + 1;
    const start = counts[k]!;
    const end = k + 1 < counts.length ? counts[k + 1]! : pool.length;
    if (start < 0 || end < start || end > pool.length || (end - start) % n !== 0) {
      ctx.fail(`ngram_counts [${counts}] does not split a pool of ${pool.length} into ${n}-grams`);
    }
    for (let p = start; p < end; p += n, id++) {
      let node = root;
      for (let j = 0; j < n; j++) {
        const tok = pool[p + j]!;
        let child = node.next.get(tok);
        if (!child) node.next.set(tok, (child = trie()));
        node = child;
      }
      const slot = indexes[id];
      if (slot === undefined || slot < 0) ctx.fail(`ngram_indexes has no valid entry for pool n-gram ${id}`);
      if (node.slot >= 0 && node.slot !== slot) ctx.fail(`pool n-gram ${id} repeats an earlier n-gram`);
      node.slot = slot;
    }
  }
  if (id !== indexes.length) ctx.fail(`ngram_indexes has ${indexes.length} entries for ${id} pool n-grams`);
  const size = indexes.length === 0 ? 0 : Math.max(...indexes) + 1;
  const weights = ctx.has('weights') ? ctx.floats('weights') : undefined;
  if (weights && weights.length < size) ctx.fail(`weights has ${weights.length} entries, need ${size}`);
  return { mode, minN, maxN, maxSkip, size, root, strings, weights };
}

/** Adds the counts of one row's n-grams into `freq`. */
function countRow(cfg: Config, tokens: readonly string[], freq: Float64Array): void {
  const n = tokens.length;
  for (let skip = 0; skip <= cfg.maxSkip; skip++) {
    const stride = skip + 1;
    // with skips, only n-grams of length >= 2 differ from the skip-0 pass
    const first = skip === 0 ? 1 : 2;
    if (skip > 0 && (cfg.maxN < 2 || stride >= n)) break;
    for (let i = 0; i < n; i++) {
      let node: Trie | undefined = cfg.root;
      for (let len = 1, at = i; len <= cfg.maxN && at < n; len++, at += stride) {
        node = node.next.get(tokens[at]!);
        if (!node) break;
        if (len >= first && len >= cfg.minN && node.slot >= 0) freq[node.slot]!++;
      }
    }
  }
}

function create(ctx: KernelContext): Kernel {
  const cfg = configure(ctx);
  return (inputs) => {
    const x = tensorArg(inputs, 0, OP, 'X');
    const ok = cfg.strings ? x.type === 'string' : x.type === 'int32' || x.type === 'int64';
    if (!ok) {
      const want = cfg.strings ? 'string (pool_strings)' : 'int32 or int64 (pool_int64s)';
      throw new TypeMismatchError(`${OP}: input X must be ${want}, got ${x.type}`);
    }
    const d = x.dims;
    if (d.length !== 1 && d.length !== 2) {
      throw new ShapeError(`${OP}: input must be 1-D or 2-D, got [${d.join(', ')}]`);
    }
    const rows = d.length === 1 ? 1 : d[0]!;
    const cols = d.length === 1 ? d[0]! : d[1]!;
    const data = x.data as ArrayLike<string | number | bigint>;
    const size = cfg.size;
    const y = new Float32Array(rows * size);
    const freq = new Float64Array(size);
    const tokens = new Array<string>(cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) tokens[c] = String(data[r * cols + c]);
      freq.fill(0);
      countRow(cfg, tokens, freq);
      const w = cfg.weights;
      for (let j = 0; j < size; j++) {
        const f = freq[j]!;
        const v = cfg.mode === 'TF' ? f : cfg.mode === 'IDF' ? (f > 0 ? 1 : 0) : f;
        y[r * size + j] = w && cfg.mode !== 'TF' ? v * w[j]! : v;
      }
    }
    return [new Tensor('float32', y, d.length === 1 ? [size] : [rows, size])];
  };
}

const shape: ShapeFn = (ctx) => {
  const s = ctx.shape(0);
  const indexes = ctx.ints('ngram_indexes', []);
  const size = indexes.length === 0 ? 0 : Math.max(...indexes) + 1;
  return [typed('float32', s ? (s.length === 2 ? [s[0]!, size] : [size]) : undefined)];
};

export const TFIDF_VECTORIZER = [defineOp('TfIdfVectorizer', '9+', create, '', shape)];
