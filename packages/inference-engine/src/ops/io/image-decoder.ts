import { AbortError, ShapeError, TypeMismatchError } from '@zai/common';
import { isTensor, Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { decodeBmp } from './bmp.js';
import { decodeExternal } from './external.js';
import {
  CorruptImageError,
  type DecodedImage,
  ImageDecodeError,
  type PixelFormat,
  toPixelFormat,
} from './image.js';
import { decodePnm } from './pnm.js';
import { type ImageFormat, sniffImageFormat } from './sniff.js';

// ImageDecoder (opset 20): encoded bytes (uint8, 1-D) to a uint8 [H, W, C]
// image, C = 3 (RGB / BGR) or 1 (Grayscale). The format is recognised by its
// magic bytes. BMP and Netpbm are decoded here; JPEG, PNG, TIFF and WebP by
// the optional package `sharp`, JPEG 2000 by `@cornerstonejs/codec-openjpeg`
// (see external.ts). Unlike the specification's "empty matrix", bytes that do
// not decode raise an ImageDecodeError saying why.

const PIXEL_FORMATS: readonly PixelFormat[] = ['RGB', 'BGR', 'Grayscale'];

/** Decodes bytes whose format is known; CorruptImageError when they do not decode. */
export function decodeImage(format: ImageFormat, bytes: Uint8Array, label: string): DecodedImage {
  switch (format) {
    case 'BMP':
      return decodeBmp(bytes);
    case 'PNM':
      return decodePnm(bytes);
    default:
      return decodeExternal(format, bytes, label);
  }
}

function pixelFormatOf(ctx: KernelContext | Parameters<ShapeFn>[0]): PixelFormat {
  const f = ctx.string('pixel_format', 'RGB');
  if (!(PIXEL_FORMATS as readonly string[]).includes(f)) {
    ctx.fail(`pixel_format must be one of ${PIXEL_FORMATS.join(', ')}, got '${f}'`);
  }
  return f as PixelFormat;
}

function imageDecoder(ctx: KernelContext): Kernel {
  const pixelFormat = pixelFormatOf(ctx);
  const label = ctx.label;
  return (inputs, run) => {
    const x = inputs[0];
    if (!isTensor(x)) throw new TypeMismatchError('ImageDecoder: encoded_stream must be a tensor');
    if (x.type !== 'uint8')
      throw new TypeMismatchError(`ImageDecoder: encoded_stream must be uint8, got ${x.type}`);
    if (x.dims.length !== 1)
      throw new ShapeError(`ImageDecoder: encoded_stream must be 1-D, got [${x.dims}]`);
    if (run.signal?.aborted) throw new AbortError();
    const bytes = x.data as Uint8Array;
    const format = sniffImageFormat(bytes);
    if (!format) {
      throw new ImageDecodeError(
        label,
        'unknown',
        bytes.length === 0
          ? 'the encoded stream is empty'
          : 'the encoded stream is not a BMP, JPEG, JPEG 2000, PNG, PNM, TIFF or WebP image',
      );
    }
    let img: DecodedImage;
    try {
      img = decodeImage(format, bytes, label);
    } catch (e) {
      if (e instanceof CorruptImageError)
        throw new ImageDecodeError(label, e.format, e.message, { cause: e });
      throw e;
    }
    const channels = pixelFormat === 'Grayscale' ? 1 : 3;
    return [new Tensor('uint8', toPixelFormat(img, pixelFormat), [img.height, img.width, channels])];
  };
}

const inferImage: ShapeFn = (ctx) => [
  {
    kind: 'tensor',
    elemType: 'uint8',
    shape: [ctx.unknownDim(), ctx.unknownDim(), pixelFormatOf(ctx) === 'Grayscale' ? 1 : 3],
  },
];

export const IMAGE_DECODER: OperatorDef = defineOp('ImageDecoder', '20+', imageDecoder, '', inferImage);
