// Number <-> string conversions for Cast. Parsing accepts plain and
// scientific notation and the case-insensitive literals "INF", "+INF",
// "-INF" and "NaN" (ONNX Cast). Formatting prints the shortest digits that
// read back to the same value of the source type, laid out as numpy's repr
// (positional between 1e-4 and 1e16, else d.ddde±XX) with ONNX's literals for
// the special values.

const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** Parses a numeric string as a float; unparseable text gives NaN. */
export function parseFloatString(s: string): number {
  const t = s.trim();
  const m = SPECIAL.exec(t);
  if (m) {
    if (m[2]!.toLowerCase() === 'nan') return Number.NaN;
    return m[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (t === '') return Number.NaN;
  const lower = t.toLowerCase();
  if (lower === 'true') return 1;
  if (lower === 'false') return 0;
  const n = Number(t);
  // Number() also reads hex/binary literals; strtod-like prefix parsing otherwise
  return Number.isNaN(n) || /^[+-]?0[box]/i.test(t) ? Number.parseFloat(t) : n;
}

const INTEGER = /^[+-]?\d+$/;

/** Parses a string as a 64-bit integer: exact for integer literals, truncated for float text (NaN gives undefined). */
export function parseBigIntString(s: string): bigint | undefined {
  const t = s.trim();
  if (INTEGER.test(t)) return BigInt(t);
  const v = Math.trunc(parseFloatString(t));
  return Number.isFinite(v) ? BigInt(v) : undefined;
}

/** numpy-repr layout of `v` with `precision` significant digits. */
function layout(v: number, precision: number): string {
  const [mant, e] = v.toExponential(precision - 1).split('e') as [string, string];
  const power = Number(e);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '').replace(/0+$/, '') || '0';
  let s: string;
  if (power >= -4 && power < 16) {
    if (power >= 0) {
      const int = digits.slice(0, power + 1).padEnd(power + 1, '0');
      s = `${int}.${digits.slice(power + 1) || '0'}`;
    } else s = `0.${'0'.repeat(-power - 1)}${digits}`;
  } else {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    s = `${m}e${power < 0 ? '-' : '+'}${String(Math.abs(power)).padStart(2, '0')}`;
  }
  return neg ? `-${s}` : s;
}

/**
 * Formats a float. `roundTrip` maps a number to the nearest value of the
 * source type (Math.fround for float32, identity for float64): the shortest
 * precision that reads back to `v` is used.
 */
export function formatFloat(v: number, roundTrip: (x: number) => number = (x) => x): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'INF';
  if (v === Number.NEGATIVE_INFINITY) return '-INF';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  for (let p = 1; p < 17; p++) {
    if (roundTrip(Number(v.toPrecision(p))) === v) return layout(v, p);
  }
  return layout(v, 17);
}
