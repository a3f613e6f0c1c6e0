import { createRequire } from 'node:module';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Backend, ConfigError, type Servable } from '@zai/common';
import type { OperatorDef, OperatorRegistry } from '@zai/inference-engine';
import type { Tensor } from '@zai/tensor-core';
import type { ModuleRef, ZaiConfig } from './schema.js';

/** What a pipeline module's factory is given when `zai serve` (or a Platform) builds it. */
export interface ServableFactoryContext {
  /** The name it is served under (its key in `pipelines`). */
  readonly name: string;
  /** The entry's `options`, as written. */
  readonly options: Readonly<Record<string, unknown>>;
  /** The effective configuration (backend, providers, plugins…). */
  readonly config: ZaiConfig;
  /** The folder relative paths in `options` are relative to (the config file's). */
  readonly baseDir: string;
}

/** A module named in `pipelines` exports one of these (or a ready Servable). */
export type ServableFactory = (
  context: ServableFactoryContext,
) => Servable<Tensor> | Promise<Servable<Tensor>>;

/** What a plugin's `setup` can change where it loads. */
export interface PluginContext {
  /** The operator registry of the native backend (in `zai serve`, each model worker's). */
  readonly registry: OperatorRegistry;
  readonly options: Readonly<Record<string, unknown>>;
  /** Present where models pick a backend by name (ai-platform's Platform). */
  readonly registerBackend?: (backend: Backend<Tensor>) => void;
}

/** A module named in `plugins` exports one of these (default export, or the one named by `export`). */
export interface ZaiPlugin {
  readonly name?: string;
  /** Kernels added to the native registry (a custom domain, or replacing a built-in kernel). */
  readonly operators?: readonly OperatorDef[];
  /** Backends a Platform can pick by name (`loadModel(name, file, { backend })`). */
  readonly backends?: readonly Backend<Tensor>[];
  setup?(context: PluginContext): void | Promise<void>;
}

/** Where to import a module from, as a specifier `import()` takes. */
function specifierOf(module: string): string {
  if (isAbsolute(module)) return pathToFileURL(module).href;
  return module;
}

/** Imports a module named in the configuration: a path, or a package resolved from `baseDir` too. */
export async function importModule(module: string, baseDir: string, origin: string): Promise<unknown> {
  try {
    return await import(specifierOf(module));
  } catch (first) {
    const code = (first as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' || isAbsolute(module)) {
      throw new ConfigError(origin, origin, `cannot load module '${module}': ${(first as Error).message}`, {
        cause: first,
      });
    }
    try {
      const resolved = createRequire(join(baseDir, 'noop.js')).resolve(module);
      return await import(pathToFileURL(resolved).href);
    } catch (e) {
      throw new ConfigError(origin, origin, `cannot find module '${module}' (from ${baseDir})`, { cause: e });
    }
  }
}

const refOf = (m: string | ModuleRef): ModuleRef => (typeof m === 'string' ? { module: m } : m);

function exported(ns: unknown, ref: ModuleRef, origin: string): unknown {
  const name = ref.export ?? 'default';
  const value = (ns as Record<string, unknown>)[name];
  if (value === undefined) {
    const names = Object.keys(ns as object).filter((k) => k !== 'default');
    throw new ConfigError(
      origin,
      `${origin}.export`,
      `module '${ref.module}' has no export '${name}' (exports: ${names.join(', ') || 'none'})`,
    );
  }
  return value;
}

/** Imports the module a reference names and returns the export it names (default: the default export). */
export async function loadModuleExport(ref: ModuleRef, baseDir: string, origin: string): Promise<unknown> {
  return exported(await importModule(ref.module, baseDir, origin), ref, origin);
}

/** Whether a value is a Servable (has `infer`, `inputs`, `outputs`). */
export const isServable = (v: unknown): v is Servable<Tensor> =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Servable).infer === 'function' &&
  Array.isArray((v as Servable).inputs) &&
  Array.isArray((v as Servable).outputs);

/** Builds one pipeline of `pipelines`: imports its module and calls its factory (in a pipeline worker, in `zai serve`). */
export async function loadPipeline(
  name: string,
  ref: ModuleRef,
  config: ZaiConfig,
  baseDir: string,
): Promise<Servable<Tensor>> {
  const origin = `pipelines.${name}`;
  const made = await loadModuleExport(ref, baseDir, origin);
  const servable = isServable(made)
    ? made
    : typeof made === 'function'
      ? await (made as ServableFactory)({ name, options: ref.options ?? {}, config, baseDir })
      : undefined;
  if (!isServable(servable)) {
    throw new ConfigError(
      origin,
      `${origin}.module`,
      `'${ref.module}' ${ref.export ? `export '${ref.export}'` : 'default export'} is neither a Servable nor a function returning one`,
    );
  }
  return servable.name === name ? servable : renamed(servable, name);
}

/** Builds the servables of `pipelines` in this thread: imports each module and calls its factory. */
export async function loadPipelines(
  config: ZaiConfig,
  baseDir: string,
): Promise<{ servables: Servable<Tensor>[]; close(): Promise<void> }> {
  const servables: Servable<Tensor>[] = [];
  const close = () => Promise.all(servables.map((s) => s.close())).then(() => undefined);
  try {
    for (const [name, ref] of Object.entries(config.pipelines ?? {})) {
      servables.push(await loadPipeline(name, ref, config, baseDir));
    }
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
  return { servables, close };
}

/** The same servable under the name the configuration gives it. */
function renamed(s: Servable<Tensor>, name: string): Servable<Tensor> {
  return {
    name,
    inputs: s.inputs,
    outputs: s.outputs,
    infer: (feeds, options) => s.infer(feeds, options),
    ...(s.stats ? { stats: () => s.stats!() } : {}),
    close: () => s.close(),
  };
}

/** Imports the plugin modules and returns them (their `setup` not yet called). */
export async function loadPlugins(
  plugins: readonly (string | ModuleRef)[],
  baseDir: string,
): Promise<{ plugin: ZaiPlugin; options: Readonly<Record<string, unknown>> }[]> {
  const out: { plugin: ZaiPlugin; options: Readonly<Record<string, unknown>> }[] = [];
  for (const [i, m] of plugins.entries()) {
    const ref = refOf(m);
    const origin = `plugins[${i}]`;
    const ns = await importModule(ref.module, baseDir, origin);
    const value = ref.export || (ns as { default?: unknown }).default ? exported(ns, ref, origin) : ns;
    const plugin: ZaiPlugin | undefined =
      typeof value === 'function'
        ? { setup: value as ZaiPlugin['setup'] }
        : typeof value === 'object' && value !== null
          ? (value as ZaiPlugin)
          : undefined;
    if (!plugin || (!plugin.operators && !plugin.setup && !plugin.backends)) {
      throw new ConfigError(
        origin,
        origin,
        `'${ref.module}' exports no plugin (an object with operators, backends or setup, or a setup function)`,
      );
    }
    out.push({ plugin, options: ref.options ?? {} });
  }
  return out;
}

/** Adds a plugin's operators to a registry and runs its setup. */
export async function applyPlugin(plugin: ZaiPlugin, context: PluginContext): Promise<void> {
  for (const def of plugin.operators ?? []) context.registry.register(def);
  if (context.registerBackend) for (const b of plugin.backends ?? []) context.registerBackend(b);
  await plugin.setup?.(context);
}
