import type { DataType } from '@zai/common';
import { graph, model, node, tensorInfo } from '@zai/onnx-parser';
import { describe, expect, it } from 'vitest';
import { defaultRegistry, inferTypes, Tensor } from '../../src/index.js';
import { type Attrs, outputNames, runNodeTensors } from './run-node.js';

/** Runs one node through a native session; `outTypes` types the outputs. */
async function runOp(
  opType: string,
  inputs: readonly Tensor[],
  attrs: Attrs,
  opset: number,
  outTypes: readonly DataType[],
): Promise<Tensor[]> {
  return runNodeTensors(opType, inputs, attrs, {
    opset,
    outputs: outputNames(outTypes.length),
    outputTypes: outTypes,
  });
}

const str = (values: readonly string[], dims: readonly number[] = [values.length]) =>
  new Tensor('string', values.slice(), dims);
const i32 = (values: readonly number[], dims: readonly number[] = [values.length]) =>
  new Tensor('int32', Int32Array.from(values), dims);
const strings = (t: Tensor) => t.data as string[];
const numbers = (t: Tensor) => Array.from(t.data as ArrayLike<number | bigint>, Number);

const concat = async (x: Tensor, y: Tensor) => (await runOp('StringConcat', [x, y], {}, 20, ['string']))[0]!;
const split = (x: Tensor, attrs: Attrs = {}) => runOp('StringSplit', [x], attrs, 20, ['string', 'int64']);
const normalize = async (x: Tensor, attrs: Attrs) =>
  (await runOp('StringNormalizer', [x], attrs, 10, ['string']))[0]!;
const tfidf = async (x: Tensor, attrs: Attrs) =>
  (await runOp('TfIdfVectorizer', [x], attrs, 9, ['float32']))[0]!;

/** Full-match results of `pattern` on each subject. */
async function fullMatch(pattern: string, subjects: readonly string[]): Promise<boolean[]> {
  const [y] = await runOp('RegexFullMatch', [str(subjects)], { pattern }, 20, ['bool']);
  expect(y!.type).toBe('bool');
  return numbers(y!).map((v) => v === 1);
}

describe('StringConcat', () => {
  it('concatenates elementwise, keeping multi-byte characters whole', async () => {
    const z = await concat(str(['abc', '', '的', '😀']), str(['.com', 'x', '中', '!']));
    expect(strings(z)).toEqual(['abc.com', 'x', '的中', '😀!']);
  });

  it('broadcasts both ways, scalars included', async () => {
    const z = await concat(str(['a', 'b'], [2, 1]), str(['1', '2', '3']));
    expect(z.dims).toEqual([2, 3]);
    expect(strings(z)).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'b3']);
    const s = await concat(str(['cat'], []), str(['s'], []));
    expect(s.dims).toEqual([]);
    expect(strings(s)).toEqual(['cats']);
    const e = await concat(str([], [0, 2]), str(['x'], [1]));
    expect(e.dims).toEqual([0, 2]);
  });

  it('rejects shapes that do not broadcast and non-string inputs', async () => {
    await expect(concat(str(['a', 'b']), str(['a', 'b', 'c']))).rejects.toMatchObject({ code: 'ZAI_SHAPE' });
    await expect(concat(str(['a']), i32([1]))).rejects.toThrow();
  });
});

describe('StringSplit', () => {
  it('splits on a multi-character delimiter, keeping empty pieces, padding Y with ""', async () => {
    const [y, z] = await split(str(['a--b----c', '--', '', 'abc']), { delimiter: '--' });
    expect(y!.dims).toEqual([4, 4]);
    expect(strings(y!)).toEqual(['a', 'b', '', 'c', '', '', '', '', '', '', '', '', 'abc', '', '', '']);
    expect(numbers(z!)).toEqual([4, 2, 1, 1]);
  });

  it('limits the splits with maxsplit, the rest staying whole', async () => {
    const [y, z] = await split(str(['a.b.c.d', 'a']), { delimiter: '.', maxsplit: 2 });
    expect(strings(y!)).toEqual(['a', 'b', 'c.d', 'a', '', '']);
    expect(numbers(z!)).toEqual([3, 1]);
    const [y0] = await split(str(['a.b']), { delimiter: '.', maxsplit: 0 });
    expect(strings(y0!)).toEqual(['a.b']);
  });

  it('splits on whitespace runs (Unicode whitespace too) without a delimiter', async () => {
    const [y, z] = await split(str(['  a\tb\u3000c \n', '', '   ', 'x\u00a0y']));
    expect(y!.dims).toEqual([4, 3]);
    expect(strings(y!)).toEqual(['a', 'b', 'c', '', '', '', '', '', '', 'x', 'y', '']);
    expect(numbers(z!)).toEqual([3, 0, 0, 2]);
  });

  it('keeps the rest after maxsplit in whitespace mode, leading blanks dropped and trailing kept', async () => {
    const [y, z] = await split(str([' a  b  c ', 'the quick brown fox'], [1, 2]), {
      delimiter: '',
      maxsplit: 1,
    });
    expect(y!.dims).toEqual([1, 2, 2]);
    expect(strings(y!)).toEqual(['a', 'b  c ', 'the', 'quick brown fox']);
    expect(z!.dims).toEqual([1, 2]);
    expect(numbers(z!)).toEqual([2, 2]);
  });

  it('gives a trailing axis of 0 for empty input', async () => {
    const [y, z] = await split(str([], [2, 0]), { delimiter: ',' });
    expect(y!.dims).toEqual([2, 0, 0]);
    expect(z!.dims).toEqual([2, 0]);
  });
});

