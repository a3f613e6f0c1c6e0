import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import { complexFFT, RealFFT, realFFT } from '../../src/ops/signal/fft.js';
import { type Attrs, runNode } from './run-node.js';

/** Runs one node through a native session; undefined inputs are omitted optional inputs. */
async function runOp(
  opType: string,
  inputs: readonly (Tensor | undefined)[],
  attrs: Attrs = {},
  opset = 20,
): Promise<Tensor> {
  return (await runNode(opType, inputs, attrs, { opset })).out0 as Tensor;
}

const f32 = (values: readonly number[], dims: readonly number[]) =>
  new Tensor('float32', Float32Array.from(values), dims);
const f64 = (values: readonly number[], dims: readonly number[]) =>
  new Tensor('float64', Float64Array.from(values), dims);
const i64 = (v: number) => new Tensor('int64', BigInt64Array.from([BigInt(v)]), []);
const i32 = (v: number) => new Tensor('int32', Int32Array.from([v]), []);
const values = (t: Tensor) => Array.from(t.data as Float32Array | Float64Array);

function close(actual: readonly number[], expected: readonly number[], tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (const [i, v] of actual.entries()) worst = Math.max(worst, Math.abs(v - expected[i]!));
  expect(worst).toBeLessThanOrEqual(tol);
}

/** A small deterministic generator (LCG) for test signals in [-1, 1). */
function signal(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** The O(n^2) DFT, interleaved (re, im) in and out. */
function naiveDFT(x: readonly number[], inverse = false): number[] {
  const n = x.length / 2;
  const out: number[] = [];
  const sign = inverse ? 1 : -1;
  for (let k = 0; k < n; k++) {
    let re = 0;
    let im = 0;
    for (let j = 0; j < n; j++) {
      const a = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(a);
      const s = Math.sin(a);
      re += x[2 * j]! * c - x[2 * j + 1]! * s;
      im += x[2 * j]! * s + x[2 * j + 1]! * c;
    }
    out.push(inverse ? re / n : re, inverse ? im / n : im);
  }
  return out;
}

const complexOf = (re: readonly number[], im?: readonly number[]) =>
  re.flatMap((v, i) => [v, im ? im[i]! : 0]);

const LENGTHS = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 17, 31, 64, 97, 100, 128, 257, 1000];

describe('FFT core', () => {
  it.each(LENGTHS)('complex forward matches the naive DFT, n = %i', (n) => {
    const re = signal(n, n);
    const im = signal(n, 7 * n + 1);
    const fr = Float64Array.from(re);
    const fi = Float64Array.from(im);
    complexFFT(n).forward(fr, fi);
    const want = naiveDFT(complexOf(re, im));
    close(complexOf(Array.from(fr), Array.from(fi)), want, 1e-9 * n);
  });

  it.each(LENGTHS)('complex inverse matches the naive inverse and round-trips, n = %i', (n) => {
    const re = signal(n, 3 * n);
    const im = signal(n, 5 * n + 2);
    const fr = Float64Array.from(re);
    const fi = Float64Array.from(im);
    complexFFT(n).inverse(fr, fi);
    close(complexOf(Array.from(fr), Array.from(fi)), naiveDFT(complexOf(re, im), true), 1e-11 * n);
    complexFFT(n).forward(fr, fi);
    close(complexOf(Array.from(fr), Array.from(fi)), complexOf(re, im), 1e-12 * n);
  });

  it.each(LENGTHS)('real forward gives bins 0..n/2 and inverts, n = %i', (n) => {
    const x = signal(n, 11 * n);
    const plan = realFFT(n);
    expect(plan.bins).toBe((n >> 1) + 1);
    const re = new Float64Array(plan.bins);
    const im = new Float64Array(plan.bins);
    plan.forward(Float64Array.from(x), re, im);
    const want = naiveDFT(complexOf(x)).slice(0, 2 * plan.bins);
    close(complexOf(Array.from(re), Array.from(im)), want, 1e-9 * n);
    const back = new Float64Array(n);
    plan.inverse(re, im, back);
    close(Array.from(back), x, 1e-12 * n);
  });

  it('inverse real FFT ignores the imaginary parts of the DC and Nyquist bins', () => {
    for (const n of [8, 9]) {
      const plan = new RealFFT(n);
      const re = Float64Array.from(signal(plan.bins, n));
      const im = Float64Array.from(signal(plan.bins, n + 1));
      const a = new Float64Array(n);
      plan.inverse(re, im, a);
      im[0] = 0;
      if (n % 2 === 0) im[plan.bins - 1] = 0;
      const b = new Float64Array(n);
      plan.inverse(re, im, b);
      close(Array.from(a), Array.from(b), 1e-14);
    }
  });

  it('keeps float64 accuracy on large prime and power-of-two lengths', () => {
    for (const n of [4096, 4099]) {
      const re = Float64Array.from(signal(n, n));
      const im = Float64Array.from(signal(n, n + 3));
      const r0 = re.slice();
      const i0 = im.slice();
      complexFFT(n).forward(re, im);
      complexFFT(n).inverse(re, im);
      close(Array.from(re), Array.from(r0), 1e-12);
      close(Array.from(im), Array.from(i0), 1e-12);
    }
  });

  it('rejects lengths below 1', () => {
    expect(() => complexFFT(0)).toThrow(RangeError);
  });
});

