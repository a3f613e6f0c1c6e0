import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';

export const EXTENSIONS = [
  'binary_tensor_data',
  'model_repository',
  'model_configuration',
  'schedule_policy',
  'statistics',
] as const;

export function serverInfoRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/v2',
    { schema: { tags: ['server'], summary: 'Server name, version and protocol extensions' } },
    async () => ({
      name: ctx.name,
      version: ctx.version,
      extensions: EXTENSIONS,
    }),
  );

  app.get(
    '/metrics',
    { schema: { tags: ['server'], summary: 'Prometheus metrics (text exposition format)' } },
    async (_req, reply) => reply.type(ctx.metrics.contentType).send(await ctx.metrics.text()),
  );
}
