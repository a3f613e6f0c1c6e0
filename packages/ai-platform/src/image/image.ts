/** An 8-bit image: row-major, channels interleaved (1 gray, 3 RGB, 4 RGBA). */
export interface Image {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
  readonly data: Uint8Array;
}

export function createImage(width: number, height: number, channels: 1 | 3 | 4 = 3): Image {
  return { width, height, channels, data: new Uint8Array(width * height * channels) };
}

/** Wraps RGBA pixels (a canvas's ImageData, a decoder's output) without copying. */
export function fromRgba(width: number, height: number, data: Uint8Array | Uint8ClampedArray): Image {
  const bytes =
    data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { width, height, channels: 4, data: bytes };
}

/** Three-channel RGB; transparent pixels are composed over white (text on a transparent canvas stays readable). */
export function toRgb(image: Image): Image {
  if (image.channels === 3) return image;
  const { width, height } = image;
  const n = width * height;
  const src = image.data;
  const out = new Uint8Array(n * 3);
  if (image.channels === 1) {
    for (let i = 0, o = 0; i < n; i++, o += 3) {
      const v = src[i]!;
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
    }
  } else {
    for (let i = 0, s = 0, o = 0; i < n; i++, s += 4, o += 3) {
      const a = src[s + 3]!;
      if (a === 255) {
        out[o] = src[s]!;
        out[o + 1] = src[s + 1]!;
        out[o + 2] = src[s + 2]!;
      } else {
        const white = 255 - a;
        out[o] = ((src[s]! * a + 255 * white) / 255) | 0;
        out[o + 1] = ((src[s + 1]! * a + 255 * white) / 255) | 0;
        out[o + 2] = ((src[s + 2]! * a + 255 * white) / 255) | 0;
      }
    }
  }
  return { width, height, channels: 3, data: out };
}

/** The image turned by 180° (text upside down becomes upright). */
export function rotate180(image: Image): Image {
  const { width, height, channels } = image;
  const src = image.data;
  const out = new Uint8Array(src.length);
  const n = width * height;
  for (let i = 0; i < n; i++) {
    const s = i * channels;
    const d = (n - 1 - i) * channels;
    for (let c = 0; c < channels; c++) out[d + c] = src[s + c]!;
  }
  return { width, height, channels, data: out };
}

/** The image turned 90° counter-clockwise (a tall crop of vertical text becomes a line). */
export function rotate90(image: Image): Image {
  const { width, height, channels } = image;
  const src = image.data;
  const out = new Uint8Array(src.length);
  // output is height wide and width tall; out(x', y') = src(x = width-1-y', y = x')
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < height; x++) {
      const s = (x * width + (width - 1 - y)) * channels;
      const d = (y * height + x) * channels;
      for (let c = 0; c < channels; c++) out[d + c] = src[s + c]!;
    }
  }
  return { width: height, height: width, channels, data: out };
}