describe('StringNormalizer', () => {
  const week = ['Monday', 'tuesday', 'MONDAY', 'Straße', ''];

  it('drops stop words case-insensitively by default and lower-cases', async () => {
    const y = await normalize(str(week), { stopwords: ['monday'], case_change_action: 'LOWER' });
    expect(strings(y)).toEqual(['tuesday', 'straße', '']);
  });

  it('matches stop words exactly when case-sensitive, and upper-cases with full mappings', async () => {
    const y = await normalize(str(week, [1, 5]), {
      stopwords: ['monday', 'MONDAY'],
      is_case_sensitive: 1,
      case_change_action: 'UPPER',
    });
    expect(y.dims).toEqual([1, 4]);
    expect(strings(y)).toEqual(['MONDAY', 'TUESDAY', 'STRASSE', '']);
  });

  it('gives [""] shaped [1] or [1, 1] when everything is dropped', async () => {
    const a = await normalize(str(['a', 'A']), { stopwords: ['a'] });
    expect(a.dims).toEqual([1]);
    expect(strings(a)).toEqual(['']);
    const b = await normalize(str(['a'], [1, 1]), { stopwords: ['A'] });
    expect(b.dims).toEqual([1, 1]);
    expect(strings(b)).toEqual(['']);
  });

  it('follows the locale: Turkish dotted i, C locale ASCII only, POSIX and BCP 47 names', async () => {
    const tr = await normalize(str(['istanbul', 'IRMAK']), {
      case_change_action: 'UPPER',
      locale: 'tr_TR.UTF-8',
    });
    expect(strings(tr)).toEqual(['İSTANBUL', 'IRMAK']);
    const trLow = await normalize(str(['IRMAK']), { case_change_action: 'LOWER', locale: 'tr' });
    expect(strings(trLow)).toEqual(['ırmak']);
    const c = await normalize(str(['café']), { case_change_action: 'UPPER', locale: 'C' });
    expect(strings(c)).toEqual(['CAFé']);
    const us = await normalize(str(['café']), { case_change_action: 'UPPER', locale: 'en-US' });
    expect(strings(us)).toEqual(['CAFÉ']);
  });

  it('rejects bad attributes and inputs other than [C] and [1, C]', async () => {
    await expect(normalize(str(['a']), { locale: 'not a locale!' })).rejects.toThrow(/locale/);
    await expect(normalize(str(['a']), { case_change_action: 'TITLE' })).rejects.toThrow(
      /case_change_action/,
    );
    await expect(normalize(str(['a', 'b'], [2, 1]), {})).rejects.toMatchObject({ code: 'ZAI_SHAPE' });
  });
});

