import { InvalidArgumentError } from '@zai/common';
import type { Image } from './image.js';

/** Source index and weight of each output coordinate (pixel centres aligned, as OpenCV's INTER_LINEAR). */
function axis(outSize: number, inSize: number): { i0: Int32Array; i1: Int32Array; w: Float32Array } {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w = new Float32Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    let s = (o + 0.5) * scale - 0.5;
    if (s < 0) s = 0;
    let a = Math.floor(s);
    if (a > inSize - 1) a = inSize - 1;
    const b = a + 1 < inSize ? a + 1 : inSize - 1;
    i0[o] = a;
    i1[o] = b;
    w[o] = s - a;
  }
  return { i0, i1, w };
}

/** Bilinear resize to `width` × `height` (same channels). */
export function resizeBilinear(src: Image, width: number, height: number): Image {
  if (!(width > 0 && height > 0) || !Number.isInteger(width) || !Number.isInteger(height)) {
    throw new InvalidArgumentError(`resize: target size ${width}x${height} is not a positive whole size`);
  }
  if (src.width === 0 || src.height === 0) throw new InvalidArgumentError('resize: the image is empty');
  const c = src.channels;
  if (width === src.width && height === src.height) return src;
  const xs = axis(width, src.width);
  const ys = axis(height, src.height);
  const data = src.data;
  const out = new Uint8Array(width * height * c);
  const rowStride = src.width * c;
  // column offsets in bytes, computed once
  const x0 = new Int32Array(width);
  const x1 = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    x0[x] = xs.i0[x]! * c;
    x1[x] = xs.i1[x]! * c;
  }
  let o = 0;
  for (let y = 0; y < height; y++) {
    const r0 = ys.i0[y]! * rowStride;
    const r1 = ys.i1[y]! * rowStride;
    const wy = ys.w[y]!;
    const wy0 = 1 - wy;
    for (let x = 0; x < width; x++) {
      const wx = xs.w[x]!;
      const wx0 = 1 - wx;
      const a = r0 + x0[x]!;
      const b = r0 + x1[x]!;
      const d = r1 + x0[x]!;
      const e = r1 + x1[x]!;
      for (let k = 0; k < c; k++) {
        const top = data[a + k]! * wx0 + data[b + k]! * wx;
        const bottom = data[d + k]! * wx0 + data[e + k]! * wx;
        out[o++] = top * wy0 + bottom * wy + 0.5;
      }
    }
  }
  return { width, height, channels: c, data: out };
}
