import type { DataType } from '@zai/common';
import { Tensor } from '@zai/tensor-core';

/** A tensor as it crosses a worker boundary: plain fields, storage cloned or transferred. */
export interface WireTensor {
  readonly type: DataType;
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** An error as it crosses a worker boundary; `code` keeps its meaning (ZAI_SHAPE → 400…). */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
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
    }
  | { readonly kind: 'error'; readonly id: number; readonly error: WireError };

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

export function wireError(e: unknown): WireError {
  const err = e as { name?: unknown; message?: unknown; code?: unknown } | null;
  return {
    name: typeof err?.name === 'string' ? err.name : 'Error',
    message: typeof err?.message === 'string' ? err.message : String(e),
    ...(typeof err?.code === 'string' ? { code: err.code } : {}),
  };
}

/** Rebuilds an error from the wire; keeps `code` so the HTTP mapping still works. */
export function errorFromWire(w: WireError): Error {
  const e = new Error(w.message) as Error & { code?: string };
  e.name = w.name;
  if (w.code) e.code = w.code;
  return e;
}
