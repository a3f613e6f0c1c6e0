import { stat } from 'node:fs/promises';
import type { Servable } from '@zai/common';
import type { InferenceSessionOptions } from '@zai/inference-engine';
import type { Tensor } from '@zai/tensor-core';
import type { ModuleRef } from '../../config/schema.js';
import { BadRequestError, ModelNotFoundError, UnavailableError } from '../errors.js';
import { type ModelConfig, type ResolvedModelConfig, resolveModelConfig } from '../model-config.js';
import { type Executor, ServableExecutor } from '../runtime/executor.js';
import { ServedModel } from '../runtime/served-model.js';
import { WorkerPool } from '../runtime/worker-pool.js';
import type { ServerMetrics } from '../telemetry/metrics.js';
import { discoverModels, type ModelSource, readFolderConfig, selectVersions } from './sources.js';

export type ModelState = 'READY' | 'UNAVAILABLE' | 'LOADING' | 'UNLOADING';

export interface ModelManagerOptions {
  readonly paths: readonly string[];
  readonly servables: readonly Servable<Tensor>[];
  /** Pipelines run in worker threads of their own, each started when its model loads. */
  readonly pipelines?: readonly PipelineSource[];
  /** Plugin modules each model worker loads before opening its session. */
  readonly plugins?: readonly (string | ModuleRef)[];
  /** Where plugin module names are resolved from. */
  readonly moduleBase?: string;
  /** Under each model's config.json. */
  readonly defaults?: ModelConfig;
  /** Over config.json, by model name (the server config file's `models` entries). */
  readonly perModel?: Readonly<Record<string, ModelConfig>>;
  /** Over everything (command-line flags and ZAI_* variables). */
  readonly overrides?: ModelConfig;
  readonly metrics: ServerMetrics;
  readonly log: { info(msg: string): void; warn(msg: string): void };
}

/** A pipeline the manager serves: starts its workers (`config.instances` of them) on load. */
export interface PipelineSource {
  readonly name: string;
  start(config: ResolvedModelConfig): Promise<Executor>;
}

interface Entry {
  readonly name: string;
  readonly source: ModelSource | undefined;
  readonly servable: Servable<Tensor> | undefined;
  readonly pipeline?: PipelineSource;
  versions: Map<string, ServedModel>;
  state: ModelState;
  reason: string;
  /** Whether the server should have it loaded (false after an explicit unload). */
  wanted: boolean;
  lock: Promise<unknown>;
}

export interface IndexEntry {
  readonly name: string;
  readonly version?: string;
  readonly state: ModelState;
  readonly reason: string;
}

const byVersion = (a: string, b: string): number => Number(a) - Number(b);

/** The models a server knows: loads, reloads and unloads them, and finds the version a request means. */
export class ModelManager {
  private readonly entries = new Map<string, Entry>();
  private readonly retiring = new Set<Promise<void>>();

  constructor(private readonly options: ModelManagerOptions) {}

  /** Finds the models in the configured paths (new folders appear; known ones keep their state). */
  async discover(): Promise<void> {
    for (const source of await discoverModels(this.options.paths)) this.add(source.name, source, undefined);
    for (const s of this.options.servables) this.add(s.name, undefined, s);
    for (const p of this.options.pipelines ?? []) this.add(p.name, undefined, undefined, p);
  }

  private add(
    name: string,
    source: ModelSource | undefined,
    servable: Servable<Tensor> | undefined,
    pipeline?: PipelineSource,
  ): void {
    if (this.entries.has(name)) return;
    this.entries.set(name, {
      name,
      source,
      servable,
      ...(pipeline ? { pipeline } : {}),
      versions: new Map(),
      state: 'UNAVAILABLE',
      reason: 'not loaded yet',
      wanted: true,
      lock: Promise.resolve(),
    });
  }