describe('RegexFullMatch', () => {
  it('matches the whole string, backtracking through alternatives, and keeps the shape', async () => {
    expect(await fullMatch('a|ab', ['a', 'ab', 'abc', ''])).toEqual([true, true, false, false]);
    const [y] = await runOp('RegexFullMatch', [str(['x', 'y', 'xx', ''], [2, 2])], { pattern: 'x+' }, 20, [
      'bool',
    ]);
    expect(y!.dims).toEqual([2, 2]);
    expect(numbers(y!)).toEqual([1, 0, 1, 0]);
    const [e] = await runOp('RegexFullMatch', [str([], [2, 0])], { pattern: 'x' }, 20, ['bool']);
    expect(e!.dims).toEqual([2, 0]);
  });

  it('uses RE2 meanings where JavaScript differs: ASCII \\s \\d \\w, dot, $', async () => {
    expect(await fullMatch('\\s', [' ', '\t', '\v', '\u00a0', '\u2028'])).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(await fullMatch('[[:space:]]', ['\v'])).toEqual([true]);
    expect(await fullMatch('\\d\\w', ['1a', '٣a', '1é'])).toEqual([true, false, false]);
    expect(await fullMatch('a.b', ['a\rb', 'a\u2028b', 'a\nb', 'a😀b'])).toEqual([true, true, false, true]);
    expect(await fullMatch('(?s)a.b', ['a\nb'])).toEqual([true]);
    expect(await fullMatch('a$', ['a', 'a\n'])).toEqual([true, false]);
    expect(await fullMatch('(?m)a$\\n^b', ['a\nb'])).toEqual([true]);
    expect(await fullMatch('(?m)a$\\r\\n^b', ['a\r\nb'])).toEqual([false]);
    expect(await fullMatch('(?m)a\\r$\\n^b', ['a\r\nb'])).toEqual([true]);
    expect(await fullMatch('(?m)a$.b', ['a\rb', 'a\u2028b'])).toEqual([false, false]);
  });

  it('reads RE2 syntax: \\Q..\\E, octal and hex escapes, POSIX and Unicode classes, counted repeats', async () => {
    expect(await fullMatch('\\Q.*\\E+', ['.*', '.**', 'ab'])).toEqual([true, true, false]);
    expect(await fullMatch('\\101\\x42\\x{1F600}', ['AB😀'])).toEqual([true]);
    expect(await fullMatch('[[:alpha:][:digit:]]+', ['ab12', 'ab_'])).toEqual([true, false]);
    expect(await fullMatch('\\p{Greek}+\\PL', ['αβ1', 'ab1'])).toEqual([true, false]);
    expect(await fullMatch('[\\p{^Greek}]\\pN', ['a1', 'α1'])).toEqual([true, false]);
    expect(await fullMatch('a{,2}', ['a{,2}', 'aa'])).toEqual([true, false]);
    expect(await fullMatch('a{2,3}', ['a', 'aa', 'aaa', 'aaaa'])).toEqual([false, true, true, false]);
    expect(await fullMatch('(?U)a+b', ['aab'])).toEqual([true]);
    expect(await fullMatch('(?P<user>[\\w.]+)@(?P<host>\\w+)\\.com', ['a.b@mail.com', 'a@b.org'])).toEqual([
      true,
      false,
    ]);
  });

  it('scopes (?i) as RE2 does, folding with Unicode simple case folding', async () => {
    expect(await fullMatch('a(?i)b', ['ab', 'aB', 'AB'])).toEqual([true, true, false]);
    expect(await fullMatch('(?i:a)b', ['Ab', 'AB'])).toEqual([true, false]);
    expect(await fullMatch('x(?i)k', ['xK', 'x\u212a', 'Xk'])).toEqual([true, true, false]);
    expect(await fullMatch('(?i)σ+', ['Σςσ'])).toEqual([true]);
    expect(await fullMatch('(?i)\\P{Lu}', ['a', 'A', '1'])).toEqual([false, false, true]);
    expect(await fullMatch('(?i)[^k]', ['K', '\u212a', 'x'])).toEqual([false, false, true]);
    // \b stays ASCII under (?i): U+017F is no word character for RE2
    expect(await fullMatch('(?i)s\\b.', ['s\u017f', 'ss'])).toEqual([true, false]);
  });

  it('rejects patterns that RE2 rejects, with the reason', async () => {
    const bad: [string, RegExp][] = [
      ['(?=a)a', /lookahead/],
      ['(?<=a)b', /lookbehind/],
      ['(a)\\1', /backreference/],
      ['a**', /repetition/],
      ['a++', /repetition/],
      ['a{1001}', /repetition/],
      ['(a{100}){100}', /nested counted repetitions/],
      ['*a', /missing argument/],
      ['(a', /missing closing \)/],
      ['a)', /unexpected \)/],
      ['[a', /missing closing \]/],
      ['[z-a]', /class range/],
      ['\\p{Foo}', /unknown Unicode class/],
      ['\\p{Grek}', /unknown Unicode class/],
      ['[[:foo:]]', /POSIX class/],
      ['\\Z', /invalid escape/],
      ['(?x)a', /Perl group/],
    ];
    for (const [pattern, why] of bad) {
      await expect(fullMatch(pattern, ['a']), pattern).rejects.toMatchObject({ code: 'ZAI_VALIDATION' });
      await expect(fullMatch(pattern, ['a']), pattern).rejects.toThrow(why);
    }
  });

  it('reports \\C (one byte) as unsupported rather than invalid', async () => {
    await expect(fullMatch('a\\C', ['ab'])).rejects.toMatchObject({ code: 'ZAI_UNSUPPORTED_OPERATOR' });
    await expect(fullMatch('a\\C', ['ab'])).rejects.toThrow(/\\C .*single byte/);
  });
});

