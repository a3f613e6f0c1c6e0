import { ConfigError } from '@zai/common';

/**
 * A small declarative schema: enough to check a JSON/YAML document, name the
 * path of a wrong key, and parse the same keys from `ZAI_*` variables and flags.
 */
export type Spec =
  | {
      readonly type: 'string';
      readonly oneOf?: readonly string[];
      readonly pattern?: RegExp;
      /** What the pattern means, for messages. */
      readonly patternName?: string;
    }
  | { readonly type: 'number'; readonly min?: number; readonly max?: number; readonly integer?: boolean }
  | { readonly type: 'boolean' }
  | { readonly type: 'literal'; readonly value: string | number | boolean }
  | { readonly type: 'list'; readonly items: Spec }
  | {
      readonly type: 'object';
      readonly fields: Readonly<Record<string, Spec>>;
      /** Keys that must be present. */
      readonly required?: readonly string[];
      /** Other keys are allowed (options passed through to a module or provider). */
      readonly open?: boolean;
    }
  /** Free keys (model names), each value of one spec. */
  | { readonly type: 'record'; readonly values: Spec }
  /** Any JSON value (a module's own options). */
  | { readonly type: 'any' }
  | { readonly type: 'anyOf'; readonly options: readonly Spec[]; readonly describe: string };

export const str = (oneOf?: readonly string[]): Spec =>
  oneOf ? { type: 'string', oneOf } : { type: 'string' };
export const int = (min = 0, max?: number): Spec =>
  max === undefined ? { type: 'number', integer: true, min } : { type: 'number', integer: true, min, max };
export const num = (min = 0): Spec => ({ type: 'number', min });
export const bool: Spec = { type: 'boolean' };
export const list = (items: Spec): Spec => ({ type: 'list', items });
export const obj = (
  fields: Record<string, Spec>,
  more: { required?: readonly string[]; open?: boolean } = {},
): Spec => ({ type: 'object', fields, ...more });
export const anyOf = (describe: string, ...options: Spec[]): Spec => ({ type: 'anyOf', options, describe });

/** What a spec accepts, in words, for error messages. */
export function describeSpec(s: Spec): string {
  switch (s.type) {
    case 'string':
      return s.oneOf ? `one of ${s.oneOf.join(', ')}` : (s.patternName ?? 'a string');
    case 'number': {
      const what = s.integer ? 'a whole number' : 'a number';
      if (s.max !== undefined) return `${what} from ${s.min ?? '-∞'} to ${s.max}`;
      return s.min === undefined ? what : `${what} ≥ ${s.min}`;
    }
    case 'boolean':
      return 'true or false';
    case 'literal':
      return JSON.stringify(s.value);
    case 'list':
      return `a list of ${describeSpec(s.items)
        .replace(/^an? /, '')
        .replace(/\b(string|number|object|name)\b/, '$1s')}`;
    case 'object':
      return 'an object';
    case 'record':
      return 'an object mapping names to settings';
    case 'any':
      return 'any value';
    case 'anyOf':
      return s.describe;
  }
}

const kindOf = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v === 'object' ? 'object' : typeof v;

const baseKind = (s: Spec): string =>
  s.type === 'list'
    ? 'list'
    : s.type === 'object' || s.type === 'record'
      ? 'object'
      : s.type === 'literal'
        ? typeof s.value
        : s.type;

const show = (v: unknown): string => {
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 40 ? `${text.slice(0, 37)}...` : text;
};

/** Edit distance, for "did you mean" on unknown keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function suggestion(key: string, known: readonly string[]): string {
  const near = known
    .map((k) => ({ k, d: distance(key.toLowerCase(), k.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(key.length / 3)))
    .sort((a, b) => a.d - b.d)[0];
  return near ? `; did you mean "${near.k}"?` : ` (known: ${known.join(', ')})`;
}

const join = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/** A problem found while checking: the offending key's path and what is wrong. */
export interface SpecIssue {
  readonly path: string;
  readonly message: string;
}

