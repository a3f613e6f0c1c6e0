import { Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type ShapeFn } from '../../kernel.js';
import { stringArg, typed } from './common.js';

// StringSplit (20), with the semantics of Python's str.split (the ONNX
// reference implementation):
// - a non-empty `delimiter` splits on every occurrence, left to right;
//   consecutive delimiters delimit empty strings, and an empty input string
//   gives one empty substring;
// - an unset or empty `delimiter` splits on runs of whitespace, dropping
//   leading and trailing whitespace (an empty or all-blank string gives no
//   substrings). Whitespace is Python's str.isspace set: \t \n \v \f \r,
//   \x1c-\x1f, space, \x85, \xa0, U+1680, U+2000-U+200A, U+2028, U+2029,
//   U+202F, U+205F, U+3000;
// - `maxsplit` (unset or negative: unlimited) limits the number of splits; the
//   rest of the string after the last split is the final substring (in
//   whitespace mode with its leading whitespace removed).
// Y has X's shape plus a last axis as long as the longest split, padded with
// ''; Z (int64, X's shape) counts the substrings of each element.

const OP = 'StringSplit';

function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Splits on whitespace runs; `max` < 0 is unlimited. Whitespace is all BMP, so code units suffice. */
export function splitWhitespace(s: string, max: number): string[] {
  const out: string[] = [];
  const n = s.length;
  let i = 0;
  let left = max < 0 ? Number.POSITIVE_INFINITY : max;
  while (left-- > 0) {
    while (i < n && isSpace(s.charCodeAt(i))) i++;
    if (i === n) break;
    const j = i;
    while (i < n && !isSpace(s.charCodeAt(i))) i++;
    out.push(s.slice(j, i));
  }
  if (i < n) {
    // only when the split budget ran out: the rest, without its leading whitespace
    while (i < n && isSpace(s.charCodeAt(i))) i++;
    if (i < n) out.push(s.slice(i));
  }
  return out;
}

/** Splits on every occurrence of a non-empty delimiter; `max` < 0 is unlimited. */
export function splitOn(s: string, delim: string, max: number): string[] {
  if (max < 0) return s.split(delim);
  const out: string[] = [];
  let start = 0;
  for (let k = 0; k < max; k++) {
    const at = s.indexOf(delim, start);
    if (at < 0) break;
    out.push(s.slice(start, at));
    start = at + delim.length;
  }
  out.push(s.slice(start));
  return out;
}

function create(ctx: KernelContext): Kernel {
  const delim = ctx.string('delimiter', '');
  const max = ctx.has('maxsplit') ? ctx.int('maxsplit') : -1;
  const split = delim === '' ? (s: string) => splitWhitespace(s, max) : (s: string) => splitOn(s, delim, max);
  return (inputs) => {
    const x = stringArg(inputs, 0, OP, 'X');
    const parts = x.data.map(split);
    let width = 0;
    for (const p of parts) width = Math.max(width, p.length);
    const y = new Array<string>(parts.length * width).fill('');
    const z = new BigInt64Array(parts.length);
    parts.forEach((p, i) => {
      for (let k = 0; k < p.length; k++) y[i * width + k] = p[k]!;
      z[i] = BigInt(p.length);
    });
    return [new Tensor('string', y, [...x.dims, width]), new Tensor('int64', z, x.dims)];
  };
}

const shape: ShapeFn = (ctx) => {
  const s = ctx.shape(0);
  return [typed('string', s && [...s, ctx.unknownDim()]), typed('int64', s)];
};

export const STRING_SPLIT = [defineOp('StringSplit', '20+', create, '', shape)];
