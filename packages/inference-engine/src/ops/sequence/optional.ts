import { InvalidArgumentError } from '@zai/common';
import { Tensor } from '@zai/tensor-core';
import { defineOp } from '../../kernel.js';
import { optionalGetElementType, optionalHasElementType, optionalType } from './types.js';

// Optionals at run time: a present optional is its value itself, an empty
// one is `null`. An omitted input (`undefined`) also counts as empty.

/** Optional (15+): wraps its input, or makes an empty optional of the `type` attribute. */
export const OPTIONAL = defineOp(
  'Optional',
  '15+',
  (ctx) => {
    if (!ctx.hasInput(0) && !ctx.has('type')) ctx.fail("needs an input or a 'type' attribute");
    return (inputs) => [inputs[0] ?? null];
  },
  '',
  optionalType,
);

/** OptionalHasElement (15+; 18 also takes plain tensors and sequences, and no input at all). */
export const OPTIONAL_HAS_ELEMENT = defineOp(
  'OptionalHasElement',
  '15+',
  () => (inputs) => {
    const present = inputs[0] !== undefined && inputs[0] !== null;
    return [new Tensor('bool', Uint8Array.of(present ? 1 : 0), [])];
  },
  '',
  optionalHasElementType,
);

/** OptionalGetElement (15+; 18 also passes plain tensors and sequences through). */
export const OPTIONAL_GET_ELEMENT = defineOp(
  'OptionalGetElement',
  '15+',
  (ctx) => (inputs) => {
    const v = inputs[0];
    if (v === undefined || v === null) {
      throw new InvalidArgumentError(`node '${ctx.label}' (OptionalGetElement): the optional input is empty`);
    }
    return [v];
  },
  '',
  optionalGetElementType,
);
