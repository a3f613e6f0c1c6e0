import type { MessagePort, Worker } from 'node:worker_threads';
import { CorruptImageError, checkSize, type DecodedImage, ImageDecoderUnavailableError } from './image.js';
import type { ImageFormat } from './sniff.js';
import { WORKER_SOURCE } from './worker-source.js';

// Formats decoded by optional npm packages: sharp (libvips with libjpeg-turbo
// / mozjpeg, libpng, libwebp, libtiff) and @cornerstonejs/codec-openjpeg
// (OpenJPEG compiled to WebAssembly). Both only decode asynchronously, while
// kernels are synchronous functions; so they run in a worker thread, started
// on the first such image and kept (unref'd) for later ones, and the kernel
// blocks on Atomics.wait until the worker posts its reply, which it then takes
// with receiveMessageOnPort. Neither package nor node:worker_threads is
// loaded before an image of one of these formats is decoded.

/** Which optional package decodes which formats, and the entry point the worker imports. */
const PACKAGES = {
  sharp: { name: 'sharp', entry: 'sharp' },
  openjpeg: { name: '@cornerstonejs/codec-openjpeg', entry: '@cornerstonejs/codec-openjpeg/decodewasmjs' },
} as const;
type DecoderKind = keyof typeof PACKAGES;

export function decoderFor(format: ImageFormat): DecoderKind {
  return format === 'JPEG 2000' ? 'openjpeg' : 'sharp';
}

/** How long one decode may take before the worker is presumed stuck and replaced. */
const TIMEOUT_MS = 120_000;

interface Reply {
  readonly ok: boolean;
  readonly stage?: 'load' | 'decode';
  readonly message?: string;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly bits: number;
  readonly signed: boolean;
  readonly data: Uint8Array;
}

function builtin<T>(id: string): T {
  return process.getBuiltinModule(id) as T;
}

/** The file URL of a package entry, resolved from this package; an error when it is not installed. */
const resolved = new Map<DecoderKind, string>();
function resolveEntry(kind: DecoderKind, label: string, format: ImageFormat): string {
  const known = resolved.get(kind);
  if (known) return known;
  const { createRequire } = builtin<typeof import('node:module')>('node:module');
  const { pathToFileURL } = builtin<typeof import('node:url')>('node:url');
  try {
    const url = pathToFileURL(createRequire(import.meta.url).resolve(PACKAGES[kind].entry)).href;
    resolved.set(kind, url);
    return url;
  } catch (e) {
    throw new ImageDecoderUnavailableError(label, format, PACKAGES[kind].name, 'it is not installed', {
      cause: e,
    });
  }
}

/** The decoder thread and the shared flag it raises when a reply is ready. */
class DecoderThread {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));

  constructor() {
    const wt = builtin<typeof import('node:worker_threads')>('node:worker_threads');
    const { port1, port2 } = new wt.MessageChannel();
    this.port = port1;
    this.worker = new wt.Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { port: port2, flag: this.flag },
      transferList: [port2],
    });
    // never keeps the process alive; the main side of the port is never started, so neither does it
    this.worker.unref();
  }

  call(kind: DecoderKind, url: string, bytes: Uint8Array): Reply | undefined {
    const wt = builtin<typeof import('node:worker_threads')>('node:worker_threads');
    Atomics.store(this.flag, 0, 0);
    // a copy of just these bytes (cloning a view would clone its whole buffer), handed over
    const copy = bytes.slice();
    this.port.postMessage({ kind, url, bytes: copy }, [copy.buffer]);
    if (Atomics.wait(this.flag, 0, 0, TIMEOUT_MS) === 'timed-out') return undefined;
    return wt.receiveMessageOnPort(this.port)?.message as Reply | undefined;
  }

  close(): void {
    this.port.close();
    void this.worker.terminate();
  }
}

let thread: DecoderThread | undefined;

/** Decodes an image of a format handled by an optional package; blocks until it is done. */
export function decodeExternal(format: ImageFormat, bytes: Uint8Array, label: string): DecodedImage {
  const kind = decoderFor(format);
  const url = resolveEntry(kind, label, format);
  thread ??= new DecoderThread();
  const reply = thread.call(kind, url, bytes);
  if (!reply) {
    // stuck or dead: start afresh next time
    thread.close();
    thread = undefined;
    throw new CorruptImageError(format, `the decoder thread gave no answer within ${TIMEOUT_MS / 1000} s`);
  }
  if (!reply.ok) {
    if (reply.stage === 'load') {
      resolved.delete(kind);
      throw new ImageDecoderUnavailableError(
        label,
        format,
        PACKAGES[kind].name,
        `it does not load (${reply.message})`,
      );
    }
    throw new CorruptImageError(format, reply.message ?? 'the decoder failed');
  }
  return toDecoded(format, reply);
}

/** The worker's raw reply as a 1- or 3-channel 8-bit image (alpha dropped, deeper samples shifted down). */
function toDecoded(format: ImageFormat, r: Reply): DecodedImage {
  const { width, height, channels, bits } = r;
  checkSize(format, width, height);
  if (channels < 1 || channels > 4)
    throw new CorruptImageError(format, `unsupported number of channels ${channels}`);
  if (r.signed) throw new CorruptImageError(format, 'signed samples are not supported');
  if (bits < 1 || bits > 16) throw new CorruptImageError(format, `unsupported sample depth of ${bits} bits`);
  const bytes = bits > 8 ? 2 : 1;
  const n = width * height;
  if (r.data.byteLength !== n * channels * bytes) {
    throw new CorruptImageError(
      format,
      `the decoder returned ${r.data.byteLength} bytes for ${width}x${height}x${channels}`,
    );
  }
  const outChannels = channels >= 3 ? 3 : 1;
  if (bits === 8 && channels === outChannels) return { width, height, channels: outChannels, data: r.data };
  const src = bytes === 2 ? new Uint16Array(r.data.buffer, r.data.byteOffset, n * channels) : r.data;
  // fewer than 8 bits: scale up; more: keep the top 8 (as OpenCV's 16-to-8-bit conversion)
  const up = bits < 8 ? 255 / ((1 << bits) - 1) : 0;
  const shift = bits > 8 ? bits - 8 : 0;
  const out = new Uint8Array(n * outChannels);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < outChannels; c++) {
      const s = src[i * channels + c]!;
      out[i * outChannels + c] = bits < 8 ? Math.round(s * up) : s >> shift;
    }
  }
  return { width, height, channels: outChannels, data: out };
}
