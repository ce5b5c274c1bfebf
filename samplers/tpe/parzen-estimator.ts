/**
 * The Parzen estimator of the TPE: a weighted mixture of product kernels, one kernel per
 * observation plus one "prior" kernel (Watanabe 2023, Sec. 3 and Algorithm 1).
 *
 * Per dimension a kernel is
 * - continuous: a normal truncated to the parameter's range (in log space for log parameters);
 * - discrete (int, stepped float, ordinal index): the mass that such a normal puts on the
 *   cell [x - step/2, x + step/2] of a grid value x, truncated to the widened range
 *   [low - step/2, high + step/2] (for log ints the cell is [ln(x - 1/2), ln(x + 1/2)]);
 * - categorical: a distribution over the choices, the observed one raised by 1 above a flat
 *   floor of priorWeight / nKernels (Optuna's "Aitchison-Aitken-like" kernel).
 *
 * Bandwidths follow Optuna 4: univariate kernels take the larger gap to their sorted neighbours
 * (with the prior's mean among them), multivariate ones Scott's rule 0.2 n^(-1/(d+4)) R
 * (Watanabe 2023, eq. 12-13); both are clipped to [R / min(100, n + 2), R] ("magic clip").
 * The prior kernel sits at the centre of the range with bandwidth R, the range's width.
 *
 * This class knows nothing about studies: it takes observations in internal representation
 * (floats and ints as themselves, ordinal and categorical parameters as indices).
 */
import type { Rng } from '../../src/rng.js';
import { type Allocator, HEAP } from './scratch.js';
import { gaussMass, logGaussMass, logNdtr, sampleTruncNormal } from '../../src/normal-distribution.js';
import { SortedParzen1D } from './parzen-1d.js';
import { type MultivariateBandwidth, type ParzenDim, multivariateSigma } from './parzen-dim.js';

export { type MultivariateBandwidth, type ParzenDim, type ParzenDimKind, parzenDim } from './parzen-dim.js';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
/**
 * Kernels farther than this many bandwidths from a discrete cell are given the tail
 * approximation log Φ(-t) ≈ log φ(t) - log t instead of an exact mass: they weigh less than
 * e^-40 of the prior kernel, which is never far away.
 */
const FAR_Z = 9;
/** Terms below e^-40 of the largest one are left out of the log-sum-exp. */
const LSE_CUTOFF = -40;
export interface ParzenEstimatorOptions {
  /** Weight of the prior kernel before normalisation (Optuna's prior_weight, default 1). */
  readonly priorWeight: number;
  /** Let the outermost kernels' bandwidth reach the range's ends (Optuna's consider_endpoints). */
  readonly considerEndpoints: boolean;
  /** Scott's-rule bandwidths for joint sampling instead of neighbour gaps. */
  readonly multivariate: boolean;
  /**
   * Multivariate bandwidths: 'scott' (default) is Scott's rule on the observations' spread,
   * σ̂ n^(-1/(d+4)), capped at Optuna's value; 'optuna' is Optuna's 0.2 R n^(-1/(d+4)) for a
   * range R, which ignores how concentrated the observations are.
   */
  readonly multivariateBandwidth?: MultivariateBandwidth;
  /** Where the estimator's arrays come from (a Scratch in the sampler's hot path); default: new arrays. */
  readonly alloc?: Allocator;
}

/** Kernel domain of a numeric dimension in kernel space (log space for log dimensions). */
function domain(dim: ParzenDim): [number, number] {
  const lo = dim.kind === 'discrete' ? dim.low - dim.step / 2 : dim.low;
  const hi = dim.kind === 'discrete' ? dim.high + dim.step / 2 : dim.high;
  return dim.log ? [Math.log(lo), Math.log(hi)] : [lo, hi];
}

interface NumericKernels {
  readonly mu: Float64Array;
  readonly sigma: Float64Array;
  readonly invSigma: Float64Array;
  /** Each kernel's truncation mass Z over the domain (1 for kernels far from both ends). */
  readonly mass: Float64Array;
  readonly lower: number;
  readonly upper: number;
}

