import type { Dim, Shape } from '@zai/common';
import { InvalidArgumentError, ShapeError } from '@zai/common';
import type { Tensor } from '@zai/tensor-core';
import {
  defineOp,
  type Kernel,
  type KernelContext,
  type OperatorDef,
  type ShapeContext,
  type ShapeFn,
} from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { floatValues, intValues, presentTensor, tensorAt } from './common.js';
import { resample } from './resample.js';
import type { CoordMode, InterpMode, NearestMode, ResampleParams } from './resize-core.js';

// Resize (10, 11, 13, 18, 19) and Upsample (7, 9). Opset 10 and Upsample
// sample asymmetrically with simple nearest rounding; 11+ read the full
// attribute set, 18+ add antialias, axes and keep_aspect_ratio_policy.

function interpMode(ctx: KernelContext, allowCubic: boolean): InterpMode {
  const m = ctx.string('mode', 'nearest');
  if (m === 'nearest' || m === 'linear') return m;
  if (m === 'bilinear' && !allowCubic) return 'linear';
  if (m === 'cubic' && allowCubic) return m;
  return ctx.fail(`unsupported mode '${m}'`);
}

function coordMode(ctx: KernelContext): CoordMode {
  const c = ctx.string('coordinate_transformation_mode', 'half_pixel');
  switch (c) {
    case 'half_pixel':
    case 'pytorch_half_pixel':
    case 'align_corners':
    case 'asymmetric':
    case 'tf_crop_and_resize':
      return c;
    case 'tf_half_pixel_for_nn':
      if (ctx.opset < 13) return c;
      break;
    case 'half_pixel_symmetric':
      if (ctx.opset >= 19) return c;
      break;
  }
  return ctx.fail(`unsupported coordinate_transformation_mode '${c}' at opset ${ctx.opset}`);
}

function nearestMode(ctx: KernelContext): NearestMode {
  const n = ctx.string('nearest_mode', 'round_prefer_floor');
  if (n === 'round_prefer_floor' || n === 'round_prefer_ceil' || n === 'floor' || n === 'ceil') return n;
  return ctx.fail(`unsupported nearest_mode '${n}'`);
}

/** Output dims of a scales-driven resize: floor(in * scale). */
function dimsFromScales(x: Tensor, scales: readonly number[], op: string): number[] {
  return x.dims.map((d, i) => {
    const s = scales[i]!;
    if (!(s > 0)) throw new InvalidArgumentError(`${op}: scales must be positive, got ${s} on axis ${i}`);
    return Math.floor(d * s);
  });
}

/** Asymmetric resampling with simple nearest rounding: Resize-10 and Upsample. */
const LEGACY = (mode: InterpMode): ResampleParams => ({
  mode,
  coord: 'asymmetric',
  nearest: 'simple',
  cubicA: -0.75,
  excludeOutside: false,
  extrapolation: 0,
  antialias: false,
  float32Coords: true,
});

function legacyScales(x: Tensor, s: readonly number[], op: string, atLeastOne: boolean): number[] {
  if (s.length !== x.dims.length)
    throw new ShapeError(`${op}: ${s.length} scales for an input of rank ${x.dims.length}`);
  if (atLeastOne && s.some((v) => v < 1))
    throw new InvalidArgumentError(`${op}: scales must be >= 1, got [${s.join(', ')}]`);
  return s.slice();
}

function resize10(ctx: KernelContext): Kernel {
  const p = LEGACY(interpMode(ctx, false));
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Resize');
    const s = legacyScales(
      x,
      Array.from(floatValues(tensorAt(inputs, 1, 'Resize'), 'Resize', 'scales')),
      'Resize',
      false,
    );
    return [resample(x, dimsFromScales(x, s, 'Resize'), s, p)];
  };
}

function upsample7(ctx: KernelContext): Kernel {
  const p = LEGACY(interpMode(ctx, false));
  const attr = ctx.floats('scales');
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Upsample');
    const s = legacyScales(x, attr, 'Upsample', true);
    return [resample(x, dimsFromScales(x, s, 'Upsample'), s, p, undefined, 'Upsample')];
  };
}

