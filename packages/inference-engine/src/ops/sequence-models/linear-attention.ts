import { ShapeError } from '@zai/common';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { floatData, floatTensor } from '../util/float-io.js';
import { divDim, expectDims, floatInput, mulDim, optionalFloatInput, tensorValue } from './common.js';

// LinearAttention (27): the recurrent form of linear attention. Per batch and
// KV head a state S (d_k x d_v, row-major) is carried token by token:
//
//   linear       S = S + k ⊗ v
//   gated        S = exp(g) * S + k ⊗ v
//   delta        S = S + k ⊗ β (v - Sᵀ k)
//   gated_delta  S = exp(g) * S + k ⊗ β (v - (exp(g) * S)ᵀ k)
//
// and every query head of the KV head's group reads o = scale * qᵀ S from the
// updated state. The decay g is per key dimension (rows of S) or one per
// head; β is one per KV head or one shared by all. The state is kept in
// float32 (float64 for float64 data) and computed token by token, which is
// what the chunked algorithms the spec allows reproduce.

const OP = 'LinearAttention';

const RULES = ['linear', 'gated', 'delta', 'gated_delta'] as const;
type Rule = (typeof RULES)[number];

interface Heads {
  readonly hq: number;
  readonly hkv: number;
}

function heads(ctx: KernelContext): Heads {
  const hq = ctx.int('q_num_heads');
  const hkv = ctx.int('kv_num_heads');
  if (hq < 1 || hkv < 1 || hq % hkv !== 0) {
    ctx.fail(`q_num_heads (${hq}) must be a positive multiple of kv_num_heads (${hkv})`);
  }
  return { hq, hkv };
}

/** One token of one KV head: decays and updates the state S at `so` in place. */
function step(
  rule: Rule,
  S: Float32Array | Float64Array,
  so: number,
  dk: number,
  dv: number,
  K: Float32Array | Float64Array,
  ko: number,
  V: Float32Array | Float64Array,
  vo: number,
  D: Float32Array | Float64Array | undefined,
  dOff: number,
  perKeyDecay: boolean,
  beta: number,
  r: Float64Array,
): void {
  const gated = rule === 'gated' || rule === 'gated_delta';
  const delta = rule === 'delta' || rule === 'gated_delta';
  const headGate = gated && !perKeyDecay ? Math.exp(D![dOff]!) : 1;
  if (delta) r.fill(0, 0, dv);
  // decay the rows and, for the delta rules, retrieve Sᵀ k from the decayed state
  if (gated || delta) {
    for (let i = 0; i < dk; i++) {
      const g = gated ? (perKeyDecay ? Math.exp(D![dOff + i]!) : headGate) : 1;
      const row = so + i * dv;
      if (g !== 1) for (let j = 0; j < dv; j++) S[row + j] = S[row + j]! * g;
      if (!delta) continue;
      const ki = K[ko + i]!;
      for (let j = 0; j < dv; j++) r[j] += S[row + j]! * ki;
    }
  }
  // the write row: v, or β (v - Sᵀ k)
  if (delta) for (let j = 0; j < dv; j++) r[j] = beta * (V[vo + j]! - r[j]!);
  else for (let j = 0; j < dv; j++) r[j] = V[vo + j]!;
  for (let i = 0; i < dk; i++) {
    const ki = K[ko + i]!;
    const row = so + i * dv;
    for (let j = 0; j < dv; j++) S[row + j] = S[row + j]! + ki * r[j]!;
  }
}

