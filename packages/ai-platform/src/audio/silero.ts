import { InvalidArgumentError } from '@zai/common';
import { Tensor } from '@zai/tensor-core';
import type { ModelRunner } from '../pipeline/step.js';
import { type PcmSource, toFloat32 } from './pcm.js';

/** Silero VAD v5 (`silero_vad_v5.onnx`: input, state, sr) or v4 "legacy" (`silero_vad_legacy.onnx`: input, sr, h, c). */
export type SileroVariant = 'v5' | 'legacy';

export interface SileroOptions {
  /** The model's name in the runner. */
  readonly model: string;
  readonly variant: SileroVariant;
  /** 16000 or 8000. */
  readonly sampleRate: 16000 | 8000;
}

/** Samples per chunk: 512 at 16 kHz, 256 at 8 kHz (32 ms). */
export const chunkSamples = (sampleRate: number): number => (sampleRate === 16000 ? 512 : 256);
/** v5 sees the last 64 (16 kHz) or 32 (8 kHz) samples of the previous chunk before each chunk. */
export const contextSamples = (sampleRate: number): number => (sampleRate === 16000 ? 64 : 32);

/** The recurrent state a Silero model carries from one chunk to the next. */
export interface SileroState {
  /** v5: [2, 1, 128]; legacy: h and c, [2, 1, 64] each. */
  readonly tensors: Readonly<Record<string, Tensor<'float32'>>>;
  /** v5: the tail of the previous chunk. */
  readonly context: Float32Array;
}

export function initialState(o: SileroOptions): SileroState {
  const zeros = (dims: number[]) =>
    new Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
  return o.variant === 'v5'
    ? { tensors: { state: zeros([2, 1, 128]) }, context: new Float32Array(contextSamples(o.sampleRate)) }
    : { tensors: { h: zeros([2, 1, 64]), c: zeros([2, 1, 64]) }, context: new Float32Array(0) };
}

/** Runs one chunk: the speech probability and the state for the next chunk. */
export async function runChunk(
  runner: ModelRunner,
  o: SileroOptions,
  chunk: Float32Array,
  state: SileroState,
): Promise<{ probability: number; state: SileroState }> {
  const n = chunkSamples(o.sampleRate);
  if (chunk.length !== n)
    throw new InvalidArgumentError(
      `VAD: a chunk has ${n} samples at ${o.sampleRate} Hz, got ${chunk.length}`,
    );
  const sr = new Tensor('int64', BigInt64Array.of(BigInt(o.sampleRate)), []);
  let input = chunk;
  if (o.variant === 'v5') {
    input = new Float32Array(state.context.length + n);
    input.set(state.context);
    input.set(chunk, state.context.length);
  }
  const x = new Tensor('float32', input, [1, input.length]);
  const out = await runner.infer(o.model, { input: x, sr, ...state.tensors });
  const prob = out.output as Tensor | undefined;
  if (prob?.type !== 'float32') throw new InvalidArgumentError("VAD: the model gave no float32 'output'");
  const next: Record<string, Tensor<'float32'>> = o.variant === 'v5'
    ? { state: out.stateN as Tensor<'float32'> }
    : { h: out.hn as Tensor<'float32'>, c: out.cn as Tensor<'float32'> };
  for (const [k, v] of Object.entries(next)) {
    if (!v) throw new InvalidArgumentError(`VAD: the model gave no next state for '${k}'`);
  }
  return {
    probability: (prob.data as Float32Array)[0]!,
    state: {
      tensors: next,
      context: o.variant === 'v5' ? input.slice(input.length - state.context.length) : state.context,
    },
  };
}

/**
 * Voice activity over a PCM stream: push samples as they arrive, get one
 * speech probability per full chunk (32 ms); the model's state and the
 * leftover samples carry over to the next push.
 */
export class VadStream {
  private state: SileroState;
  private pending = new Float32Array(0);
  /** Chunks processed since the start (or the last reset). */
  chunks = 0;

  constructor(
    private readonly runner: ModelRunner,
    readonly options: SileroOptions,
  ) {
    this.state = initialState(options);
  }

  /** Probabilities of the chunks completed by these samples (possibly none). */
  async push(samples: PcmSource): Promise<number[]> {
    const data = toFloat32(samples);
    const n = chunkSamples(this.options.sampleRate);
    const all = new Float32Array(this.pending.length + data.length);
    all.set(this.pending);
    all.set(data, this.pending.length);
    const out: number[] = [];
    let at = 0;
    for (; at + n <= all.length; at += n) {
      const r = await runChunk(this.runner, this.options, all.subarray(at, at + n), this.state);
      this.state = r.state;
      this.chunks++;
      out.push(r.probability);
    }
    this.pending = all.slice(at);
    return out;
  }

  /** Pads what is left to a chunk with silence and scores it; [] when nothing was left. */
  async flush(): Promise<number[]> {
    if (this.pending.length === 0) return [];
    const rest = new Float32Array(chunkSamples(this.options.sampleRate) - this.pending.length);
    return this.push(rest);
  }

  /** Forgets the state (a new utterance, a new caller). */
  reset(): void {
    this.state = initialState(this.options);
    this.pending = new Float32Array(0);
    this.chunks = 0;
  }
}
