import { ShapeError } from '@zai/common';
import { Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type ShapeFn } from '../../kernel.js';
import { stringArg, typed } from './common.js';

// StringNormalizer (10): drops the stop words from a [C] or [1, C] string
// tensor, then upper-cases, lower-cases or keeps the rest. When every element
// is dropped the output is [''] shaped [1] (or [1, 1] for a [1, C] input).
//
// Case mapping is the Unicode full case mapping of ICU (String.prototype.
// toLocaleUpperCase / toLocaleLowerCase), as Python's str.upper/lower in the
// ONNX reference: 'ß' upper-cases to 'SS'. `locale` takes POSIX names
// ('en_US', 'tr_TR.UTF-8', 'de_DE@euro') or BCP 47 tags ('en-US', 'tr'); the
// default is en_US. Language-specific rules apply where ICU has them
// (Turkish and Azeri dotted/dotless i, Lithuanian dot above, Greek accent
// removal on upper-casing); every other valid locale uses the default Unicode
// mapping. 'C' and 'POSIX' change only ASCII letters. A malformed locale is
// rejected when the session is created.
//
// Stop words match exactly when is_case_sensitive is 1; otherwise both sides
// are compared in one case (upper when case_change_action is UPPER, lower
// otherwise, as onnxruntime does). Empty input strings that are not stop
// words are kept.

const OP = 'StringNormalizer';

type CaseFn = (s: string) => string;

const asciiUpper: CaseFn = (s) => s.replace(/[a-z]+/g, (m) => m.toUpperCase());
const asciiLower: CaseFn = (s) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/** A BCP 47 tag for a POSIX or BCP 47 locale name; null for the C / POSIX locale. */
export function localeTag(locale: string): string | null {
  const base = locale.replace(/[.@].*$/, '');
  if (base === 'C' || base === 'POSIX') return null;
  const tags = Intl.getCanonicalLocales(base.replace(/_/g, '-'));
  if (tags.length !== 1) throw new RangeError(`invalid locale '${locale}'`);
  return tags[0]!;
}

function parseLocale(ctx: KernelContext, locale: string): string | null {
  try {
    return localeTag(locale);
  } catch {
    return ctx.fail(`locale '${locale}' is not a valid POSIX locale name or BCP 47 language tag`);
  }
}

function create(ctx: KernelContext): Kernel {
  const action = ctx.string('case_change_action', 'NONE');
  if (action !== 'NONE' && action !== 'LOWER' && action !== 'UPPER') {
    ctx.fail(`case_change_action must be LOWER, UPPER or NONE, got '${action}'`);
  }
  const sensitive = ctx.int('is_case_sensitive', 0) !== 0;
  const locale = ctx.string('locale', 'en_US');
  const tag = parseLocale(ctx, locale);
  const upper: CaseFn = tag === null ? asciiUpper : (s) => s.toLocaleUpperCase(tag);
  const lower: CaseFn = tag === null ? asciiLower : (s) => s.toLocaleLowerCase(tag);
  const change: CaseFn | undefined = action === 'UPPER' ? upper : action === 'LOWER' ? lower : undefined;
  const key: CaseFn = sensitive ? (s) => s : action === 'UPPER' ? upper : lower;
  const stops = new Set(ctx.strings('stopwords', []).map(key));
  return (inputs) => {
    const x = stringArg(inputs, 0, OP, 'X');
    const d = x.dims;
    if (!(d.length === 1 || (d.length === 2 && d[0] === 1))) {
      throw new ShapeError(`${OP}: input must be shaped [C] or [1, C], got [${d.join(', ')}]`);
    }
    const kept = stops.size === 0 ? x.data.slice() : x.data.filter((s) => !stops.has(key(s)));
    const out = kept.length === 0 ? [''] : change ? kept.map(change) : kept;
    return [new Tensor('string', out, d.length === 1 ? [out.length] : [1, out.length])];
  };
}

const shape: ShapeFn = (ctx) => {
  const s = ctx.shape(0);
  const n = ctx.unknownDim();
  return [typed('string', s ? (s.length === 2 ? [1, n] : [n]) : undefined)];
};

export const STRING_NORMALIZER = [defineOp('StringNormalizer', '10+', create, '', shape)];