function upsample9(ctx: KernelContext): Kernel {
  const p = LEGACY(interpMode(ctx, false));
  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Upsample');
    const given = floatValues(tensorAt(inputs, 1, 'Upsample'), 'Upsample', 'scales');
    const s = legacyScales(x, Array.from(given), 'Upsample', true);
    return [resample(x, dimsFromScales(x, s, 'Upsample'), s, p, undefined, 'Upsample')];
  };
}

type AspectPolicy = 'stretch' | 'not_larger' | 'not_smaller';

/** Resize 11 and later: roi / scales / sizes inputs, with axes and aspect policy from 18. */
function resize11(ctx: KernelContext): Kernel {
  const mode = interpMode(ctx, true);
  const p: ResampleParams = {
    mode,
    coord: coordMode(ctx),
    nearest: nearestMode(ctx),
    cubicA: ctx.float('cubic_coeff_a', -0.75),
    excludeOutside: ctx.int('exclude_outside', 0) !== 0,
    extrapolation: ctx.float('extrapolation_value', 0),
    antialias: ctx.opset >= 18 && ctx.int('antialias', 0) !== 0 && mode !== 'nearest',
  };
  const axesAttr = ctx.opset >= 18 && ctx.has('axes') ? ctx.ints('axes') : undefined;
  const policyName = ctx.opset >= 18 ? ctx.string('keep_aspect_ratio_policy', 'stretch') : 'stretch';
  if (policyName !== 'stretch' && policyName !== 'not_larger' && policyName !== 'not_smaller')
    ctx.fail(`unsupported keep_aspect_ratio_policy '${policyName}'`);
  const policy = policyName as AspectPolicy;

  return (inputs) => {
    const x = tensorAt(inputs, 0, 'Resize');
    const rank = x.dims.length;
    const axes = (axesAttr ?? [...Array(rank).keys()]).map((a) => {
      if (a < -rank || a >= rank)
        throw new InvalidArgumentError(`Resize: axis ${a} out of range for rank ${rank}`);
      return a < 0 ? a + rank : a;
    });
    const scalesT = presentTensor(inputs, 2);
    const sizesT = presentTensor(inputs, 3);
    if (scalesT && sizesT) throw new InvalidArgumentError('Resize: give either scales or sizes, not both');
    if (!scalesT && !sizesT) throw new InvalidArgumentError('Resize: one of scales and sizes is required');

    const scales = new Array<number>(rank).fill(1);
    const outDims = x.dims.slice();
    if (scalesT) {
      const v = floatValues(scalesT, 'Resize', 'scales');
      if (v.length !== axes.length)
        throw new ShapeError(`Resize: ${v.length} scales for ${axes.length} axes (input rank ${rank})`);
      axes.forEach((a, i) => {
        scales[a] = v[i]!;
      });
      outDims.splice(0, rank, ...dimsFromScales(x, scales, 'Resize'));
    } else {
      const v = intValues(sizesT!, 'Resize', 'sizes');
      if (v.length !== axes.length)
        throw new ShapeError(`Resize: ${v.length} sizes for ${axes.length} axes (input rank ${rank})`);
      if (v.some((s) => s < 0)) throw new InvalidArgumentError(`Resize: negative sizes [${v.join(', ')}]`);
      if (policy === 'stretch') {
        axes.forEach((a, i) => {
          outDims[a] = v[i]!;
          scales[a] = v[i]! / x.dims[a]!;
        });
      } else {
        const ratios = axes.map((a, i) => v[i]! / x.dims[a]!);
        const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
        for (const a of axes) {
          scales[a] = s;
          outDims[a] = Math.floor(s * x.dims[a]! + 0.5);
        }
      }
    }

    let roi: Float64Array | undefined;
    if (p.coord === 'tf_crop_and_resize') {
      roi = new Float64Array(2 * rank);
      roi.fill(1, rank);
      const roiT = presentTensor(inputs, 1);
      if (roiT) {
        const v = floatValues(roiT, 'Resize', 'roi');
        if (v.length !== 2 * axes.length)
          throw new ShapeError(`Resize: roi has ${v.length} values, expected ${2 * axes.length}`);
        axes.forEach((a, i) => {
          roi![a] = v[i]!;
          roi![rank + a] = v[axes.length + i]!;
        });
      }
    }
    return [resample(x, outDims, scales, p, roi)];
  };
}

