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
import { lbfgsSteps } from './lbfgs.js';
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
  /**
   * Score only this many candidates exactly: those of largest Acquisition.upperBounds (where the
   * acquisition has them; default all). For many trials, where an exact score costs O(n²).
   */
  nExact?: number;
  /**
   * Run each local search on Acquisition.local(start, localSize), a model of the nearest
   * `localSize` trials (where the acquisition has it; default the full model), and judge its
   * result on the full one. For many trials, where each gradient costs O(n²).
   */
  localSize?: number;
}

/**
 * What the search maximises: a value at a point of the unit box (snapped coordinates) and its
 * gradient (log EI here, log EHVI for several objectives in ehvi.ts).
 */
export interface Acquisition {
  value(x: ArrayLike<number>): number;
  /** `value` at m points (m × d, row by row) into `out`; the same numbers, computed in batches where that is faster. */
  values(points: Float64Array, m: number, out: Float64Array): void;
  valueAndGradient(x: ArrayLike<number>, grad: Float64Array): number;
  /** `valueAndGradient` at m points (m × d) into `out` and `grads` (m × d); the same numbers. */
  valuesAndGradients(points: Float64Array, m: number, out: Float64Array, grads: Float64Array): void;
  /** Per column, the inverse squared length scale the gradient search scales its coordinates by. */
  readonly invSquaredLengthscales: Float64Array;
  /** Upper bounds of `value` at m points (m × d), much cheaper than the values (see AcquisitionOptions.nExact). */
  upperBounds?(points: Float64Array, m: number, out: Float64Array): void;
  /** The acquisition on a local model around `point` (see AcquisitionOptions.localSize). */
  local?(point: ArrayLike<number>, size: number): Acquisition;
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

  values(points: Float64Array, m: number, out: Float64Array): void {
    const means = new Float64Array(m);
    const variances = new Float64Array(m);
    this.gp.posteriors(points, m, means, variances);
    for (let i = 0; i < m; i++) out[i] = logEI(means[i], variances[i], this.f0).value;
  }

  valueAndGradient(x: ArrayLike<number>, grad: Float64Array): number {
    const [mean, variance] = this.gp.posteriorWithGradient(x, this.gradMean, this.gradVar);
    return this.withGradient(mean, variance, this.gradMean, this.gradVar, grad);
  }

  valuesAndGradients(points: Float64Array, m: number, out: Float64Array, grads: Float64Array): void {
    const d = this.gp.d;
    const means = new Float64Array(m);
    const variances = new Float64Array(m);
    const gradMeans = new Float64Array(m * d);
    const gradVars = new Float64Array(m * d);
    this.gp.posteriors(points, m, means, variances, gradMeans, gradVars);
    for (let i = 0; i < m; i++) {
      const row = (a: Float64Array): Float64Array => a.subarray(i * d, (i + 1) * d);
      out[i] = this.withGradient(means[i], variances[i], row(gradMeans), row(gradVars), row(grads));
    }
  }

  /** log EI is increasing in σ (∂EI/∂σ = φ(z) > 0), so a bound on the variance bounds it. */
  upperBounds(points: Float64Array, m: number, out: Float64Array): void {
    const means = new Float64Array(m);
    const variances = new Float64Array(m);
    this.gp.posteriorBounds(points, m, means, variances);
    for (let i = 0; i < m; i++) out[i] = logEI(means[i], variances[i], this.f0).value;
  }

  local(point: ArrayLike<number>, size: number): LogEI {
    return new LogEI(this.gp.local(point, size), this.f0);
  }

