import type { FastifyError, FastifyInstance } from 'fastify';
import { HttpError, statusOf } from '../errors.js';

/** Error responses are `{"error": "…"}`; JSON responses say exactly `application/json`. */
export function installReplies(app: FastifyInstance): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('application/json'))
      reply.header('content-type', 'application/json');
    return payload;
  });

  app.setErrorHandler((error: FastifyError | HttpError | Error, req, reply) => {
    const status = statusOf(error);
    if (status >= 500 && !(error instanceof HttpError)) req.log.error({ err: error }, 'internal error');
    else req.log.info({ status, reason: error.message }, 'request refused');
    if (error instanceof HttpError) for (const [k, v] of Object.entries(error.headers)) reply.header(k, v);
    const message =
      status === 500 &&
      !(error instanceof HttpError) &&
      !(error as { code?: string }).code?.startsWith('ZAI_')
        ? `internal error: ${error.message}`
        : error.message;
    return reply
      .code(status)
      .type('application/json')
      .send(JSON.stringify({ error: message }));
  });

  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .type('application/json')
      .send(JSON.stringify({ error: `no route ${req.method} ${req.url.split('?')[0]}` })),
  );
}