describe('TfIdfVectorizer', () => {
  const pool = {
    ngram_counts: [0, 3],
    pool_strings: ['a', 'b', 'c', 'a', 'b', 'b', 'c'],
    min_gram_length: 1,
    max_gram_length: 2,
    max_skip_count: 0,
  };

  it('counts string n-grams (TF) into the slots of ngram_indexes', async () => {
    const y = await tfidf(str(['a', 'b', 'c', 'a', 'b']), {
      ...pool,
      mode: 'TF',
      ngram_indexes: [4, 3, 2, 1, 0],
    });
    // a=2 → slot 4, b=2 → 3, c=1 → 2, ab=2 → 1, bc=1 → 0
    expect(numbers(y)).toEqual([1, 2, 1, 2, 2]);
  });

  it('weights by output coordinate in IDF and TFIDF modes, per row of a 2-D input', async () => {
    const attrs = { ...pool, ngram_indexes: [0, 1, 2, 3, 4], weights: { floats: [0.5, 2, 1, 3, 10] } };
    const x = str(['a', 'b', 'a', 'c', 'c', 'c'], [2, 3]);
    const idf = await tfidf(x, { ...attrs, mode: 'IDF' });
    expect(idf.dims).toEqual([2, 5]);
    expect(numbers(idf)).toEqual([0.5, 2, 0, 3, 0, 0, 0, 1, 0, 0]);
    const both = await tfidf(x, { ...attrs, mode: 'TFIDF' });
    expect(numbers(both)).toEqual([1, 2, 0, 3, 0, 0, 0, 3, 0, 0]);
  });

  it('takes n-grams with skips up to max_skip_count, 1-grams once per position', async () => {
    const y = await tfidf(i32([1, 2, 9, 1, 9, 2]), {
      mode: 'TF',
      ngram_counts: [0, 1],
      ngram_indexes: [0, 1],
      pool_int64s: [1, 1, 2],
      min_gram_length: 1,
      max_gram_length: 2,
      max_skip_count: 2,
    });
    // 1 at 0 and 3; (1,2) with skip 0 at 0 and with skip 1 at 3
    expect(numbers(y)).toEqual([2, 2]);
  });

  it('rejects a mismatched input type and an inconsistent pool', async () => {
    const base = { mode: 'TF', min_gram_length: 1, max_gram_length: 1, max_skip_count: 0 };
    const ints = { ...base, ngram_counts: [0], ngram_indexes: [0], pool_int64s: [1] };
    await expect(tfidf(str(['a']), ints)).rejects.toMatchObject({ code: 'ZAI_TYPE' });
    const odd = { ...base, ngram_counts: [0, 1], ngram_indexes: [0, 1], pool_int64s: [1, 2, 3, 4] };
    await expect(tfidf(i32([1]), odd)).rejects.toThrow(/ngram_counts/);
  });
});

describe('shape inference', () => {
  it('types every text op from symbolic input shapes', () => {
    const g = graph({
      nodes: [
        node('StringConcat', ['a', 'b'], ['cat']),
        node('StringSplit', ['a'], ['parts', 'counts'], { delimiter: ',' }),
        node('StringNormalizer', ['row'], ['norm'], { case_change_action: 'LOWER' }),
        node('RegexFullMatch', ['a'], ['match'], { pattern: 'a+' }),
        node('TfIdfVectorizer', ['ids'], ['vec'], {
          mode: 'TF',
          min_gram_length: 1,
          max_gram_length: 1,
          max_skip_count: 0,
          ngram_counts: [0],
          ngram_indexes: [0, 4],
          pool_int64s: [1, 2],
        }),
      ],
      inputs: [
        tensorInfo('a', 'string', ['N', 3]),
        tensorInfo('b', 'string', [1]),
        tensorInfo('row', 'string', [1, 'C']),
        tensorInfo('ids', 'int64', ['N', 'L']),
      ],
      outputs: [tensorInfo('cat', 'string')],
    });
    const r = inferTypes(model(g, [{ domain: '', version: 20 }]), defaultRegistry).byName;
    expect(r.get('cat')).toEqual({ kind: 'tensor', elemType: 'string', shape: ['N', 3] });
    expect(r.get('parts')).toMatchObject({
      kind: 'tensor',
      elemType: 'string',
      shape: ['N', 3, expect.any(String)],
    });
    expect(r.get('counts')).toEqual({ kind: 'tensor', elemType: 'int64', shape: ['N', 3] });
    expect(r.get('norm')).toMatchObject({
      kind: 'tensor',
      elemType: 'string',
      shape: [1, expect.any(String)],
    });
    expect(r.get('match')).toEqual({ kind: 'tensor', elemType: 'bool', shape: ['N', 3] });
    expect(r.get('vec')).toEqual({ kind: 'tensor', elemType: 'float32', shape: ['N', 5] });
  });
});