export class ParzenEstimator {
  readonly dims: readonly ParzenDim[];
  /** Number of kernels: observations plus the prior. */
  readonly nKernels: number;
  private readonly weights: Float64Array;
  private readonly cumWeights: Float64Array;
  /**
   * Per kernel, its log weight plus the log normalisers of every numeric dimension (constant in
   * x, so summed once instead of once per sample and dimension); built on first use.
   */
  private baseTermsCache: Float64Array | null = null;
  private readonly numeric: (NumericKernels | null)[];
  /** Categorical dimensions: log kernel probabilities, row-major nKernels × nChoices. */
  private readonly categorical: (Float64Array | null)[];
  /** One numeric dimension: the sorted, fused estimator does the work. */
  private readonly single: SortedParzen1D | null = null;

  /**
   * `observations[d][i]`: internal value of dimension d in observation i. `obsWeights` (one per
   * observation, non-negative) are normalised together with the prior's weight.
   */
  constructor(dims: readonly ParzenDim[], observations: readonly Float64Array[], obsWeights: ArrayLike<number>, options: ParzenEstimatorOptions) {
    this.dims = dims;
    const alloc = options.alloc ?? HEAP;
    const n = dims.length > 0 ? observations[0].length : 0;
    if (dims.length === 1 && dims[0].kind !== 'categorical') {
      const place = sortedPlaces(observations[0], n, alloc);
      const sorted = alloc.float64(n);
      const sortedWeights = alloc.float64(n);
      for (let i = 0; i < n; i++) {
        sorted[place[i]] = observations[0][i];
        sortedWeights[place[i]] = obsWeights[i];
      }
      this.single = new SortedParzen1D(dims[0], sorted, sortedWeights, { ...options, nDims: 1 });
    }
    this.nKernels = n + 1;
    this.numeric = [];
    this.categorical = [];
    if (this.single) {
      this.weights = this.cumWeights = new Float64Array(0);
      return;
    }
    this.weights = alloc.float64(n + 1);
    let total = 0;
    for (let i = 0; i < n; i++) total += this.weights[i] = obsWeights[i];
    this.weights[n] = n === 0 ? 1 : options.priorWeight;
    total += this.weights[n];
    this.cumWeights = alloc.float64(n + 1);
    let acc = 0;
    for (let i = 0; i <= n; i++) {
      this.weights[i] /= total;
      acc += this.weights[i];
      this.cumWeights[i] = acc;
    }
    for (let d = 0; d < dims.length; d++) {
      const dim = dims[d];
      if (dim.kind === 'categorical') {
        this.numeric.push(null);
        this.categorical.push(categoricalKernels(dim.nChoices, observations[d], options.priorWeight));
      } else {
        this.numeric.push(numericKernels(dim, observations[d], dims.length, options, alloc));
        this.categorical.push(null);
      }
    }
  }

  private get baseTerms(): Float64Array {
    if (this.baseTermsCache) return this.baseTermsCache;
    const base = this.weights.map(Math.log);
    for (let d = 0; d < this.dims.length; d++) {
      if (this.numeric[d] === null) continue;
      const logNorm = this.logNormalisers(d);
      for (let k = 0; k < this.nKernels; k++) base[k] += logNorm[k];
    }
    return (this.baseTermsCache = base);
  }

  /** `count` draws from the mixture, per dimension, in internal representation. */
  sample(rng: Rng, count: number): Float64Array[] {
    if (this.single) return [this.single.sample(rng, count)];
    const out = this.dims.map(() => new Float64Array(count));
    for (let c = 0; c < count; c++) {
      const k = this.pickKernel(rng.random());
      for (let d = 0; d < this.dims.length; d++) {
        const dim = this.dims[d];
        const cat = this.categorical[d];
        if (cat) {
          out[d][c] = pickChoice(cat, k, dim.nChoices, rng.random());
          continue;
        }
        const kern = this.numeric[d]!;
        let v = sampleTruncNormal(rng, kern.mu[k], kern.sigma[k], kern.lower, kern.upper);
        if (dim.log) v = Math.exp(v);
        if (dim.kind === 'discrete') v = dim.low + Math.round((v - dim.low) / dim.step) * dim.step;
        out[d][c] = v < dim.low ? dim.low : v > dim.high ? dim.high : v;
      }
    }
    return out;
  }

  /**
   * log density of the mixture at each sample (log probability for discrete dimensions; for log
   * continuous dimensions the density is taken in log space, which only shifts every estimator
   * on the same samples alike and so leaves TPE's ratio unchanged).
   */
  logPdf(samples: readonly Float64Array[]): Float64Array {
    if (this.single) return this.single.logPdf(samples[0]);
    const count = samples.length > 0 ? samples[0].length : 0;
    const K = this.nKernels;
    const out = new Float64Array(count);
    const terms = new Float64Array(K);
    const base = this.baseTerms;
    for (let c = 0; c < count; c++) {
      terms.set(base);
      for (let d = 0; d < this.dims.length; d++) this.addLogKernel(d, samples[d][c], terms);
      out[c] = logSumExp(terms);
    }
    return out;
  }

