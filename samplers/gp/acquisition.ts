/**
 * Log expected improvement, and the maximisation of an acquisition (log EI, or ehvi.ts's log EHVI
 * for several objectives) over the unit box, as Optuna's `_gp/acqf.py`
 * and `_gp/optim_mixed.py`: quasi-random candidates, then local search from the best of them
 * (gradient-based on continuous coordinates; on discrete ones, exhaustive for categoricals and
 * small grids, a golden-section line search over the grid for large ones).
 */
import { erfcx, logNdtr } from '../../src/normal-distribution.js';
import { Rng } from '../../src/rng.js';
import { SobolSequence } from '../qmc/sobol.js';
import type { GPRegressor } from './gp.js';
import { minimizeLbfgs } from './lbfgs.js';
import type { ColumnKind } from './search-columns.js';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const SQRT_HALF_PI = Math.sqrt(Math.PI / 2);

/**
 * log h(z) with h(z) = φ(z) + z Φ(z) = E[max(0, Z + z)], Z ~ N(0, 1), stable for every z
 * (Ament et al. 2023, "Unexpected Improvements to Expected Improvement", eq. 9): directly for
 * z > -1; below, h(z) = φ(z) (1 - |z| √(π/2) erfcx(|z|/√2)) through log1p; far below, the
 * asymptotic φ(z)/z² (1 - 3/z² + 15/z⁴).
 */
export function logH(z: number): number {
  if (z > -1) {
    // Φ(z) = erfc(-z/√2)/2; for z > -1 there is no cancellation in φ + zΦ.
    return Math.log(Math.exp(-0.5 * z * z - LOG_SQRT_2PI) + z * Math.exp(logNdtr(z)));
  }
  const logPhi = -0.5 * z * z - LOG_SQRT_2PI;
  if (z > -40) return logPhi + Math.log1p(z * SQRT_HALF_PI * erfcx(-z * Math.SQRT1_2));
  const w = 1 / (z * z);
  return logPhi + Math.log(w) + Math.log1p(-w * (3 - 15 * w));
}

/**
 * log EI at a point with posterior mean μ and variance σ², for the incumbent f0 (maximising):
 * log σ + log h((μ - f0)/σ); and its gradients with respect to μ and σ:
 * ∂/∂μ = Φ(z)/(h(z) σ), ∂/∂σ = φ(z)/(h(z) σ).
 */
export function logEI(mean: number, variance: number, f0: number): { value: number; dMean: number; dSigma: number } {
  const sigma = Math.sqrt(Math.max(variance, 1e-300));
  const z = (mean - f0) / sigma;
  const lh = logH(z);
  const dMean = Math.exp(logNdtr(z) - lh) / sigma;
  const dSigma = Math.exp(-0.5 * z * z - LOG_SQRT_2PI - lh) / sigma;
  return { value: Math.log(sigma) + lh, dMean, dSigma };
}

export interface AcquisitionOptions {
  /** Quasi-random candidates before the local search (Optuna: 2048). */
  nPreliminary: number;
  /** Local searches from the best candidates and the warm starts (Optuna: 10). */
  nLocalSearch: number;
  /** Seed of the scrambled Sobol candidates. */
  seed: number;
}

/**
 * What the search maximises: a value at a point of the unit box (snapped coordinates) and its
 * gradient (log EI here, log EHVI for several objectives in ehvi.ts).
 */
export interface Acquisition {
  value(x: ArrayLike<number>): number;
  valueAndGradient(x: ArrayLike<number>, grad: Float64Array): number;
  /** Per column, the inverse squared length scale the gradient search scales its coordinates by. */
  readonly invSquaredLengthscales: Float64Array;
}

/** log EI at x (snapped coordinates), with its gradient when `grad` is given. */
export class LogEI implements Acquisition {
  private readonly gradMean: Float64Array;
  private readonly gradVar: Float64Array;
  private readonly work: Float64Array;

  constructor(
    readonly gp: GPRegressor,
    readonly f0: number,
  ) {
    this.gradMean = new Float64Array(gp.d);
    this.gradVar = new Float64Array(gp.d);
    this.work = new Float64Array(2 * gp.n);
  }

  get invSquaredLengthscales(): Float64Array {
    return this.gp.params.invSquaredLengthscales;
  }

  value(x: ArrayLike<number>): number {
    const [mean, variance] = this.gp.posterior(x, this.work);
    return logEI(mean, variance, this.f0).value;
  }

