import { ShapeError } from '@zai/common';
import { defineOp, type RuntimeValue } from '../../kernel.js';
import { describeValue, expectSequence } from './layout.js';
import { sequenceMapType } from './types.js';

/**
 * SequenceMap (17+): runs `body` once per position of the input sequences.
 * Sequence inputs give the body their i-th element, tensor inputs are passed
 * whole every time; each body output is collected into an output sequence.
 */
export const SEQUENCE_MAP = defineOp(
  'SequenceMap',
  '17+',
  (ctx) => {
    const body = ctx.graph('body');
    if (body.inputNames.length !== ctx.inputCount) {
      ctx.fail(`body takes ${body.inputNames.length} inputs but the node has ${ctx.inputCount}`);
    }
    if (body.outputNames.length !== ctx.outputCount) {
      ctx.fail(`body yields ${body.outputNames.length} outputs but the node has ${ctx.outputCount}`);
    }
    return (inputs, run) => {
      const first = expectSequence(inputs[0], 'SequenceMap input_sequence');
      const n = first.length;
      inputs.forEach((v, k) => {
        if (Array.isArray(v) && v.length !== n) {
          throw new ShapeError(`SequenceMap input ${k} has ${v.length} elements, input_sequence has ${n}`);
        }
        if (v === undefined || v === null)
          throw new ShapeError(`SequenceMap input ${k} is ${describeValue(v)}`);
      });
      const outs: RuntimeValue[][] = body.outputNames.map(() => []);
      for (let i = 0; i < n; i++) {
        const args = inputs.map((v) => (Array.isArray(v) ? v[i] : v));
        const results = body.run(args, run);
        results.forEach((r, k) => {
          outs[k]!.push(r);
        });
      }
      return outs;
    };
  },
  '',
  sequenceMapType,
);
