import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { modelConfiguration, modelMetadata } from '../protocol/metadata.js';

interface ModelParams {
  name: string;
  version?: string;
}

const params = {
  type: 'object',
  properties: { name: { type: 'string' }, version: { type: 'string' } },
  required: ['name'],
} as const;

/** Both forms of a model URL: with and without `/versions/{v}`. */
function both(path: string): string[] {
  return [`/v2/models/:name${path}`, `/v2/models/:name/versions/:version${path}`];
}

export function modelRoutes(app: FastifyInstance, ctx: ServerContext): void {
  for (const url of both('')) {
    app.get<{ Params: ModelParams }>(
      url,
      {
        schema: {
          tags: ['models'],
          summary: 'Model metadata: versions, platform, inputs and outputs',
          params,
        },
      },
      async (req) => {
        const model = ctx.models.resolve(req.params.name, req.params.version);
        const versions = ctx.models.loaded(req.params.name).map((m) => m.version);
        return modelMetadata(model, versions);
      },
    );
  }

  for (const url of both('/ready')) {
    app.get<{ Params: ModelParams }>(
      url,
      { schema: { tags: ['models'], summary: 'Whether the model (version) can take requests', params } },
      async (req) => {
        const model = ctx.models.resolve(req.params.name, req.params.version);
        return { name: model.name, version: model.version, ready: true };
      },
    );
  }

  for (const url of both('/config')) {
    app.get<{ Params: ModelParams }>(
      url,
      { schema: { tags: ['models'], summary: "The model's configuration, in Triton's shape", params } },
      async (req) => modelConfiguration(ctx.models.resolve(req.params.name, req.params.version)),
    );
  }

  app.get(
    '/v2/models/stats',
    { schema: { tags: ['statistics'], summary: 'Statistics of every loaded model' } },
    async () => ({
      model_stats: ctx.models.loaded().map((m) => m.stats.snapshot(m.name, m.version)),
    }),
  );

  for (const url of both('/stats')) {
    app.get<{ Params: ModelParams }>(
      url,
      {
        schema: {
          tags: ['statistics'],
          summary: 'Statistics of a model (all its loaded versions, or one)',
          params,
        },
      },
      async (req) => {
        const { name, version } = req.params;
        const list = version === undefined ? ctx.models.loaded(name) : [ctx.models.resolve(name, version)];
        return { model_stats: list.map((m) => m.stats.snapshot(m.name, m.version)) };
      },
    );
  }
}
