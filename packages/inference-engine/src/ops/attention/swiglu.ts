import { ShapeError, TypeMismatchError } from '@zai/common';
import { defineOp, type Kernel, type KernelContext } from '../../kernel.js';
import { sameAsInput } from '../../shape/common.js';
import { floatInput } from '../norm/common.js';
import { floatBuffer, floatData, floatTensor } from '../util/float-io.js';

// SwiGLU (28): Y = Swish_alpha(A) * B = A * sigmoid(alpha * A) * B, with A
// (the gate) and B (the value) of the same type and shape, no broadcasting.

const OP = 'SwiGLU';

function create(ctx: KernelContext): Kernel {
  const alpha = ctx.float('alpha', 1);
  return (inputs) => {
    const a = floatInput(inputs, 0, OP, 'A');
    const b = floatInput(inputs, 1, OP, 'B');
    if (a.type !== b.type) throw new TypeMismatchError(`${OP}: A is ${a.type} but B is ${b.type}`);
    if (a.dims.length !== b.dims.length || a.dims.some((d, i) => d !== b.dims[i])) {
      throw new ShapeError(
        `${OP}: A [${a.dims.join(',')}] and B [${b.dims.join(',')}] must have the same shape`,
      );
    }
    const A = floatData(a);
    const B = floatData(b);
    const Y = floatBuffer(a.type, a.size);
    for (let i = 0; i < Y.length; i++) {
      const x = A[i]!;
      Y[i] = (x / (1 + Math.exp(-alpha * x))) * B[i]!;
    }
    return [floatTensor(a.type, Y, a.dims)];
  };
}

export const SWIGLU = [defineOp('SwiGLU', '28+', create, '', sameAsInput(0))];
