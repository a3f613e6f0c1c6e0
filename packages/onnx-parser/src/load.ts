import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { NotFoundError, ParseError } from '@zai/common';
import { BufferSource, FileSource } from './byte-source.js';
import { decodeModelProto } from './decode.js';
import { ExternalDataResolver } from './external-data.js';
import type { ModelIR } from './ir.js';

export interface LoadModelOptions {
  /** Folder that external data locations are relative to (default: the model file's folder). */
  readonly baseDir?: string;
}

/**
 * Reads a `.onnx` file (or bytes) into the model IR. A file is read through a
 * small window: tensor payloads are not read until an initializer is loaded.
 */
export async function loadModel(
  source: string | Uint8Array | ArrayBuffer,
  options: LoadModelOptions = {},
): Promise<ModelIR> {
  if (typeof source === 'string') {
    let file: FileSource;
    try {
      if ((await stat(source)).isDirectory())
        throw new ParseError(`'${source}' is a folder, not a model file`);
      file = new FileSource(source);
    } catch (e) {
      if (e instanceof ParseError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new NotFoundError(`model file '${source}' does not exist`);
      throw new ParseError(`cannot read model file '${source}': ${(e as Error).message}`);
    }
    // metadata is decoded through a small window; weights stay in the file until loaded
    try {
      return decodeModelProto(file, new ExternalDataResolver(options.baseDir ?? dirname(source)));
    } finally {
      file.close();
    }
  }
  return decodeModel(source instanceof ArrayBuffer ? new Uint8Array(source) : source, options);
}

/** Decodes model bytes held in memory. External data needs `baseDir`. */
export function decodeModel(bytes: Uint8Array, options: LoadModelOptions = {}): ModelIR {
  const external = options.baseDir !== undefined ? new ExternalDataResolver(options.baseDir) : undefined;
  // a plain Uint8Array view, so byte fields (string attributes) are not Buffers when the input is one
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return decodeModelProto(new BufferSource(view), external);
}
