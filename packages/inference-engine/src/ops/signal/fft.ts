// The transform core behind DFT and STFT: complex FFTs of any length in
// split (re, im) float64 form, in place, plus real-input transforms built on
// a half-length complex FFT. Powers of two use an iterative radix-2
// decimation-in-time FFT (its first two stages fused, as their twiddles are
// 1 and -i); other lengths use Bluestein's chirp-z algorithm,
// a circular convolution of power-of-two length m >= 2n - 1 done with the
// radix-2 FFT. Twiddles, chirps and the chirp filter's spectrum are computed
// once per length (from the exact angles, not by recurrence) and plans are
// cached. Forward transforms are unnormalized; inverse ones scale by 1/n.
//
// The inverse is the forward transform with re and im swapped:
// swap(DFT(swap(x))) = n * IDFT(x), so each plan has one butterfly loop.

/** A complex FFT of one length, in place on split arrays of at least n values. */
export interface ComplexFFT {
  readonly n: number;
  /** y[k] = sum_j x[j] e^{-2 pi i jk/n} */
  forward(re: Float64Array, im: Float64Array): void;
  /** x[j] = 1/n sum_k y[k] e^{+2 pi i jk/n} */
  inverse(re: Float64Array, im: Float64Array): void;
}

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

function scale(re: Float64Array, im: Float64Array, n: number): void {
  const s = 1 / n;
  for (let i = 0; i < n; i++) {
    re[i]! *= s;
    im[i]! *= s;
  }
}

/** Iterative radix-2 FFT for n a power of two (n = 1 included). */
class Radix2 implements ComplexFFT {
  readonly n: number;
  private readonly rev: Uint32Array;
  /** cos / sin of 2 pi k / n for k < n/2. */
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  constructor(n: number) {
    this.n = n;
    let bits = 0;
    while (1 << bits < n) bits++;
    const rev = new Uint32Array(n);
    for (let i = 1; i < n; i++) rev[i] = (rev[i >> 1]! >> 1) | ((i & 1) << (bits - 1));
    this.rev = rev;
    const half = n >> 1;
    this.cos = new Float64Array(half);
    this.sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      const a = (2 * Math.PI * k) / n;
      this.cos[k] = Math.cos(a);
      this.sin[k] = Math.sin(a);
    }
  }

  forward(re: Float64Array, im: Float64Array): void {
    this.run(re, im);
  }

  inverse(re: Float64Array, im: Float64Array): void {
    this.run(im, re);
    scale(re, im, this.n);
  }

  /** Forward butterflies: bit-reversal permutation, then log2(n) stages. */
  private run(re: Float64Array, im: Float64Array): void {
    const n = this.n;
    if (n < 2) return;
    const rev = this.rev;
    for (let i = 0; i < n; i++) {
      const j = rev[i]!;
      if (i < j) {
        const tr = re[i]!;
        re[i] = re[j]!;
        re[j] = tr;
        const ti = im[i]!;
        im[i] = im[j]!;
        im[j] = ti;
      }
    }
    if (n === 2) {
      const br = re[1]!;
      const bi = im[1]!;
      re[1] = re[0]! - br;
      im[1] = im[0]! - bi;
      re[0]! += br;
      im[0]! += bi;
      return;
    }
    // the size-2 and size-4 stages fused: twiddles 1 and -i, no multiplies
    for (let s = 0; s < n; s += 4) {
      const r0 = re[s]!;
      const i0 = im[s]!;
      const r1 = re[s + 1]!;
      const i1 = im[s + 1]!;
      const r2 = re[s + 2]!;
      const i2 = im[s + 2]!;
      const r3 = re[s + 3]!;
      const i3 = im[s + 3]!;
      const ar = r0 + r1;
      const ai = i0 + i1;
      const br = r0 - r1;
      const bi = i0 - i1;
      const cr = r2 + r3;
      const ci = i2 + i3;
      const dr = r2 - r3;
      const di = i2 - i3;
      re[s] = ar + cr;
      im[s] = ai + ci;
      re[s + 2] = ar - cr;
      im[s + 2] = ai - ci;
      re[s + 1] = br + di; // b + (-i) d
      im[s + 1] = bi - dr;
      re[s + 3] = br - di;
      im[s + 3] = bi + dr;
    }
    const cos = this.cos;
    const sin = this.sin;
    for (let size = 8; size <= n; size <<= 1) {
      const half = size >> 1;
      const step = (n / size) | 0;
      for (let start = 0; start < n; start += size) {
        for (let j = 0, k = 0; j < half; j++, k += step) {
          const wr = cos[k]!;
          const wi = -sin[k]!;
          const a = start + j;
          const b = a + half;
          const xr = re[b]!;
          const xi = im[b]!;
          const tr = xr * wr - xi * wi;
          const ti = xr * wi + xi * wr;
          re[b] = re[a]! - tr;
          im[b] = im[a]! - ti;
          re[a]! += tr;
          im[a]! += ti;
        }
      }
    }
  }

  /** Forward transform for internal callers that swap re/im themselves. */
  raw(re: Float64Array, im: Float64Array): void {
    this.run(re, im);
  }
}

