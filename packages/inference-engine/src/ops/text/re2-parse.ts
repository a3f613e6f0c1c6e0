import {
  C_ESCAPES,
  hexVal,
  type Item,
  isAlnum,
  isDigit,
  isOctal,
  type Node,
  PERL,
  POSIX,
  propSource,
  Re2Error,
  r,
} from './re2-tree.js';

// RE2 syntax → a small match tree, with RE2's own parsing rules and errors
// (RE2::Options() defaults, as onnxruntime uses them: Perl classes, \b, \A \z
// \Q..\E, non-greedy operators, Unicode groups; ^ $ at text ends until (?m)).
// re2.ts documents the accepted language and writes the tree out as a RegExp.

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

const MAX_REPEAT = 1000;
const MAX_DEPTH = 1000;

class Parser {
  private readonly cps: number[];
  private pos = 0;

  constructor(readonly pattern: string) {
    this.cps = Array.from(pattern, (c) => c.codePointAt(0)!);
  }

  parse(): Node {
    const g = this.alternation({ i: false, m: false, s: false, U: false }, 0);
    if (this.pos < this.cps.length) this.bad('unexpected )');
    return g;
  }

  private bad(what: string): never {
    throw new Re2Error(`${what} (at offset ${this.pos})`, true);
  }

  private peek(k = 0): number | undefined {
    return this.cps[this.pos + k];
  }

  private is(ch: string, k = 0): boolean {
    return this.cps[this.pos + k] === ch.codePointAt(0);
  }

  /** A group body: alternatives up to an unconsumed ')' or the end. */
  private alternation(outer: Flags, depth: number): Node {
    if (depth > MAX_DEPTH) {
      throw new Re2Error(`groups nested more than ${MAX_DEPTH} deep are not supported here`, false);
    }
    const f = { ...outer };
    const alts: Node[][] = [];
    let cur: Node[] = [];
    let lastRepeat = false;
    while (this.pos < this.cps.length && !this.is(')')) {
      const c = String.fromCodePoint(this.peek()!);
      const rep =
        c === '{' ? this.counted() : c === '*' || c === '+' || c === '?' ? this.simpleOp(c) : undefined;
      if (rep) {
        let lazy = false;
        if (this.is('?')) {
          lazy = true;
          this.pos++;
        }
        if (lastRepeat) this.bad('bad repetition operator (repetitions cannot be stacked)');
        if (
          rep.counted &&
          ((rep.max >= 0 && rep.max < rep.min) || rep.min > MAX_REPEAT || rep.max > MAX_REPEAT)
        ) {
          this.bad(`bad repetition operator: counts must be at most ${MAX_REPEAT} and min <= max`);
        }
        const node = cur.pop();
        if (!node) this.bad('missing argument to repetition operator');
        const n: Node = {
          t: 'repeat',
          node,
          min: rep.min,
          max: rep.max,
          lazy: lazy !== f.U,
          counted: rep.counted,
        };
        if (rep.counted && (rep.min >= 2 || rep.max >= 2) && budget(n, MAX_REPEAT) === 0) {
          this.bad(`bad repetition operator: nested counted repetitions exceed ${MAX_REPEAT}`);
        }
        cur.push(n);
        lastRepeat = true;
        continue;
      }
      lastRepeat = false;
      if (c === '|') {
        this.pos++;
        alts.push(cur);
        cur = [];
      } else if (c === '(') this.group(f, depth, cur);
      else if (c === '[') cur.push(this.bracket(f));
      else if (c === '.') {
        this.pos++;
        cur.push({ t: 'class', neg: !f.s, items: [f.s ? r(0, 0x10ffff) : r(10)], fold: f.i, caseless: true });
      } else if (c === '^') {
        this.pos++;
        cur.push({ t: 'assert', src: f.m ? '(?<![^\\n])' : '^', word: false });
      } else if (c === '$') {
        this.pos++;
        cur.push({ t: 'assert', src: f.m ? '(?![^\\n])' : '$', word: false });
      } else if (c === '\\') this.escape(f, cur);
      else {
        this.pos++;
        cur.push({ t: 'lit', cp: this.cps[this.pos - 1]!, fold: f.i });
      }
    }
    alts.push(cur);
    return { t: 'group', alts };
  }

  private simpleOp(c: string): { min: number; max: number; counted: boolean } {
    this.pos++;
    return { min: c === '+' ? 1 : 0, max: c === '?' ? 1 : -1, counted: false };
  }

