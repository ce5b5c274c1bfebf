/**
 * Log expected hypervolume improvement (LogEHVI), the GP sampler's acquisition on several
 * objectives, as Optuna's `_gp/acqf.py` `LogEHVI`:
 *
 *   EHVI(x) = E[HVI(Y(x))] ≈ (1/S) Σ_s Σ_b Π_k clamp(Y_sk - l_bk, ε, u_bk - l_bk)
 *
 * (Daulton et al. 2020, "Differentiable Expected Hypervolume Improvement", eq. 1, with the
 * non-dominated region cut into disjoint boxes [l_b, u_b], box-decomposition.ts), where
 * Y_sk = μ_k(x) + σ_k(x) ξ_sk are S joint posterior samples of the objectives drawn from one
 * independent GP per objective (scores to maximise) with fixed quasi-random normal deviates ξ
 * (scrambled Sobol through Φ⁻¹, as BoTorch/Optuna: fixed samples make EHVI a deterministic,
 * differentiable function of x, and Sobol estimates it with less noise, Daulton et al. app. D).
 * The clamp at ε instead of 0 keeps the logarithm and the gradient finite where no sample
 * improves; the log (Ament et al. 2023, "Unexpected Improvements to Expected Improvement") keeps
 * the acquisition's range usable for the search, as log EI does for one objective.
 *
 * The reference point is the current front's nadir pushed out by 10% of the front's range
 * (BoTorch's choice; Optuna's is the worst observed value: see ehviReferencePoint for why).
 */
import { ndtri } from '../../src/normal-distribution.js';
import { Rng } from '../../src/rng.js';
import { SobolSequence } from '../qmc/sobol.js';
import type { Acquisition } from './acquisition.js';
import { nonDominated } from '../../src/hypervolume.js';
import { type BoxSet, nonDominatedBoxes } from './box-decomposition.js';
import type { GPRegressor } from './gp.js';

/** Optuna's floor of a box side (`_EPS`): log and gradient stay finite where nothing improves. */
const EPS = 1e-12;
/** Added to the posterior variance before its square root (Optuna's `stabilizing_noise`). */
const STABILIZING_NOISE = 1e-12;
/** Posterior samples per evaluation (BoTorch's and Optuna's default). */
export const DEFAULT_EHVI_SAMPLES = 128;

/**
 * How the improvement's reference point is chosen: `front`, the Pareto front's nadir plus 10% of
 * its range (BoTorch; the default), or `observed`, the worst observed value (Optuna).
 */
export type EhviReference = 'front' | 'observed';

/** The next double above x (x finite). */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigInt64(0);
  view.setBigInt64(0, x > 0 ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}

/**
 * The reference point of the improvement, in loss terms (minimisation), by default as BoTorch's
 * `infer_reference_point` (after Ishibuchi et al. 2018, "How to specify a reference point in
 * hypervolume calculation for fair performance comparison"): the nadir of the current Pareto
 * front moved outwards by 10% of the front's range in each objective. Where the front has no
 * range in an objective (a single point: one trial dominating all others, as ZDT2's (0, 1)),
 * that rule would leave a box too small to improve in, and the search would stall on the ε floor
 * (ZDT2: 9.90, that one point's hypervolume, on all 5 seeds of a first run); there the objective
 * takes Optuna's rule instead.
 *
 * Optuna's rule (`rule` 'observed') is the worst loss r of all trials, max(1.1 r, 0.9 r). With
 * it, a point on the edge of the objective space (one objective at its floor, e.g. DTLZ2's
 * x₀ = 1, where two objectives are 0) opens a slab as wide as the whole observed range, and the
 * search spends its trials on such edges: DTLZ2 at 100 trials, seeds 0 and 1, hypervolume 0.25
 * and 0.38 with it against 0.27 for random search's median, 0.67 and 0.64 with the front's nadir
 * (docs/bench-multi-objective.md, "GP on several objectives").
 */
