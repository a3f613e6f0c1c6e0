import { AbortError, TypeMismatchError } from '@zai/common';
import type { GraphIR, ValueInfoIR } from '@zai/onnx-parser';
import { Tensor } from '@zai/tensor-core';
import type { KernelContext, RunContext, RuntimeValue } from '../../kernel.js';
import { describeValue, stackAxis, zeros } from '../sequence/layout.js';

// Helpers shared by If, Loop and Scan.

/** The IR of a graph attribute, for the declared types of its outputs. */
export function graphIR(ctx: KernelContext, name: string): GraphIR {
  for (const a of ctx.node.attributes) if (a.name === name && a.type === 'graph') return a.value;
  return ctx.fail(`required attribute '${name}' is missing or not a graph`);
}

export function boolScalar(v: boolean): Tensor {
  return new Tensor('bool', Uint8Array.of(v ? 1 : 0), []);
}

export function int64Scalar(v: number): Tensor {
  return new Tensor('int64', BigInt64Array.of(BigInt(v)), []);
}

/** Throws when the run was cancelled; checked once per iteration so long loops stay abortable. */
export function checkAborted(run: RunContext): void {
  if (run.signal?.aborted) throw new AbortError();
}

/** A body output that must be a tensor (scan outputs are accumulated tensors). */
export function scanElement(v: RuntimeValue, what: string): Tensor {
  if (v === null || Array.isArray(v) || v instanceof Map) {
    throw new TypeMismatchError(`${what} must be a tensor, got ${describeValue(v)}`);
  }
  return v;
}

/**
 * Accumulates per-iteration tensors along a new axis. With no iterations the
 * element type and shape come from the body's declared output (unknown
 * dims count as 0), as there is no value to take them from.
 */
export function stackScan(items: readonly Tensor[], axis: number, declared: ValueInfoIR | undefined): Tensor {
  if (items.length > 0) return stackAxis(items, axis);
  const t = declared?.type;
  if (t?.kind !== 'tensor') return zeros('float32', [0]);
  const dims = (t.shape ?? []).map((d) => (typeof d === 'number' ? d : 0));
  dims.splice(Math.min(axis, dims.length), 0, 0);
  return zeros(t.elemType, dims);
}
