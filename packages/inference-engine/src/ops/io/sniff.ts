// Recognises an encoded image by its leading (magic) bytes.

/** The formats ImageDecoder accepts (the ONNX specification's list). */
export type ImageFormat = 'BMP' | 'JPEG' | 'JPEG 2000' | 'PNG' | 'PNM' | 'TIFF' | 'WebP';

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** The JP2 signature box: length 12, type 'jP  ', content <CR><LF><0x87><LF>. */
const JP2 = [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a];
/** A raw JPEG 2000 codestream: SOC then SIZ markers. */
const J2K = [0xff, 0x4f, 0xff, 0x51];

function startsWith(b: Uint8Array, magic: readonly number[], at = 0): boolean {
  if (b.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (b[at + i] !== magic[i]) return false;
  return true;
}

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

/** Whitespace as Netpbm headers define it. */
export function isPnmSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0b || c === 0x0c || c === 0x0d;
}

/** The format of an encoded image, or undefined when the bytes match none. */
export function sniffImageFormat(b: Uint8Array): ImageFormat | undefined {
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'JPEG';
  if (startsWith(b, PNG)) return 'PNG';
  if (startsWith(b, ascii('BM'))) return 'BMP';
  if (startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8)) return 'WebP';
  // classic TIFF (42) and BigTIFF (43), either byte order
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'TIFF';
  if (startsWith(b, [0x49, 0x49, 0x2b, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2b])) return 'TIFF';
  if (startsWith(b, JP2) || startsWith(b, J2K)) return 'JPEG 2000';
  // P1..P7 (PBM, PGM, PPM plain and raw, PAM) followed by whitespace
  if (b.length >= 3 && b[0] === 0x50 && b[1]! >= 0x31 && b[1]! <= 0x37 && isPnmSpace(b[2])) return 'PNM';
  return undefined;
}
