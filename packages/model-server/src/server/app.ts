import type { AddressInfo } from 'node:net';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { Servable } from '@zai/common';
import { ZaiError } from '@zai/common';
import { defaultRegistry } from '@zai/inference-engine';
import type { Tensor } from '@zai/tensor-core';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { applyPlugin, loadPlugins } from '../config/modules.js';
import type { ModuleRef, ZaiConfig } from '../config/schema.js';
import { Lifecycle, type ServerContext } from './context.js';
import type { ModelConfig } from './model-config.js';
import { installApiKey, isPublicPath } from './plugins/auth.js';
import { installBodyParser } from './plugins/body.js';
import { installReplies } from './plugins/replies.js';
import { ModelManager, type PipelineSource } from './repository/manager.js';
import { docsRoutes } from './routes/docs.js';
import { healthRoutes } from './routes/health.js';
import { inferRoutes } from './routes/infer.js';
import { modelRoutes } from './routes/models.js';
import { repositoryRoutes } from './routes/repository.js';
import { serverInfoRoutes } from './routes/server-info.js';
import { WorkerPool } from './runtime/worker-pool.js';
import { ServerMetrics } from './telemetry/metrics.js';

declare const __ZAI_VERSION__: string | undefined;
const VERSION = typeof __ZAI_VERSION__ === 'string' ? __ZAI_VERSION__ : '0.1.0';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
export const DEFAULT_BODY_LIMIT = 64 * 1024 * 1024;
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

export interface ModelServerOptions {
  /** Model files (`.onnx`), model folders (`<name>/<version>/model.onnx`) and repositories of model folders. */
  readonly models?: readonly string[];
  /** Servables run on the main thread (a Platform's models and pipelines, test doubles); each is version 1 of its name. */
  readonly servables?: readonly Servable<Tensor>[];
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Bearer token required on every route but health, metrics and docs. */
  readonly apiKey?: string;
  /** Allowed origins (`true` or `'*'` for any); CORS is off when unset. */
  readonly cors?: boolean | string | readonly string[];
  /** Requests per minute per client IP; off when unset. */
  readonly rateLimit?: number;
  /** Largest request body in bytes, after decompression too. */
  readonly bodyLimit?: number;
  /** Log level for fastify's pino logger ('info', 'debug'…), or false for none. */
  readonly logLevel?: string | false;
  /** How long a shutdown waits for running requests. */
  readonly drainTimeoutMs?: number;
  /** Settings for every model, under each model's config.json. */
  readonly modelDefaults?: ModelConfig;
  /** Settings by model name, over its config.json. */
  readonly modelConfigs?: Readonly<Record<string, ModelConfig>>;
  /** Settings for every model, over everything else (command-line flags). */
  readonly modelOverrides?: ModelConfig;
  /** Pipelines (or any Servable) built by modules named in the configuration, by served name; each runs in worker threads of its own. */
  readonly pipelines?: Readonly<Record<string, ModuleRef>>;
  /** Plugin modules: their operators are registered in every model and pipeline worker (and here) before loading. */
  readonly plugins?: readonly (string | ModuleRef)[];
  /** The folder module names and relative paths in module options are resolved from (the config file's). */
  readonly moduleBase?: string;
  /** The effective configuration, handed to pipeline factories. */
  readonly config?: ZaiConfig;
}

/** Some configured models did not load; `failures` says which and why. */
export class ModelLoadError extends ZaiError {
  constructor(readonly failures: readonly { name: string; reason: string }[]) {
    super('ZAI_BACKEND', failures.map((f) => f.reason).join('; '));
  }
}

/** How each configured pipeline is started: in `instances` worker threads of its own. */
function pipelineSources(options: ModelServerOptions, baseDir: string): PipelineSource[] {
  const config: ZaiConfig = { ...options.config, pipelines: options.pipelines };
  const plugins = { plugins: options.plugins ?? [], base: baseDir };
  return Object.entries(options.pipelines ?? {}).map(([name, ref]) => ({
    name,
    start: (c) => WorkerPool.startPipeline({ name, ref, config, baseDir }, c.instances, plugins),
  }));
}

function originsOf(c: ModelServerOptions['cors']): boolean | string | string[] {
  if (c === true || c === '*') return true;
  if (typeof c === 'string') return c.split(',').map((s) => s.trim());
  return [...(c as readonly string[])];
}

