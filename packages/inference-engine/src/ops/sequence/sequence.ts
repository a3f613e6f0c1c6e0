import { TypeMismatchError } from '@zai/common';
import { isTensor, Tensor } from '@zai/tensor-core';
import { defineOp, type RuntimeValue } from '../../kernel.js';
import { expectSequence, expectTensor, resolvePosition, scalarInt } from './layout.js';
import {
  sameSequenceType,
  sequenceAtType,
  sequenceConstructType,
  sequenceEmptyType,
  sequenceInsertType,
  sequenceLengthType,
} from './types.js';

// Sequence construction and editing (opset 11+). Sequences are plain arrays
// and are never mutated in place: values may be shared between graph slots,
// loop iterations and callers, so every edit returns a new array.

/** The element type a sequence already holds, if it holds any tensor. */
function elementType(seq: readonly RuntimeValue[]): string | undefined {
  const t = seq.find(isTensor);
  return t?.type;
}

function checkElement(seq: readonly RuntimeValue[], t: Tensor, what: string): void {
  const type = elementType(seq);
  if (type !== undefined && type !== t.type) {
    throw new TypeMismatchError(`${what} is ${t.type} but the sequence holds ${type} tensors`);
  }
}

export const SEQUENCE_EMPTY = defineOp(
  'SequenceEmpty',
  '11+',
  (ctx) => {
    // `dtype` only types the (statically) empty sequence; validate it is an int
    ctx.int('dtype', 1);
    return () => [[]];
  },
  '',
  sequenceEmptyType,
);

export const SEQUENCE_CONSTRUCT = defineOp(
  'SequenceConstruct',
  '11+',
  () => (inputs) => {
    const seq = inputs.map((v, i) => expectTensor(v, `SequenceConstruct input ${i}`));
    for (const t of seq) checkElement(seq, t, 'every input');
    return [seq];
  },
  '',
  sequenceConstructType,
);

export const SEQUENCE_INSERT = defineOp(
  'SequenceInsert',
  '11+',
  () => (inputs) => {
    const seq = expectSequence(inputs[0], 'SequenceInsert input_sequence');
    const t = expectTensor(inputs[1], 'SequenceInsert tensor');
    checkElement(seq, t, 'the inserted tensor');
    const n = seq.length;
    // omitted position appends; otherwise [-n, n]
    const pos =
      inputs[2] == null
        ? n
        : resolvePosition(scalarInt(expectTensor(inputs[2], 'position'), 'position'), n, n + 1, 'position');
    const out = seq.slice();
    out.splice(pos, 0, t);
    return [out];
  },
  '',
  sequenceInsertType,
);

export const SEQUENCE_AT = defineOp(
  'SequenceAt',
  '11+',
  () => (inputs) => {
    const seq = expectSequence(inputs[0], 'SequenceAt input_sequence');
    const p = scalarInt(expectTensor(inputs[1], 'SequenceAt position'), 'position');
    return [seq[resolvePosition(p, seq.length, seq.length, 'position')]!];
  },
  '',
  sequenceAtType,
);

export const SEQUENCE_ERASE = defineOp(
  'SequenceErase',
  '11+',
  () => (inputs) => {
    const seq = expectSequence(inputs[0], 'SequenceErase input_sequence');
    const n = seq.length;
    // omitted position erases the last tensor
    const p =
      inputs[1] == null ? -1 : scalarInt(expectTensor(inputs[1], 'SequenceErase position'), 'position');
    const out = seq.slice();
    out.splice(resolvePosition(p, n, n, 'position'), 1);
    return [out];
  },
  '',
  sameSequenceType,
);

export const SEQUENCE_LENGTH = defineOp(
  'SequenceLength',
  '11+',
  () => (inputs) => {
    const seq = expectSequence(inputs[0], 'SequenceLength input_sequence');
    return [new Tensor('int64', BigInt64Array.of(BigInt(seq.length)), [])];
  },
  '',
  sequenceLengthType,
);
