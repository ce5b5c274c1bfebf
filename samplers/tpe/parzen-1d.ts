/**
 * The Parzen estimator of one numeric parameter, built from observations sorted by value.
 *
 * Independent TPE (the default) builds two such estimators per parameter per trial, the "above"
 * one over nearly every past trial, and evaluates it at 24 candidates: with a thousand trials
 * and ten parameters that is 10 × 1,000 kernels built and 240,000 kernel values per ask. This
 * class computes the same mixture as `ParzenEstimator` (same means, bandwidths, truncation and
 * weights; see there) but in one fused pass over the sorted values, and evaluates it over only
 * the kernels within reach of each point:
 *
 * - "narrow" kernels, those at the clipped minimum bandwidth (nearly all of them once there are
 *   a hundred observations), are sorted by mean, so the ones within 7 bandwidths of a point
 *   form a window found by binary search (beyond, a kernel is below 3e-11 of its peak);
 * - the few "wide" ones, the prior among them, are visited one by one.
 *
 * Densities are summed in linear space with exp from a table (relative error below 3e-10). The
 * prior kernel, never more than half its bandwidth from a point of the range, keeps the sum far
 * from underflow; should it underflow anyway, an exact log-space sum takes over.
 */
import type { Rng } from '../../src/rng.js';
import { gaussMass, logGaussMass, sampleTruncNormal } from '../../src/normal-distribution.js';
import { type MultivariateBandwidth, type ParzenDim, multivariateSigma } from './parzen-dim.js';
import { type Allocator, HEAP } from './scratch.js';

/** Reach of a kernel in bandwidths. */
const REACH = 7;
const REACH2 = REACH * REACH;
/** The partial sums that bound TPE scores cover kernels this many bandwidths away. */
const NEAR = 3;
/** Beyond this many bandwidths a normal tail (below 1e-9) is left out of a kernel's truncation mass. */
const TAIL_Z = 6;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
// exp(-q/2) for 0 <= q <= 64 as a table at steps of 1/16 times a 4th-order Taylor factor for the
// remainder: relative error below 3e-10, about three times faster than Math.exp.
const EXP_TABLE_STEP = 16;
const EXP_TABLE = Float64Array.from({ length: 64 * EXP_TABLE_STEP + 1 }, (_, i) => Math.exp((-0.5 * i) / EXP_TABLE_STEP));
/** Distances in bandwidths times this square to table positions. */
const EXP_SCALE = Math.sqrt(EXP_TABLE_STEP);

/** exp(-q/2) given u = q · EXP_TABLE_STEP, for 0 <= q <= 64. */
function expNegHalfScaled(u: number): number {
  const j = u | 0;
  const r = (j - u) * (0.5 / EXP_TABLE_STEP);
  return EXP_TABLE[j] * (1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24)))));
}

/** The first index i with a[i] >= v in the ascending array a. */
function lowerBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Parzen1DOptions {
  readonly priorWeight: number;
  readonly considerEndpoints: boolean;
  /** Scott's-rule bandwidth, as in a joint estimator of `nDims` parameters. */
  readonly multivariate: boolean;
  readonly nDims?: number;
  readonly multivariateBandwidth?: MultivariateBandwidth;
  readonly alloc?: Allocator;
}

export class SortedParzen1D {
  readonly dim: ParzenDim;
  /** Kernel means (kernel space: log for log parameters), ascending, the prior's among them. */
  private readonly mu: Float64Array;
  private readonly sigma: Float64Array;
  private readonly cumWeights: Float64Array;
  /** weight / (Z σ √(2π)) (continuous) or weight / Z (discrete): each kernel's peak. */
  private readonly coef: Float64Array;
  private readonly narrowMu: Float64Array;
  private readonly narrowCoef: Float64Array;
  private readonly narrowSigma: number;
  private readonly wideMu: Float64Array;
  private readonly wideInvSigma: Float64Array;
  private readonly wideCoef: Float64Array;
  private readonly lower: number;
  private readonly upper: number;
  private memo: Float64Array | null = null;
  private readonly alloc: Allocator;

