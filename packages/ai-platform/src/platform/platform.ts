import { dirname } from 'node:path';
import {
  type Backend,
  type Feeds,
  type ModelSource,
  NotFoundError,
  type Results,
  type RunOptions,
  type Servable,
  type ServableStats,
  type SessionOptions,
} from '@zai/common';
import type { OperatorDef } from '@zai/inference-engine';
import {
  applyPlugin,
  codeLayer,
  defaultLayer,
  EffectiveConfig,
  loadConfig,
  loadPlugins,
  type ModuleRef,
  serverOptionsOf,
  type ZaiConfig,
  type ZaiPlugin,
} from '@zai/model-server';
import type { Tensor } from '@zai/tensor-core';
import { Container } from '../container.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { pipelineServable, type ServedPipeline } from '../pipeline/servable.js';
import type { ModelRunner } from '../pipeline/step.js';
import { registerDefaults } from './defaults.js';
import { type LoadedModel, modelServable } from './model-servable.js';
import { loadPipelineModule } from './pipeline-modules.js';
import { type Logger, type RunningServer, Tokens } from './tokens.js';

export interface PlatformOptions {
  /**
   * Replaces or adds services before anything is built, e.g.
   * `(c) => c.register(Tokens.Logger, () => myLogger)`.
   */
  readonly setup?: (container: Container) => void | Promise<void>;
  /** Also read `zai.config.json` and `ZAI_*` variables, as `zai serve` does (default false: `config` alone). */
  readonly environment?: boolean;
  /** Relative paths in `config` are relative to this folder (default: the working folder). */
  readonly cwd?: string;
}

/** Session options for `loadModel`; `backend` may name a backend a plugin registered. */
export interface LoadModelOptions extends Omit<SessionOptions, 'backend'> {
  readonly backend?: string;
  /** onnxruntime: drop unavailable execution providers instead of failing. */
  readonly providerFallback?: boolean;
}

/** What `list()` reports of each model and pipeline. */
export interface ServableInfo {
  readonly name: string;
  readonly kind: 'model' | 'pipeline';
  readonly backend?: string;
  readonly inputs: Servable['inputs'];
  readonly outputs: Servable['outputs'];
}

/** The same servable, served without letting the server close it (the platform owns it). */
function borrowed(s: Servable<Tensor>): Servable<Tensor> {
  return {
    name: s.name,
    inputs: s.inputs,
    outputs: s.outputs,
    infer: (feeds, options) => s.infer(feeds, options),
    ...(s.stats ? { stats: () => s.stats!() } : {}),
    close: async () => undefined,
  };
}

/**
 * The facade over zai: load models and pipelines, run them by name, serve
 * them over HTTP. Built on a DI container whose services (parser, backends,
 * repository, server, logger) can each be replaced.
 *
 * ```ts
 * const ai = await Platform.create({ backend: 'native' });
 * await ai.loadModel('cls', 'model.onnx');
 * const { y } = await ai.infer('cls', { x });
 * await ai.close();
 * ```
 */
export class Platform implements ModelRunner {
  private readonly servers: RunningServer[] = [];
  private readonly pipelineNames = new Set<string>();
  private closed: Promise<void> | undefined;

  private constructor(
    /** The container the platform's services live in. */
    readonly container: Container,
    /** The effective configuration and where each value came from. */
    readonly settings: EffectiveConfig,
    readonly logger: Logger,
  ) {}

  /**
   * Builds a platform from a configuration (the schema of `zai.config.json`,
   * every key optional), loads its plugins and its pipelines.
   */
  static async create(config: ZaiConfig = {}, options: PlatformOptions = {}): Promise<Platform> {
    const cwd = options.cwd ?? process.cwd();
    const settings = options.environment
      ? await loadConfig({ config, cwd })
      : new EffectiveConfig([defaultLayer, codeLayer(config, 'Platform.create', cwd)]);
    const container = registerDefaults(new Container(), settings);
    await options.setup?.(container);
    const platform = new Platform(container, settings, await container.resolve(Tokens.Logger));
    try {
      const base = settings.file ? dirname(settings.file) : cwd;
      for (const { plugin, options: pluginOptions } of await loadPlugins(
        settings.config.plugins ?? [],
        base,
      )) {
        await platform.use(plugin, pluginOptions);
      }
      for (const [name, ref] of Object.entries(settings.config.pipelines ?? {})) {
        await platform.loadPipeline(name, ref, base);
      }
    } catch (e) {
      await platform.close().catch(() => undefined);
      throw e;
    }
    return platform;
  }

  /** The effective configuration. */
  get config(): ZaiConfig {
    return this.settings.config;
  }

