import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { BadRequestError } from '../errors.js';
import { type ModelConfig, parseModelConfig } from '../model-config.js';
import { bodyBytes } from '../plugins/body.js';
import { parseJsonObject } from '../protocol/infer-request.js';

interface NameParams {
  name: string;
}

const params = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } as const;

/** A load request may carry a config override: `{"parameters": {"config": "<JSON text>"}}` (as Triton's). */
function configOverride(body: Record<string, unknown>): ModelConfig | undefined {
  const p = body.parameters as { config?: unknown } | undefined;
  if (p?.config === undefined) return undefined;
  let raw: unknown = p.config;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch (e) {
      throw new BadRequestError(`parameters.config is not valid JSON: ${(e as Error).message}`);
    }
  }
  try {
    return parseModelConfig(raw, 'parameters.config');
  } catch (e) {
    throw new BadRequestError((e as Error).message);
  }
}

export function repositoryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    '/v2/repository/index',
    {
      schema: {
        tags: ['repository'],
        summary: 'Every model in the repository with its state (READY, UNAVAILABLE, LOADING, UNLOADING)',
      },
    },
    async (req) => {
      const body = parseJsonObject(bodyBytes(req));
      await ctx.models.discover().catch(() => undefined);
      const index = ctx.models.index();
      return body.ready === true ? index.filter((m) => m.state === 'READY') : index;
    },
  );

  app.post<{ Params: NameParams }>(
    '/v2/repository/models/:name/load',
    {
      schema: {
        tags: ['repository'],
        summary: 'Load or reload a model; on failure the running versions keep serving (400 with the reason)',
        params,
      },
    },
    async (req) => {
      const override = configOverride(parseJsonObject(bodyBytes(req)));
      await ctx.models.load(req.params.name, override);
      return {};
    },
  );

  app.post<{ Params: NameParams }>(
    '/v2/repository/models/:name/unload',
    {
      schema: {
        tags: ['repository'],
        summary: 'Unload a model once its running requests finish',
        params,
      },
    },
    async (req) => {
      await ctx.models.unload(req.params.name);
      return {};
    },
  );
}
