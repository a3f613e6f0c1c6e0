import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { NotFoundError } from '@zai/common';
import { type ModelConfig, parseModelConfig, type VersionPolicy } from '../model-config.js';

/** Where a model comes from: a repository folder `<model>/<version>/model.onnx`, or a single file. */
export type ModelSource =
  | { readonly kind: 'folder'; readonly name: string; readonly path: string }
  | { readonly kind: 'file'; readonly name: string; readonly path: string };

const VERSION = /^\d+$/;

async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

/** Numeric version folders of a model folder (whether or not they hold a model.onnx yet). */
export async function versionsIn(folder: string): Promise<number[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && VERSION.test(e.name))
    .map((e) => Number(e.name))
    .sort((a, b) => a - b);
}

/**
 * Resolves the paths given to `zai serve`: a `.onnx` file is one model named
 * by its basename; a folder with version folders is one model named by the
 * folder; any other folder is a repository of model folders.
 */
export async function discoverModels(paths: readonly string[]): Promise<ModelSource[]> {
  const found: ModelSource[] = [];
  for (const given of paths) {
    const path = resolve(given);
    const s = await stat(path).catch(() => undefined);
    if (!s) throw new NotFoundError(`model or repository '${given}' does not exist`);
    if (s.isFile()) {
      found.push({ kind: 'file', name: basename(path).replace(/\.onnx$/i, ''), path });
    } else if ((await versionsIn(path)).length > 0) {
      found.push({ kind: 'folder', name: basename(path), path });
    } else {
      const entries = await readdir(path, { withFileTypes: true });
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        const folder = join(path, e.name);
        if (e.isDirectory() && (await isDir(folder)) && (await versionsIn(folder)).length > 0) {
          found.push({ kind: 'folder', name: e.name, path: folder });
        }
      }
    }
  }
  const seen = new Map<string, string>();
  for (const m of found) {
    const other = seen.get(m.name);
    if (other) throw new NotFoundError(`two models are named '${m.name}': ${other} and ${m.path}`);
    seen.set(m.name, m.path);
  }
  return found;
}

/** The model's own `config.json`, if its folder has one. */
export async function readFolderConfig(source: ModelSource): Promise<ModelConfig | undefined> {
  if (source.kind !== 'folder') return undefined;
  const file = join(source.path, 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new NotFoundError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  return parseModelConfig(json, file);
}

/** The versions to serve under a policy, with the path of each model file. */
export async function selectVersions(
  source: ModelSource,
  policy: VersionPolicy,
): Promise<{ version: string; file: string }[]> {
  if (source.kind === 'file') return [{ version: '1', file: source.path }];
  const all = await versionsIn(source.path);
  let chosen: number[];
  if ('latest' in policy) chosen = all.slice(-policy.latest);
  else if ('all' in policy) chosen = all;
  else chosen = all.filter((v) => policy.specific.includes(v));
  return chosen.map((v) => ({ version: String(v), file: join(source.path, String(v), 'model.onnx') }));
}
