import type { Tensor } from '@zai/tensor-core';
import { defineOp, type RuntimeValue } from '../../kernel.js';
import { expectTensor, scalarBool, scalarInt } from '../sequence/layout.js';
import { boolScalar, checkAborted, graphIR, int64Scalar, scanElement, stackScan } from './common.js';
import { loopType } from './types.js';

/**
 * Loop (1+): inputs (M, cond, v_initial × N); the body takes
 * (iteration_num, cond, v × N) and yields (cond, v × N, scan × K). Carried
 * values may be tensors, sequences (13+) or optionals (16+); scan outputs are
 * stacked along a new first axis.
 */
export const LOOP = defineOp(
  'Loop',
  '1+',
  (ctx) => {
    const body = ctx.graph('body');
    const declared = graphIR(ctx, 'body').outputs;
    const n = ctx.inputCount - 2;
    if (n < 0) ctx.fail('needs at least the inputs M and cond (either may be empty)');
    if (body.inputNames.length !== n + 2) {
      ctx.fail(
        `body takes ${body.inputNames.length} inputs, expected ${n + 2} (iteration_num, cond, ${n} carried)`,
      );
    }
    const k = body.outputNames.length - 1 - n;
    if (k < 0) ctx.fail(`body yields ${body.outputNames.length} outputs, expected at least ${n + 1}`);
    if (ctx.outputCount > n + k) ctx.fail(`the node has ${ctx.outputCount} outputs, the body gives ${n + k}`);

    return (inputs, run) => {
      const maxTrips =
        inputs[0] == null ? Number.POSITIVE_INFINITY : scalarInt(expectTensor(inputs[0], 'Loop M'), 'M');
      const hasCond = inputs[1] != null;
      let cond = hasCond ? scalarBool(expectTensor(inputs[1], 'Loop cond'), 'cond') : true;
      // with M and no cond input the body's cond is ignored (a for loop); with
      // neither, honouring it is the only way the loop can ever end
      const useBodyCond = hasCond || inputs[0] == null;
      // an omitted carried input is an empty optional
      let carried: RuntimeValue[] = [];
      for (let j = 0; j < n; j++) carried.push(inputs[2 + j] ?? null);
      const scans: Tensor[][] = Array.from({ length: k }, () => []);
      for (let i = 0; i < maxTrips && cond; i++) {
        checkAborted(run);
        const outs = body.run([int64Scalar(i), boolScalar(cond), ...carried], run);
        if (useBodyCond) cond = scalarBool(expectTensor(outs[0], 'Loop body cond'), 'body cond');
        carried = outs.slice(1, 1 + n);
        for (let j = 0; j < k; j++) scans[j]!.push(scanElement(outs[1 + n + j]!, `scan output ${j}`));
      }
      return [...carried, ...scans.map((items, j) => stackScan(items, 0, declared[1 + n + j]))];
    };
  },
  '',
  loopType,
);