describe('DFT', () => {
  // x: [1, 2, 5, 2] complex; the DFT runs along axis 1 (the 5-long one).
  const re = signal(10, 1);
  const im = signal(10, 2);
  const x = f32(complexOf(re, im), [2, 5, 1, 2]);
  const rows = (k: number) => complexOf(re.slice(5 * k, 5 * k + 5), im.slice(5 * k, 5 * k + 5));

  it('opset 20 transforms complex input along the axis input', async () => {
    const y = await runOp('DFT', [x, undefined, i64(1)]);
    expect(y.dims).toEqual([2, 5, 1, 2]);
    close(values(y), [...naiveDFT(rows(0)), ...naiveDFT(rows(1))]);
  });

  it('opset 17 reads axis from the attribute (default 1), negative axes count from the back', async () => {
    const want = [...naiveDFT(rows(0)), ...naiveDFT(rows(1))];
    close(values(await runOp('DFT', [x], {}, 17)), want);
    close(values(await runOp('DFT', [x], { axis: -3 }, 19)), want);
  });

  it('transforms a strided middle axis and real input', async () => {
    // [1, 3, 4, 1] real, DFT along axis 1 (stride 4)
    const data = signal(12, 5);
    const y = await runOp('DFT', [f32(data, [1, 3, 4, 1]), undefined, i64(1)]);
    expect(y.dims).toEqual([1, 3, 4, 2]);
    const got = values(y);
    for (let c = 0; c < 4; c++) {
      const want = naiveDFT(complexOf([data[c]!, data[4 + c]!, data[8 + c]!]));
      const col = [0, 1, 2].flatMap((k) => [got[(k * 4 + c) * 2]!, got[(k * 4 + c) * 2 + 1]!]);
      close(col, want);
    }
  });

  it('inverse of real and complex input', async () => {
    const real = signal(6, 9);
    const y = await runOp('DFT', [f32(real, [1, 6, 1]), undefined, i64(1)], { inverse: 1 });
    close(values(y), naiveDFT(complexOf(real), true));
    const z = await runOp('DFT', [x, undefined, i64(1)], { inverse: 1 });
    close(values(z), [...naiveDFT(rows(0), true), ...naiveDFT(rows(1), true)]);
  });

  it('dft_length zero-pads and truncates', async () => {
    const real = signal(6, 4);
    const padded = await runOp('DFT', [f32(real, [1, 6, 1]), i64(9), i64(1)]);
    expect(padded.dims).toEqual([1, 9, 2]);
    close(values(padded), naiveDFT(complexOf([...real, 0, 0, 0])));
    const cut = await runOp('DFT', [f32(real, [1, 6, 1]), i32(4), i64(-2)]);
    expect(cut.dims).toEqual([1, 4, 2]);
    close(values(cut), naiveDFT(complexOf(real.slice(0, 4))));
  });

  it('onesided forward returns bins 0..n/2 (RFFT)', async () => {
    const real = signal(10, 6);
    const y = await runOp('DFT', [f32(real, [1, 10, 1]), undefined, i64(1)], { onesided: 1 });
    expect(y.dims).toEqual([1, 6, 2]);
    close(values(y), naiveDFT(complexOf(real)).slice(0, 12));
  });

  it('onesided inverse reconstructs the real signal (IRFFT), default and explicit lengths', async () => {
    for (const n of [10, 9]) {
      const real = signal(n, n);
      const spectrum = naiveDFT(complexOf(real)).slice(0, 2 * ((n >> 1) + 1));
      const bins = (n >> 1) + 1;
      const args = n === 10 ? [undefined, i64(1)] : [i64(9), i64(1)];
      const y = await runOp('DFT', [f32(spectrum, [1, bins, 2]), ...args], { onesided: 1, inverse: 1 });
      expect(y.dims).toEqual([1, n, 1]);
      close(values(y), real);
    }
  });

  it('keeps float64 precision and rejects a bad last dim', async () => {
    const real = signal(7, 3);
    const y = await runOp('DFT', [f64(real, [7, 1]), undefined, i64(0)]);
    expect(y.type).toBe('float64');
    close(values(y), naiveDFT(complexOf(real)), 1e-12);
    await expect(runOp('DFT', [f32(signal(6, 1), [2, 3])], {}, 17)).rejects.toThrow(/last input dim/);
  });
});