  /** Loads a model under `name` from a path or bytes; options default to the configuration's. */
  async loadModel(name: string, source: ModelSource, options: LoadModelOptions = {}): Promise<LoadedModel> {
    const c = this.settings.config;
    const entry = c.models?.[name] ?? {};
    const providers = entry.executionProviders ?? c.providers;
    const merged: LoadModelOptions = {
      ...(providers ? { executionProviders: providers } : {}),
      ...(entry.graphOptimizationLevel ? { graphOptimizationLevel: entry.graphOptimizationLevel } : {}),
      ...(entry.intraOpNumThreads ? { intraOpNumThreads: entry.intraOpNumThreads } : {}),
      ...(entry.providerFallback !== undefined ? { providerFallback: entry.providerFallback } : {}),
      ...options,
    };
    const backendName = options.backend ?? entry.backend ?? c.backend ?? 'auto';
    const backend = (await this.container.resolve(Tokens.Backends)).get(backendName);
    const { backend: _, ...sessionOptions } = merged;
    const started = performance.now();
    const session = await backend.createSession(source, sessionOptions as SessionOptions);
    const model = modelServable(name, session);
    try {
      (await this.repository()).add(model);
    } catch (e) {
      await session.release();
      throw e;
    }
    const ms = (performance.now() - started).toFixed(0);
    this.logger.debug(`model '${name}' loaded on ${session.backend} (${backendName}) in ${ms} ms`);
    return model;
  }

  /** Adds a pipeline built with `build({ inputs, outputs })`; `infer(name)` and `serve()` reach it. */
  async addPipeline(pipeline: ServedPipeline): Promise<Servable<Tensor>> {
    return this.addServable(pipelineServable(pipeline, this), true);
  }

  /** Adds any Servable (a pipeline a module built, a model run elsewhere). */
  async addServable(servable: Servable<Tensor>, isPipeline = true): Promise<Servable<Tensor>> {
    (await this.repository()).add(servable);
    if (isPipeline) this.pipelineNames.add(servable.name);
    return servable;
  }

  /** Loads a pipeline from a module, as `pipelines` entries of the configuration are. */
  async loadPipeline(name: string, ref: ModuleRef, baseDir = process.cwd()): Promise<Servable<Tensor>> {
    const servable = await loadPipelineModule(this, name, ref, baseDir);
    return this.addServable(servable, true);
  }

  /** Whether a model or pipeline of that name is loaded. */
  async has(name: string): Promise<boolean> {
    return (await this.repository()).get(name) !== undefined;
  }

  /** The loaded models and pipelines. */
  async list(): Promise<ServableInfo[]> {
    return (await this.repository()).list().map((s) => ({
      name: s.name,
      kind: this.pipelineNames.has(s.name) ? 'pipeline' : 'model',
      ...('backend' in s ? { backend: (s as LoadedModel).backend } : {}),
      inputs: s.inputs,
      outputs: s.outputs,
    }));
  }

  /** Runs a model or pipeline by name; resolves to its outputs by name. */
  async infer(name: string, feeds: Feeds<Tensor>, options?: RunOptions): Promise<Results<Tensor>> {
    const repository = await this.repository();
    const s = repository.get(name);
    if (!s) {
      const known = repository.list().map((x) => x.name);
      throw new NotFoundError(`no model or pipeline named '${name}' (loaded: ${known.join(', ') || 'none'})`);
    }
    return s.infer(feeds, options);
  }

  /** Runs a typed pipeline in-process, its model steps on this platform's models. */
  run<I, O>(pipeline: Pipeline<I, O>, input: I, options: { signal?: AbortSignal } = {}): Promise<O> {
    return pipeline.execute(input, this, options);
  }

  /** Per-step statistics of a model (`run`) or pipeline (each step). */
  async stats(name: string): Promise<ServableStats | undefined> {
    return (await this.repository()).get(name)?.stats?.();
  }

  /** Adds kernels to this platform's native backend (a custom domain, or replacing a built-in). */
  async registerOperators(...defs: OperatorDef[]): Promise<this> {
    const registry = await this.container.resolve(Tokens.Operators);
    for (const d of defs) registry.register(d);
    return this;
  }

  /** Adds a backend that `loadModel(…, { backend: name })` can pick. */
  async registerBackend(backend: Backend<Tensor>): Promise<this> {
    (await this.container.resolve(Tokens.Backends)).register(backend);
    return this;
  }

  /** Applies a plugin: its operators, backends and setup. */
  async use(plugin: ZaiPlugin, options: Readonly<Record<string, unknown>> = {}): Promise<this> {
    const [registry, backends] = await Promise.all([
      this.container.resolve(Tokens.Operators),
      this.container.resolve(Tokens.Backends),
    ]);
    await applyPlugin(plugin, { registry, options, registerBackend: (b) => backends.register(b) });
    this.logger.debug(`plugin ${plugin.name ?? '(unnamed)'} applied`);
    return this;
  }

  /**
   * Serves every loaded model and pipeline (and the configuration's `paths`)
   * over HTTP (KServe V2); `overrides` win over the configuration.
   */
  async serve(overrides: ZaiConfig = {}): Promise<RunningServer> {
    const effective = new EffectiveConfig([...this.settings.layers, codeLayer(overrides, 'serve()')]);
    const { pipelines: _, ...options } = serverOptionsOf(effective);
    const servables = (await this.repository()).list().map(borrowed);
    const server = await (await this.container.resolve(Tokens.Server)).start({ ...options, servables });
    this.servers.push(server);
    this.logger.info(`listening on ${server.url}`);
    return {
      url: server.url,
      close: async () => {
        this.servers.splice(this.servers.indexOf(server), 1);
        await server.close();
      },
    };
  }

  /** Stops the servers, closes models and pipelines, disposes services (newest first). */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await Promise.all(this.servers.splice(0).map((s) => s.close()));
      await this.container.dispose();
    })();
    return this.closed;
  }

  private repository() {
    return this.container.resolve(Tokens.Repository);
  }
}
