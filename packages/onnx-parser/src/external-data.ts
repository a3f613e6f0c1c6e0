import { closeSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ParseError } from '@zai/common';
import type { TensorLocation } from './ir.js';

type External = Extract<TensorLocation, { kind: 'external' }>;

/**
 * Reads external tensor data relative to the model's folder, refusing any
 * location that is absolute, climbs out with `..`, or resolves (through links)
 * outside the folder, as ONNX's ExternalDataSecurity.md asks.
 */
export class ExternalDataResolver {
  readonly baseDir: string;
  private realBase: string | undefined;

  constructor(baseDir: string) {
    this.baseDir = resolve(baseDir);
  }

  /** The checked absolute path of a location; throws ParseError if it escapes the model folder. */
  resolvePath(location: string, label: string): string {
    if (location.includes('\0')) throw new ParseError(`${label}: external data location contains a NUL byte`);
    if (isAbsolute(location) || /^[a-zA-Z]:[\\/]/.test(location) || location.startsWith('\\')) {
      throw new ParseError(
        `${label}: external data location '${location}' is absolute; it must be relative to the model`,
      );
    }
    const full = resolve(this.baseDir, location);
    if (!inside(this.baseDir, full)) {
      throw new ParseError(`${label}: external data location '${location}' leaves the model's folder`);
    }
    return full;
  }

  private checkReal(full: string, real: string, location: string, label: string): void {
    this.realBase ??= realpathSync(this.baseDir);
    if (!inside(this.realBase, real)) {
      throw new ParseError(
        `${label}: external data location '${location}' is a link that leads outside the model's folder`,
      );
    }
    void full;
  }

  async read(loc: External, label: string, expected: number): Promise<Uint8Array> {
    const full = this.resolvePath(loc.path, label);
    let real: string;
    try {
      real = await realpath(full);
    } catch {
      throw new ParseError(`${label}: external data file '${loc.path}' does not exist`);
    }
    this.checkReal(full, real, loc.path, label);
    const size = (await stat(real)).size;
    const length = this.checkRange(loc, size, label, expected);
    const fh = await open(real, 'r');
    try {
      const buf = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await fh.read(buf, done, length - done, loc.offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      if (done !== length) throw new ParseError(`${label}: external data file '${loc.path}' ended early`);
      return buf;
    } finally {
      await fh.close();
    }
  }

  readSync(loc: External, label: string, expected: number): Uint8Array {
    const full = this.resolvePath(loc.path, label);
    let real: string;
    try {
      real = realpathSync(full);
    } catch {
      throw new ParseError(`${label}: external data file '${loc.path}' does not exist`);
    }
    this.checkReal(full, real, loc.path, label);
    const length = this.checkRange(loc, statSync(real).size, label, expected);
    const fd = openSync(real, 'r');
    try {
      const buf = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, buf, done, length - done, loc.offset + done);
        if (n === 0) break;
        done += n;
      }
      if (done !== length) throw new ParseError(`${label}: external data file '${loc.path}' ended early`);
      return buf;
    } finally {
      closeSync(fd);
    }
  }

  private checkRange(loc: External, fileSize: number, label: string, expected: number): number {
    if (loc.offset > fileSize) {
      throw new ParseError(
        `${label}: external data offset ${loc.offset} is past the end of '${loc.path}' (${fileSize} bytes)`,
      );
    }
    const length = loc.length ?? (expected >= 0 ? expected : fileSize - loc.offset);
    if (loc.offset + length > fileSize) {
      throw new ParseError(
        `${label}: external data [${loc.offset}, ${loc.offset + length}) runs past the end of '${loc.path}' (${fileSize} bytes)`,
      );
    }
    if (expected >= 0 && length !== expected) {
      throw new ParseError(
        `${label}: external data length ${length} does not match the ${expected} bytes its type and dims need`,
      );
    }
    return length;
  }
}

function inside(base: string, p: string): boolean {
  const rel = relative(base, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

export { join };
