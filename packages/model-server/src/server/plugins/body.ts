import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PayloadTooLargeError, UnsupportedEncodingError } from '../errors.js';

const DECODERS = { gzip: promisify(gunzip), deflate: promisify(inflate) } as const;

/**
 * Every body is read as raw bytes, whatever its Content-Type (tritonclient
 * sends none; binary requests are JSON followed by tensor bytes), and
 * gzip/deflate bodies are inflated, bounded by the same size limit.
 */
export function installBodyParser(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit },
    async (req: FastifyRequest, body: Buffer) => {
      const encoding = String(req.headers['content-encoding'] ?? 'identity')
        .trim()
        .toLowerCase();
      if (encoding === 'identity' || encoding === '') return body;
      if (!(encoding in DECODERS)) throw new UnsupportedEncodingError(encoding);
      try {
        return await DECODERS[encoding as keyof typeof DECODERS](body, { maxOutputLength: bodyLimit });
      } catch (e) {
        if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
          throw new PayloadTooLargeError(bodyLimit);
        throw Object.assign(
          new Error(`the ${encoding} request body does not decompress: ${(e as Error).message}`),
          {
            statusCode: 400,
          },
        );
      }
    },
  );
}

/** The request body as bytes (empty when there is none). */
export function bodyBytes(req: FastifyRequest): Uint8Array {
  return Buffer.isBuffer(req.body) ? req.body : new Uint8Array(0);
}