  /** Adds log kernel_k(x) of dimension d, less its normaliser (in baseTerms), to terms[k] for every kernel k. */
  private addLogKernel(d: number, x: number, terms: Float64Array): void {
    const K = this.nKernels;
    const dim = this.dims[d];
    const cat = this.categorical[d];
    if (cat) {
      const j = Math.round(x);
      const nc = dim.nChoices;
      for (let k = 0; k < K; k++) terms[k] += cat[k * nc + j];
      return;
    }
    const { mu, invSigma } = this.numeric[d]!;
    if (dim.kind === 'continuous') {
      const t = dim.log ? Math.log(x) : x;
      for (let k = 0; k < K; k++) {
        const z = (t - mu[k]) * invSigma[k];
        terms[k] -= 0.5 * z * z;
      }
      return;
    }
    // Discrete: the kernel's mass on x's cell.
    const ta = dim.log ? Math.log(x - dim.step / 2) : x - dim.step / 2;
    const tb = dim.log ? Math.log(x + dim.step / 2) : x + dim.step / 2;
    for (let k = 0; k < K; k++) {
      const za = (ta - mu[k]) * invSigma[k];
      const zb = (tb - mu[k]) * invSigma[k];
      let logMass: number;
      if (za > FAR_Z) logMass = logNdtr(-za);
      else if (zb < -FAR_Z) logMass = logNdtr(zb);
      else logMass = logGaussMass(za, zb);
      terms[k] += logMass;
    }
  }

  /** -log Z, and for continuous kernels also -log σ - log √(2π), per kernel of dimension d. */
  private logNormalisers(d: number): Float64Array {
    const { sigma, mass } = this.numeric[d]!;
    const continuous = this.dims[d].kind === 'continuous';
    const out = new Float64Array(this.nKernels);
    let lastSigma = Number.NaN;
    let lastLog = 0;
    for (let k = 0; k < this.nKernels; k++) {
      if (sigma[k] !== lastSigma) {
        lastSigma = sigma[k];
        lastLog = Math.log(lastSigma);
      }
      const logZ = mass[k] === 1 ? 0 : Math.log(mass[k]);
      out[k] = continuous ? -logZ - lastLog - LOG_SQRT_2PI : -logZ;
    }
    return out;
  }