/** The first problem with `value` under `spec`, or undefined when it conforms. */
export function checkValue(spec: Spec, value: unknown, path = ''): SpecIssue | undefined {
  const wrong = (): SpecIssue => ({
    path,
    message: `"${path}" must be ${describeSpec(spec)}, got ${show(value)}`,
  });
  switch (spec.type) {
    case 'any':
      return undefined;
    case 'string':
      if (
        typeof value !== 'string' ||
        (spec.oneOf && !spec.oneOf.includes(value)) ||
        (spec.pattern && !spec.pattern.test(value))
      )
        return wrong();
      return undefined;
    case 'number':
      if (
        typeof value !== 'number' ||
        !Number.isFinite(value) ||
        (spec.integer && !Number.isInteger(value)) ||
        (spec.min !== undefined && value < spec.min) ||
        (spec.max !== undefined && value > spec.max)
      )
        return wrong();
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : wrong();
    case 'literal':
      return value === spec.value ? undefined : wrong();
    case 'list': {
      if (!Array.isArray(value)) return wrong();
      for (const [i, item] of value.entries()) {
        const issue = checkValue(spec.items, item, join(path, i));
        if (issue) return issue;
      }
      return undefined;
    }
    case 'record': {
      if (kindOf(value) !== 'object') return wrong();
      for (const [k, v] of Object.entries(value as object)) {
        const issue = checkValue(spec.values, v, join(path, k));
        if (issue) return issue;
      }
      return undefined;
    }
    case 'object': {
      if (kindOf(value) !== 'object') return wrong();
      const o = value as Record<string, unknown>;
      const known = Object.keys(spec.fields);
      for (const k of Object.keys(o)) {
        if (!spec.fields[k] && !spec.open) {
          return { path: join(path, k), message: `unknown key "${join(path, k)}"${suggestion(k, known)}` };
        }
      }
      for (const k of spec.required ?? []) {
        if (o[k] === undefined) return { path: join(path, k), message: `"${join(path, k)}" is required` };
      }
      for (const [k, field] of Object.entries(spec.fields)) {
        if (o[k] === undefined) continue;
        const issue = checkValue(field, o[k], join(path, k));
        if (issue) return issue;
      }
      return undefined;
    }
    case 'anyOf': {
      const issues: SpecIssue[] = [];
      for (const option of spec.options) {
        const issue = checkValue(option, value, path);
        if (!issue) return undefined;
        issues.push(issue);
      }
      // one option of the value's kind: its own (deeper) message says more than the summary
      const sameKind = spec.options.flatMap((o, i) => (baseKind(o) === kindOf(value) ? [issues[i]!] : []));
      return sameKind.length === 1 ? sameKind[0] : wrong();
    }
  }
}

/** Throws a ConfigError naming `origin` and the path of the first problem. */
export function validate<T>(spec: Spec, value: unknown, origin: string, prefix = ''): T {
  const issue = checkValue(spec, value, prefix);
  if (issue) throw new ConfigError(origin, issue.path, issue.message);
  return value as T;
}

/** `64mb`, `1.5gib`, `65536` → bytes; undefined when it is not a size. */
export const SIZE_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|k|mb|mib|m|gb|gib|g)?\s*$/i;

export function sizeInBytes(v: string): number | undefined {
  const m = SIZE_PATTERN.exec(v);
  if (!m) return undefined;
  const unit = (m[2] ?? 'b').toLowerCase()[0]!;
  const scale = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  return Math.round(Number(m[1]) * scale);
}

/**
 * Parses the text of a `ZAI_*` variable or a flag into a value of `spec`:
 * numbers, true/false, comma-separated lists. Checking is left to `validate`.
 */
export function parseText(spec: Spec, text: string): unknown {
  switch (spec.type) {
    case 'number': {
      const n = text.trim() === '' ? Number.NaN : Number(text);
      return Number.isNaN(n) ? text : n;
    }
    case 'boolean':
      return /^(true|1|yes|on)$/i.test(text) ? true : /^(false|0|no|off)$/i.test(text) ? false : text;
    case 'list':
      return text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => parseText(spec.items, s));
    case 'anyOf': {
      for (const o of spec.options) {
        const v = parseText(o, text);
        if (!checkValue(o, v)) return v;
      }
      return text;
    }
    default:
      return text;
  }
}
