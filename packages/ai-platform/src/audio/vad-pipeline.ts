import type { Feeds, Results, ValueMetadata } from '@zai/common';
import { Tensor } from '@zai/tensor-core';
import { Pipeline } from '../pipeline/pipeline.js';
import { feedTensor, type ServedPipeline } from '../pipeline/servable.js';
import { step } from '../pipeline/step.js';
import { type PcmSource, toFloat32 } from './pcm.js';
import { type SegmentOptions, type SpeechSegment, speechSegments } from './segments.js';
import { chunkSamples, initialState, runChunk, type SileroOptions } from './silero.js';

export interface VadOptions extends SileroOptions {
  /** The pipeline's name (and served name). Default 'vad'. */
  readonly name?: string;
  readonly segments?: Partial<SegmentOptions>;
}

export interface VadResult {
  /** Speech probability of each 32 ms chunk. */
  readonly probabilities: Float32Array;
  readonly chunkMs: number;
  readonly segments: readonly SpeechSegment[];
}

/**
 * Voice activity detection over a whole PCM buffer: float32 → 32 ms chunks
 * (the last padded with silence) → Silero, chunk by chunk, its state carried
 * across → probabilities and speech segments.
 */
export function vadPipeline(o: VadOptions): Pipeline<PcmSource, VadResult> {
  const n = chunkSamples(o.sampleRate);
  const chunkMs = (n / o.sampleRate) * 1000;
  return Pipeline.create<PcmSource>(o.name ?? 'vad')
    .pipe(step('pcm', (pcm: PcmSource) => toFloat32(pcm)))
    .pipe(
      step('chunk', (samples: Float32Array) => {
        const count = Math.ceil(samples.length / n);
        const padded = new Float32Array(count * n);
        padded.set(samples);
        return Array.from({ length: count }, (_, i) => padded.subarray(i * n, (i + 1) * n));
      }),
    )
    .pipe(
      step('vad.model', async (chunks: Float32Array[], ctx) => {
        let state = initialState(o);
        const probabilities = new Float32Array(chunks.length);
        for (const [i, chunk] of chunks.entries()) {
          const r = await runChunk(ctx.models, o, chunk, state);
          probabilities[i] = r.probability;
          state = r.state;
        }
        return probabilities;
      }),
    )
    .pipe(
      step('vad.post', (probabilities: Float32Array) => ({
        probabilities,
        chunkMs,
        segments: speechSegments(probabilities, chunkMs, o.segments),
      })),
    )
    .build();
}

const VAD_IO: { inputs: ValueMetadata[]; outputs: ValueMetadata[] } = {
  inputs: [{ name: 'audio', type: { kind: 'tensor', elemType: 'float32', shape: [null] } }],
  outputs: [
    { name: 'probabilities', type: { kind: 'tensor', elemType: 'float32', shape: [null] } },
    { name: 'segments', type: { kind: 'tensor', elemType: 'float32', shape: [null, 2] } },
  ],
};

/** VAD as a V2 model: `audio` (float32 mono samples) → `probabilities` per chunk, `segments` [k, 2] in seconds. */
export function servedVad(o: VadOptions): ServedPipeline {
  return Pipeline.create<Feeds<Tensor>>(o.name ?? 'vad')
    .pipe(step('feeds', (feeds: Feeds<Tensor>) => feedTensor(feeds, 'audio', ['float32']).data))
    .pipe(vadPipeline(o))
    .pipe(
      step<VadResult, Results<Tensor>>('results', (r) => ({
        probabilities: new Tensor('float32', r.probabilities, [r.probabilities.length]),
        segments: new Tensor('float32', Float32Array.from(r.segments.flatMap((s) => [s.start, s.end])), [
          r.segments.length,
          2,
        ]),
      })),
    )
    .build(VAD_IO);
}
