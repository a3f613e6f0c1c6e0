import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InvalidArgumentError } from '@zai/common';
import { ExternalDataSink, encodeModelChunks } from './encode.js';
import type { ModelIR } from './ir.js';

export interface WriteModelOptions {
  /** Move initializers of at least `threshold` bytes (default 1024) into `location` next to the model. */
  readonly externalData?: { readonly location?: string; readonly threshold?: number };
}

async function writeChunks(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  const fh = await open(path, 'w');
  try {
    for (const c of chunks) {
      let done = 0;
      while (done < c.length) done += (await fh.write(c, done, c.length - done)).bytesWritten;
    }
  } finally {
    await fh.close();
  }
}

/**
 * Writes a model to disk without building it in one buffer (so files past
 * 2 GB can be written), optionally with its weights in an external data file.
 */
export async function writeModel(
  path: string,
  model: ModelIR,
  options: WriteModelOptions = {},
): Promise<void> {
  let sink: ExternalDataSink | undefined;
  if (options.externalData) {
    const location = options.externalData.location ?? `${basename(path)}.data`;
    if (location.includes('/') || location.includes('\\') || location.startsWith('.')) {
      throw new InvalidArgumentError(
        `external data location '${location}' must be a plain file name next to the model`,
      );
    }
    sink = new ExternalDataSink(location, options.externalData.threshold ?? 1024);
  }
  const chunks = encodeModelChunks(model, sink);
  if (sink) await writeChunks(join(dirname(path), sink.location), sink.chunks);
  await writeChunks(path, chunks);
}