// Static shapes: known scales / sizes give the output dims; a scale of 1 keeps
// a symbolic dim, anything unresolvable is a fresh unknown dim of the same rank.

function scaleDims(ctx: ShapeContext, s: Shape, axes: readonly number[], scales: ArrayLike<number>): Dim[] {
  const out = s.slice();
  axes.forEach((a, i) => {
    const d = s[a];
    const k = scales[i]!;
    out[a] = typeof d === 'number' ? Math.floor(d * k) : k === 1 && d != null ? d : ctx.unknownDim();
  });
  return out;
}

/** A constant input's float values; undefined when not known statically. */
function constFloats(ctx: ShapeContext, i: number, what: string): number[] | undefined {
  const v = ctx.value(i);
  return v ? Array.from(floatValues(v, 'Resize', what)) : undefined;
}

const unknownOnAxes = (ctx: ShapeContext, s: Shape, axes: readonly number[]): Dim[] =>
  s.map((d, i) => (axes.includes(i) ? ctx.unknownDim() : d));

/** Resize-10 and Upsample: scales from input `at`, or the attribute when `at` is undefined. */
function legacyShape(at: number | undefined): ShapeFn {
  return (ctx) => {
    const elem = ctx.elemType(0);
    const s = ctx.shape(0);
    if (!elem) return [null];
    if (!s) return [tensorType(elem)];
    const all = [...s.keys()];
    const scales = at === undefined ? ctx.floats('scales') : constFloats(ctx, at, 'scales');
    if (!scales || scales.length !== s.length) return [tensorType(elem, unknownOnAxes(ctx, s, all))];
    return [tensorType(elem, scaleDims(ctx, s, all, scales))];
  };
}

const resizeShape: ShapeFn = (ctx) => {
  const elem = ctx.elemType(0);
  const s = ctx.shape(0);
  if (!elem) return [null];
  if (!s) return [tensorType(elem)];
  const rank = s.length;
  const axes = (ctx.opset >= 18 && ctx.has('axes') ? ctx.ints('axes') : [...s.keys()]).map((a) =>
    a < 0 ? a + rank : a,
  );
  const unknown = [tensorType(elem, unknownOnAxes(ctx, s, axes))];
  const scalesGiven = ctx.hasInput(2) && ctx.shape(2)?.[0] !== 0;
  if (scalesGiven) {
    const v = constFloats(ctx, 2, 'scales');
    if (!v || (v.length === 0 && !ctx.hasInput(3))) return unknown;
    if (v.length > 0)
      return v.length === axes.length ? [tensorType(elem, scaleDims(ctx, s, axes, v))] : unknown;
  }
  const sizesT = ctx.hasInput(3) ? ctx.value(3) : undefined;
  if (!sizesT) return unknown;
  const sizes = intValues(sizesT, 'Resize', 'sizes');
  if (sizes.length !== axes.length) return unknown;
  const policy = ctx.opset >= 18 ? ctx.string('keep_aspect_ratio_policy', 'stretch') : 'stretch';
  const out = s.slice();
  if (policy === 'stretch') {
    axes.forEach((a, i) => {
      out[a] = sizes[i]!;
    });
    return [tensorType(elem, out)];
  }
  const ins = axes.map((a) => s[a]);
  if (ins.some((d) => typeof d !== 'number')) return unknown;
  const ratios = axes.map((_, i) => sizes[i]! / (ins[i] as number));
  const k = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
  axes.forEach((a, i) => {
    out[a] = Math.floor(k * (ins[i] as number) + 0.5);
  });
  return [tensorType(elem, out)];
};

export const RESIZE_OPS: readonly OperatorDef[] = [
  defineOp('Resize', '10', resize10, '', legacyShape(1)),
  defineOp('Resize', '11+', resize11, '', resizeShape),
  defineOp('Upsample', '7-8', upsample7, '', legacyShape(undefined)),
  defineOp('Upsample', '9+', upsample9, '', legacyShape(1)),
];
