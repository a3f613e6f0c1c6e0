/** Softmax over each row of `[rows, n]` logits (numerically stable). */
export function softmax(logits: Float32Array, n = logits.length): Float32Array {
  const out = new Float32Array(logits.length);
  for (let base = 0; base < logits.length; base += n) {
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) if (logits[base + i]! > max) max = logits[base + i]!;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.exp(logits[base + i]! - max);
      out[base + i] = e;
      sum += e;
    }
    for (let i = 0; i < n; i++) out[base + i]! /= sum;
  }
  return out;
}

/** Whether a row already is a probability distribution (a model ending in Softmax). */
export function isDistribution(row: Float32Array): boolean {
  let sum = 0;
  for (const v of row) {
    if (v < 0 || v > 1) return false;
    sum += v;
  }
  return Math.abs(sum - 1) < 1e-3;
}

export interface Scored {
  readonly index: number;
  readonly label: string;
  readonly score: number;
}

/** The `k` best entries of `scores`, best first; `labels[i]` names index i (else its number). */
export function topK(scores: Float32Array, k: number, labels: readonly string[] = []): Scored[] {
  const n = Math.min(k, scores.length);
  // a small insertion list: k is tiny next to the class count
  const best: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (best.length === n && s <= scores[best[n - 1]!]!) continue;
    let at = best.length;
    while (at > 0 && scores[best[at - 1]!]! < s) at--;
    best.splice(at, 0, i);
    if (best.length > n) best.pop();
  }
  return best.map((index) => ({ index, label: labels[index] ?? String(index), score: scores[index]! }));
}