  /** Loads every known model; resolves to the failures (name and reason). */
  async loadAll(): Promise<{ name: string; reason: string }[]> {
    await this.discover();
    const failures: { name: string; reason: string }[] = [];
    await Promise.all(
      [...this.entries.keys()].map((name) =>
        this.load(name).catch((e: Error) => failures.push({ name, reason: e.message })),
      ),
    );
    return failures;
  }

  private async entry(name: string): Promise<Entry> {
    let e = this.entries.get(name);
    if (!e) {
      await this.discover().catch(() => undefined);
      e = this.entries.get(name);
    }
    if (!e) throw new ModelNotFoundError(`unknown model '${name}'`);
    return e;
  }

  private serialize<T>(e: Entry, work: () => Promise<T>): Promise<T> {
    const next = e.lock.then(work, work);
    e.lock = next.catch(() => undefined);
    return next;
  }

  /**
   * Loads (or reloads) a model's versions. Unchanged versions keep serving;
   * new ones are loaded beside them and swapped in when all are ready. On any
   * failure nothing changes and the error says why.
   */
  async load(name: string, override?: ModelConfig): Promise<void> {
    const e = await this.entry(name);
    return this.serialize(e, async () => {
      e.wanted = true;
      if (e.versions.size === 0) e.state = 'LOADING';
      const fresh = new Map<string, ServedModel>();
      try {
        const config = await this.configFor(e, override);
        const next = new Map<string, ServedModel>();
        if (e.servable) {
          const existing = e.versions.get('1');
          next.set(
            '1',
            existing ?? this.served(e.name, '1', new ServableExecutor(e.servable), config, 'servable'),
          );
          if (!existing) fresh.set('1', next.get('1')!);
        } else if (e.pipeline) {
          const existing = e.versions.get('1');
          const served =
            existing ?? this.served(e.name, '1', await e.pipeline.start(config), config, 'pipeline');
          next.set('1', served);
          if (!existing) fresh.set('1', served);
        } else {
          const wanted = await selectVersions(e.source!, config.versionPolicy);
          if (wanted.length === 0)
            throw new BadRequestError(`model '${name}' has no version folders to load`);
          for (const { version, file } of wanted) {
            const s = await stat(file).catch(() => undefined);
            if (!s?.isFile())
              throw new BadRequestError(`model '${name}' version ${version}: ${file} does not exist`);
            const fingerprint = `${s.size}:${s.mtimeMs}:${JSON.stringify(config)}`;
            const existing = e.versions.get(version);
            if (existing && existing.fingerprint === fingerprint) {
              next.set(version, existing);
              continue;
            }
            const plugins = { plugins: this.options.plugins ?? [], base: this.options.moduleBase ?? '.' };
            const pool = await WorkerPool.start(
              file,
              this.sessionOptions(config),
              config.instances,
              plugins,
            ).catch((err: Error) => {
              throw new BadRequestError(`model '${name}' version ${version} failed to load: ${err.message}`);
            });
            const served = this.served(e.name, version, pool, config, fingerprint);
            fresh.set(version, served);
            next.set(version, served);
          }
        }
        const retired = [...e.versions.values()].filter((v) => ![...next.values()].includes(v));
        e.versions = next;
        e.state = 'READY';
        e.reason = '';
        for (const v of retired) this.retire(v);
        const list = [...next.keys()].sort(byVersion).join(', ');
        this.options.log.info(
          `model '${name}' ready: version${next.size > 1 ? 's' : ''} ${list} (${[...next.values()][0]!.backend})`,
        );
      } catch (err) {
        await Promise.all([...fresh.values()].map((v) => v.close(0)));
        e.state = e.versions.size > 0 ? 'READY' : 'UNAVAILABLE';
        e.reason = (err as Error).message;
        this.options.log.warn(`model '${name}' load failed: ${e.reason}`);
        throw err;
      }
    });
  }

