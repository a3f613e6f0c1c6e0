import { UnsupportedOperatorError } from '@zai/common';
import { Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type ShapeFn } from '../../kernel.js';
import { stringArg, typed } from './common.js';
import { Re2Error, re2FullMatch } from './re2.js';

// RegexFullMatch (20): Y[i] is true when the whole of X[i] matches the RE2
// `pattern`. The pattern is translated once, at session creation, into an
// equivalent JavaScript RegExp (re2.ts documents the supported subset). A
// pattern RE2 itself rejects fails validation; a valid RE2 pattern with no
// faithful JavaScript equivalent (\C) is reported as unsupported.

const OP = 'RegexFullMatch';

function create(ctx: KernelContext): Kernel {
  const pattern = ctx.string('pattern');
  let re: RegExp;
  try {
    re = re2FullMatch(pattern);
  } catch (e) {
    if (!(e instanceof Re2Error)) throw e;
    if (e.invalid) ctx.fail(`invalid RE2 pattern ${JSON.stringify(pattern)}: ${e.message}`);
    throw new UnsupportedOperatorError(
      OP,
      ctx.node.domain,
      ctx.opset,
      ctx.label,
      `pattern ${JSON.stringify(pattern)}: ${e.message}`,
    );
  }
  return (inputs) => {
    const x = stringArg(inputs, 0, OP, 'X');
    const y = new Uint8Array(x.size);
    const X = x.data;
    for (let i = 0; i < y.length; i++) y[i] = re.test(X[i]!) ? 1 : 0;
    return [new Tensor('bool', y, x.dims)];
  };
}

const shape: ShapeFn = (ctx) => [typed('bool', ctx.shape(0))];

export const REGEX_FULL_MATCH = [defineOp('RegexFullMatch', '20+', create, '', shape)];