function create(ctx: KernelContext): Kernel {
  const { hq, hkv } = heads(ctx);
  const rule = ctx.string('update_rule', 'gated_delta') as Rule;
  if (!RULES.includes(rule)) ctx.fail(`update_rule '${rule}' is not one of ${RULES.join(', ')}`);
  const scaleAttr = ctx.float('scale', 0);
  const gated = rule === 'gated' || rule === 'gated_delta';
  const delta = rule === 'delta' || rule === 'gated_delta';
  if (gated && !ctx.hasInput(4)) ctx.fail(`update_rule '${rule}' needs the decay input`);
  if (delta && !ctx.hasInput(5)) ctx.fail(`update_rule '${rule}' needs the beta input`);
  const group = hq / hkv;
  return (inputs) => {
    const q = floatInput(inputs, 0, OP, 'query', 3);
    const k = floatInput(inputs, 1, OP, 'key', 3);
    const v = floatInput(inputs, 2, OP, 'value', 3);
    const past = optionalFloatInput(inputs, 3, OP, 'past_state', 4);
    const decay = gated ? floatInput(inputs, 4, OP, 'decay', 3) : undefined;
    const betaIn = delta ? floatInput(inputs, 5, OP, 'beta', 3) : undefined;
    const [B, T, qd] = q.dims as [number, number, number];
    if (qd % hq !== 0)
      throw new ShapeError(`${OP}: query width ${qd} is not a multiple of q_num_heads ${hq}`);
    const dk = qd / hq;
    const vd = v.dims[2]!;
    if (vd % hkv !== 0)
      throw new ShapeError(`${OP}: value width ${vd} is not a multiple of kv_num_heads ${hkv}`);
    const dv = vd / hkv;
    expectDims(OP, 'key', k.dims, [B, T, hkv * dk]);
    expectDims(OP, 'value', v.dims, [B, T, vd]);
    if (past) expectDims(OP, 'past_state', past.dims, [B, hkv, dk, dv]);
    const dw = decay?.dims[2];
    if (decay && (decay.dims[0] !== B || decay.dims[1] !== T || (dw !== hkv * dk && dw !== hkv))) {
      throw new ShapeError(
        `${OP}: decay has shape [${decay.dims.join(',')}], expected [${B},${T},${hkv * dk}] or [${B},${T},${hkv}]`,
      );
    }
    const bw = betaIn?.dims[2];
    if (betaIn && (betaIn.dims[0] !== B || betaIn.dims[1] !== T || (bw !== hkv && bw !== 1))) {
      throw new ShapeError(
        `${OP}: beta has shape [${betaIn.dims.join(',')}], expected [${B},${T},${hkv}] or [${B},${T},1]`,
      );
    }
    // per-head decay wins only when it is not also a valid per-key shape (d_k = 1)
    const perKeyDecay = dw === hkv * dk;
    const scale = scaleAttr !== 0 ? scaleAttr : 1 / Math.sqrt(dk);

    const Q = floatData(q);
    const Kd = floatData(k);
    const Vd = floatData(v);
    const D = decay ? floatData(decay) : undefined;
    const Bt = betaIn ? floatData(betaIn) : undefined;
    const stateType = past ? past.type : q.type;
    const wide = stateType === 'float64' || q.type === 'float64';
    const stateSize = B * hkv * dk * dv;
    const S = wide ? new Float64Array(stateSize) : new Float32Array(stateSize);
    if (past) S.set(floatData(past));
    const out = q.type === 'float64' ? new Float64Array(B * T * hq * dv) : new Float32Array(B * T * hq * dv);
    const r = new Float64Array(dv);
    const acc = new Float64Array(dv);
    const block = dk * dv;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const bt = b * T + t;
        for (let h = 0; h < hkv; h++) {
          const so = (b * hkv + h) * block;
          const dOff = bt * (dw ?? 0) + (perKeyDecay ? h * dk : h);
          const beta = Bt ? Bt[bt * bw! + (bw === 1 ? 0 : h)]! : 1;
          step(
            rule,
            S,
            so,
            dk,
            dv,
            Kd,
            (bt * hkv + h) * dk,
            Vd,
            (bt * hkv + h) * dv,
            D,
            dOff,
            perKeyDecay,
            beta,
            r,
          );
          // every query head of this KV head's group reads the updated state
          for (let gq = 0; gq < group; gq++) {
            const hh = h * group + gq;
            const qo = (bt * hq + hh) * dk;
            acc.fill(0);
            for (let i = 0; i < dk; i++) {
              const qi = Q[qo + i]!;
              const row = so + i * dv;
              for (let j = 0; j < dv; j++) acc[j] += qi * S[row + j]!;
            }
            const oo = (bt * hq + hh) * dv;
            for (let j = 0; j < dv; j++) out[oo + j] = scale * acc[j]!;
          }
        }
      }
    }
    return [floatTensor(q.type, out, [B, T, hq * dv]), floatTensor(stateType, S, [B, hkv, dk, dv])];
  };
}

const shape: ShapeFn = (ctx) => {
  const hq = ctx.int('q_num_heads');
  const hkv = ctx.int('kv_num_heads');
  const fresh = () => ctx.unknownDim();
  const q = ctx.shape(0);
  const v = ctx.shape(2);
  const dk = divDim(q?.[2], hq, fresh);
  const dv = divDim(v?.[2], hkv, fresh);
  const B = q?.[0] ?? fresh();
  const T = q?.[1] ?? fresh();
  const t = ctx.elemType(0);
  return [tensorValue(t, [B, T, mulDim(dv, hq, fresh)]), tensorValue(ctx.elemType(3) ?? t, [B, hkv, dk, dv])];
};

export const LINEAR_ATTENTION: OperatorDef[] = [defineOp(OP, '27+', create, '', shape)];