  private pickKernel(u: number): number {
    // Binary search in the cumulative weights.
    const cw = this.cumWeights;
    const target = u * cw[cw.length - 1];
    let lo = 0;
    let hi = cw.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cw[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

function logSumExp(terms: Float64Array): number {
  let max = -Infinity;
  for (let k = 0; k < terms.length; k++) if (terms[k] > max) max = terms[k];
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let k = 0; k < terms.length; k++) {
    const t = terms[k] - max;
    if (t > LSE_CUTOFF) sum += Math.exp(t);
  }
  return max + Math.log(sum);
}

function pickChoice(logProbs: Float64Array, k: number, nChoices: number, u: number): number {
  let acc = 0;
  const base = k * nChoices;
  for (let j = 0; j < nChoices - 1; j++) {
    acc += Math.exp(logProbs[base + j]);
    if (u < acc) return j;
  }
  return nChoices - 1;
}

function categoricalKernels(nChoices: number, obs: Float64Array, priorWeight: number): Float64Array {
  const n = obs.length;
  const K = n + 1;
  const out = new Float64Array(K * nChoices);
  if (n === 0) {
    out.fill(-Math.log(nChoices));
    return out;
  }
  const floor = priorWeight / K;
  const logFloorRow = -Math.log(nChoices); // the prior's row: floor everywhere, normalised
  const rowTotal = floor * nChoices + 1;
  const logHit = Math.log((floor + 1) / rowTotal);
  const logMiss = Math.log(floor / rowTotal);
  for (let k = 0; k < n; k++) {
    const j = Math.round(obs[k]);
    for (let c = 0; c < nChoices; c++) out[k * nChoices + c] = c === j ? logHit : logMiss;
  }
  for (let c = 0; c < nChoices; c++) out[n * nChoices + c] = logFloorRow;
  return out;
}

function numericKernels(dim: ParzenDim, obs: Float64Array, nDims: number, options: ParzenEstimatorOptions, alloc: Allocator): NumericKernels {
  const n = obs.length;
  const [lower, upper] = domain(dim);
  const range = upper - lower;
  const K = n + 1;
  const mu = alloc.float64(K);
  const sigma = alloc.float64(K);
  for (let i = 0; i < n; i++) {
    let v = obs[i] < dim.low ? dim.low : obs[i] > dim.high ? dim.high : obs[i];
    if (dim.log) v = Math.log(v);
    mu[i] = v;
  }
  mu[n] = 0.5 * (lower + upper); // the prior
  if (n > 0) {
    if (options.multivariate) {
      sigma.fill(multivariateSigma(mu, n, nDims, range, options.multivariateBandwidth ?? 'scott'), 0, n);
    } else {
      neighbourBandwidths(mu, n, lower, upper, options.considerEndpoints, sigma, alloc);
    }
    // Magic clip (Watanabe 2023, eq. 14): at most the range, at least range / min(100, n + 2).
    const minSigma = range / Math.min(100, 1 + K);
    for (let i = 0; i < n; i++) sigma[i] = Math.min(range, Math.max(minSigma, sigma[i]));
  }
  sigma[n] = range;
  const invSigma = alloc.float64(K);
  const mass = alloc.float64(K);
  for (let k = 0; k < K; k++) {
    const inv = 1 / sigma[k];
    invSigma[k] = inv;
    const a = (lower - mu[k]) * inv;
    const b = (upper - mu[k]) * inv;
    // Means lie inside the domain, so a <= 0 <= b; beyond 9σ the tail is below 1e-19.
    mass[k] = a < -FAR_Z && b > FAR_Z ? 1 : gaussMass(a, b);
  }
  return { mu, sigma, invSigma, mass, lower, upper };
}

/**
 * Univariate bandwidths: each mean's larger gap to its sorted neighbours, where the prior's mean
 * counts as a neighbour and the domain's ends close the list (Watanabe 2023, eq. 11). Without
 * `considerEndpoints` the outermost means use their inner gap only, as Optuna.
 */
function neighbourBandwidths(mu: Float64Array, n: number, lower: number, upper: number, considerEndpoints: boolean, sigma: Float64Array, alloc: Allocator): void {
  const m = n + 1; // observations and the prior
  const place = sortedPlaces(mu, m, alloc);
  const sorted = alloc.float64(m + 2);
  for (let i = 0; i < m; i++) sorted[place[i] + 1] = mu[i];
  sorted[0] = lower;
  sorted[m + 1] = upper;
  const sortedSigma = alloc.float64(m);
  for (let i = 0; i < m; i++) {
    const left = sorted[i + 1] - sorted[i];
    const right = sorted[i + 2] - sorted[i + 1];
    sortedSigma[i] = left > right ? left : right;
  }
  if (!considerEndpoints && m + 2 >= 4) {
    sortedSigma[0] = sorted[2] - sorted[1];
    sortedSigma[m - 1] = sorted[m] - sorted[m - 1];
  }
  for (let i = 0; i < n; i++) sigma[i] = sortedSigma[place[i]];
}

/**
 * The place of each of values[0..m-1] in ascending order, equal values in index order. When the
 * observations (all but the last value, the prior's mean) come sorted, as the sampler's sorted
 * columns deliver them, this is linear; otherwise a native numeric sort and a binary search per
 * value, several times faster than sorting indices with a comparator.
 */
function sortedPlaces(values: Float64Array, m: number, alloc: Allocator = HEAP): Int32Array {
  const place = alloc.int32(m);
  let ascending = true;
  for (let i = 1; i < m - 1 && ascending; i++) if (values[i] < values[i - 1]) ascending = false;
  if (ascending) {
    const last = values[m - 1];
    let p = 0;
    while (p < m - 1 && values[p] <= last) p++;
    for (let i = 0; i < m - 1; i++) place[i] = i < p ? i : i + 1;
    place[m - 1] = p;
    return place;
  }
  const sorted = values.slice(0, m).sort();
  const taken = alloc.int32(m).fill(0);
  for (let i = 0; i < m; i++) {
    const v = values[i];
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    place[i] = lo + taken[lo]++;
  }
  return place;
}
