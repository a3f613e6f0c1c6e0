import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { HttpError, statusOf, UnavailableError } from '../errors.js';
import { bodyBytes } from '../plugins/body.js';
import { decodeInferRequest } from '../protocol/infer-request.js';
import { encodeInferResponse } from '../protocol/infer-response.js';
import { nowNs } from '../runtime/scheduler.js';

interface InferParams {
  name: string;
  version?: string;
}

const HEADER_LENGTH = 'inference-header-content-length';

function failureReason(e: unknown): string {
  const status = statusOf(e);
  if (status === 503) return 'REJECTED';
  if (status < 500) return 'BAD_REQUEST';
  return e instanceof HttpError ? 'OTHER' : 'BACKEND';
}

export function inferRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const schema = {
    tags: ['inference'],
    summary: 'Run the model (JSON, or JSON header + binary tensor data)',
    description:
      'Body: {"id", "parameters", "inputs": [{"name","shape","datatype","data"|parameters.binary_data_size}], "outputs": [{"name", "parameters": {"binary_data"}}]}. ' +
      'With binary data, the Inference-Header-Content-Length header gives the JSON length.',
    params: {
      type: 'object',
      properties: { name: { type: 'string' }, version: { type: 'string' } },
      required: ['name'],
    },
  };

  for (const url of ['/v2/models/:name/infer', '/v2/models/:name/versions/:version/infer']) {
    app.post<{ Params: InferParams }>(url, { schema }, async (req, reply) => {
      const start = nowNs();
      if (ctx.lifecycle.draining) throw new UnavailableError('the server is shutting down');
      const model = ctx.models.resolve(req.params.name, req.params.version);
      const labels = { model: model.name, version: model.version };
      ctx.lifecycle.begin();
      model.acquire();
      ctx.metrics.started(labels);
      try {
        const header = req.headers[HEADER_LENGTH];
        const request = decodeInferRequest(
          bodyBytes(req),
          Array.isArray(header) ? header[0] : header,
          model.inputs,
          model.outputs,
        );
        const fetches = request.outputsListed ? request.outputs.map((o) => o.name) : undefined;
        const { outputs, timing } = await model.infer(request.feeds, fetches);
        for (const o of request.outputs) {
          if (!outputs[o.name]) throw new Error(`the model returned no output '${o.name}'`);
        }
        const encoded = encodeInferResponse(model.name, model.version, request.id, request.outputs, outputs);
        const total = nowNs() - start;
        const inferences = model.config.maxBatchSize > 0 ? rowsOfFeeds(request.feeds) : 1;
        model.stats.success(total, timing, inferences);
        ctx.metrics.succeeded(labels, total, timing, inferences);
        if (encoded.headerLength !== undefined) {
          reply.header('inference-header-content-length', String(encoded.headerLength));
          reply.type('application/octet-stream');
        } else reply.type('application/json');
        return reply.send(encoded.body);
      } catch (e) {
        const total = nowNs() - start;
        model.stats.failure(total);
        ctx.metrics.failed(labels, total, failureReason(e));
        throw e;
      } finally {
        model.release();
        ctx.lifecycle.end();
      }
    });
  }
}

function rowsOfFeeds(feeds: Record<string, { dims: readonly number[] }>): number {
  const first = Object.values(feeds)[0];
  return first?.dims[0] ?? 1;
}
