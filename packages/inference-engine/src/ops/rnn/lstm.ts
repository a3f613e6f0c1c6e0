import { defineOp, type Kernel, type KernelContext } from '../../kernel.js';
import { floatData, floatTensor } from '../util/float-io.js';
import {
  activate,
  biasSum,
  checkDims,
  clip,
  computeBuffer,
  copy,
  type FloatArray,
  type GateWeights,
  gateWeights,
  isReverse,
  loadState,
  optionalFloat,
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

// LSTM, every version (1, 7, 14, 22). Gates are laid out i, o, f, c in W, R
// and B; peepholes P are i, o, f. Per direction the input projection of the
// whole sequence is one product; each time step then adds H(t-1) * R^T over
// the batch and finishes the gates element-wise:
//   i = f(. + Pi * C(t-1)), f = f(. + Pf * C(t-1)) (or 1 - i with input_forget),
//   c = g(.), C = f * C(t-1) + i * c, o = f(. + Po * C), H = o * h(C)
// clip bounds every gate pre-activation. Layout 1 (opset 14+) swaps the seq
// and batch axes of X, Y and the states. Opset 1's output_sequence attribute
// only said Y is optional, which every version allows.

interface Prepared {
  /** Per direction: W and R (4H gate rows each), Wb + Rb [4H], P [3H]. */
  readonly w: GateWeights[];
  readonly r: GateWeights[];
  readonly bias: (FloatArray | undefined)[];
  readonly peep: (FloatArray | undefined)[];
}

function create(ctx: KernelContext): Kernel {
  const op = 'LSTM';
  const attrs = parseAttrs(ctx, ['Sigmoid', 'Tanh', 'Tanh']);
  const inputForget = ctx.int('input_forget', 0) !== 0;
  const wantY = ctx.hasOutput(0);
  const wantH = ctx.hasOutput(1);
  const wantC = ctx.hasOutput(2);
  const { layout } = attrs;
  const cache = new WeightCache<Prepared>(ctx, [1, 2, 3, 7]);
  return (inputs) => {
    const { type, s, X, w, r, b, lens, maxLen, h0 } = setup(inputs, attrs, 4, op);
    const H = s.hidden;
    const G = 4 * H;
    const c0t = optionalFloat(inputs, 6, type, op, 'initial_c');
    if (c0t) checkDims(c0t, stateDims(layout, s), op, 'initial_c');
    const p = optionalFloat(inputs, 7, type, op, 'P');
    if (p) checkDims(p, [s.dirs, 3 * H], op, 'P');
    const prep = cache.get([w, r, b, p], () => {
      const P = p && floatData(p);
      const prep: Prepared = { w: [], r: [], bias: [], peep: [] };
      for (let d = 0; d < s.dirs; d++) {
        prep.w.push(gateWeights(w, d, 0, G));
        prep.r.push(gateWeights(r, d, 0, G));
        prep.bias.push(biasSum(b, d, G, G));
        prep.peep.push(P?.slice(d * 3 * H, (d + 1) * 3 * H));
      }
      return prep;
    });
    const c0 = c0t && floatData(c0t);

    const rows = s.seq * s.batch;
    const xw = computeBuffer(type, rows * G);
    const gates = computeBuffer(type, s.batch * G);
    const hs = computeBuffer(type, s.batch * H);
    const cs = computeBuffer(type, s.batch * H);
    const hc = computeBuffer(type, H);
    const Y = wantY ? computeBuffer(type, rows * s.dirs * H) : undefined;
    const Yh = wantH ? computeBuffer(type, s.dirs * s.batch * H) : undefined;
    const Yc = wantC ? computeBuffer(type, s.dirs * s.batch * H) : undefined;
    const c = attrs.clip;

    for (let d = 0; d < s.dirs; d++) {
      const acts = attrs.acts[d]!;
      const fAct = acts[0]!;
      const gAct = acts[1]!;
      const hAct = acts[2]!;
      const rev = isReverse(attrs, d);
      const rw = prep.r[d]!;
      const P = prep.peep[d];
      projectInput(X, rows, prep.w[d]!, prep.bias[d], xw);
      loadState(h0, layout, s, d, hs);
      loadState(c0, layout, s, d, cs);
      for (let step = 0; step < maxLen; step++) {
        for (let bi = 0; bi < s.batch; bi++) {
          const t = timeAt(rev, step, lens[bi]!);
          if (t >= 0) {
            const o = xRow(layout, s, t, bi) * G;
            copy(xw, o, gates, bi * G, G);
          }
        }
        rw.accumulate(hs, 0, s.batch, gates, 0);
        for (let bi = 0; bi < s.batch; bi++) {
          const t = timeAt(rev, step, lens[bi]!);
          if (t < 0) continue;
          const gi = bi * G;
          const go = gi + H;
          const gf = go + H;
          const gc = gf + H;
          const sb = bi * H;
          if (P) {
            for (let j = 0; j < H; j++) {
              const cp = cs[sb + j]!;
              gates[gi + j] = gates[gi + j]! + P[j]! * cp;
              gates[gf + j] = gates[gf + j]! + P[2 * H + j]! * cp;
            }
          }
          clip(gates, gi, H, c);
          clip(gates, gf, 2 * H, c);
          activate(fAct, gates, gi, H);
          if (inputForget) for (let j = 0; j < H; j++) gates[gf + j] = 1 - gates[gi + j]!;
          else activate(fAct, gates, gf, H);
          activate(gAct, gates, gc, H);
          for (let j = 0; j < H; j++) {
            const cn = gates[gf + j]! * cs[sb + j]! + gates[gi + j]! * gates[gc + j]!;
            cs[sb + j] = cn;
            hc[j] = cn;
          }
          if (P) for (let j = 0; j < H; j++) gates[go + j] = gates[go + j]! + P[H + j]! * cs[sb + j]!;
          clip(gates, go, H, c);
          activate(fAct, gates, go, H);
          activate(hAct, hc, 0, H);
          for (let j = 0; j < H; j++) hs[sb + j] = gates[go + j]! * hc[j]!;
          if (Y) copy(hs, sb, Y, yOffset(layout, s, t, d, bi), H);
        }
      }
      if (Yh) storeState(hs, layout, s, d, Yh);
      if (Yc) storeState(cs, layout, s, d, Yc);
    }
    const sd = stateDims(layout, s);
    return [
      Y && floatTensor(type, Y, yDims(layout, s)),
      Yh && floatTensor(type, Yh, sd),
      Yc && floatTensor(type, Yc, sd),
    ];
  };
}

export const LSTM = [defineOp('LSTM', '1+', create, '', recurrentShape(3))];
