import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParseError } from '@zai/common';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeModel, decodeTensor } from '../src/index.js';

// Mutations of real models must either decode or fail with a ParseError that
// carries a byte offset: never another exception, a hang, or a huge allocation.

const cases = new URL('../../../../shared/onnx-backend-tests/node/', import.meta.url).pathname;
const seeds = [
  'test_conv_with_strides_padding',
  'test_lstm_defaults',
  'test_loop11',
  'test_if_seq',
  'test_ai_onnx_ml_label_encoder_string_int',
  'test_gemm_all_attributes',
  'test_resize_downsample_scales_cubic',
  'test_sequence_map_identity_1_sequence',
].map((name) => new Uint8Array(readFileSync(join(cases, name, 'model.onnx'))));
const tensors = [
  new Uint8Array(
    readFileSync(join(cases, 'test_conv_with_strides_padding', 'test_data_set_0', 'input_0.pb')),
  ),
];

/** Decodes and loads every tensor; returns the error if any. */
function decodeFully(bytes: Uint8Array): unknown {
  try {
    const m = decodeModel(bytes);
    for (const init of m.graph.initializers) init.loadSync();
    for (const n of m.graph.nodes) for (const a of n.attributes) if (a.type === 'tensor') a.value.loadSync();
    return undefined;
  } catch (e) {
    return e;
  }
}

function expectCleanFailure(e: unknown, size: number): void {
  if (e === undefined) return;
  if (!(e instanceof ParseError))
    throw new Error(`expected ParseError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
  expect(e.offset === undefined || (e.offset >= 0 && e.offset <= size)).toBe(true);
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }),
  }),
  fc.record({ kind: fc.constant('varint' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(src: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = src.slice();
  for (const m of ms) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    switch (m.kind) {
      case 'flip':
        b[at]! ^= 1 << m.bit;
        break;
      case 'byte':
        b[at] = m.value;
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'insert': {
        const out = new Uint8Array(b.length + m.bytes.length);
        out.set(b.subarray(0, at));
        out.set(m.bytes, at);
        out.set(b.subarray(at), at + m.bytes.length);
        b = out;
        break;
      }
      case 'varint': // an over-long varint (all continuation bits)
        b.fill(0xff, at, Math.min(b.length, at + 11));
        break;
    }
  }
  return b;
}

describe('fuzzing the decoder with mutated real models', () => {
  it('fails cleanly on 3,000 mutations', () => {
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), (i, ms) => {
        const bytes = mutate(seeds[i]!, ms);
        expectCleanFailure(decodeFully(bytes), bytes.length);
      }),
      { seed: 20261123, numRuns: 3000 },
    );
  });

  it('fails cleanly on mutated tensor files', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => {
        const bytes = mutate(tensors[0]!, ms);
        try {
          decodeTensor(bytes);
        } catch (e) {
          expectCleanFailure(e, bytes.length);
        }
      }),
      { seed: 7, numRuns: 500 },
    );
  });

  it('rejects absurd dims without allocating them', () => {
    // TensorProto: dims = [2^40, 2^40], data_type = FLOAT, no data
    const big = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
    const t = Uint8Array.from([0x08, ...big, 0x08, ...big, 0x10, 0x01]);
    expect(() => decodeTensor(t)).toThrow(/overflows/);
    // dims = [2^30] with no data: the count mismatch is found before any allocation
    const t2 = Uint8Array.from([0x08, 0x80, 0x80, 0x80, 0x80, 0x04, 0x10, 0x01, 0x22, 0x04, 0, 0, 0, 0]);
    expect(() => decodeTensor(t2)).toThrow(ParseError);
  });
});
