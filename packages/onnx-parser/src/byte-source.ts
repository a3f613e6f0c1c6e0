import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { ParseError } from '@zai/common';

/**
 * Random access to the bytes of a model. The parser reads through a window
 * of a source, so a file is never held in memory whole: tensor payloads are
 * recorded as (offset, length) and read when a session needs them.
 */
export interface ByteSource {
  readonly size: number;
  /** Bytes [offset, offset + length). May be a view that the next read invalidates. */
  read(offset: number, length: number): Uint8Array;
  /** A copy-free or copied read that stays valid, for tensor payloads. */
  readOwned(offset: number, length: number): Promise<Uint8Array>;
  readOwnedSync(offset: number, length: number): Uint8Array;
  close(): void;
}

/** Bytes already in memory; `base` is the file offset of `bytes[0]` when they are a slice of a file. */
export class BufferSource implements ByteSource {
  readonly size: number;
  constructor(
    readonly bytes: Uint8Array,
    readonly base = 0,
  ) {
    this.size = base + bytes.length;
  }
  read(offset: number, length: number): Uint8Array {
    return this.bytes.subarray(offset - this.base, offset - this.base + length);
  }
  async readOwned(offset: number, length: number): Promise<Uint8Array> {
    return this.read(offset, length);
  }
  readOwnedSync(offset: number, length: number): Uint8Array {
    return this.read(offset, length);
  }
  close(): void {}
}

/**
 * A file read on demand. The descriptor used while parsing is closed by
 * `close()`; later payload reads reopen the file, so a loaded model holds no
 * descriptor open.
 */
export class FileSource implements ByteSource {
  readonly size: number;
  private fd: number | undefined;
  private scratch = new Uint8Array(0);

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  read(offset: number, length: number): Uint8Array {
    if (this.fd === undefined) this.fd = openSync(this.path, 'r');
    if (this.scratch.length < length) this.scratch = new Uint8Array(Math.max(length, 1 << 16));
    const view = this.scratch.subarray(0, length);
    fill(this.fd, view, offset, this.path);
    return view;
  }

  readOwnedSync(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    const fd = openSync(this.path, 'r');
    try {
      fill(fd, out, offset, this.path);
    } finally {
      closeSync(fd);
    }
    return out;
  }

  async readOwned(offset: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    const fh = await open(this.path, 'r');
    try {
      let done = 0;
      while (done < length) {
        // reads are capped below 2 GiB each: larger single reads fail on some platforms
        const { bytesRead } = await fh.read(out, done, Math.min(length - done, 1 << 30), offset + done);
        if (bytesRead === 0) throw new ParseError(`'${this.path}' ended early`, offset + done);
        done += bytesRead;
      }
    } finally {
      await fh.close();
    }
    return out;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function fill(fd: number, into: Uint8Array, offset: number, path: string): void {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, Math.min(into.length - done, 1 << 30), offset + done);
    if (n === 0) throw new ParseError(`'${path}' ended early`, offset + done);
    done += n;
  }
}