  /** log EI and its gradient (into `grad`) from the posterior and the posterior's gradients. */
  private withGradient(mean: number, variance: number, gradMean: Float64Array, gradVar: Float64Array, grad: Float64Array): number {
    const { value, dMean, dSigma } = logEI(mean, variance, this.f0);
    const sigma = Math.sqrt(Math.max(variance, 1e-300));
    // ∂σ/∂x = ∂σ²/∂x / (2σ).
    for (let k = 0; k < grad.length; k++) grad[k] = dMean * gradMean[k] + (dSigma * gradVar[k]) / (2 * sigma);
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
  const m = options.nPreliminary;
  const points = new Float64Array(m * d);
  for (let i = 0; i < m; i++) points.set(snapAll(sobol.point(i)), i * d);
  const xs: Float64Array[] = Array.from({ length: m }, (_, i) => points.subarray(i * d, (i + 1) * d));
  const values = new Float64Array(m);
  const nExact = options.nExact ?? m;
  if (nExact >= m || !acq.upperBounds) acq.values(points, m, values);
  else {
    // Exact scores for the candidates of largest upper bound; the others count as -∞ (they
    // are neither the best candidate nor a start of the local search).
    const bounds = new Float64Array(m);
    acq.upperBounds(points, m, bounds);
    const chosen = Array.from({ length: m }, (_, i) => i)
      .sort((a, b) => bounds[b] - bounds[a] || a - b)
      .slice(0, nExact)
      .sort((a, b) => a - b);
    const subset = new Float64Array(chosen.length * d);
    chosen.forEach((i, r) => subset.set(points.subarray(i * d, (i + 1) * d), r * d));
    const exact = new Float64Array(chosen.length);
    acq.values(subset, chosen.length, exact);
    values.fill(-Infinity);
    chosen.forEach((i, r) => (values[i] = exact[r]));
  }
  let bestIndex = Math.max(0, values.findIndex((v) => v > -Infinity));
  for (let i = bestIndex + 1; i < m; i++) if (values[i] > values[bestIndex]) bestIndex = i;
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
  let best: { x: Float64Array; value: number } = { x: xs[bestIndex], value: values[bestIndex] };
  const theta = acq.invSquaredLengthscales;
  const local = options.localSize !== undefined && acq.local ? acq.local.bind(acq) : null;
  const models = starts.map((start) => (local ? local(start, options.localSize!) : acq));
  const results = sideBySide(
    models,
    d,
    starts.map((start) => localSearch(columns, theta, start)),
  );
  for (const [i, result] of results.entries()) {
    // A local model's result is judged on the full one.
    if (models[i] !== acq) result.value = acq.value(result.x);
    if (result.value > best.value) best = result;
  }
  return best;
}

/**
 * A search step's request: the acquisition at x, with its gradient written into `gradient` when
 * that is given. The searches below are generators of such requests, so that sideBySide can run
 * several at once and evaluate their requests together.
 */
interface Request {
  readonly x: Float64Array;
  readonly gradient: Float64Array | null;
}

type Search<T> = Generator<Request, T, number>;

/**
 * Runs the searches side by side, each exactly as if alone: at each step the pending requests of
 * all of them are evaluated together (Acquisition.values and valuesAndGradients, which give the
 * same numbers as one at a time, faster: the GP's posteriors share each pass over its factor).
 */
function sideBySide<T>(acqs: readonly Acquisition[], d: number, searches: Search<T>[]): T[] {
  const results: T[] = new Array(searches.length);
  let steps = searches.map((s) => s.next());
  for (;;) {
    const open: number[] = [];
    steps.forEach((step, i) => {
      if (step.done) results[i] = step.value;
      else open.push(i);
    });
    if (open.length === 0) return results;
    const answers = new Float64Array(searches.length);
    for (const acq of new Set(open.map((i) => acqs[i]))) {
      for (const withGradient of [false, true]) {
        const asking = open.filter((i) => acqs[i] === acq && ((steps[i].value as Request).gradient !== null) === withGradient);
        if (asking.length === 0) continue;
        const points = new Float64Array(asking.length * d);
        asking.forEach((i, r) => points.set((steps[i].value as Request).x, r * d));
        const values = new Float64Array(asking.length);
        if (!withGradient) acq.values(points, asking.length, values);
        else {
          const grads = new Float64Array(asking.length * d);
          acq.valuesAndGradients(points, asking.length, values, grads);
          asking.forEach((i, r) => (steps[i].value as Request).gradient!.set(grads.subarray(r * d, (r + 1) * d)));
        }
        asking.forEach((i, r) => (answers[i] = values[r]));
      }
    }
    steps = steps.map((step, i) => (step.done ? step : searches[i].next(answers[i])));
  }
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
function* localSearch(columns: readonly ColumnKind[], theta: Float64Array, start: Float64Array): Search<{ x: Float64Array; value: number }> {
  const d = columns.length;
  const x = Float64Array.from(start);
  let value = yield { x, gradient: null };
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
      const v = yield* gradientAscent(columns, theta, gradientColumns, x, value);
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
      const w = column.categorical || column.count <= EXHAUSTIVE_MAX ? yield* exhaustiveSearch(column, k, x, value) : yield* discreteLineSearch(column, k, x, value);
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
function* gradientAscent(columns: readonly ColumnKind[], theta: Float64Array, gradientColumns: readonly number[], x: Float64Array, value: number): Search<number> {
  const m = gradientColumns.length;
  if (m === 0) return value;
  const full = new Float64Array(x.length);
  const scale = Float64Array.from(gradientColumns, (k) => 1 / Math.sqrt(theta[k]));
  const lower = new Float64Array(m);
  const upper = Float64Array.from(scale, (l) => 1 / l);
  const sub = Float64Array.from(gradientColumns, (k, j) => x[k] / scale[j]);
  const trial = Float64Array.from(x);
  const steps = lbfgsSteps(sub, { lower, upper, maxIterations: 40, gtol: 1e-4, ftol: 1e-8 });
  let step = steps.next();
  while (!step.done) {
    const z = step.value;
    for (let j = 0; j < m; j++) trial[gradientColumns[j]] = Math.min(1, z[j] * scale[j]);
    const v = yield { x: trial, gradient: full };
    const g = new Float64Array(m);
    for (let j = 0; j < m; j++) g[j] = -full[gradientColumns[j]] * scale[j];
    step = steps.next({ f: -v, grad: g });
  }
  const result = step.value;
  for (let j = 0; j < m; j++) trial[gradientColumns[j]] = columns[gradientColumns[j]].snap(Math.min(1, result.x[j] * scale[j]));
  const v = yield { x: trial, gradient: null };
  if (!(v > value)) return value;
  x.set(trial);
  return v;
}

/** Tries every other value of discrete column k; keeps the best if it beats `value`. */
function* exhaustiveSearch(column: ColumnKind, k: number, x: Float64Array, value: number): Search<number> {
  const keep = x[k];
  let best = value;
  let bestPosition = keep;
  for (let i = 0; i < column.count; i++) {
    const p = column.position(i);
    if (p === keep) continue;
    x[k] = p;
    const v = yield { x, gradient: null };
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
function* discreteLineSearch(column: ColumnKind, k: number, x: Float64Array, value: number): Search<number> {
  const keep = x[k];
  const current = column.nearest(keep);
  function* at(i: number): Search<number> {
    x[k] = column.position(i);
    return yield { x, gradient: null };
  }
  let a = -1;
  let b = current;
  let c = column.count;
  let fb = value;
  while (c - a > 2) {
    if (b - a >= c - b) {
      const t = Math.min(b - 1, Math.max(a + 1, b - Math.round(GOLDEN_FRACTION * (b - a))));
      const ft = yield* at(t);
      if (ft > fb) {
        c = b;
        b = t;
        fb = ft;
      } else a = t;
    } else {
      const t = Math.max(b + 1, Math.min(c - 1, b + Math.round(GOLDEN_FRACTION * (c - b))));
      const ft = yield* at(t);
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
