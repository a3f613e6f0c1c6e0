// Unicode simple case folding orbits (the sets of characters that match each
// other case-insensitively), for RE2 patterns whose case-insensitive parts
// cannot use the RegExp `i` flag (the flag applies to the whole JavaScript
// pattern; RE2's (?i) may cover only part of it, and RE2's \b stays ASCII
// under (?i)). RE2 and JavaScript's /ui both fold with CaseFolding.txt's
// simple (C + S) mappings, so the orbits are read off the engine itself:
// characters linked by single-character toLowerCase / toUpperCase mappings
// (plus the few with only multi-character mappings, such as U+FB05 / U+FB06)
// are grouped, then split into the classes that /^c$/ui really equates.
// Cased characters all lie below U+20000. Built once, lazily (~30 ms).

let orbits: readonly (readonly number[])[] | undefined;
let orbitByChar: Map<number, readonly number[]> | undefined;

/** A test for the characters that fold together with `a`. */
const foldsWith = (a: number): ((b: number) => boolean) => {
  const re = new RegExp(`^\\u{${a.toString(16)}}$`, 'ui');
  return (b) => re.test(String.fromCodePoint(b));
};

function build(): void {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const link = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  const multi = new Set<number>();
  // only characters that toLowerCase / toUpperCase change (Unicode's CWCM property) can link
  let all = '';
  for (let c = 0; c < 0x20000; c += 0x400) {
    if (c < 0xd800 || c >= 0xe000)
      all += String.fromCodePoint(...Array.from({ length: 0x400 }, (_, k) => c + k));
  }
  for (const [s] of all.matchAll(/\p{Changes_When_Casemapped}/gu)) {
    const c = s.codePointAt(0)!;
    for (const t of [s.toLowerCase(), s.toUpperCase()]) {
      if (t === s) continue;
      const d = t.codePointAt(0)!;
      if (t.length === (d > 0xffff ? 2 : 1)) link(c, d);
      else multi.add(c);
    }
  }
  const m = [...multi];
  for (let i = 0; i < m.length; i++) {
    const same = foldsWith(m[i]!);
    for (let j = i + 1; j < m.length; j++) if (same(m[j]!)) link(m[i]!, m[j]!);
  }
  const groups = new Map<number, number[]>();
  for (const c of parent.keys()) {
    const r = find(c);
    const g = groups.get(r);
    if (g) g.push(c);
    else groups.set(r, [c]);
  }
  const out: number[][] = [];
  for (const g of groups.values()) {
    let rest = g.sort((a, b) => a - b);
    while (rest.length > 1) {
      const head = rest[0]!;
      const same = foldsWith(head);
      const orbit = rest.filter((c) => c === head || same(c));
      if (orbit.length > 1) out.push(orbit);
      rest = rest.filter((c) => !orbit.includes(c));
    }
  }
  orbits = out;
  orbitByChar = new Map(out.flatMap((o) => o.map((c) => [c, o] as const)));
}

/** The characters that fold together with `cp` (itself included); undefined when it has no case. */
export function orbitOf(cp: number): readonly number[] | undefined {
  if (!orbitByChar) build();
  return orbitByChar!.get(cp);
}

/** Every character of every orbit that has a member satisfying `member`. */
export function foldClosure(member: (cp: number) => boolean): number[] {
  if (!orbits) build();
  const out: number[] = [];
  for (const o of orbits!) if (o.some(member)) out.push(...o);
  return out;
}