export function ehviReferencePoint(losses: readonly (readonly number[])[], rule: EhviReference = 'front'): number[] {
  const m = losses[0].length;
  const out: number[] = [];
  // Optuna's `_get_reference_point`: np.nextafter(max(1.1 r, 0.9 r), inf) of the worst loss r.
  const observed = (k: number): number => {
    let worst = -Infinity;
    for (const l of losses) worst = Math.max(worst, l[k]);
    return nextUp(Math.max(1.1 * worst, 0.9 * worst));
  };
  if (rule === 'observed') return Array.from({ length: m }, (_, k) => observed(k));
  const front = nonDominated(losses.map((row) => [...row]));
  for (let k = 0; k < m; k++) {
    let worst = -Infinity;
    let best = Infinity;
    for (const p of front) {
      worst = Math.max(worst, p[k]);
      best = Math.min(best, p[k]);
    }
    const range = worst - best;
    out.push(range > 0 ? worst + 0.1 * range : observed(k));
  }
  return out;
}

/** S × m standard normal deviates: scrambled Sobol points through Φ⁻¹. */
export function normalSobolSamples(m: number, nSamples: number, seed: number): Float64Array {
  const sobol = new SobolSequence(m, { scramble: true, seed: new Rng(seed) });
  const out = new Float64Array(nSamples * m);
  const u = new Float64Array(m);
  for (let s = 0; s < nSamples; s++) {
    sobol.point(s, u);
    // A scrambled point is never exactly 0; guard against the infinite deviate anyway.
    for (let k = 0; k < m; k++) out[s * m + k] = ndtri(Math.min(Math.max(u[k], 1e-16), 1 - 1e-16));
  }
  return out;
}

export interface LogEHVIOptions {
  /** Posterior samples (default 128). */
  nSamples?: number;
  /** Seed of the Sobol scrambling. */
  seed: number;
  /** The reference point's rule (default 'front'). */
  reference?: EhviReference;
}

/**
 * LogEHVI at x (snapped coordinates), with its gradient, for the acquisition search of
 * acquisition.ts. `scores` are the observed standardised scores (to maximise), one row per trial
 * and one column per objective and GP: the trials that define the current front and the reference
 * point (the feasible ones).
 */
export class LogEHVI implements Acquisition {
  readonly invSquaredLengthscales: Float64Array;
  /** Box lower bounds in score terms (maximisation), b * m + k. */
  private readonly lower: Float64Array;
  /** Box side lengths (u - l; +∞ for a side unbounded above). */
  private readonly interval: Float64Array;
  private readonly nBoxes: number;
  private readonly m: number;
  private readonly nSamples: number;
  private readonly xi: Float64Array;
  private readonly work: Float64Array;
  private readonly mean: Float64Array;
  private readonly sigma: Float64Array;
  private readonly gradMean: Float64Array[];
  private readonly gradVar: Float64Array[];
  private readonly dMean: Float64Array;
  private readonly dSigma: Float64Array;
  private readonly diff: Float64Array;
  /** The posterior samples Y_sk of the last evaluation. */
  private readonly y: Float64Array;

  constructor(
    readonly gps: readonly GPRegressor[],
    scores: readonly (readonly number[])[],
    options: LogEHVIOptions,
  ) {
    const m = gps.length;
    this.m = m;
    const losses = scores.map((row) => row.map((v) => -v));
    const boxes: BoxSet = nonDominatedBoxes(losses, ehviReferencePoint(losses, options.reference));
    // Loss box [l, u) is score box (-u, -l]: the score box's lower bound is -u (finite), its
    // side u - l (infinite where l = -∞).
    this.nBoxes = boxes.count;
    this.lower = boxes.upper.map((u) => -u);
    this.interval = boxes.upper.map((u, i) => Math.max(u - boxes.lower[i], EPS));
    this.nSamples = options.nSamples ?? DEFAULT_EHVI_SAMPLES;
    this.xi = normalSobolSamples(m, this.nSamples, options.seed);
    // The acquisition search scales its coordinates by the length scales: with several GPs, by
    // their mean (as Optuna: all objectives weigh the same).
    const d = gps[0].d;
    this.invSquaredLengthscales = new Float64Array(d);
    for (const gp of gps) for (let j = 0; j < d; j++) this.invSquaredLengthscales[j] += gp.params.invSquaredLengthscales[j] / m;
    this.work = new Float64Array(2 * gps[0].n);
    this.mean = new Float64Array(m);
    this.sigma = new Float64Array(m);
    this.gradMean = gps.map(() => new Float64Array(d));
    this.gradVar = gps.map(() => new Float64Array(d));
    this.dMean = new Float64Array(m);
    this.dSigma = new Float64Array(m);
    this.diff = new Float64Array(m);
    this.y = new Float64Array(this.nSamples * m);
  }

