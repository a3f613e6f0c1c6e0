import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from '@zai/common';

/**
 * A CTC character table: index 0 is the blank, then one entry per line of the
 * dictionary file, then ' ' (PaddleOCR appends the space when `use_space_char`).
 */
export class CharacterDictionary {
  readonly chars: readonly string[];

  constructor(lines: readonly string[], withSpace = true) {
    this.chars = ['', ...lines, ...(withSpace ? [' '] : [])];
  }

  /** Reads a dictionary file (one character per line). */
  static async fromFile(file: string, withSpace = true): Promise<CharacterDictionary> {
    const text = await readFile(file, 'utf8');
    const lines = text.split(/\r?\n/);
    if (lines[lines.length - 1] === '') lines.pop();
    return new CharacterDictionary(lines, withSpace);
  }

  get size(): number {
    return this.chars.length;
  }
}

export interface DecodedText {
  readonly text: string;
  /** Mean probability of the characters kept (0 when none). */
  readonly score: number;
}

/**
 * Greedy CTC decoding of `[batch, steps, classes]` probabilities: the best
 * class per step, repeats collapsed, blanks (index 0) dropped.
 */
export function ctcGreedyDecode(
  probs: Float32Array,
  dims: readonly number[],
  dictionary: CharacterDictionary,
): DecodedText[] {
  const [batch, steps, classes] = dims as [number, number, number];
  if (dims.length !== 3)
    throw new InvalidArgumentError(`CTC: expected [batch, steps, classes], got [${dims}]`);
  if (classes !== dictionary.size) {
    throw new InvalidArgumentError(
      `CTC: the model has ${classes} classes but the dictionary ${dictionary.size} (blank + characters + space)`,
    );
  }
  const out: DecodedText[] = [];
  for (let b = 0; b < batch; b++) {
    let text = '';
    let sum = 0;
    let kept = 0;
    let prev = -1;
    for (let t = 0; t < steps; t++) {
      const base = (b * steps + t) * classes;
      let best = 0;
      let bestP = probs[base]!;
      for (let c = 1; c < classes; c++) {
        const p = probs[base + c]!;
        if (p > bestP) {
          bestP = p;
          best = c;
        }
      }
      if (best !== 0 && best !== prev) {
        text += dictionary.chars[best];
        sum += bestP;
        kept++;
      }
      prev = best;
    }
    out.push({ text, score: kept ? sum / kept : 0 });
  }
  return out;
}