describe('STFT', () => {
  const sig = signal(32, 8);
  const frames = (n: number, step: number) => Math.floor((32 - n) / step) + 1;

  it('frames a real signal with a window (onesided by default)', async () => {
    const win = signal(8, 3);
    const y = await runOp('STFT', [f32(sig, [1, 32, 1]), i64(4), f32(win, [8])], {}, 17);
    expect(y.dims).toEqual([1, frames(8, 4), 5, 2]);
    const want = Array.from({ length: frames(8, 4) }, (_, f) =>
      naiveDFT(complexOf(sig.slice(4 * f, 4 * f + 8).map((v, j) => v * win[j]!))).slice(0, 10),
    ).flat();
    close(values(y), want);
  });

  it('frame_length without a window, onesided=0, batch of two', async () => {
    const both = [...sig, ...sig.map((v) => -v)];
    const y = await runOp('STFT', [f32(both, [2, 32, 1]), i64(5), undefined, i64(7)], { onesided: 0 }, 17);
    const nf = frames(7, 5);
    expect(y.dims).toEqual([2, nf, 7, 2]);
    const want = [1, -1].flatMap((s) =>
      Array.from({ length: nf }, (_, f) =>
        naiveDFT(complexOf(sig.slice(5 * f, 5 * f + 7).map((v) => s * v))),
      ).flat(),
    );
    close(values(y), want);
  });

  it('complex signal', async () => {
    const im = signal(32, 12);
    const y = await runOp(
      'STFT',
      [f32(complexOf(sig, im), [1, 32, 2]), i64(8), undefined, i64(16)],
      { onesided: 0 },
      17,
    );
    expect(y.dims).toEqual([1, 3, 16, 2]);
    const want = [0, 1, 2].flatMap((f) =>
      naiveDFT(complexOf(sig.slice(8 * f, 8 * f + 16), im.slice(8 * f, 8 * f + 16))),
    );
    close(values(y), want);
  });

  it('rejects a window that disagrees with frame_length', async () => {
    await expect(
      runOp('STFT', [f32(sig, [1, 32, 1]), i64(4), f32(signal(8, 1), [8]), i64(6)], {}, 17),
    ).rejects.toThrow(/window length/);
  });
});

describe('window functions', () => {
  it('Hann: periodic and symmetric', async () => {
    close(values(await runOp('HannWindow', [i64(4)], {}, 17)), [0, 0.5, 1, 0.5]);
    close(values(await runOp('HannWindow', [i32(5)], { periodic: 0 }, 17)), [0, 0.5, 1, 0.5, 0]);
  });

  it('Hamming: 25/46 - 21/46 cos', async () => {
    const y = values(await runOp('HammingWindow', [i64(5)], { periodic: 0 }, 17));
    close(y, [4 / 46, 25 / 46, 1, 25 / 46, 4 / 46]);
    const p = values(await runOp('HammingWindow', [i64(4)], {}, 17));
    close(p, [4 / 46, 25 / 46, 1, 25 / 46]);
  });

  it('Blackman: 0.42 - 0.5 cos + 0.08 cos 2x', async () => {
    const y = values(await runOp('BlackmanWindow', [i64(5)], { periodic: 0 }, 17));
    close(y, [0, 0.34, 1, 0.34, 0]);
    const p = values(await runOp('BlackmanWindow', [i64(3)], {}, 17));
    close(p, [0, 0.42 + 0.25 - 0.04, 0.42 + 0.25 - 0.04]);
  });

  it('output_datatype, size 1 and size 0', async () => {
    const d = await runOp('HannWindow', [i64(4)], { output_datatype: 11 }, 17);
    expect(d.type).toBe('float64');
    close(values(d), [0, 0.5, 1, 0.5], 1e-15);
    const q = await runOp('HannWindow', [i64(4)], { output_datatype: 7 }, 17);
    expect(q.type).toBe('int64');
    expect(Array.from(q.data as BigInt64Array, Number)).toEqual([0, 0, 1, 0]);
    expect(values(await runOp('HannWindow', [i64(1)], { periodic: 0 }, 17))).toEqual([1]);
    expect((await runOp('BlackmanWindow', [i64(0)], {}, 17)).dims).toEqual([0]);
  });
});

describe('MelWeightMatrix', () => {
  it('matches the ONNX example', async () => {
    const y = await runOp(
      'MelWeightMatrix',
      [i32(8), i32(16), i32(8192), f32([0], []), f32([4096], [])],
      {},
      17,
    );
    expect(y.dims).toEqual([9, 8]);
    const want = new Array<number>(72).fill(0);
    // rows: bin 0 -> bands 0,1; bin 1 -> 2,3; bin 2 -> 4; bins 3..5 -> 5..7
    for (const [row, band] of [
      [0, 0],
      [0, 1],
      [1, 2],
      [1, 3],
      [2, 4],
      [3, 5],
      [4, 6],
      [5, 7],
    ] as const) {
      want[row * 8 + band] = 1;
    }
    expect(values(y)).toEqual(want);
  });

  it('builds rising and falling edges for wider bands', async () => {
    const y = await runOp(
      'MelWeightMatrix',
      [i64(2), i64(64), i64(1000), f32([0], []), f32([500], [])],
      { output_datatype: 11 },
      17,
    );
    expect(y.type).toBe('float64');
    expect(y.dims).toEqual([33, 2]);
    const w = values(y);
    // every band peaks at exactly 1 and stays within [0, 1]
    for (const band of [0, 1]) {
      const col = Array.from({ length: 33 }, (_, r) => w[r * 2 + band]!);
      expect(Math.max(...col)).toBe(1);
      expect(Math.min(...col)).toBe(0);
    }
  });
});