  valueAndGradient(x: ArrayLike<number>, grad: Float64Array): number {
    const [mean, variance] = this.gp.posteriorWithGradient(x, this.gradMean, this.gradVar);
    const { value, dMean, dSigma } = logEI(mean, variance, this.f0);
    const sigma = Math.sqrt(Math.max(variance, 1e-300));
    // ∂σ/∂x = ∂σ²/∂x / (2σ).
    for (let k = 0; k < grad.length; k++) grad[k] = dMean * this.gradMean[k] + (dSigma * this.gradVar[k]) / (2 * sigma);
    return value;
  }
}

/**
 * The point of the unit box with the largest acquisition: `nPreliminary` scrambled Sobol points and
 * the warm starts (e.g. the best trial so far), then from the best `nLocalSearch` of them a local
 * search that alternates L-BFGS on the continuous columns with a search along each discrete
 * column's grid (see localSearch), until a round no longer improves.
 */
export function maximizeAcquisition(acq: Acquisition, columns: readonly ColumnKind[], warmStarts: readonly Float64Array[], options: AcquisitionOptions): { x: Float64Array; value: number } {
  const d = columns.length;
  const snapAll = (x: Float64Array): Float64Array => {
    for (let k = 0; k < d; k++) x[k] = columns[k].snap(x[k]);
    return x;
  };
  const rng = new Rng(options.seed);
  const sobol = new SobolSequence(d, { scramble: true, seed: rng });
  const xs: Float64Array[] = [];
  const values = new Float64Array(options.nPreliminary);
  let bestIndex = 0;
  for (let i = 0; i < options.nPreliminary; i++) {
    const x = snapAll(sobol.point(i));
    xs.push(x);
    values[i] = acq.value(x);
    if (values[i] > values[bestIndex]) bestIndex = i;
  }
  // Starts: the best candidate, then others drawn with probability ∝ exp(acq - max) (acq a log EI or log EHVI) without
  // replacement (Optuna's "modified roulette wheel"), which spreads the local searches over the
  // promising regions instead of crowding one; then the warm starts.
  const starts: Float64Array[] = [xs[bestIndex]];
  const weights = values.map((v) => Math.exp(v - values[bestIndex]));
  weights[bestIndex] = 0;
  const nExtra = Math.max(0, options.nLocalSearch - warmStarts.length - 1);
  for (let j = 0; j < nExtra; j++) {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    if (!(total > 0)) break;
    const pick = rng.weightedIndex(weights);
    starts.push(xs[pick]);
    weights[pick] = 0;
  }
  for (const w of warmStarts) starts.push(snapAll(Float64Array.from(w)));
  let best = { x: xs[bestIndex], value: values[bestIndex] };
  for (const start of starts) {
    const result = localSearch(acq, columns, start);
    if (result.value > best.value) best = result;
  }
  return best;
}

/** Discrete columns with at most this many values are searched exhaustively (as Optuna's `MAX_INT_EXHAUSTIVE_SEARCH_PARAMS`). */
const EXHAUSTIVE_MAX = 16;
/** A safety cap on the rounds of the alternating search (Optuna: 100); it ends far sooner. */
const MAX_ROUNDS = 100;
/** L-BFGS runs per round on the continuous columns, each from the last one's result. */
const GRADIENT_RUNS = 4;

/**
 * Coordinate-wise ascent from `start`, as Optuna's `local_search_mixed`: L-BFGS on all continuous
 * columns at once, then each discrete column on its own (exhaustively if categorical or small,
 * else by a line search over its grid), round after round, until a whole round has changed
 * nothing. Discrete columns never leave their grid, so nothing is lost to rounding afterwards.
 */
function localSearch(acq: Acquisition, columns: readonly ColumnKind[], start: Float64Array): { x: Float64Array; value: number } {
  const d = columns.length;
  const x = Float64Array.from(start);
  let value = acq.value(x);
  const gradientColumns: number[] = [];
  const discreteColumns: number[] = [];
  for (let k = 0; k < d; k++) {
    if (columns[k].count === 0) gradientColumns.push(k);
    else discreteColumns.push(k);
  }
  const CONTINUOUS = -1;
  let lastChanged: number | null = null;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (lastChanged === CONTINUOUS) break;
    // L-BFGS restarted from its own result while that still gains: a fresh start drops curvature
    // pairs gathered far away (up to 4 runs, which keeps continuous-only spaces as before).
    for (let run = 0; run < GRADIENT_RUNS; run++) {
      const v = gradientAscent(acq, columns, gradientColumns, x, value);
      const gained = v > value + 1e-9 * Math.max(1, Math.abs(value));
      if (v > value) {
        value = v;
        lastChanged = CONTINUOUS;
      }
      if (!gained) break;
    }
    for (const k of discreteColumns) {
      if (lastChanged === k) return { x, value };
      const column = columns[k];
      const w = column.categorical || column.count <= EXHAUSTIVE_MAX ? exhaustiveSearch(acq, column, k, x, value) : discreteLineSearch(acq, column, k, x, value);
      if (w > value) {
        value = w;
        lastChanged = k;
      }
    }
    if (lastChanged === null) break;
  }
  return { x, value };
}