  /** Stops serving a model; requests already running on it finish first. */
  async unload(name: string): Promise<void> {
    const e = await this.entry(name);
    return this.serialize(e, async () => {
      e.wanted = false;
      const old = [...e.versions.values()];
      e.versions = new Map();
      e.state = 'UNLOADING';
      await Promise.all(old.map((v) => v.close()));
      e.state = 'UNAVAILABLE';
      e.reason = 'unloaded';
      this.options.log.info(`model '${name}' unloaded`);
    });
  }

  private retire(v: ServedModel): void {
    const p = v.close().finally(() => this.retiring.delete(p));
    this.retiring.add(p);
  }

  private async configFor(e: Entry, override: ModelConfig | undefined): Promise<ResolvedModelConfig> {
    const own = e.source ? await readFolderConfig(e.source) : undefined;
    const { defaults, perModel, overrides } = this.options;
    return resolveModelConfig(defaults, own, perModel?.[e.name], override, overrides);
  }

  private sessionOptions(c: ResolvedModelConfig): InferenceSessionOptions {
    return {
      backend: c.backend,
      providerFallback: c.providerFallback,
      ...(c.executionProviders ? { executionProviders: c.executionProviders } : {}),
      ...(c.graphOptimizationLevel ? { graphOptimizationLevel: c.graphOptimizationLevel } : {}),
      ...(c.intraOpNumThreads ? { intraOpNumThreads: c.intraOpNumThreads } : {}),
    };
  }

  private served(
    name: string,
    version: string,
    executor: ConstructorParameters<typeof ServedModel>[2],
    config: ResolvedModelConfig,
    fingerprint: string,
  ): ServedModel {
    return new ServedModel(name, version, executor, config, fingerprint, this.options.metrics, (m) =>
      this.options.log.warn(m),
    );
  }

  /** The version a request means: the one named, or the highest loaded. */
  resolve(name: string, version?: string): ServedModel {
    const e = this.entries.get(name);
    if (!e) throw new ModelNotFoundError(`unknown model '${name}'`);
    if (version !== undefined) {
      const v = e.versions.get(version);
      if (v) return v;
      if (e.versions.size === 0) {
        throw new UnavailableError(`model '${name}' is not ready (${e.state.toLowerCase()}: ${e.reason})`);
      }
      throw new ModelNotFoundError(
        `model '${name}' has no version ${version} loaded (loaded: ${[...e.versions.keys()].sort(byVersion).join(', ') || 'none'})`,
      );
    }
    const highest = [...e.versions.keys()].sort(byVersion).pop();
    if (highest === undefined) {
      throw new UnavailableError(`model '${name}' is not ready (${e.state.toLowerCase()}: ${e.reason})`);
    }
    return e.versions.get(highest)!;
  }

  /** Every loaded version of a model (or of all models). */
  loaded(name?: string): ServedModel[] {
    if (name !== undefined && !this.entries.has(name))
      throw new ModelNotFoundError(`unknown model '${name}'`);
    const list = name === undefined ? [...this.entries.values()] : [this.entries.get(name)!];
    return list.flatMap((e) => [...e.versions.keys()].sort(byVersion).map((v) => e.versions.get(v)!));
  }

  /** The repository index: one row per loaded version, or per model when none is loaded. */
  index(): IndexEntry[] {
    return [...this.entries.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((e): IndexEntry[] =>
        e.versions.size === 0
          ? [{ name: e.name, state: e.state, reason: e.reason }]
          : [...e.versions.keys()]
              .sort(byVersion)
              .map((version) => ({ name: e.name, version, state: e.state, reason: e.reason })),
      );
  }

  /** True when every model the server should serve has a ready version. */
  ready(): boolean {
    return [...this.entries.values()].every((e) => !e.wanted || (e.state === 'READY' && e.versions.size > 0));
  }

  /** Unloads everything; running requests get `timeoutMs` to finish. */
  async closeAll(timeoutMs: number): Promise<void> {
    const all = [...this.entries.values()].flatMap((e) => [...e.versions.values()]);
    for (const e of this.entries.values()) e.versions = new Map();
    await Promise.all([...all.map((v) => v.close(timeoutMs)), ...this.retiring]);
  }
}