  /** {n} {n,} {n,m} as RE2 reads them; undefined (nothing consumed) when it is a literal '{'. */
  private counted(): { min: number; max: number; counted: boolean } | undefined {
    let p = this.pos + 1;
    const int = (): number | undefined => {
      if (!isDigit(this.cps[p]) || (this.cps[p] === 0x30 && isDigit(this.cps[p + 1]))) return undefined;
      let n = 0;
      while (isDigit(this.cps[p])) {
        if (n >= 100000000) return undefined;
        n = n * 10 + this.cps[p++]! - 0x30;
      }
      return n;
    };
    const min = int();
    if (min === undefined) return undefined;
    let max = min;
    if (this.cps[p] === 0x2c) {
      p++;
      if (this.cps[p] === 0x7d) max = -1;
      else {
        const m = int();
        if (m === undefined) return undefined;
        max = m;
      }
    }
    if (this.cps[p] !== 0x7d) return undefined;
    this.pos = p + 1;
    return { min, max, counted: true };
  }

  private group(f: Flags, depth: number, cur: Node[]): void {
    this.pos++;
    if (!this.is('?')) {
      cur.push(this.body({ ...f }, depth));
      return;
    }
    const named =
      this.is('P', 1) && this.is('<', 2)
        ? 3
        : this.is('<', 1) && !this.is('=', 2) && !this.is('!', 2)
          ? 2
          : 0;
    if (named) {
      this.pos += named;
      const start = this.pos;
      while (this.pos < this.cps.length && !this.is('>')) this.pos++;
      const name = String.fromCodePoint(...this.cps.slice(start, this.pos));
      if (this.pos >= this.cps.length || !/^[\p{L}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]+$/u.test(name)) {
        this.bad(`invalid named capture group '${name}'`);
      }
      this.pos++;
      cur.push(this.body({ ...f }, depth));
      return;
    }
    const next = this.peek(1) === undefined ? '' : String.fromCodePoint(this.peek(1)!);
    if ('=!'.includes(next) && next) this.bad('lookahead (?= (?! is not RE2 syntax');
    if (next === '<') this.bad('lookbehind (?<= (?<! is not RE2 syntax');
    if (next === 'P') this.bad('(?P=name) backreferences and (?P>name) calls are not RE2 syntax');
    this.pos++;
    const nf = { ...f };
    let neg = false;
    let saw = false;
    for (;;) {
      const ch = this.peek() === undefined ? '' : String.fromCodePoint(this.peek()!);
      this.pos++;
      if (ch === 'i' || ch === 'm' || ch === 's' || ch === 'U') {
        nf[ch] = !neg;
        saw = true;
      } else if (ch === '-' && !neg) {
        neg = true;
        saw = false;
      } else if ((ch === ':' || ch === ')') && (saw || !neg)) {
        if (ch === ')') Object.assign(f, nf);
        else cur.push(this.body(nf, depth));
        return;
      } else
        this.bad('invalid or unsupported Perl group syntax (RE2 knows (?flags) (?flags:re) (?P<name>re))');
    }
  }

  /** The rest of a group after its opening; consumes the ')'. */
  private body(f: Flags, depth: number): Node {
    const g = this.alternation(f, depth + 1);
    if (!this.is(')')) this.bad('missing closing )');
    this.pos++;
    return g;
  }

  private escape(f: Flags, cur: Node[]): void {
    const c = this.peek(1) === undefined ? '' : String.fromCodePoint(this.peek(1)!);
    if (c === '') this.bad('trailing \\');
    if (c === 'b' || c === 'B' || c === 'A' || c === 'z') {
      this.pos += 2;
      const src = c === 'A' ? '^' : c === 'z' ? '$' : `\\${c}`;
      cur.push({ t: 'assert', src, word: c === 'b' || c === 'B' });
    } else if (c === 'C') {
      throw new Re2Error('\\C (match any single byte) cannot be expressed on JavaScript strings', false);
    } else if (c === 'Q') {
      this.pos += 2;
      while (this.pos < this.cps.length && !(this.is('\\') && this.is('E', 1))) {
        cur.push({ t: 'lit', cp: this.cps[this.pos++]!, fold: f.i });
      }
      if (this.pos < this.cps.length) this.pos += 2;
    } else {
      const g = this.perlOrUnicode();
      if (g) cur.push({ t: 'class', ...g, fold: f.i });
      else cur.push({ t: 'lit', cp: this.escapeChar(), fold: f.i });
    }
  }

  /** \d \W \pL \P{Greek} …: a one-item class; undefined when the escape is something else. */
  private perlOrUnicode(): { neg: boolean; items: readonly Item[]; caseless: boolean } | undefined {
    const c = String.fromCodePoint(this.peek(1)!);
    const perl = PERL[c.toLowerCase()];
    if (perl && 'dDsSwW'.includes(c)) {
      this.pos += 2;
      return { neg: c !== c.toLowerCase(), items: perl, caseless: c.toLowerCase() !== 'w' };
    }
    if (c !== 'p' && c !== 'P') return undefined;
    this.pos += 2;
    let neg = c === 'P';
    let name: string;
    if (this.pos >= this.cps.length) this.bad('invalid character class range: \\p needs a name');
    if (this.is('{')) {
      const end = this.cps.indexOf(0x7d, this.pos);
      if (end < 0) this.bad('invalid character class range: missing } after \\p{');
      name = String.fromCodePoint(...this.cps.slice(this.pos + 1, end));
      this.pos = end + 1;
    } else name = String.fromCodePoint(this.cps[this.pos++]!);
    if (name.startsWith('^')) {
      neg = !neg;
      name = name.slice(1);
    }
    return { neg, items: [{ k: 'prop', src: propSource(name) }], caseless: false };
  }

