import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { UnauthorizedError } from '../errors.js';

/** Routes that never need the key: probes, scrapes and the API description. */
export function isPublicPath(url: string): boolean {
  const path = url.split('?')[0]!;
  return (
    path.startsWith('/v2/health/') || path === '/metrics' || path === '/docs' || path.startsWith('/docs/')
  );
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Requires `Authorization: Bearer <key>` on every non-public route. */
export function installApiKey(app: FastifyInstance, apiKey: string): void {
  const expected = digest(apiKey);
  app.addHook('onRequest', async (req) => {
    if (isPublicPath(req.url)) return;
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    // compare digests so the time taken says nothing about the key
    if (!match || !timingSafeEqual(digest(match[1]!.trim()), expected)) throw new UnauthorizedError();
  });
}
