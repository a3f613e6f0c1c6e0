#!/usr/bin/env node
// Assembles the WebAssembly SIMD sgemm micro-kernel byte by byte (no wasm
// toolchain needed) and writes src/ops/nn/sgemm-wasm.generated.ts with the
// module as base64.
//
//   node packages/inference-engine/scripts/gen-sgemm-wasm.mjs
//
// The module exports its memory as "mem" and one function
//
//   kernel(mc, nc, kc, pa, pb, pc, ldc)     all i32, byte pointers / strides
//
// which does C[mc x nc] += Apack * Bpack for mc a multiple of 4, nc a multiple
// of 8, kc >= 1. Apack holds mc/4 panels of 4 rows, each kc x 4 floats
// (k-major); Bpack holds nc/8 panels of 8 columns, each kc x 8 floats
// (k-major); C starts at pc with a row stride of ldc bytes. The micro-kernel
// is 4 rows x 8 columns: 8 f32x4 accumulators in locals, per k two B loads,
// four A load32_splat, eight mul + eight add.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, '..', 'src', 'ops', 'nn', 'sgemm-wasm.generated.ts');

// ---- encoding helpers -------------------------------------------------------

function uleb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n) {
  const out = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items) => [...uleb(items.length), ...items.flat()];
const section = (id, body) => [id, ...uleb(body.length), ...body];
const name = (s) => vec([...Buffer.from(s, 'utf8')].map((b) => [b]));

const I32 = 0x7f;
const V128 = 0x7b;
const VOID = 0x40;

// Core opcodes.
const get = (i) => [0x20, ...uleb(i)];
const set = (i) => [0x21, ...uleb(i)];
const tee = (i) => [0x22, ...uleb(i)];
const i32c = (n) => [0x41, ...sleb(n)];
const i32add = [0x6a];
const i32shl = [0x74];
const i32ltu = [0x49];
const loop = [0x03, VOID];
const end = [0x0b];
const brIf = (depth) => [0x0d, ...uleb(depth)];

// SIMD opcodes (prefix 0xfd, LEB128 u32 sub-opcode), from the WebAssembly SIMD spec.
const simd = (op, ...imm) => [0xfd, ...uleb(op), ...imm];
const memarg = (align, offset) => [...uleb(align), ...uleb(offset)];
const v128load = (offset) => simd(0x00, ...memarg(4, offset));
const v128load32splat = (offset) => simd(0x09, ...memarg(2, offset));
const v128store = (offset) => simd(0x0b, ...memarg(4, offset));
const v128zero = simd(0x0c, ...new Array(16).fill(0));
const f32x4add = simd(0xe4);
const f32x4mul = simd(0xe6);

// ---- the kernel -------------------------------------------------------------

// Parameters.
const MC = 0;
const NC = 1;
const KC = 2;
const PA = 3;
const PB = 4;
const PC = 5;
const LDC = 6;
// i32 locals.
const J = 7; // column counter
const BPANEL = 8; // current B panel
const CJ = 9; // C pointer of the current column block
const I = 10; // row counter
const AP = 11; // current A panel
const CI = 12; // C pointer of the current 4 x 8 tile
const BP = 13; // B pointer inside the k loop
const KEND = 14; // end of the current A panel
const ROW = 15; // C row pointer while storing
// v128 locals.
const ACC = 16; // 16..23: acc[r*2 + h], rows r = 0..3, halves h = 0..1
const B0 = 24;
const B1 = 25;
const A = 26;

const body = [];
const emit = (...parts) => {
  for (const p of parts) body.push(...p);
};

emit(i32c(0), set(J), get(PB), set(BPANEL), get(PC), set(CJ));
emit(loop); // J loop
emit(i32c(0), set(I), get(PA), set(AP), get(CJ), set(CI));
emit(loop); // I loop
for (let a = 0; a < 8; a++) emit(v128zero, set(ACC + a));
emit(get(BPANEL), set(BP));
// KEND = AP + kc * 16
emit(get(AP), get(KC), i32c(4), i32shl, i32add, set(KEND));
emit(loop); // K loop: AP walks the A panel, BP the B panel
emit(get(BP), v128load(0), set(B0), get(BP), v128load(16), set(B1));
for (let r = 0; r < 4; r++) {
  emit(get(AP), v128load32splat(4 * r), set(A));
  for (let h = 0; h < 2; h++) {
    emit(get(ACC + 2 * r + h), get(A), get(h === 0 ? B0 : B1), f32x4mul, f32x4add, set(ACC + 2 * r + h));
  }
}
emit(get(BP), i32c(32), i32add, set(BP));
emit(get(AP), i32c(16), i32add, tee(AP), get(KEND), i32ltu, brIf(0));
emit(end); // K loop; AP now points at the next A panel
// C tile += acc, row by row.
emit(get(CI), set(ROW));
for (let r = 0; r < 4; r++) {
  for (let h = 0; h < 2; h++) {
    emit(get(ROW), get(ROW), v128load(16 * h), get(ACC + 2 * r + h), f32x4add, v128store(16 * h));
  }
  if (r < 3) emit(get(ROW), get(LDC), i32add, set(ROW));
}
// CI += 4 * ldc; I += 4; loop while I < mc.
emit(get(CI), get(LDC), i32c(2), i32shl, i32add, set(CI));
emit(get(I), i32c(4), i32add, tee(I), get(MC), i32ltu, brIf(0));
emit(end); // I loop
// BPANEL += kc * 32; CJ += 32; J += 8; loop while J < nc.
emit(get(BPANEL), get(KC), i32c(5), i32shl, i32add, set(BPANEL));
emit(get(CJ), i32c(32), i32add, set(CJ));
emit(get(J), i32c(8), i32add, tee(J), get(NC), i32ltu, brIf(0));
emit(end); // J loop
emit(end); // function

const locals = vec([
  [...uleb(9), I32],
  [...uleb(11), V128],
]);
const func = [...locals, ...body];

const bytes = [
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  // type 0: (i32 x 7) -> ()
  ...section(1, vec([[0x60, ...vec(new Array(7).fill([I32])), ...vec([])]])),
  ...section(3, vec([uleb(0)])),
  // memory 0: min 1 page, no maximum
  ...section(5, vec([[0x00, ...uleb(1)]])),
  ...section(
    7,
    vec([
      [...name('mem'), 0x02, ...uleb(0)],
      [...name('kernel'), 0x00, ...uleb(0)],
    ]),
  ),
  ...section(10, vec([[...uleb(func.length), ...func]])),
];

const buf = Buffer.from(bytes);
if (!WebAssembly.validate(buf)) throw new Error('generated module does not validate');
const b64 = buf.toString('base64');
const lines = b64.match(/.{1,100}/g).map((l) => `  '${l}' +`);
lines[lines.length - 1] = lines[lines.length - 1].replace(/ \+$/, ',');
const ts = `// Generated by scripts/gen-sgemm-wasm.mjs; do not edit. ${buf.length} bytes.
// WebAssembly SIMD sgemm micro-kernel: kernel(mc, nc, kc, pa, pb, pc, ldc)
// does C += Apack * Bpack over 4 x 8 tiles; exports its memory as "mem".
export const SGEMM_WASM_BASE64 =
${lines.join('\n')}
`;
writeFileSync(target, ts.replace(/=\n {2}'([^']*)',\n$/, "=\n  '$1';\n").replace(/,\n$/, ';\n'));
console.log(`wrote ${target} (${buf.length} bytes)`);