/**
 * Bluestein: with c[k] = e^{-i pi k^2/n}, y[k] = c[k] sum_j (x[j] c[j]) conj(c[k-j]),
 * a convolution with the chirp conj(c), done circularly at length m.
 */
class Bluestein implements ComplexFFT {
  readonly n: number;
  private readonly m: number;
  private readonly inner: Radix2;
  /** The chirp c[k] = e^{-i pi k^2 / n}. */
  private readonly cr: Float64Array;
  private readonly ci: Float64Array;
  /** FFT of the filter conj(c) wrapped to length m, pre-scaled by 1/m. */
  private readonly br: Float64Array;
  private readonly bi: Float64Array;
  private readonly ar: Float64Array;
  private readonly ai: Float64Array;

  constructor(n: number) {
    this.n = n;
    let m = 1;
    while (m < 2 * n - 1) m <<= 1;
    this.m = m;
    this.inner = new Radix2(m);
    this.cr = new Float64Array(n);
    this.ci = new Float64Array(n);
    // k^2 mod 2n keeps the angle small and exact: (k+1)^2 = k^2 + 2k + 1
    const period = 2 * n;
    for (let k = 0, k2 = 0; k < n; k++) {
      const a = (Math.PI * k2) / n;
      this.cr[k] = Math.cos(a);
      this.ci[k] = -Math.sin(a);
      k2 = (k2 + 2 * k + 1) % period;
    }
    const br = new Float64Array(m);
    const bi = new Float64Array(m);
    br[0] = this.cr[0]!;
    bi[0] = -this.ci[0]!;
    for (let k = 1; k < n; k++) {
      br[k] = br[m - k] = this.cr[k]!;
      bi[k] = bi[m - k] = -this.ci[k]!;
    }
    this.inner.raw(br, bi);
    scale(br, bi, m);
    this.br = br;
    this.bi = bi;
    this.ar = new Float64Array(m);
    this.ai = new Float64Array(m);
  }

  forward(re: Float64Array, im: Float64Array): void {
    this.run(re, im);
  }

  inverse(re: Float64Array, im: Float64Array): void {
    this.run(im, re);
    scale(re, im, this.n);
  }

  private run(re: Float64Array, im: Float64Array): void {
    const { n, m, cr, ci, br, bi, ar, ai } = this;
    for (let k = 0; k < n; k++) {
      const xr = re[k]!;
      const xi = im[k]!;
      ar[k] = xr * cr[k]! - xi * ci[k]!;
      ai[k] = xr * ci[k]! + xi * cr[k]!;
    }
    ar.fill(0, n);
    ai.fill(0, n);
    this.inner.raw(ar, ai);
    for (let k = 0; k < m; k++) {
      const xr = ar[k]!;
      const xi = ai[k]!;
      ar[k] = xr * br[k]! - xi * bi[k]!;
      ai[k] = xr * bi[k]! + xi * br[k]!;
    }
    // inverse by swapping; the 1/m is folded into the filter
    this.inner.raw(ai, ar);
    for (let k = 0; k < n; k++) {
      const xr = ar[k]!;
      const xi = ai[k]!;
      re[k] = xr * cr[k]! - xi * ci[k]!;
      im[k] = xr * ci[k]! + xi * cr[k]!;
    }
  }
}

/**
 * FFT of a real signal of length n, giving (and, inverted, taking) the
 * n/2 + 1 non-redundant bins. Even n packs the signal into a complex one of
 * length n/2 (z[j] = x[2j] + i x[2j+1]) and untangles the even/odd spectra
 * with the twiddles e^{-2 pi i k/n}; odd n runs the full complex transform.
 */
export class RealFFT {
  readonly n: number;
  /** Number of non-redundant bins: floor(n/2) + 1. */
  readonly bins: number;
  private readonly fft: ComplexFFT;
  private readonly even: boolean;
  private readonly wr: Float64Array;
  private readonly wi: Float64Array;
  private readonly zr: Float64Array;
  private readonly zi: Float64Array;

  constructor(n: number) {
    this.n = n;
    this.bins = (n >> 1) + 1;
    this.even = n % 2 === 0 && n > 0;
    const len = this.even ? n >> 1 : n;
    this.fft = complexFFT(len);
    this.zr = new Float64Array(len);
    this.zi = new Float64Array(len);
    const h = this.even ? n >> 1 : 0;
    this.wr = new Float64Array(h);
    this.wi = new Float64Array(h);
    for (let k = 0; k < h; k++) {
      const a = (2 * Math.PI * k) / n;
      this.wr[k] = Math.cos(a);
      this.wi[k] = Math.sin(a);
    }
  }

