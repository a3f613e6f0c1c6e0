import { createCanvas } from '@napi-rs/canvas';

export interface RenderOptions {
  readonly width?: number;
  readonly height?: number;
  readonly font?: string;
  /** Turn the whole image by 180° (text upside down). */
  readonly upsideDown?: boolean;
  /** Text lines, drawn one under the other. */
  readonly lineHeight?: number;
}

/** Renders black text on white into a PNG (one line per array item). */
export function renderText(lines: readonly string[], o: RenderOptions = {}): Uint8Array {
  const lineHeight = o.lineHeight ?? 56;
  const width = o.width ?? 640;
  const height = o.height ?? lineHeight * lines.length + 40;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  if (o.upsideDown) {
    ctx.translate(width, height);
    ctx.rotate(Math.PI);
  }
  ctx.fillStyle = '#000000';
  ctx.font = o.font ?? '36px "DejaVu Sans"';
  ctx.textBaseline = 'middle';
  for (const [i, line] of lines.entries()) ctx.fillText(line, 24, 20 + lineHeight * (i + 0.5));
  return new Uint8Array(canvas.toBuffer('image/png'));
}

/** The same, as a JPEG. */
export function renderTextJpeg(lines: readonly string[], o: RenderOptions = {}): Uint8Array {
  const lineHeight = o.lineHeight ?? 56;
  const width = o.width ?? 640;
  const height = o.height ?? lineHeight * lines.length + 40;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#000000';
  ctx.font = o.font ?? '36px "DejaVu Sans"';
  ctx.textBaseline = 'middle';
  for (const [i, line] of lines.entries()) ctx.fillText(line, 24, 20 + lineHeight * (i + 0.5));
  return new Uint8Array(canvas.toBuffer('image/jpeg', 92));
}

/** One line of text in a tight box (as a detector's crop would be), PNG. */
export function renderLine(text: string, o: { fontSize?: number; upsideDown?: boolean } = {}): Uint8Array {
  const size = o.fontSize ?? 32;
  const probe = createCanvas(10, 10).getContext('2d');
  probe.font = `${size}px "DejaVu Sans"`;
  const width = Math.ceil(probe.measureText(text).width) + size / 2;
  const height = Math.round(size * 1.5);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  if (o.upsideDown) {
    ctx.translate(width, height);
    ctx.rotate(Math.PI);
  }
  ctx.fillStyle = '#000000';
  ctx.font = `${size}px "DejaVu Sans"`;
  ctx.textBaseline = 'middle';
  ctx.fillText(text, size / 4, height / 2);
  return new Uint8Array(canvas.toBuffer('image/png'));
}