  /**
   * `sorted`: internal values, ascending; `weights[i]`: the weight of sorted[i] (non-negative),
   * normalised together with the prior's.
   */
  constructor(dim: ParzenDim, sorted: Float64Array, weights: ArrayLike<number>, options: Parzen1DOptions) {
    const alloc = (this.alloc = options.alloc ?? HEAP);
    this.dim = dim;
    const n = sorted.length;
    const m = n + 1;
    const discrete = dim.kind === 'discrete';
    const lo = discrete ? dim.low - dim.step / 2 : dim.low;
    const hi = discrete ? dim.high + dim.step / 2 : dim.high;
    const lower = (this.lower = dim.log ? Math.log(lo) : lo);
    const upper = (this.upper = dim.log ? Math.log(hi) : hi);
    const range = upper - lower;
    const priorMu = 0.5 * (lower + upper);

    // Means and weights in ascending order, the prior inserted after the values equal to it.
    const mu = (this.mu = alloc.float64(m));
    const w = alloc.float64(m);
    let total = 0;
    let prior = -1;
    for (let i = 0, j = 0; j < m; j++) {
      let v = i < n ? sorted[i] : Infinity;
      if (i < n) {
        v = v < dim.low ? dim.low : v > dim.high ? dim.high : v;
        if (dim.log) v = Math.log(v);
      }
      if (prior < 0 && !(v <= priorMu)) {
        prior = j;
        mu[j] = priorMu;
        w[j] = n === 0 ? 1 : options.priorWeight;
      } else {
        mu[j] = v;
        w[j] = weights[i++];
      }
      total += w[j];
    }

    // Bandwidths (Watanabe 2023, eq. 11-14; see ParzenEstimator) and everything derived from
    // them, in one pass.
    const minSigma = range / Math.min(100, 1 + m);
    let scott = 0;
    if (options.multivariate) {
      const obs = alloc.float64(n);
      for (let j = 0, i = 0; j < m; j++) if (j !== prior) obs[i++] = mu[j];
      scott = multivariateSigma(obs, n, options.nDims ?? 1, range, options.multivariateBandwidth ?? 'scott');
    }
    const sigma = (this.sigma = alloc.float64(m));
    const cum = (this.cumWeights = alloc.float64(m));
    const coef = (this.coef = alloc.float64(m));
    // Narrow and wide kernels, narrow ones staying in ascending order; sized for the worst case.
    const narrowMu = alloc.float64(m);
    const narrowCoef = alloc.float64(m);
    const wideMu = alloc.float64(m);
    const wideInvSigma = alloc.float64(m);
    const wideCoef = alloc.float64(m);
    let nNarrow = 0;
    let nWide = 0;
    let acc = 0;
    const continuous = dim.kind === 'continuous';
    const invTotal = 1 / total;
    const invMin = 1 / minSigma;
    const endpoints = options.considerEndpoints || m < 2;
    for (let j = 0; j < m; j++) {
      const mj = mu[j];
      let s: number;
      if (j === prior) s = range;
      else {
        if (options.multivariate) s = scott;
        else {
          const left = mj - (j > 0 ? mu[j - 1] : lower);
          const right = (j < m - 1 ? mu[j + 1] : upper) - mj;
          if (!endpoints && j === 0) s = right;
          else if (!endpoints && j === m - 1) s = left;
          else s = left > right ? left : right;
        }
        s = s < minSigma ? minSigma : s > range ? range : s;
      }
      sigma[j] = s;
      const narrow = s === minSigma && j !== prior;
      const inv = narrow ? invMin : 1 / s;
      const a = (lower - mj) * inv;
      const b = (upper - mj) * inv;
      const wj = w[j] * invTotal;
      acc += wj;
      cum[j] = acc;
      const peak = continuous ? wj * inv * INV_SQRT_2PI : wj;
      const c = a < -TAIL_Z && b > TAIL_Z ? peak : peak / gaussMass(a, b);
      coef[j] = c;
      if (narrow) {
        narrowMu[nNarrow] = mj;
        narrowCoef[nNarrow++] = c;
      } else {
        wideMu[nWide] = mj;
        wideInvSigma[nWide] = inv;
        wideCoef[nWide++] = c;
      }
    }
    this.narrowSigma = minSigma;
    this.narrowMu = narrowMu.subarray(0, nNarrow);
    this.narrowCoef = narrowCoef.subarray(0, nNarrow);
    this.wideMu = wideMu.subarray(0, nWide);
    this.wideInvSigma = wideInvSigma.subarray(0, nWide);
    this.wideCoef = wideCoef.subarray(0, nWide);
  }

