import type { FastifyInstance } from 'fastify';

interface OpenApiDoc {
  info?: { title?: string; version?: string };
  paths?: Record<string, Record<string, { summary?: string; tags?: string[] }>>;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** `/docs/json` is the OpenAPI document; `/docs` a plain page listing it (no external assets). */
export function docsRoutes(app: FastifyInstance): void {
  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/docs', { schema: { hide: true } }, async (_req, reply) => {
    const doc = app.swagger() as OpenApiDoc;
    const rows = Object.entries(doc.paths ?? {}).flatMap(([path, ops]) =>
      Object.entries(ops).map(
        ([method, op]) =>
          `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escapeHtml(path)}</code></td><td>${escapeHtml(op.summary ?? '')}</td></tr>`,
      ),
    );
    const title = escapeHtml(`${doc.info?.title ?? 'zai'} ${doc.info?.version ?? ''}`);
    const html = `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}td{padding:.3em .8em;border-bottom:1px solid #ddd}</style></head>
<body><h1>${title}</h1><p>KServe V2 / Open Inference Protocol. OpenAPI document: <a href="/docs/json">/docs/json</a>.</p>
<table>${rows.join('\n')}</table></body></html>`;
    return reply.type('text/html; charset=utf-8').send(html);
  });
}
