// The decoder thread's program (CommonJS, run with `eval: true` so it needs no
// file of its own in the build). It loads the optional decoders by the
// absolute URLs the main thread resolved, answers one request at a time on
// `port`, and raises `flag` once the reply is posted, which wakes the main
// thread blocked in Atomics.wait.
//
// Request: { kind: 'sharp' | 'openjpeg', url, bytes }.
// Reply: { ok: true, width, height, channels, bits, signed, data }
//     or { ok: false, stage: 'load' | 'decode', message }.

export const WORKER_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const { port, flag } = workerData;
const modules = new Map();

function load(kind, url) {
  let p = modules.get(url);
  if (!p) {
    p = import(url).then(async (m) => {
      const mod = m.default ?? m;
      if (kind === 'sharp') {
        mod.cache(false);
        return mod;
      }
      // an Emscripten module factory; silence OpenJPEG's [INFO] lines
      return await mod({ print() {}, printErr() {} });
    });
    p.catch(() => modules.delete(url));
    modules.set(url, p);
  }
  return p;
}

async function decodeSharp(sharp, bytes) {
  // ignoreIcc: pixels as stored, as PIL and OpenCV return them; no EXIF rotation
  const { data, info } = await sharp(bytes, { failOn: 'error', ignoreIcc: true, pages: 1 })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, bits: 8, signed: false, data: new Uint8Array(data) };
}

function decodeOpenjpeg(codec, bytes) {
  const d = new codec.J2KDecoder();
  try {
    d.getEncodedBuffer(bytes.length).set(bytes);
    d.decode();
    const f = d.getFrameInfo();
    // a view of the decoder's memory: copy it before delete()
    const view = d.getDecodedBuffer();
    const data = new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
    return { width: f.width, height: f.height, channels: f.componentCount, bits: f.bitsPerSample, signed: !!f.isSigned, data };
  } finally {
    d.delete();
  }
}

function describe(e) {
  if (e instanceof Error) return e.message;
  if (typeof e === 'number') return 'the decoder aborted (code ' + e + ')';
  return String(e);
}

port.on('message', async (req) => {
  let reply;
  let mod;
  try {
    mod = await load(req.kind, req.url);
  } catch (e) {
    reply = { ok: false, stage: 'load', message: describe(e) };
  }
  if (!reply) {
    try {
      const img = req.kind === 'sharp' ? await decodeSharp(mod, req.bytes) : decodeOpenjpeg(mod, req.bytes);
      reply = { ok: true, ...img };
    } catch (e) {
      reply = { ok: false, stage: 'decode', message: describe(e) };
    }
  }
  try {
    port.postMessage(reply, reply.ok ? [reply.data.buffer] : []);
  } catch (e) {
    port.postMessage({ ok: false, stage: 'decode', message: describe(e) });
  }
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;
