import type { Tensor as TensorT } from '@zai/tensor-core';
import { Tensor } from '@zai/tensor-core';

// Dynamic batching: requests are concatenated along the first (batch)
// dimension, run once, and the outputs split back by each request's rows.

type Storage = { length: number; set(a: ArrayLike<unknown>, at: number): void; subarray?: unknown };

/** Concatenates same-typed tensors along axis 0; their other dims must agree (checked by the caller's key). */
export function concatRows(parts: readonly TensorT[]): TensorT {
  const first = parts[0]!;
  if (parts.length === 1) return first;
  const rows = parts.reduce((n, t) => n + t.dims[0]!, 0);
  const dims = [rows, ...first.dims.slice(1)];
  if (first.type === 'string') {
    return new Tensor(
      'string',
      parts.flatMap((t) => t.data as string[]),
      dims,
    );
  }
  const total = parts.reduce((n, t) => n + (t.data as Storage).length, 0);
  const Ctor = (first.data as object).constructor as new (n: number) => Storage;
  const out = new Ctor(total);
  let at = 0;
  for (const t of parts) {
    out.set(t.data as ArrayLike<unknown>, at);
    at += (t.data as Storage).length;
  }
  return new Tensor(first.type, out as never, dims);
}

/** Splits a batched output back into per-request tensors of `rows[i]` rows each. */
export function splitRows(t: TensorT, rows: readonly number[]): TensorT[] {
  const total = rows.reduce((a, b) => a + b, 0);
  if (t.dims[0] !== total) {
    throw new Error(
      `a batched output has ${t.dims[0] ?? 'no'} rows, expected ${total}: the model is not batchable`,
    );
  }
  const inner = total === 0 ? 0 : t.size / total;
  let at = 0;
  return rows.map((n) => {
    const dims = [n, ...t.dims.slice(1)];
    const data = (t.data as { slice(a: number, b: number): unknown }).slice(at * inner, (at + n) * inner);
    at += n;
    return new Tensor(t.type, data as never, dims);
  });
}

/** Requests can share a batch when they feed the same inputs, types and non-batch dims, and ask the same outputs. */
export function batchKey(
  feeds: Readonly<Record<string, TensorT>>,
  fetches: readonly string[] | undefined,
): string {
  const parts = Object.keys(feeds)
    .sort()
    .map((k) => `${k}:${feeds[k]!.type}:${feeds[k]!.dims.slice(1).join('x')}`);
  return `${parts.join('|')}>${fetches?.join(',') ?? '*'}`;
}

/** The batch size of a request: the common first dimension of its inputs, or undefined if they disagree. */
export function rowsOf(feeds: Readonly<Record<string, TensorT>>): number | undefined {
  let rows: number | undefined;
  for (const t of Object.values(feeds)) {
    const r = t.dims[0];
    if (r === undefined) return undefined;
    if (rows === undefined) rows = r;
    else if (rows !== r) return undefined;
  }
  return rows;
}
