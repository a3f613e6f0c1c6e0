import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';

export function healthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/v2/health/live',
    { schema: { tags: ['health'], summary: 'Whether the server process is up' } },
    async () => ({
      live: true,
    }),
  );

  app.get(
    '/v2/health/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Whether every configured model is loaded (503 while loading or shutting down)',
      },
    },
    async (_req, reply) => {
      const ready = ctx.lifecycle.loaded && !ctx.lifecycle.draining && ctx.models.ready();
      return reply.code(ready ? 200 : 503).send({ ready });
    },
  );
}
