import { foldClosure, orbitOf } from './re2-fold.js';
import { parseRe2 } from './re2-parse.js';
import { hasCase, type Item, isAlnum, type Node, Re2Error } from './re2-tree.js';

export { Re2Error };

// RE2 → JavaScript RegExp, for a full (anchored) match. re2-parse.ts reads
// the pattern with RE2's own rules (RE2::Options() defaults, as onnxruntime
// uses them) into a small tree; this file writes the tree out as a `v`-flag
// RegExp, each construct as an exact counterpart. Checked against libre2.
//
// Supported: all of RE2's syntax except \C, that is
// - literals; escapes \a \f \t \n \r \v, octal \0 \12 \123, hex \x7F and
//   \x{10FFFF}, any escaped ASCII punctuation; \Q...\E literal text;
// - . (any character but \n; any character with (?s));
// - classes [abc] [^a-z] []a] with \d \D \s \S \w \W (ASCII as in RE2: \s is
//   [\t\n\f\r ]), the 14 ASCII POSIX classes [[:alpha:]] [[:^space:]], and
//   Unicode classes \pL \p{Lu} \PN \p{^Greek} \P{^Greek}, in or out of brackets:
//   Any, the general categories C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N
//   Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs (C is Cc|Cf|Co|Cs:
//   unassigned code points are not in it, as in RE2) and the long script
//   names (Greek, Old_Italic; not ISO 15924 aliases such as Grek);
// - ^ $ \A \z (text ends; ^ $ are line ends at \n with (?m)), \b \B (ASCII
//   word characters, also under (?i));
// - groups ( ) (?: ) (?P<name> ) (?<name> ) and alternation |;
// - * + ? {n} {n,} {n,m} and their lazy forms, with RE2's rules: counts up
//   to 1000, nested counted repeats multiplying to at most 1000, no stacked
//   operators (a** a*+ a{2}* are errors), {,n} and other malformed braces
//   are literal text;
// - flags (?i) (?m) (?s) (?U), negated (?-i), combined (?im-s), scoped
//   (?i:re), lasting to the end of the enclosing group. (?i) folds with
//   Unicode simple case folding, as RE2 does. A pattern that is
//   case-insensitive throughout (with no \b \B) gets the RegExp `i` flag;
//   otherwise the folded parts are expanded into classes of the characters
//   that fold together (re2-fold.ts), since a RegExp flag covers the whole
//   pattern and \b under `i` also counts U+017F and U+212A as word characters.
//
// Rejected as unsupported (Re2Error, invalid = false): \C, one byte, where a
// JavaScript string holds code points, not UTF-8 bytes; and groups nested
// more than 1000 deep (a bound on recursion; RE2 has none).
// Rejected as invalid (invalid = true), with RE2's reasons: backreferences,
// lookahead / lookbehind, atomic groups, possessive and stacked repeats,
// \Z \G \X \R \K \cX \e and other unknown escapes, unknown classes and flags,
// unbalanced ( ) [ ], bad ranges and repeat counts.
// Remaining differences: property tables follow the engine's Unicode
// version (Node 20: Unicode 15.1), which may differ from RE2's build (for
// instance U+FB05 and U+FB06 fold together since Unicode 15); RE2's program
// size limit (max_mem) is not checked; (?<name>re) needs RE2 2023-07 or
// later; and running time: the RegExp backtracks where RE2 is linear.

const esc = (cp: number) => (isAlnum(cp) ? String.fromCharCode(cp) : `\\u{${cp.toString(16)}}`);

/** How case folding is written: not at all, by the RegExp `i` flag, or expanded into classes. */
type Mode = 'none' | 'engine' | 'manual';

function modeOf(root: Node): Mode {
  let folded = false;
  let plain = false;
  let word = false;
  const visit = (n: Node): void => {
    if (n.t === 'lit' || n.t === 'class') {
      if (n.t === 'lit' ? hasCase(n.cp) : !n.caseless) {
        if (n.fold) folded = true;
        else plain = true;
      }
    } else if (n.t === 'assert') word ||= n.word;
    else if (n.t === 'group') for (const alt of n.alts) alt.forEach(visit);
    else visit(n.node);
  };
  visit(root);
  if (!folded) return 'none';
  return plain || word ? 'manual' : 'engine';
}

class Emitter {
  constructor(private readonly manual: boolean) {}

  node(n: Node): string {
    switch (n.t) {
      case 'lit': {
        const orbit = n.fold && this.manual ? orbitOf(n.cp) : undefined;
        return orbit ? `[${orbit.map(esc).join('')}]` : esc(n.cp);
      }
      case 'class':
        return `[${n.neg ? '^' : ''}${this.items(n.items, n.fold && this.manual)}]`;
      case 'assert':
        return n.src;
      case 'group':
        return `(?:${n.alts.map((alt) => alt.map((x) => this.node(x)).join('')).join('|')})`;
      case 'repeat': {
        const inner = this.node(n.node);
        const atom = n.node.t === 'assert' || n.node.t === 'repeat' ? `(?:${inner})` : inner;
        let q: string;
        if (!n.counted) q = n.min === 1 ? '+' : n.max === 1 ? '?' : '*';
        else q = n.max === n.min ? `{${n.min}}` : `{${n.min},${n.max < 0 ? '' : n.max}}`;
        return atom + q + (n.lazy ? '?' : '');
      }
    }
  }

  /** Class items; with `fold`, each item also takes the characters that fold to its members. */
  private items(items: readonly Item[], fold: boolean): string {
    return items
      .map((it) => {
        if (it.k === 'not') return `[^${this.items(it.items, fold)}]`;
        const own = it.k === 'prop' ? it.src : it.lo === it.hi ? esc(it.lo) : `${esc(it.lo)}-${esc(it.hi)}`;
        if (!fold) return own;
        let member: (cp: number) => boolean;
        if (it.k === 'range') member = (cp) => cp >= it.lo && cp <= it.hi;
        else {
          const re = new RegExp(`^[${it.src}]$`, 'v');
          member = (cp) => re.test(String.fromCodePoint(cp));
        }
        return own + foldClosure(member).map(esc).join('');
      })
      .join('');
  }
}

/**
 * A RegExp that tests whether a whole string matches the RE2 `pattern`.
 * Throws Re2Error: `invalid` when RE2 rejects the pattern too, otherwise when
 * the pattern uses a construct that JavaScript cannot match faithfully.
 */
export function re2FullMatch(pattern: string): RegExp {
  const root = parseRe2(pattern);
  const mode = modeOf(root);
  const source = `^${new Emitter(mode === 'manual').node(root)}$`;
  try {
    return new RegExp(source, mode === 'engine' ? 'vi' : 'v');
  } catch (e) {
    throw new Re2Error(`no JavaScript RegExp equivalent: ${(e as Error).message}`, false);
  }
}
