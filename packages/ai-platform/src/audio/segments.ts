/** A stretch of speech, in seconds from the start. */
export interface SpeechSegment {
  readonly start: number;
  readonly end: number;
}

export interface SegmentOptions {
  /** Probability at which speech starts (Silero: 0.5). */
  readonly threshold: number;
  /** Below this, speech may end (Silero: threshold - 0.15). */
  readonly negThreshold: number;
  /** Shorter speech is dropped. */
  readonly minSpeechMs: number;
  /** Speech ends after this much quiet. */
  readonly minSilenceMs: number;
}

export const SEGMENT_DEFAULTS: SegmentOptions = {
  threshold: 0.5,
  negThreshold: 0.35,
  minSpeechMs: 250,
  minSilenceMs: 100,
};

/** Turns per-chunk speech probabilities into speech segments (hysteresis, minimum lengths). */
export function speechSegments(
  probabilities: ArrayLike<number>,
  chunkMs: number,
  options: Partial<SegmentOptions> = {},
): SpeechSegment[] {
  const o = { ...SEGMENT_DEFAULTS, ...options };
  const out: SpeechSegment[] = [];
  let start = -1;
  let quietSince = -1;
  const close = (endChunk: number) => {
    if ((endChunk - start) * chunkMs >= o.minSpeechMs) {
      out.push({ start: (start * chunkMs) / 1000, end: (endChunk * chunkMs) / 1000 });
    }
    start = -1;
    quietSince = -1;
  };
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    if (start < 0) {
      if (p >= o.threshold) start = i;
      continue;
    }
    if (p >= o.threshold) quietSince = -1;
    else if (p < o.negThreshold) {
      if (quietSince < 0) quietSince = i;
      if ((i + 1 - quietSince) * chunkMs >= o.minSilenceMs) close(quietSince);
    }
  }
  if (start >= 0) close(quietSince >= 0 ? quietSince : probabilities.length);
  return out;
}
