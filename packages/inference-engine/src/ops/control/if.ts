import { defineOp } from '../../kernel.js';
import { expectTensor, scalarBool } from '../sequence/layout.js';
import { ifType } from './types.js';

/**
 * If (1+): runs one of two branch graphs. Branches take no inputs; they read
 * outer-scope values through the run context, and may yield values of
 * different shapes, sequences or optionals (13+, 16+).
 */
export const IF = defineOp(
  'If',
  '1+',
  (ctx) => {
    const thenBranch = ctx.graph('then_branch');
    const elseBranch = ctx.graph('else_branch');
    for (const [name, g] of [
      ['then_branch', thenBranch],
      ['else_branch', elseBranch],
    ] as const) {
      if (g.outputNames.length !== ctx.outputCount) {
        ctx.fail(`${name} yields ${g.outputNames.length} outputs but the node has ${ctx.outputCount}`);
      }
    }
    return (inputs, run) => {
      const cond = scalarBool(expectTensor(inputs[0], 'If cond'), 'If cond');
      return (cond ? thenBranch : elseBranch).run([], run);
    };
  },
  '',
  ifType,
);
