/**
 * A speech-like signal: a glottal pulse train (pitch gliding around 120 Hz)
 * through three vowel formants, loudness rising and falling at a syllable
 * rate of 4 Hz. Deterministic.
 */
export function voiced(seconds: number, sampleRate = 16000): Float32Array {
  const n = Math.round(seconds * sampleRate);
  const out = new Float32Array(n);
  const formants: [number, number][] = [
    [700, 130],
    [1220, 70],
    [2600, 160],
  ];
  const mem = formants.map(() => [0, 0] as [number, number]);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    phase += (120 + 20 * Math.sin(2 * Math.PI * 0.7 * t)) / sampleRate;
    let pulse = 0;
    if (phase >= 1) {
      phase -= 1;
      pulse = 1;
    }
    let y = 0;
    formants.forEach(([f, bandwidth], k) => {
      const r = Math.exp((-Math.PI * bandwidth) / sampleRate);
      const m = mem[k]!;
      const v = pulse + 2 * r * Math.cos((2 * Math.PI * f) / sampleRate) * m[0] - r * r * m[1];
      m[1] = m[0];
      m[0] = v;
      y += v;
    });
    out[i] = y * (0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t - Math.PI / 2));
  }
  let peak = 0;
  for (const v of out) peak = Math.max(peak, Math.abs(v));
  for (let i = 0; i < n; i++) out[i] = (out[i]! / peak) * 0.5;
  return out;
}

export function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
