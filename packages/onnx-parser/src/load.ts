import { rmSync } from 'node:fs';
import { mkdtemp, open, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { NotFoundError, ParseError } from '@zai/common';
import { BufferSource, FileSource } from './byte-source.js';
import { decodeModelProto } from './decode.js';
import { ExternalDataResolver } from './external-data.js';
import type { ModelIR } from './ir.js';

export interface LoadModelOptions {
  /** Folder that external data locations are relative to (default: the model file's folder). */
  readonly baseDir?: string;
}

/** A readable stream or any async iterable of byte chunks. */
export type ByteStream = AsyncIterable<Uint8Array>;

/**
 * Spools a stream to a private temporary file: the wire format needs random
 * access (payloads are read after the metadata), and a file keeps memory flat
 * however large the model. The file is removed when the process exits.
 */
async function spool(stream: ByteStream): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zai-model-'));
  const path = join(dir, 'model.onnx');
  const fh = await open(path, 'w');
  try {
    for await (const chunk of stream) {
      let done = 0;
      while (done < chunk.length) done += (await fh.write(chunk, done, chunk.length - done)).bytesWritten;
    }
  } finally {
    await fh.close();
  }
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return path;
}

/**
 * Reads a `.onnx` file, bytes or a readable stream into the model IR. A file
 * is read through a small window: tensor payloads are not read until an
 * initializer is loaded. Models from a stream cannot use external data unless
 * `baseDir` says where it is.
 */
export async function loadModel(
  source: string | Uint8Array | ArrayBuffer | ByteStream,
  options: LoadModelOptions = {},
): Promise<ModelIR> {
  if (typeof source === 'object' && source !== null && Symbol.asyncIterator in source) {
    const path = await spool(source as ByteStream);
    const file = new FileSource(path);
    try {
      return decodeModelProto(
        file,
        options.baseDir !== undefined ? new ExternalDataResolver(options.baseDir) : undefined,
      );
    } finally {
      file.close();
    }
  }
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
  return decodeModel(
    source instanceof ArrayBuffer ? new Uint8Array(source) : (source as Uint8Array),
    options,
  );
}

/** Decodes model bytes held in memory. External data needs `baseDir`. */
export function decodeModel(bytes: Uint8Array, options: LoadModelOptions = {}): ModelIR {
  const external = options.baseDir !== undefined ? new ExternalDataResolver(options.baseDir) : undefined;
  // a plain Uint8Array view, so byte fields (string attributes) are not Buffers when the input is one
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return decodeModelProto(new BufferSource(view), external);
}
