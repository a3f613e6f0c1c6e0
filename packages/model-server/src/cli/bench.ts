import type { BackendName, DataType, ValueMetadata } from '@zai/common';
import { InvalidArgumentError } from '@zai/common';
import { InferenceSession } from '@zai/inference-engine';
import { Tensor } from '@zai/tensor-core';

export interface BenchCommandOptions {
  readonly runs?: string;
  readonly warmup?: string;
  readonly backend?: string;
  readonly dim?: string[];
  readonly json?: boolean;
}

interface BenchRow {
  readonly backend: string;
  readonly medianMs?: number;
  readonly p90Ms?: number;
  readonly createMs?: number;
  readonly error?: string;
}

/** Binds `name=size` pairs for symbolic (and unknown) dimensions; unbound ones become 1. */
function parseDims(args: readonly string[]): Map<string, number> {
  const dims = new Map<string, number>();
  for (const a of args) {
    const m = /^([^=]+)=(\d+)$/.exec(a);
    if (!m) throw new InvalidArgumentError(`--dim expects name=size, got '${a}'`);
    dims.set(m[1]!, Number(m[2]));
  }
  return dims;
}

/** Deterministic inputs in [-1, 1) (or small non-negative integers, false for bool) for each declared input. */
function syntheticFeeds(
  inputs: readonly ValueMetadata[],
  dims: ReadonlyMap<string, number>,
): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  let seed = 12345;
  const next = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  for (const info of inputs) {
    const t = info.type;
    if (t?.kind !== 'tensor') {
      throw new InvalidArgumentError(`input '${info.name}' is not a tensor; zai bench feeds tensors only`);
    }
    const shape = (t.shape ?? []).map((d) =>
      typeof d === 'number' && d >= 0 ? d : (dims.get(String(d)) ?? 1),
    );
    const size = shape.reduce((a, b) => a * b, 1);
    const type: DataType = t.elemType;
    let data: Tensor['data'];
    if (type === 'float32') data = Float32Array.from({ length: size }, () => next() * 2 - 1);
    else if (type === 'float64') data = Float64Array.from({ length: size }, () => next() * 2 - 1);
    else if (type === 'int64')
      data = BigInt64Array.from({ length: size }, () => BigInt(Math.floor(next() * 4)));
    else if (type === 'int32') data = Int32Array.from({ length: size }, () => Math.floor(next() * 4));
    else if (type === 'bool' || type === 'uint8') data = new Uint8Array(size);
    else
      throw new InvalidArgumentError(
        `input '${info.name}' is ${type}; zai bench generates float, int and bool inputs`,
      );
    feeds[info.name] = new Tensor(type, data as never, shape);
  }
  return feeds;
}

async function benchOne(
  file: string,
  backend: BackendName,
  dims: ReadonlyMap<string, number>,
  runs: number,
  warmup: number,
): Promise<BenchRow> {
  try {
    const t0 = performance.now();
    const session = await InferenceSession.create(file, { backend, intraOpNumThreads: 1 });
    const createMs = performance.now() - t0;
    const feeds = syntheticFeeds(session.inputMetadata, dims);
    for (let i = 0; i < warmup; i++) await session.run(feeds);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      await session.run(feeds);
      times.push(performance.now() - s);
    }
    await session.release();
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
    return { backend, createMs, medianMs: at(0.5), p90Ms: at(0.9) };
  } catch (e) {
    return { backend, error: (e as Error).message };
  }
}

/** `zai bench`: session creation and run latency per backend on synthetic inputs, single-threaded. */
export async function runBench(file: string, options: BenchCommandOptions): Promise<string> {
  const runs = Number(options.runs ?? 20);
  const warmup = Number(options.warmup ?? 3);
  if (!Number.isInteger(runs) || runs < 1)
    throw new InvalidArgumentError(`--runs must be a positive integer`);
  if (!Number.isInteger(warmup) || warmup < 0)
    throw new InvalidArgumentError(`--warmup must be an integer ≥ 0`);
  const backends = (options.backend ?? 'native,onnxruntime').split(',').map((b) => b.trim());
  for (const b of backends) {
    if (b !== 'native' && b !== 'onnxruntime') throw new InvalidArgumentError(`unknown backend '${b}'`);
  }
  const dims = parseDims(options.dim ?? []);
  const rows: BenchRow[] = [];
  for (const b of backends) rows.push(await benchOne(file, b as BackendName, dims, runs, warmup));
  if (options.json) return JSON.stringify({ file, runs, warmup, rows }, null, 2);
  const base = rows[0]?.medianMs;
  const lines = [`${file}: ${runs} runs after ${warmup} warm-up, one thread, synthetic inputs`];
  for (const r of rows) {
    if (r.error) lines.push(`  ${r.backend.padEnd(12)} failed: ${r.error}`);
    else {
      const ratio =
        base && r !== rows[0]
          ? `  (${rows[0]!.backend}/${r.backend} = ${(base / r.medianMs!).toFixed(2)})`
          : '';
      lines.push(
        `  ${r.backend.padEnd(12)} median ${r.medianMs!.toFixed(3)} ms, p90 ${r.p90Ms!.toFixed(3)} ms, create ${r.createMs!.toFixed(0)} ms${ratio}`,
      );
    }
  }
  return lines.join('\n');
}
