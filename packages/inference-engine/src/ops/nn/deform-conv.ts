import { ShapeError, TypeMismatchError } from '@zai/common';
import { defineOp, type Kernel, type KernelContext } from '../../kernel.js';
import { floatData, floatTensor, isFloat } from '../util/float-io.js';
import { convShape } from './conv.js';
import { optionalTensor, parseWindowAttrs, resolveWindow, tensorInput } from './conv-util.js';
import { type FloatArray, sgemm } from './gemm-core.js';

// DeformConv (19+), 2-D: im2col where every tap samples X bilinearly at its
// offset position (zero outside the image) and is scaled by the optional
// mask, then the same per-group GEMM as Conv.

/** Bilinear sample of plane p (H x W at pOff) at (h, w); corners outside the plane count as 0. */
function sample(X: FloatArray, pOff: number, H: number, W: number, h: number, w: number): number {
  if (h <= -1 || h >= H || w <= -1 || w >= W) return 0;
  const h0 = Math.floor(h);
  const w0 = Math.floor(w);
  const fh = h - h0;
  const fw = w - w0;
  const r0 = h0 >= 0;
  const r1 = h0 + 1 < H;
  const c0 = w0 >= 0;
  const c1 = w0 + 1 < W;
  const base = pOff + h0 * W + w0;
  const v00 = r0 && c0 ? X[base]! : 0;
  const v01 = r0 && c1 ? X[base + 1]! : 0;
  const v10 = r1 && c0 ? X[base + W]! : 0;
  const v11 = r1 && c1 ? X[base + W + 1]! : 0;
  return (1 - fh) * ((1 - fw) * v00 + fw * v01) + fh * ((1 - fw) * v10 + fw * v11);
}

function create(ctx: KernelContext): Kernel {
  const op = 'DeformConv';
  const attrs = parseWindowAttrs(ctx);
  const group = ctx.int('group', 1);
  const offsetGroup = ctx.int('offset_group', 1);
  return (inputs) => {
    const x = tensorInput(inputs, 0, op, 'X');
    const w = tensorInput(inputs, 1, op, 'W');
    const off = tensorInput(inputs, 2, op, 'offset');
    const b = optionalTensor(inputs, 3);
    const mask = optionalTensor(inputs, 4);
    for (const t of [w, off, b, mask]) {
      if (!isFloat(x.type) || (t && t.type !== x.type)) {
        throw new TypeMismatchError(
          `${op}: inputs must share one float type; X is ${x.type}, another is ${t?.type}`,
        );
      }
    }
    if (x.dims.length !== 4 || w.dims.length !== 4) {
      throw new ShapeError(`${op}: only 2-D is supported; X [${x.dims.join(',')}], W [${w.dims.join(',')}]`);
    }
    const [N, C, H, Wd] = x.dims as [number, number, number, number];
    const [M, Cg, KH, KW] = w.dims as [number, number, number, number];
    if (Cg * group !== C || M % group !== 0 || C % offsetGroup !== 0) {
      throw new ShapeError(
        `${op}: X has ${C} channels; W [${w.dims.join(',')}] with group=${group}, offset_group=${offsetGroup} does not fit`,
      );
    }
    const win = resolveWindow(attrs, [H, Wd], [KH, KW]);
    const [OH, OW] = win.outDims as [number, number];
    const taps = KH * KW;
    const outSize = OH * OW;
    if (off.dims.join(',') !== [N, offsetGroup * 2 * taps, OH, OW].join(',')) {
      throw new ShapeError(
        `${op}: offset [${off.dims.join(',')}] must be [${N},${offsetGroup * 2 * taps},${OH},${OW}]`,
      );
    }
    if (mask && mask.size !== N * offsetGroup * taps * outSize) {
      throw new ShapeError(
        `${op}: mask [${mask.dims.join(',')}] must be [${N},${offsetGroup * taps},${OH},${OW}]`,
      );
    }
    if (b && b.size !== M) throw new ShapeError(`${op}: B has ${b.size} values, expected ${M}`);
    const [sh, sw] = win.strides as [number, number];
    const [dh, dw] = win.dilations as [number, number];
    const [ph, pw] = win.padsBegin as [number, number];
    const X = floatData(x);
    const Wt = floatData(w);
    const O = floatData(off);
    const Mk = mask ? floatData(mask) : undefined;
    const Mg = M / group;
    const Kg = Cg * taps;
    const cPerOg = C / offsetGroup;
    const out = x.type === 'float64' ? new Float64Array(N * M * outSize) : new Float32Array(N * M * outSize);
    const col = x.type === 'float64' ? new Float64Array(Kg * outSize) : new Float32Array(Kg * outSize);
    for (let n = 0; n < N; n++) {
      for (let g = 0; g < group; g++) {
        let r = 0;
        for (let ci = 0; ci < Cg; ci++) {
          const c = g * Cg + ci;
          const og = Math.floor(c / cPerOg);
          const pOff = (n * C + c) * H * Wd;
          for (let i = 0; i < KH; i++) {
            for (let j = 0; j < KW; j++, r++) {
              const t = i * KW + j;
              const oh0 = ((n * offsetGroup + og) * 2 * taps + 2 * t) * outSize;
              const ow0 = oh0 + outSize;
              const m0 = ((n * offsetGroup + og) * taps + t) * outSize;
              const row = r * outSize;
              for (let y = 0, p = 0; y < OH; y++) {
                const hBase = y * sh - ph + i * dh;
                for (let xo = 0; xo < OW; xo++, p++) {
                  const v = sample(X, pOff, H, Wd, hBase + O[oh0 + p]!, xo * sw - pw + j * dw + O[ow0 + p]!);
                  col[row + p] = Mk ? v * Mk[m0 + p]! : v;
                }
              }
            }
          }
        }
        sgemm(Mg, outSize, Kg, 1, Wt, g * Mg * Kg, false, col, 0, false, 0, out, (n * M + g * Mg) * outSize);
      }
    }
    if (b) {
      const B = floatData(b);
      for (let n = 0; n < N; n++) {
        for (let m = 0; m < M; m++) {
          const o = (n * M + m) * outSize;
          for (let i = 0; i < outSize; i++) out[o + i] = out[o + i]! + B[m]!;
        }
      }
    }
    return [floatTensor(x.type, out, [N, M, OH, OW])];
  };
}

export const DEFORM_CONV_OPS = [
  defineOp(
    'DeformConv',
    '19+',
    create,
    '',
    convShape(0, 1, (ctx) => ctx.elemType(0)),
  ),
];