  /** `count` draws, in internal representation. */
  sample(rng: Rng, count: number): Float64Array {
    const dim = this.dim;
    const out = this.alloc.float64(count);
    const cw = this.cumWeights;
    for (let c = 0; c < count; c++) {
      const target = rng.random() * cw[cw.length - 1];
      let lo = 0;
      let hi = cw.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cw[mid] > target) hi = mid;
        else lo = mid + 1;
      }
      let v = sampleTruncNormal(rng, this.mu[lo], this.sigma[lo], this.lower, this.upper);
      if (dim.log) v = Math.exp(v);
      if (dim.kind === 'discrete') v = dim.low + Math.round((v - dim.low) / dim.step) * dim.step;
      out[c] = v < dim.low ? dim.low : v > dim.high ? dim.high : v;
    }
    return out;
  }

  /** log density (log probability for discrete parameters) at each point; see ParzenEstimator.logPdf. */
  logPdf(xs: Float64Array): Float64Array {
    const out = this.alloc.float64(xs.length);
    const reach = REACH * this.narrowSigma;
    for (let c = 0; c < xs.length; c++) {
      const x = xs[c];
      const [ta, tb] = this.cell(x);
      const sum = this.wideSum(x) + this.narrowSum(x, lowerBound(this.narrowMu, ta - reach), lowerBound(this.narrowMu, tb + reach));
      out[c] = this.finish(x, sum);
    }
    return out;
  }

  /**
   * The index of the point with the largest logL[c] - log p(x_c), p this density: TPE's
   * acquisition, with l's log densities given (Watanabe 2023, eq. 5). The first on ties.
   *
   * The same as the argmax over `logL - logPdf(xs)`, with less work: a partial sum over the
   * kernels near a point is a lower bound of the density, so logL - log(partial) bounds the
   * point's score from above; points are completed in the order of their bounds until no bound
   * beats the best complete score.
   */
  argmaxRatio(xs: Float64Array, logL: Float64Array): number {
    const count = xs.length;
    const mu = this.narrowMu;
    const reach = REACH * this.narrowSigma;
    const near = NEAR * this.narrowSigma;
    const partial = this.alloc.float64(count);
    const bound = this.alloc.float64(count);
    const ranges = this.alloc.int32(4 * count);
    const order: number[] = [];
    for (let c = 0; c < count; c++) {
      const x = xs[c];
      const [ta, tb] = this.cell(x);
      const r = 4 * c;
      ranges[r] = lowerBound(mu, ta - reach);
      ranges[r + 1] = lowerBound(mu, ta - near);
      ranges[r + 2] = lowerBound(mu, tb + near);
      ranges[r + 3] = lowerBound(mu, tb + reach);
      partial[c] = this.wideSum(x) + this.narrowSum(x, ranges[r + 1], ranges[r + 2]);
      bound[c] = partial[c] > 0 ? logL[c] - Math.log(partial[c]) : Infinity;
      order.push(c);
    }
    order.sort((a, b) => bound[b] - bound[a] || a - b);
    let best = -1;
    let bestScore = -Infinity;
    for (const c of order) {
      if (bound[c] < bestScore || (bound[c] === bestScore && c > best)) break;
      const x = xs[c];
      const r = 4 * c;
      const sum = partial[c] + this.narrowSum(x, ranges[r], ranges[r + 1]) + this.narrowSum(x, ranges[r + 2], ranges[r + 3]);
      const score = logL[c] - this.finish(x, sum);
      if (score > bestScore || (score === bestScore && c < best) || best < 0) {
        bestScore = score;
        best = c;
      }
    }
    return best;
  }

  /** The interval of x in kernel space: the point twice for continuous parameters, its cell for discrete ones. */
  private cell(x: number): [number, number] {
    const dim = this.dim;
    if (dim.kind === 'continuous') {
      const t = dim.log ? Math.log(x) : x;
      return [t, t];
    }
    const half = dim.step / 2;
    return dim.log ? [Math.log(x - half), Math.log(x + half)] : [x - half, x + half];
  }

  /** log of a density sum, or the exact log-space value when the sum underflowed. */
  private finish(x: number, sum: number): number {
    return sum > 1e-290 && Number.isFinite(sum) ? Math.log(sum) : this.exactLogPdf(x);
  }

  /** Contribution of the wide kernels at x. */
  private wideSum(x: number): number {
    const { wideMu, wideInvSigma, wideCoef } = this;
    const n = wideMu.length;
    const [ta, tb] = this.cell(x);
    let sum = 0;
    if (this.dim.kind === 'continuous') {
      for (let k = 0; k < n; k++) {
        const z = (ta - wideMu[k]) * wideInvSigma[k];
        const q = z * z;
        if (q < REACH2) sum += wideCoef[k] * expNegHalfScaled(q * EXP_TABLE_STEP);
      }
    } else {
      for (let k = 0; k < n; k++) {
        const za = (ta - wideMu[k]) * wideInvSigma[k];
        const zb = (tb - wideMu[k]) * wideInvSigma[k];
        if (za < REACH && zb > -REACH) sum += wideCoef[k] * gaussMass(za, zb);
      }
    }
    return sum;
  }

  /** Contribution at x of the narrow kernels from index `from` up to `to` (exclusive). */
  private narrowSum(x: number, from: number, to: number): number {
    const dim = this.dim;
    const mu = this.narrowMu;
    const coef = this.narrowCoef;
    const inv = 1 / this.narrowSigma;
    let sum = 0;
    if (dim.kind === 'continuous') {
      const t = dim.log ? Math.log(x) : x;
      const scale = EXP_SCALE * inv;
      for (let k = from; k < to; k++) {
        const u = (t - mu[k]) * scale;
        sum += coef[k] * expNegHalfScaled(u * u);
      }
      return sum;
    }
    const [ta, tb] = this.cell(x);
    // Discrete, not log: x - mu is a multiple of the step, so a narrow kernel's cell mass depends
    // on that multiple only, and is computed once per multiple (means off the lattice, from a
    // range that moved between trials, are computed directly).
    const memo = dim.log ? null : this.massMemo();
    const offset = memo ? (memo.length - 1) / 2 : 0;
    for (let k = from; k < to; k++) {
      let mass: number;
      const multiple = memo ? Math.round((x - mu[k]) / dim.step) : 0;
      if (memo && Math.abs(multiple) <= offset && Math.abs(x - mu[k] - multiple * dim.step) < 1e-9 * dim.step) {
        mass = memo[multiple + offset];
        if (mass < 0) mass = memo[multiple + offset] = gaussMass((ta - mu[k]) * inv, (tb - mu[k]) * inv);
      } else mass = gaussMass((ta - mu[k]) * inv, (tb - mu[k]) * inv);
      sum += coef[k] * mass;
    }
    return sum;
  }

  /** Cell masses of a narrow kernel by grid offset (discrete, not log), filled on demand. */
  private massMemo(): Float64Array {
    if (!this.memo) {
      const maxMultiple = Math.ceil((REACH * this.narrowSigma) / this.dim.step) + 2;
      this.memo = new Float64Array(2 * maxMultiple + 1).fill(-1);
    }
    return this.memo;
  }

  /** log density by a log-sum-exp over every kernel: slow and exact, for underflow. */
  private exactLogPdf(x: number): number {
    const dim = this.dim;
    const m = this.mu.length;
    const terms = new Float64Array(m);
    for (let k = 0; k < m; k++) {
      const inv = 1 / this.sigma[k];
      if (dim.kind === 'continuous') {
        const z = ((dim.log ? Math.log(x) : x) - this.mu[k]) * inv;
        terms[k] = Math.log(this.coef[k]) - 0.5 * z * z;
      } else {
        const ta = dim.log ? Math.log(x - dim.step / 2) : x - dim.step / 2;
        const tb = dim.log ? Math.log(x + dim.step / 2) : x + dim.step / 2;
        terms[k] = Math.log(this.coef[k]) + logGaussMass((ta - this.mu[k]) * inv, (tb - this.mu[k]) * inv);
      }
    }
    let max = -Infinity;
    for (let k = 0; k < m; k++) if (terms[k] > max) max = terms[k];
    if (max === -Infinity) return -Infinity;
    let sum = 0;
    for (let k = 0; k < m; k++) sum += Math.exp(terms[k] - max);
    return max + Math.log(sum);
  }
}
