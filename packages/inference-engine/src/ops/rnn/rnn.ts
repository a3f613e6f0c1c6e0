import { defineOp, type Kernel, type KernelContext } from '../../kernel.js';
import { floatTensor } from '../util/float-io.js';
import {
  activate,
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

// RNN (simple), every version (1, 7, 14, 22): H = f(Xt Wi^T + H(t-1) Ri^T + Wbi + Rbi),
// f = Tanh by default. The input projection of the whole sequence is one
// product per direction; each time step adds H(t-1) Ri^T over the batch. Opset 1's
// output_sequence attribute only marks Y optional. Layout 1 is opset 14+.

interface Prepared {
  /** Per direction: W and R (H rows each), Wb + Rb [H]. */
  readonly w: GateWeights[];
  readonly r: GateWeights[];
  readonly bias: (FloatArray | undefined)[];
}

function create(ctx: KernelContext): Kernel {
  const op = 'RNN';
  const attrs = parseAttrs(ctx, ['Tanh']);
  const wantY = ctx.hasOutput(0);
  const wantH = ctx.hasOutput(1);
  const { layout } = attrs;
  const cache = new WeightCache<Prepared>(ctx, [1, 2, 3]);
  return (inputs) => {
    const { type, s, X, w, r, b, lens, maxLen, h0 } = setup(inputs, attrs, 1, op);
    const H = s.hidden;
    const prep = cache.get([w, r, b], () => {
      const prep: Prepared = { w: [], r: [], bias: [] };
      for (let d = 0; d < s.dirs; d++) {
        prep.w.push(gateWeights(w, d, 0, H));
        prep.r.push(gateWeights(r, d, 0, H));
        prep.bias.push(biasSum(b, d, H, H));
      }
      return prep;
    });

    const rows = s.seq * s.batch;
    const xw = computeBuffer(type, rows * H);
    const gates = computeBuffer(type, s.batch * H);
    const hs = computeBuffer(type, s.batch * H);
    const Y = wantY ? computeBuffer(type, rows * s.dirs * H) : undefined;
    const Yh = wantH ? computeBuffer(type, s.dirs * s.batch * H) : undefined;
    const c = attrs.clip;

    for (let d = 0; d < s.dirs; d++) {
      const fAct = attrs.acts[d]![0]!;
      const rev = isReverse(attrs, d);
      const rw = prep.r[d]!;
      projectInput(X, rows, prep.w[d]!, prep.bias[d], xw);
      loadState(h0, layout, s, d, hs);
      for (let step = 0; step < maxLen; step++) {
        for (let bi = 0; bi < s.batch; bi++) {
          const t = timeAt(rev, step, lens[bi]!);
          if (t < 0) continue;
          const o = xRow(layout, s, t, bi) * H;
          copy(xw, o, gates, bi * H, H);
        }
        rw.accumulate(hs, 0, s.batch, gates, 0);
        for (let bi = 0; bi < s.batch; bi++) {
          const t = timeAt(rev, step, lens[bi]!);
          if (t < 0) continue;
          const sb = bi * H;
          clip(gates, sb, H, c);
          activate(fAct, gates, sb, H);
          copy(gates, sb, hs, sb, H);
          if (Y) copy(gates, sb, Y, yOffset(layout, s, t, d, bi), H);
        }
      }
      if (Yh) storeState(hs, layout, s, d, Yh);
    }
    return [Y && floatTensor(type, Y, yDims(layout, s)), Yh && floatTensor(type, Yh, stateDims(layout, s))];
  };
}

export const RNN = [defineOp('RNN', '1+', create, '', recurrentShape(2))];
