import { InvalidArgumentError } from '@zai/common';

/** Audio as models take it: mono float32 samples in [-1, 1]. */
export type PcmSource = Float32Array | Int16Array;

/** 16-bit PCM → float32 in [-1, 1); float32 passes through. */
export function toFloat32(pcm: PcmSource): Float32Array {
  if (pcm instanceof Float32Array) return pcm;
  const out = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = pcm[i]! / 32768;
  return out;
}

/** Little-endian signed 16-bit PCM bytes (a WAV body, a raw stream) → samples. */
export function int16FromBytes(bytes: Uint8Array): Int16Array {
  if (bytes.length % 2 !== 0)
    throw new InvalidArgumentError(`16-bit PCM needs an even byte count, got ${bytes.length}`);
  const out = new Int16Array(bytes.length / 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(2 * i, true);
  return out;
}