  /** Bins 0..n/2 of the forward DFT of x[0..n) into (re, im). */
  forward(x: Float64Array, re: Float64Array, im: Float64Array): void {
    const { n, zr, zi } = this;
    if (!this.even) {
      for (let j = 0; j < n; j++) zr[j] = x[j]!;
      zi.fill(0);
      this.fft.forward(zr, zi);
      for (let k = 0; k < this.bins; k++) {
        re[k] = zr[k]!;
        im[k] = zi[k]!;
      }
      return;
    }
    const h = n >> 1;
    for (let j = 0; j < h; j++) {
      zr[j] = x[2 * j]!;
      zi[j] = x[2 * j + 1]!;
    }
    this.fft.forward(zr, zi);
    const { wr, wi } = this;
    // X[k] = E[k] + w^k O[k], X[h] = E[0] - O[0], with E, O from Z[k] and conj(Z[h-k])
    re[0] = zr[0]! + zi[0]!;
    im[0] = 0;
    re[h] = zr[0]! - zi[0]!;
    im[h] = 0;
    for (let k = 1; k < h; k++) {
      const a = zr[k]!;
      const b = zi[k]!;
      const c = zr[h - k]!;
      const d = zi[h - k]!;
      const er = 0.5 * (a + c);
      const ei = 0.5 * (b - d);
      const or = 0.5 * (b + d);
      const oi = -0.5 * (a - c);
      const cw = wr[k]!;
      const sw = wi[k]!;
      re[k] = er + cw * or + sw * oi;
      im[k] = ei + cw * oi - sw * or;
    }
  }

  /**
   * The real signal x[0..n) whose spectrum has bins (re, im)[0..n/2], the rest
   * implied by conjugate symmetry. The imaginary parts of bin 0 and (even n)
   * bin n/2 are ignored, as a real signal cannot have them.
   */
  inverse(re: Float64Array, im: Float64Array, x: Float64Array): void {
    const { n, zr, zi } = this;
    if (!this.even) {
      if (n === 0) return;
      zr[0] = re[0]!;
      zi[0] = 0;
      for (let k = 1; k < this.bins; k++) {
        zr[k] = zr[n - k] = re[k]!;
        zi[k] = im[k]!;
        zi[n - k] = -im[k]!;
      }
      this.fft.inverse(zr, zi);
      for (let j = 0; j < n; j++) x[j] = zr[j]!;
      return;
    }
    const h = n >> 1;
    const { wr, wi } = this;
    // E[k] = (X[k] + conj(X[h-k]))/2, O[k] = (X[k] - conj(X[h-k])) w^-k / 2, Z = E + iO
    {
      const a = re[0]!;
      const c = re[h]!;
      zr[0] = 0.5 * (a + c);
      zi[0] = 0.5 * (a - c);
    }
    for (let k = 1; k < h; k++) {
      const a = re[k]!;
      const b = im[k]!;
      const c = re[h - k]!;
      const d = im[h - k]!;
      const er = 0.5 * (a + c);
      const ei = 0.5 * (b - d);
      const pr = 0.5 * (a - c);
      const pi = 0.5 * (b + d);
      const cw = wr[k]!;
      const sw = wi[k]!;
      const or = pr * cw - pi * sw;
      const oi = pr * sw + pi * cw;
      zr[k] = er - oi;
      zi[k] = ei + or;
    }
    this.fft.inverse(zr, zi);
    for (let j = 0; j < h; j++) {
      x[2 * j] = zr[j]!;
      x[2 * j + 1] = zi[j]!;
    }
  }
}

const MAX_CACHED = 64;
const complexPlans = new Map<number, ComplexFFT>();
const realPlans = new Map<number, RealFFT>();

function cached<T>(cache: Map<number, T>, n: number, make: (n: number) => T): T {
  let plan = cache.get(n);
  if (!plan) {
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    plan = make(n);
    cache.set(n, plan);
  }
  return plan;
}

/** The (cached) complex FFT plan for length n >= 1. */
export function complexFFT(n: number): ComplexFFT {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`FFT length must be a positive integer, got ${n}`);
  return cached(complexPlans, n, (len) => (isPowerOfTwo(len) ? new Radix2(len) : new Bluestein(len)));
}

/** The (cached) real FFT plan for length n >= 1. */
export function realFFT(n: number): RealFFT {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`FFT length must be a positive integer, got ${n}`);
  return cached(realPlans, n, (len) => new RealFFT(len));
}
