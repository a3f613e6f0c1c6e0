// Compares a produced value with the expected one as the ONNX backend test
// runner does: exact types and shapes, rtol 1e-3 / atol 1e-7 for floats,
// NaN equal to NaN, exact values for everything else.

export const RTOL = 1e-3;
export const ATOL = 1e-7;

const FLOAT_TYPES = new Set(['float32', 'float64', 'float16', 'bfloat16', 'complex64', 'complex128']);

function describe(v) {
  if (v === null) return 'null (absent optional)';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `sequence of ${v.length}`;
  if (v instanceof Map) return `map of ${v.size}`;
  return `${v.type}[${v.dims.join(',')}]`;
}

/** Returns undefined when equal, else a one-line reason. `decode(t)` gives comparable numbers for a tensor. */
export function compareValues(actual, expected, decode, path = 'output') {
  if (expected === null || actual === null) {
    return expected === actual
      ? undefined
      : `${path}: expected ${describe(expected)}, got ${describe(actual)}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected a sequence, got ${describe(actual)}`;
    if (actual.length !== expected.length)
      return `${path}: sequence length ${actual.length}, expected ${expected.length}`;
    for (let i = 0; i < expected.length; i++) {
      const r = compareValues(actual[i], expected[i], decode, `${path}[${i}]`);
      if (r) return r;
    }
    return undefined;
  }
  if (expected instanceof Map) {
    if (!(actual instanceof Map)) return `${path}: expected a map, got ${describe(actual)}`;
    if (actual.size !== expected.size) return `${path}: map size ${actual.size}, expected ${expected.size}`;
    for (const [k, v] of expected) {
      if (!actual.has(k)) return `${path}: map key ${k} missing`;
      const r = compareValues(actual.get(k), v, decode, `${path}{${k}}`);
      if (r) return r;
    }
    return undefined;
  }
  if (!actual || Array.isArray(actual) || actual instanceof Map) {
    return `${path}: expected ${describe(expected)}, got ${describe(actual)}`;
  }
  if (actual.type !== expected.type) return `${path}: type ${actual.type}, expected ${expected.type}`;
  if (actual.dims.length !== expected.dims.length || actual.dims.some((d, i) => d !== expected.dims[i])) {
    return `${path}: shape [${actual.dims}], expected [${expected.dims}]`;
  }
  const a = decode(actual);
  const e = decode(expected);
  if (a.length !== e.length) return `${path}: ${a.length} values, expected ${e.length}`;
  const isFloat = FLOAT_TYPES.has(expected.type) || expected.type.startsWith('float');
  let bad = 0;
  let first = -1;
  for (let i = 0; i < e.length; i++) {
    const x = a[i];
    const y = e[i];
    let ok;
    if (isFloat) {
      if (Number.isNaN(y)) ok = Number.isNaN(x);
      else if (!Number.isFinite(y)) ok = x === y;
      else ok = Math.abs(x - y) <= ATOL + RTOL * Math.abs(y);
    } else ok = x === y;
    if (!ok) {
      bad++;
      if (first < 0) first = i;
    }
  }
  if (bad) {
    return `${path}: ${bad}/${e.length} values differ, first at ${first}: got ${a[first]}, expected ${e[first]}`;
  }
  return undefined;
}