  /** A single-character escape (after the backslash at pos). */
  private escapeChar(): number {
    this.pos++;
    const c = this.cps[this.pos++];
    if (c === undefined) this.bad('trailing \\');
    if (c >= 0x31 && c <= 0x37 && !isOctal(this.peek()))
      this.bad('invalid escape: backreferences are not RE2 syntax');
    if (c >= 0x30 && c <= 0x37) {
      let code = c - 0x30;
      for (let k = 0; k < 2 && isOctal(this.peek()); k++) code = code * 8 + this.cps[this.pos++]! - 0x30;
      return code;
    }
    if (c === 0x78) {
      if (this.is('{')) {
        this.pos++;
        let code = 0;
        let n = 0;
        while (hexVal(this.peek()) >= 0) {
          code = code * 16 + hexVal(this.cps[this.pos++]);
          n++;
          if (code > 0x10ffff) this.bad('invalid escape: \\x{...} beyond U+10FFFF');
        }
        if (n === 0 || !this.is('}')) this.bad('invalid escape: \\x{...} needs hex digits and }');
        this.pos++;
        return code;
      }
      const hi = hexVal(this.peek());
      const lo = hexVal(this.peek(1));
      if (hi < 0 || lo < 0) this.bad('invalid escape: \\x needs two hex digits');
      this.pos += 2;
      return hi * 16 + lo;
    }
    const ch = String.fromCodePoint(c);
    if (C_ESCAPES[ch] !== undefined) return C_ESCAPES[ch];
    if (c < 0x80 && !isAlnum(c)) return c;
    return this.bad(`invalid escape \\${ch}`);
  }

  private bracket(f: Flags): Node {
    this.pos++;
    const neg = this.is('^');
    if (neg) this.pos++;
    const items: Item[] = [];
    let first = true;
    while (this.pos < this.cps.length && (!this.is(']') || first)) {
      first = false;
      if (this.is('[') && this.is(':', 1)) {
        const rest = String.fromCodePoint(...this.cps.slice(this.pos + 2));
        const end = rest.indexOf(':]');
        if (end >= 0) {
          let name = rest.slice(0, end);
          const negated = name.startsWith('^');
          if (negated) name = name.slice(1);
          const g = Object.hasOwn(POSIX, name) ? POSIX[name] : undefined;
          if (!g) this.bad(`invalid character class range: unknown POSIX class [:${rest.slice(0, end)}:]`);
          if (negated) items.push({ k: 'not', items: g });
          else items.push(...g);
          this.pos += 2 + Array.from(rest.slice(0, end + 2)).length;
          continue;
        }
      }
      if (this.is('\\') && this.pos + 1 < this.cps.length) {
        const g = this.perlOrUnicode();
        if (g) {
          if (g.neg) items.push({ k: 'not', items: g.items });
          else items.push(...g.items);
          continue;
        }
      }
      const lo = this.classChar();
      if (this.is('-') && this.pos + 1 < this.cps.length && !this.is(']', 1)) {
        this.pos++;
        const hi = this.classChar();
        if (hi < lo) this.bad('invalid character class range (end before start)');
        items.push(r(lo, hi));
      } else items.push(r(lo));
    }
    if (this.pos >= this.cps.length) this.bad('missing closing ]');
    this.pos++;
    return { t: 'class', neg, items, fold: f.i, caseless: false };
  }

  private classChar(): number {
    if (this.pos >= this.cps.length) this.bad('missing closing ]');
    if (this.is('\\')) return this.escapeChar();
    return this.cps[this.pos++]!;
  }
}

/** RE2's RepetitionWalker: what is left of `b` after dividing by each nested counted repeat. */
function budget(n: Node, b: number): number {
  if (n.t === 'repeat') {
    const m = n.max < 0 ? n.min : n.max;
    return budget(n.node, n.counted && m > 0 ? Math.floor(b / m) : b);
  }
  if (n.t !== 'group') return b;
  let least = b;
  for (const alt of n.alts) for (const x of alt) least = Math.min(least, budget(x, b));
  return least;
}

/** Parses an RE2 pattern; throws Re2Error (invalid) where RE2 rejects it. */
export function parseRe2(pattern: string): Node {
  return new Parser(pattern).parse();
}
