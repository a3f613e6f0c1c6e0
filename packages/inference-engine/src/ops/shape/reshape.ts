import { ShapeError } from '@zai/common';
import { sizeOf, Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext } from '../../kernel.js';
import { fmt, intValues, normalizeAxes, optionalAt, tensorAt } from './common.js';

// Ops that only change how a tensor's dims are read. They all return a new
// Tensor over the same storage: no element is copied.

function identity(): Kernel {
  // tensors, sequences, maps and absent optionals all pass through unchanged
  return (inputs) => [inputs[0] ?? null];
}

function shape(ctx: KernelContext): Kernel {
  const start = ctx.int('start', 0);
  const end = ctx.has('end') ? ctx.int('end') : undefined;
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Shape');
    const r = x.dims.length;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
    const s = clamp(start);
    const e = end === undefined ? r : clamp(end);
    const dims = x.dims.slice(s, Math.max(s, e));
    return [
      new Tensor(
        'int64',
        BigInt64Array.from(dims, (d) => BigInt(d)),
        [dims.length],
      ),
    ];
  };
}

function size(): Kernel {
  return (inputs) => [new Tensor('int64', BigInt64Array.of(BigInt(tensorAt(inputs, 0, 'Size').size)), [])];
}

/** Output dims of Reshape: 0 copies the input dim (unless allowzero), -1 is inferred. */
export function reshapeDims(
  input: readonly number[],
  target: readonly number[],
  allowZero: boolean,
): number[] {
  const out = target.slice();
  let infer = -1;
  let known = 1;
  for (let i = 0; i < out.length; i++) {
    const d = out[i]!;
    if (d === -1) {
      if (infer >= 0) throw new ShapeError(`Reshape: more than one -1 in target shape ${fmt(target)}`);
      infer = i;
      continue;
    }
    if (d === 0 && !allowZero) {
      if (i >= input.length) {
        throw new ShapeError(
          `Reshape: 0 at position ${i} of ${fmt(target)} has no input dim to copy in ${fmt(input)}`,
        );
      }
      out[i] = input[i]!;
    } else if (d < 0) throw new ShapeError(`Reshape: invalid dim ${d} in target shape ${fmt(target)}`);
    known *= out[i]!;
  }
  const n = sizeOf(input);
  if (infer >= 0) {
    if (known === 0 || n % known !== 0) {
      throw new ShapeError(`cannot reshape ${fmt(input)} (${n} elements) to ${fmt(target)}`);
    }
    out[infer] = n / known;
  } else if (known !== n) {
    throw new ShapeError(`cannot reshape ${fmt(input)} (${n} elements) to ${fmt(out)}`);
  }
  return out;
}

function reshape1(ctx: KernelContext): Kernel {
  const target = ctx.ints('shape');
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Reshape');
    return [new Tensor(x.type, x.data, reshapeDims(x.dims, target, false))];
  };
}

function reshape(ctx: KernelContext): Kernel {
  const allowZero = ctx.int('allowzero', 0) !== 0;
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Reshape');
    const target = intValues(tensorAt(inputs, 1, 'Reshape'), 'Reshape shape');
    return [new Tensor(x.type, x.data, reshapeDims(x.dims, target, allowZero))];
  };
}

function squeezeDims(dims: readonly number[], axes: readonly number[] | undefined): number[] {
  if (!axes) return dims.filter((d) => d !== 1);
  const ax = normalizeAxes(axes, dims.length, 'Squeeze');
  for (const a of ax) {
    if (dims[a] !== 1) throw new ShapeError(`Squeeze: dimension ${a} of ${fmt(dims)} is ${dims[a]}, not 1`);
  }
  return dims.filter((_, i) => !ax.includes(i));
}

function unsqueezeDims(dims: readonly number[], axes: readonly number[]): number[] {
  const rank = dims.length + axes.length;
  const ax = normalizeAxes(axes, rank, 'Unsqueeze');
  const out = new Array<number>(rank);
  let k = 0;
  for (let i = 0; i < rank; i++) out[i] = ax.includes(i) ? 1 : dims[k++]!;
  return out;
}

function squeeze(ctx: KernelContext): Kernel {
  const attr = ctx.opset < 13 && ctx.has('axes') ? ctx.ints('axes') : undefined;
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Squeeze');
    const a = ctx.opset >= 13 ? optionalAt(inputs, 1) : undefined;
    const axes = a ? intValues(a, 'Squeeze axes') : attr;
    return [new Tensor(x.type, x.data, squeezeDims(x.dims, axes))];
  };
}

function unsqueeze(ctx: KernelContext): Kernel {
  const attr = ctx.opset < 13 ? ctx.ints('axes') : undefined;
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Unsqueeze');
    const axes = attr ?? intValues(tensorAt(inputs, 1, 'Unsqueeze'), 'Unsqueeze axes');
    return [new Tensor(x.type, x.data, unsqueezeDims(x.dims, axes))];
  };
}

function flatten(ctx: KernelContext): Kernel {
  const axis = ctx.int('axis', 1);
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Flatten');
    const r = x.dims.length;
    if (axis < -r || axis > r) throw new ShapeError(`Flatten: axis ${axis} is out of range for rank ${r}`);
    const a = axis < 0 ? axis + r : axis;
    const outer = sizeOf(x.dims.slice(0, a));
    return [new Tensor(x.type, x.data, [outer, sizeOf(x.dims.slice(a))])];
  };
}

export const RESHAPE_OPS = [
  defineOp('Identity', '1+', identity),
  defineOp('Shape', '1+', shape),
  defineOp('Size', '1+', size),
  defineOp('Reshape', '1-4', reshape1),
  defineOp('Reshape', '5+', reshape),
  defineOp('Squeeze', '1+', squeeze),
  defineOp('Unsqueeze', '1+', unsqueeze),
  defineOp('Flatten', '1+', flatten),
];
