import { ShapeError } from '@zai/common';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { intScalar, numberScalar, outputType, staticInt, tensorInput, typedResult } from './common.js';

// MelWeightMatrix (17): a [dft_length/2 + 1, num_mel_bins] matrix of
// triangular filters, peak 1, that maps a one-sided linear spectrum to mel
// bands, mel(f) = 2595 log10(1 + f/700). As in the ONNX reference, the
// num_mel_bins + 2 band edges are spaced evenly in mel with a step of
// (mel(upper) - mel(lower)) / (num_mel_bins + 2), then mapped to spectrogram
// bins as floor((dft_length + 1) * hz / sample_rate). Band i rises from edge i
// to edge i+1 (inclusive) and falls to edge i+2 (exclusive); a band whose
// left and centre edges coincide gets a single 1 at its centre. Edges beyond
// the spectrogram are clipped.

const hzToMel = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
const melToHz = (mel: number): number => 700 * (10 ** (mel / 2595) - 1);

/** The weights, row-major [bins, melBins], in float64. */
export function melWeights(
  melBins: number,
  dftLength: number,
  sampleRate: number,
  lowerHz: number,
  upperHz: number,
): Float64Array {
  const bins = (dftLength >> 1) + 1;
  const out = new Float64Array(bins * melBins);
  const lowMel = hzToMel(lowerHz);
  const step = (hzToMel(upperHz) - lowMel) / (melBins + 2);
  const edges = new Int32Array(melBins + 2);
  for (let i = 0; i < melBins + 2; i++) {
    edges[i] = Math.floor(((dftLength + 1) * melToHz(i * step + lowMel)) / sampleRate);
  }
  const last = bins - 1;
  for (let i = 0; i < melBins; i++) {
    const left = edges[i]!;
    const centre = edges[i + 1]!;
    const right = edges[i + 2]!;
    const rise = centre - left;
    if (rise === 0) {
      if (centre >= 0 && centre <= last) out[centre * melBins + i] = 1;
    } else {
      const to = Math.min(centre, last);
      for (let j = Math.max(left, 0); j <= to; j++) out[j * melBins + i] = (j - left) / rise;
    }
    const fall = right - centre;
    if (fall > 0) {
      const to = Math.min(right - 1, last);
      for (let j = Math.max(centre, 0); j <= to; j++) out[j * melBins + i] = (right - j) / fall;
    }
  }
  return out;
}

function melKernel(ctx: KernelContext): Kernel {
  const op = 'MelWeightMatrix';
  const type = outputType(ctx);
  return (inputs) => {
    const melBins = intScalar(tensorInput(inputs, 0, op, 'num_mel_bins'), op, 'num_mel_bins');
    const dftLength = intScalar(tensorInput(inputs, 1, op, 'dft_length'), op, 'dft_length');
    const sampleRate = intScalar(tensorInput(inputs, 2, op, 'sample_rate'), op, 'sample_rate');
    const lower = numberScalar(tensorInput(inputs, 3, op, 'lower_edge_hertz'), op, 'lower_edge_hertz');
    const upper = numberScalar(tensorInput(inputs, 4, op, 'upper_edge_hertz'), op, 'upper_edge_hertz');
    if (melBins < 0) throw new ShapeError(`${ctx.label}: num_mel_bins must be >= 0, got ${melBins}`);
    if (dftLength < 1) throw new ShapeError(`${ctx.label}: dft_length must be >= 1, got ${dftLength}`);
    if (sampleRate <= 0) throw new ShapeError(`${ctx.label}: sample_rate must be > 0, got ${sampleRate}`);
    const bins = (dftLength >> 1) + 1;
    const w = melWeights(melBins, dftLength, sampleRate, lower, upper);
    return [typedResult(type, w, [bins, melBins])];
  };
}

const melShape: ShapeFn = (ctx) => {
  const melBins = staticInt(ctx, 0);
  const dftLength = staticInt(ctx, 1);
  return [
    tensorType(outputType(ctx), [
      dftLength === undefined ? ctx.unknownDim() : (dftLength >> 1) + 1,
      melBins ?? ctx.unknownDim(),
    ]),
  ];
};

export const MEL_WEIGHT_MATRIX: readonly OperatorDef[] = [
  defineOp('MelWeightMatrix', '17+', melKernel, '', melShape),
];
