import { defineOp, type Kernel, type KernelContext } from '../../kernel.js';
import { floatTensor } from '../util/float-io.js';
import {
  activate,
  biasPart,
  biasSum,
  clip,
  computeBuffer,
  copy,
  type FloatArray,
  type GateWeights,
  gateWeights,
  isReverse,
  loadState,
  parseAttrs,
  projectInput,
  recurrentShape,
  setup,
  stateDims,
  storeState,
  timeAt,
  WeightCache,
  xRow,
  yDims,
  yOffset,
} from './common.js';

// GRU, every version (1, 3, 7, 14, 22). Gates are laid out z, r, h in W, R
// and B. Per direction the input projection of the whole sequence is one
// product; each time step adds H(t-1) * [Rz Rr]^T for the update and reset gates,
// then the hidden gate:
//   linear_before_reset = 0: h = g(Xt Wh^T + (r * H(t-1)) Rh^T + Wbh + Rbh)
//   linear_before_reset = 1: h = g(Xt Wh^T + r * (H(t-1) Rh^T + Rbh) + Wbh)
//   H = (1 - z) * h + z * H(t-1)
// Opset 1 has no linear_before_reset (always 0) and an output_sequence
// attribute that only marks Y optional; its equations write Ht-1*Rz where
// later versions write Ht-1*(Rz^T), but R has the same [3H, H] layout in
// every version, so all versions multiply by R^T. Layout 1 is opset 14+.

interface Prepared {
  /** Per direction: W (3H rows), R's z and r rows (2H), R's h rows (H), summed bias [3H], Rbh [H]. */
  readonly w: GateWeights[];
  readonly rzr: GateWeights[];
  readonly rh: GateWeights[];
  readonly bias: (FloatArray | undefined)[];
  readonly rbh: (FloatArray | undefined)[];
}

function create(ctx: KernelContext): Kernel {
  const op = 'GRU';
  const attrs = parseAttrs(ctx, ['Sigmoid', 'Tanh']);
  const lbr = ctx.opset >= 3 && ctx.int('linear_before_reset', 0) !== 0;
  const wantY = ctx.hasOutput(0);
  const wantH = ctx.hasOutput(1);
  const { layout } = attrs;
  const cache = new WeightCache<Prepared>(ctx, [1, 2, 3]);
  return (inputs) => {
    const { type, s, X, w, r, b, lens, maxLen, h0 } = setup(inputs, attrs, 3, op);
    const H = s.hidden;
    const G = 3 * H;
    const H2 = 2 * H;
    const prep = cache.get([w, r, b], () => {
      const prep: Prepared = { w: [], rzr: [], rh: [], bias: [], rbh: [] };
      for (let d = 0; d < s.dirs; d++) {
        prep.w.push(gateWeights(w, d, 0, G));
        prep.rzr.push(gateWeights(r, d, 0, H2));
        prep.rh.push(gateWeights(r, d, H2, H));
        prep.bias.push(biasSum(b, d, G, lbr ? H2 : G));
        prep.rbh.push(lbr ? biasPart(b, d, G + H2, H) : undefined);
      }
      return prep;
    });

    const rows = s.seq * s.batch;
    const xw = computeBuffer(type, rows * G);
    const zr = computeBuffer(type, s.batch * H2);
    const hh = computeBuffer(type, s.batch * H);
    // lbr = 0: r * H(t-1); lbr = 1: H(t-1) Rh^T
    const tmp = computeBuffer(type, s.batch * H);
    const hs = computeBuffer(type, s.batch * H);
    const Y = wantY ? computeBuffer(type, rows * s.dirs * H) : undefined;
    const Yh = wantH ? computeBuffer(type, s.dirs * s.batch * H) : undefined;
    const c = attrs.clip;

    for (let d = 0; d < s.dirs; d++) {
      const acts = attrs.acts[d]!;
      const fAct = acts[0]!;
      const gAct = acts[1]!;
      const rev = isReverse(attrs, d);
      const rzr = prep.rzr[d]!;
      const rh = prep.rh[d]!;
      const rbh = prep.rbh[d];
      projectInput(X, rows, prep.w[d]!, prep.bias[d], xw);
      loadState(h0, layout, s, d, hs);
      for (let step = 0; step < maxLen; step++) {
        for (let bi = 0; bi < s.batch; bi++) {
          const t = timeAt(rev, step, lens[bi]!);
          if (t < 0) continue;
          const o = xRow(layout, s, t, bi) * G;
          copy(xw, o, zr, bi * H2, H2);
          copy(xw, o + H2, hh, bi * H, H);
        }
        rzr.accumulate(hs, 0, s.batch, zr, 0);
        for (let bi = 0; bi < s.batch; bi++) {
          if (timeAt(rev, step, lens[bi]!) < 0) continue;
          clip(zr, bi * H2, H2, c);
          activate(fAct, zr, bi * H2, H2);
        }
        if (lbr) {
          tmp.fill(0);
          rh.accumulate(hs, 0, s.batch, tmp, 0);
          for (let bi = 0; bi < s.batch; bi++) {
            const gr = bi * H2 + H;
            const sb = bi * H;
            if (rbh) {
              for (let j = 0; j < H; j++) hh[sb + j] = hh[sb + j]! + zr[gr + j]! * (tmp[sb + j]! + rbh[j]!);
            } else {
              for (let j = 0; j < H; j++) hh[sb + j] = hh[sb + j]! + zr[gr + j]! * tmp[sb + j]!;
            }
          }
        } else {
          for (let bi = 0; bi < s.batch; bi++) {
            const gr = bi * H2 + H;
            const sb = bi * H;
            for (let j = 0; j < H; j++) tmp[sb + j] = zr[gr + j]! * hs[sb + j]!;
          }
          rh.accumulate(tmp, 0, s.batch, hh, 0);
        }
        for (let bi = 0; bi < s.batch; bi++) {
          const t = timeAt(rev, step, lens[bi]!);
          if (t < 0) continue;
          const sb = bi * H;
          const gz = bi * H2;
          clip(hh, sb, H, c);
          activate(gAct, hh, sb, H);
          for (let j = 0; j < H; j++) {
            const z = zr[gz + j]!;
            hs[sb + j] = (1 - z) * hh[sb + j]! + z * hs[sb + j]!;
          }
          if (Y) copy(hs, sb, Y, yOffset(layout, s, t, d, bi), H);
        }
      }
      if (Yh) storeState(hs, layout, s, d, Yh);
    }
    return [Y && floatTensor(type, Y, yDims(layout, s)), Yh && floatTensor(type, Yh, stateDims(layout, s))];
  };
}

export const GRU = [defineOp('GRU', '1+', create, '', recurrentShape(2))];