/**
 * L-BFGS on the continuous columns of x, in coordinates scaled by the length scales (x = ℓ z), as
 * Optuna's `_gradient_ascent`: the kernel is then isotropic, which conditions the problem much
 * better. Updates x and returns the new value if it improved, else leaves x and returns `value`.
 */
function gradientAscent(acq: Acquisition, columns: readonly ColumnKind[], gradientColumns: readonly number[], x: Float64Array, value: number): number {
  const m = gradientColumns.length;
  if (m === 0) return value;
  const full = new Float64Array(x.length);
  const theta = acq.invSquaredLengthscales;
  const scale = Float64Array.from(gradientColumns, (k) => 1 / Math.sqrt(theta[k]));
  const lower = new Float64Array(m);
  const upper = Float64Array.from(scale, (l) => 1 / l);
  const sub = Float64Array.from(gradientColumns, (k, j) => x[k] / scale[j]);
  const trial = Float64Array.from(x);
  const result = minimizeLbfgs(
    (z, g) => {
      for (let j = 0; j < m; j++) trial[gradientColumns[j]] = Math.min(1, z[j] * scale[j]);
      const v = acq.valueAndGradient(trial, full);
      for (let j = 0; j < m; j++) g[j] = -full[gradientColumns[j]] * scale[j];
      return -v;
    },
    sub,
    { lower, upper, maxIterations: 40, gtol: 1e-4, ftol: 1e-8 },
  );
  for (let j = 0; j < m; j++) trial[gradientColumns[j]] = columns[gradientColumns[j]].snap(Math.min(1, result.x[j] * scale[j]));
  const v = acq.value(trial);
  if (!(v > value)) return value;
  x.set(trial);
  return v;
}

/** Tries every other value of discrete column k; keeps the best if it beats `value`. */
function exhaustiveSearch(acq: Acquisition, column: ColumnKind, k: number, x: Float64Array, value: number): number {
  const keep = x[k];
  let best = value;
  let bestPosition = keep;
  for (let i = 0; i < column.count; i++) {
    const p = column.position(i);
    if (p === keep) continue;
    x[k] = p;
    const v = acq.value(x);
    if (v > best) {
      best = v;
      bestPosition = p;
    }
  }
  x[k] = bestPosition;
  return best;
}

const GOLDEN_FRACTION = (3 - Math.sqrt(5)) / 2;

/**
 * Golden-section search over the grid indices of discrete column k (Kiefer 1953, on integers),
 * the discrete counterpart of Optuna's `_discrete_line_search` (Brent on the acquisition
 * interpolated between grid values): the bracket starts as (-1, current, count) with the ends
 * worth -∞, and shrinks by probing the larger side until the current best's neighbours are
 * both known to be no better. It finds a local maximum along the column in O(log count)
 * evaluations. Keeps it if it beats `value`.
 */
function discreteLineSearch(acq: Acquisition, column: ColumnKind, k: number, x: Float64Array, value: number): number {
  const keep = x[k];
  const current = column.nearest(keep);
  const at = (i: number): number => {
    x[k] = column.position(i);
    return acq.value(x);
  };
  let a = -1;
  let b = current;
  let c = column.count;
  let fb = value;
  while (c - a > 2) {
    if (b - a >= c - b) {
      const t = Math.min(b - 1, Math.max(a + 1, b - Math.round(GOLDEN_FRACTION * (b - a))));
      const ft = at(t);
      if (ft > fb) {
        c = b;
        b = t;
        fb = ft;
      } else a = t;
    } else {
      const t = Math.max(b + 1, Math.min(c - 1, b + Math.round(GOLDEN_FRACTION * (c - b))));
      const ft = at(t);
      if (ft > fb) {
        a = b;
        b = t;
        fb = ft;
      } else c = t;
    }
  }
  if (b !== current && fb > value) {
    x[k] = column.position(b);
    return fb;
  }
  x[k] = keep;
  return value;
}
