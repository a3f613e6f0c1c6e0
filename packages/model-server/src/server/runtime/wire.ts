import type { DataType, ServableStats } from '@zai/common';
import { Tensor } from '@zai/tensor-core';
import type { WireError } from './wire-error.js';

export { errorFromWire, type WireError, wireError } from './wire-error.js';

/** A tensor as it crosses a worker boundary: plain fields, storage cloned or transferred. */
export interface WireTensor {
  readonly type: DataType;
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** Messages from the main thread to a worker. */
export type ToWorker =
  | {
      readonly kind: 'run';
      readonly id: number;
      readonly feeds: Record<string, WireTensor>;
      readonly fetches?: readonly string[];
    }
  | { readonly kind: 'close' };

/** Messages from a worker to the main thread. */
export type FromWorker =
  | { readonly kind: 'ready'; readonly info: import('./executor.js').ExecutorInfo }
  | { readonly kind: 'failed'; readonly error: WireError }
  | {
      readonly kind: 'result';
      readonly id: number;
      readonly outputs: Record<string, WireTensor>;
      readonly inferNs: number;
      /** A pipeline's step statistics after this run (cumulative, this worker's). */
      readonly stats?: ServableStats;
    }
  | {
      readonly kind: 'error';
      readonly id: number;
      readonly error: WireError;
      readonly stats?: ServableStats;
    };

export function toWire(t: Tensor, transfer: ArrayBuffer[]): WireTensor {
  const d = t.data as { buffer?: unknown; byteOffset?: number; byteLength?: number };
  // only whole, unshared buffers move; anything else is cloned by postMessage
  if (
    d.buffer instanceof ArrayBuffer &&
    d.byteOffset === 0 &&
    d.byteLength === d.buffer.byteLength &&
    !transfer.includes(d.buffer)
  ) {
    transfer.push(d.buffer);
  }
  return { type: t.type, dims: t.dims, data: t.data };
}

export function fromWire(w: WireTensor): Tensor {
  return new Tensor(w.type, w.data as never, w.dims);
}