/** A KServe V2 model server: fastify app, models, metrics and lifecycle. */
export class ModelServer {
  readonly app: FastifyInstance;
  readonly models: ModelManager;
  readonly metrics = new ServerMetrics();
  readonly lifecycle = new Lifecycle();
  private address: string | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly options: ModelServerOptions,
    app: FastifyInstance,
    pipelines: readonly PipelineSource[],
  ) {
    this.app = app;
    this.models = new ModelManager({
      paths: options.models ?? [],
      servables: options.servables ?? [],
      pipelines,
      plugins: options.plugins ?? [],
      moduleBase: options.moduleBase ?? process.cwd(),
      defaults: options.modelDefaults,
      perModel: options.modelConfigs,
      overrides: options.modelOverrides,
      metrics: this.metrics,
      log: { info: (m) => app.log.info(m), warn: (m) => app.log.warn(m) },
    });
    this.metrics.trackSteps(() =>
      this.models.loaded().flatMap((m) => {
        const stats = m.executor.stats?.();
        return stats ? [{ model: m.name, version: m.version, stats }] : [];
      }),
    );
  }

  /** Builds the app (routes, hooks, plugins); nothing listens and no model loads yet. */
  static async create(options: ModelServerOptions = {}): Promise<ModelServer> {
    const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
    const app = Fastify({
      logger: options.logLevel ? { level: options.logLevel } : false,
      bodyLimit,
      requestIdHeader: 'x-request-id',
      // every request is logged with its id, but not probes and scrapes
      logController: new LogController({ disableRequestLogging: (req) => isPublicPath(req.url) }),
    });
    const base = options.moduleBase ?? process.cwd();
    // plugins first: a pipeline's models may need their operators
    for (const { plugin, options: pluginOptions } of await loadPlugins(options.plugins ?? [], base)) {
      await applyPlugin(plugin, { registry: defaultRegistry, options: pluginOptions });
    }
    const server = new ModelServer(options, app, pipelineSources(options, base));
    try {
      // find the models now: a wrong path fails here, and they are known (not ready) before loading
      await server.models.discover();
      // pipelines are built now (in their workers), as their modules are named: a wrong one fails here
      await Promise.all(Object.keys(options.pipelines ?? {}).map((name) => server.models.load(name)));
    } catch (e) {
      await server.models.closeAll(0);
      throw e;
    }
    const ctx: ServerContext = {
      name: 'zai',
      version: VERSION,
      models: server.models,
      metrics: server.metrics,
      lifecycle: server.lifecycle,
    };
    app.addHook('onRequest', async (req, reply) => {
      reply.header('x-request-id', req.id);
    });
    installReplies(app);
    installBodyParser(app, bodyLimit);
    if (options.apiKey) installApiKey(app, options.apiKey);
    if (options.cors !== undefined && options.cors !== false) {
      await app.register(cors, {
        origin: originsOf(options.cors),
        exposedHeaders: ['inference-header-content-length', 'x-request-id', 'retry-after'],
      });
    }
    if (options.rateLimit) {
      await app.register(rateLimit, {
        max: options.rateLimit,
        timeWindow: 60_000,
        allowList: (req) => isPublicPath(req.url),
      });
    }
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'zai model server',
          version: VERSION,
          description: 'KServe V2 / Open Inference Protocol',
        },
        ...(options.apiKey
          ? {
              components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
              security: [{ bearer: [] }],
            }
          : {}),
      },
    });
    healthRoutes(app, ctx);
    serverInfoRoutes(app, ctx);
    modelRoutes(app, ctx);
    inferRoutes(app, ctx);
    repositoryRoutes(app, ctx);
    docsRoutes(app);
    await app.ready();
    return server;
  }

  /** The base URL once listening, e.g. `http://127.0.0.1:8080`. */
  get url(): string {
    if (!this.address) throw new Error('the server is not listening');
    return this.address;
  }

  async listen(): Promise<string> {
    const host = this.options.host ?? DEFAULT_HOST;
    await this.app.listen({ host, port: this.options.port ?? DEFAULT_PORT });
    const { port } = this.app.server.address() as AddressInfo;
    this.address = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return this.address;
  }

  /** Loads every configured model; readiness turns 200 when all are loaded. */
  async loadModels(): Promise<void> {
    const failures = await this.models.loadAll();
    if (failures.length > 0) throw new ModelLoadError(failures);
    this.lifecycle.loaded = true;
  }

  /** Listens, then loads the models (health/live answers meanwhile; ready says 503). */
  async start(): Promise<string> {
    const url = await this.listen();
    await this.loadModels();
    return url;
  }

  /**
   * Graceful shutdown: readiness goes 503 at once, new inference requests get
   * 503, running ones finish (up to `drainTimeoutMs`), then models unload.
   */
  close(timeoutMs = this.options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS): Promise<void> {
    this.closing ??= (async () => {
      this.lifecycle.draining = true;
      const drained = await this.lifecycle.idle(timeoutMs);
      if (!drained)
        this.app.log.warn(
          `shutdown: ${this.lifecycle.inFlight} requests still running after ${timeoutMs} ms`,
        );
      await this.app.close();
      await this.models.closeAll(drained ? timeoutMs : 0);
    })();
    return this.closing;
  }
}
