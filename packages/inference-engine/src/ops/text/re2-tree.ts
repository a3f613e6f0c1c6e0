// The tree an RE2 pattern parses into (re2-parse.ts), and the tables behind
// RE2's escapes and classes: Perl and POSIX classes (ASCII, as in RE2) and the
// Unicode class names RE2 knows, written as JavaScript `v`-mode class items.

/** A pattern RE2 rejects (invalid = true) or that cannot be matched faithfully here. */
export class Re2Error extends Error {
  constructor(
    message: string,
    readonly invalid: boolean,
  ) {
    super(message);
  }
}

export type Item =
  | { readonly k: 'range'; readonly lo: number; readonly hi: number }
  | { readonly k: 'prop'; readonly src: string }
  | { readonly k: 'not'; readonly items: readonly Item[] };

export type Node =
  | { readonly t: 'lit'; readonly cp: number; readonly fold: boolean }
  | {
      readonly t: 'class';
      readonly neg: boolean;
      readonly items: readonly Item[];
      readonly fold: boolean;
      readonly caseless: boolean;
    }
  | { readonly t: 'assert'; readonly src: string; readonly word: boolean }
  | { readonly t: 'group'; readonly alts: readonly (readonly Node[])[] }
  | {
      readonly t: 'repeat';
      readonly node: Node;
      readonly min: number;
      readonly max: number;
      readonly lazy: boolean;
      readonly counted: boolean;
    };

export const r = (lo: number, hi = lo): Item => ({ k: 'range', lo, hi });
export const PERL: Record<string, readonly Item[]> = {
  d: [r(0x30, 0x39)],
  s: [r(9, 10), r(12, 13), r(32)],
  w: [r(0x30, 0x39), r(0x41, 0x5a), r(0x5f), r(0x61, 0x7a)],
};
export const POSIX: Record<string, readonly Item[]> = {
  alnum: [r(0x30, 0x39), r(0x41, 0x5a), r(0x61, 0x7a)],
  alpha: [r(0x41, 0x5a), r(0x61, 0x7a)],
  ascii: [r(0, 0x7f)],
  blank: [r(9), r(32)],
  cntrl: [r(0, 0x1f), r(0x7f)],
  digit: [r(0x30, 0x39)],
  graph: [r(0x21, 0x7e)],
  lower: [r(0x61, 0x7a)],
  print: [r(0x20, 0x7e)],
  punct: [r(0x21, 0x2f), r(0x3a, 0x40), r(0x5b, 0x60), r(0x7b, 0x7e)],
  space: [r(9, 13), r(32)],
  upper: [r(0x41, 0x5a)],
  word: PERL.w!,
  xdigit: [r(0x30, 0x39), r(0x41, 0x46), r(0x61, 0x66)],
};
const CATEGORIES = new Set(
  'L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp Cc Cf Co Cs'.split(
    ' ',
  ),
);
// Scripts whose long name is 4 letters; other 4-letter names are ISO 15924 aliases, which RE2 rejects.
const SHORT_SCRIPTS = new Set(['Ahom', 'Cham', 'Kawi', 'Lisu', 'Miao', 'Modi', 'Newa', 'Thai', 'Toto']);
export const C_ESCAPES: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };

export const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
export const isOctal = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x37;
export const hexVal = (c: number | undefined): number => {
  if (c === undefined) return -1;
  const s = String.fromCharCode(c);
  return /^[0-9a-fA-F]$/.test(s) ? Number.parseInt(s, 16) : -1;
};
export const isAlnum = (c: number) => c < 0x80 && /^[0-9A-Za-z]$/.test(String.fromCharCode(c));
export const hasCase = (cp: number) => {
  const s = String.fromCodePoint(cp);
  return s.toLowerCase() !== s || s.toUpperCase() !== s;
};

/** The class-body source of a Unicode class name, checked against the engine. */
export function propSource(name: string): string {
  let src: string;
  if (name === 'Any') src = '\\p{Any}';
  else if (name === 'C') src = '[\\p{Cc}\\p{Cf}\\p{Co}\\p{Cs}]';
  else if (CATEGORIES.has(name)) src = `\\p{${name}}`;
  else if (/^[A-Za-z][A-Za-z_]*$/.test(name) && (name.length !== 4 || SHORT_SCRIPTS.has(name))) {
    src = `\\p{Script=${name}}`;
  } else throw new Re2Error(`invalid character class range: unknown Unicode class '${name}'`, true);
  try {
    new RegExp(`[${src}]`, 'v');
  } catch {
    throw new Re2Error(`invalid character class range: unknown Unicode class '${name}'`, true);
  }
  return src;
}