  value(x: ArrayLike<number>): number {
    for (let k = 0; k < this.m; k++) {
      const [mean, variance] = this.gps[k].posterior(x, this.work);
      this.mean[k] = mean;
      this.sigma[k] = Math.sqrt(variance + STABILIZING_NOISE);
    }
    return this.evaluate(false);
  }

  values(points: Float64Array, m: number, out: Float64Array): void {
    const d = this.gps[0].d;
    for (let i = 0; i < m; i++) out[i] = this.value(points.subarray(i * d, (i + 1) * d));
  }

  valuesAndGradients(points: Float64Array, m: number, out: Float64Array, grads: Float64Array): void {
    const d = this.gps[0].d;
    for (let i = 0; i < m; i++) out[i] = this.valueAndGradient(points.subarray(i * d, (i + 1) * d), grads.subarray(i * d, (i + 1) * d));
  }

  valueAndGradient(x: ArrayLike<number>, grad: Float64Array): number {
    for (let k = 0; k < this.m; k++) {
      const [mean, variance] = this.gps[k].posteriorWithGradient(x, this.gradMean[k], this.gradVar[k]);
      this.mean[k] = mean;
      this.sigma[k] = Math.sqrt(variance + STABILIZING_NOISE);
    }
    const value = this.evaluate(true);
    // ∂σ/∂x = ∂σ²/∂x / (2σ).
    grad.fill(0);
    for (let k = 0; k < this.m; k++) {
      const gm = this.gradMean[k];
      const gv = this.gradVar[k];
      const a = this.dMean[k];
      const b = this.dSigma[k] / (2 * this.sigma[k]);
      for (let j = 0; j < grad.length; j++) grad[j] += a * gm[j] + b * gv[j];
    }
    return value;
  }

  /**
   * log((1/S) Σ_s Σ_b Π_k clamp(μ_k + σ_k ξ_sk - l_bk, ε, u_bk - l_bk)) from this.mean and
   * this.sigma; with `withGradient`, its derivatives with respect to μ_k and σ_k into dMean and
   * dSigma. The sum is taken in linear space: every term is at least ε^m (1e-36 for three
   * objectives), far from underflow, and one log per evaluation instead of one per term.
   */
  private evaluate(withGradient: boolean): number {
    const { m, nBoxes, lower, interval, xi, mean, sigma, y, dMean, dSigma } = this;
    const nSamples = this.nSamples;
    for (let s = 0; s < nSamples; s++) for (let k = 0; k < m; k++) y[s * m + k] = mean[k] + sigma[k] * xi[s * m + k];
    // One pass: each box's clamped product, and with the gradient its partials: ∂/∂Y_sk of a
    // box's product is the other sides' product where the clamp is not active; ∂Y_sk/∂μ_k = 1,
    // ∂Y_sk/∂σ_k = ξ_sk; divided by the total at the end, for the log.
    if (withGradient) {
      dMean.fill(0);
      dSigma.fill(0);
    }
    const diff = this.diff;
    let total = 0;
    for (let s = 0; s < nSamples; s++) {
      const row = s * m;
      for (let b = 0, base = 0; b < nBoxes; b++, base += m) {
        let product = 1;
        for (let k = 0; k < m; k++) {
          const raw = y[row + k] - lower[base + k];
          const side = interval[base + k];
          const v = raw < EPS ? EPS : raw > side ? side : raw;
          diff[k] = v === raw ? v : -v; // negative: clamped, no derivative
          product *= v;
        }
        total += product;
        if (!withGradient) continue;
        for (let k = 0; k < m; k++) {
          if (diff[k] < 0) continue;
          const partial = product / diff[k];
          dMean[k] += partial;
          dSigma[k] += partial * xi[row + k];
        }
      }
    }
    if (withGradient) {
      for (let k = 0; k < m; k++) {
        dMean[k] /= total;
        dSigma[k] /= total;
      }
    }
    return Math.log(total / nSamples);
  }
}
