/**
 * CMA-ES with margin (CMAwM) for mixed-integer search: R. Hamano, S. Saito, M. Nomura, S. Shirakawa,
 * "CMA-ES with Margin: Lower-Bounding Marginal Probability for Mixed-Integer Black-Box
 * Optimization" (GECCO 2022, arXiv:2205.13482), as the `cmaes` library's `CMAwM`.
 *
 * Discrete coordinates (a positive `steps[i]`) take the values lower[i], lower[i] + step, ...,
 * upper[i]. Plain CMA-ES on rounded values stalls once sigma is small: every sample rounds to the
 * same integer. The margin keeps the probability of moving to a neighbouring value at least
 * `margin` / 2 per side, by correcting the mean and a per-coordinate scale A after each update.
 *
 * `ask` returns the raw point (what `tell` must receive); `encode` maps it to the discrete values
 * (what the objective sees). Without discrete coordinates this is exactly CMA-ES: same draws,
 * same updates.
 */
import { UsageError } from '../../src/errors.js';
import type { Rng } from '../../src/rng.js';
import { type AskTellOptimizer, CMA, type CmaOptions, type CmaState, type Solution } from './cma.js';
import { ndtr } from '../../src/normal-distribution.js';
import { chi2Ppf1 } from './normal.js';

export interface CmaWithMarginOptions extends Omit<CmaOptions, 'bounds'> {
  bounds: { lower: ArrayLike<number>; upper: ArrayLike<number> };
  /** Step of each coordinate; 0 for a continuous one. */
  steps: ArrayLike<number>;
  /** Lower bound on the marginal probability of leaving the mean's value; default 1 / (n lambda). */
  margin?: number;
}

export interface CmaWithMarginState {
  readonly kind: 'cmawm';
  cma: CmaState;
  lower: number[];
  upper: number[];
  steps: number[];
  margin: number;
  A: number[];
}

/** Index of the first threshold >= x (numpy's searchsorted, side 'left'). */
function searchSorted(thresholds: Float64Array, x: number): number {
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (thresholds[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class CMAwM implements AskTellOptimizer {
  readonly cma: CMA;
  readonly margin: number;
  private readonly lower: Float64Array;
  private readonly upper: Float64Array;
  private readonly steps: Float64Array;
  private readonly discrete: number[];
  private readonly continuous: number[];
  /** Per discrete coordinate: its values and the midpoints between them. */
  private readonly zSpace: Float64Array[];
  private readonly zLim: Float64Array[];
  /** Scale of each coordinate's deviation from the mean before encoding (1 for continuous ones). */
  A: Float64Array;

  constructor(options: CmaWithMarginOptions) {
    const { bounds, steps, margin, ...rest } = options;
    // The inner CMA samples unbounded: only continuous coordinates are resampled / clipped here.
    this.cma = new CMA({ ...rest, bounds: null });
    const n = this.cma.dim;
    if (steps.length !== n || bounds.lower.length !== n || bounds.upper.length !== n) {
      throw new UsageError(`bounds and steps must have ${n} entries each (one per coordinate)`);
    }
    this.lower = Float64Array.from(bounds.lower);
    this.upper = Float64Array.from(bounds.upper);
    this.steps = Float64Array.from(steps);
    this.discrete = [];
    this.continuous = [];
    this.zSpace = [];
    this.zLim = [];
    for (let i = 0; i < n; i++) {
      if (this.steps[i] > 0) {
        const count = Math.round((this.upper[i] - this.lower[i]) / this.steps[i]) + 1;
        if (count < 2) throw new UsageError(`discrete coordinate ${i} must take at least two values`);
        const values = Float64Array.from({ length: count }, (_, k) => this.lower[i] + k * this.steps[i]);
        this.discrete.push(i);
        this.zSpace.push(values);
        this.zLim.push(Float64Array.from({ length: count - 1 }, (_, k) => (values[k] + values[k + 1]) / 2));
      } else {
        this.continuous.push(i);
        if (!(this.lower[i] <= this.cma.mean[i] && this.cma.mean[i] <= this.upper[i])) {
          throw new UsageError(`\`lower <= mean <= upper\` must hold in coordinate ${i}, but got (lower=${this.lower[i]}, mean=${this.cma.mean[i]}, upper=${this.upper[i]})`);
        }
      }
    }
    this.margin = margin ?? 1 / (n * this.cma.populationSize);
    if (!(this.margin > 0 && this.margin < 0.5)) throw new UsageError(`\`0 < margin < 0.5\` must hold, but got margin=${this.margin}`);
    this.A = new Float64Array(n).fill(1);
  }

  get dim(): number {
    return this.cma.dim;
  }

  get populationSize(): number {
    return this.cma.populationSize;
  }

  get generation(): number {
    return this.cma.generation;
  }

  get mean(): Float64Array {
    return this.cma.mean;
  }

  get nDiscrete(): number {
    return this.discrete.length;
  }

  reseedRng(seed?: number): void {
    this.cma.reseedRng(seed);
  }

  /** A raw candidate: continuous coordinates inside the bounds (resampled, then clipped). */
  ask(rng?: Rng): Float64Array {
    for (let i = 0; i < this.cma.nMaxResampling; i++) {
      const x = this.cma.sampleSolution(rng);
      if (this.continuousFeasible(x)) return x;
    }
    const x = this.cma.sampleSolution(rng);
    for (const i of this.continuous) x[i] = Math.min(this.upper[i], Math.max(this.lower[i], x[i]));
    return x;
  }

  private continuousFeasible(x: Float64Array): boolean {
    for (const i of this.continuous) if (!(x[i] >= this.lower[i] && x[i] <= this.upper[i])) return false;
    return true;
  }

  /** The point to evaluate: discrete coordinates moved to their value, (x - m) A + m rounded to the grid. */
  encode(raw: ArrayLike<number>): Float64Array {
    const x = Float64Array.from(raw);
    const m = this.cma.mean;
    for (let d = 0; d < this.discrete.length; d++) {
      const i = this.discrete[d];
      const scaled = (raw[i] - m[i]) * this.A[i] + m[i];
      x[i] = this.zSpace[d][searchSorted(this.zLim[d], scaled)];
    }
    return x;
  }

  tell(solutions: Solution[]): void {
    this.cma.tell(solutions);
    if (this.discrete.length === 0) return;
    const mean = this.cma.mean;
    const sigma = this.cma.sigma;
    const C = this.cma.C;
    const n = this.dim;
    const margin = this.margin;
    const chiMargin = chi2Ppf1(1 - 2 * margin);
    for (let d = 0; d < this.discrete.length; d++) {
      const i = this.discrete[d];
      const zLim = this.zLim[d];
      const last = zLim.length - 1;
      // The thresholds either side of the mean.
      const pos = searchSorted(zLim, mean[i]);
      const mLow = zLim[Math.min(last, Math.max(0, pos - 1))];
      const mUp = zLim[Math.min(last, Math.max(0, pos))];
      const cii = C[i * n + i];
      const zScale = sigma * this.A[i] * Math.sqrt(cii);
      // Marginal probabilities of falling below mLow and above mUp.
      let lowCdf = ndtr((mLow - mean[i]) / zScale);
      let upCdf = 1 - ndtr((mUp - mean[i]) / zScale);
      const midCdf = 1 - (lowCdf + upCdf);
      const edge = Math.max(lowCdf, upCdf) > 0.5;
      if (edge && Math.min(lowCdf, upCdf) < margin) {
        // The mean sits on the first or last value: move it so that the probability of the
        // neighbouring value is the margin (eq. 11 of Hamano et al.).
        const sign = Math.sign(mean[i] - mUp);
        mean[i] = mUp + sign * sigma * this.A[i] * Math.sqrt(chiMargin * cii);
      }
      // Lift both tail probabilities to at least margin / 2 (eq. 12, 13).
      lowCdf = Math.max(lowCdf, margin / 2);
      upCdf = Math.max(upCdf, margin / 2);
      const denom = lowCdf + midCdf + upCdf - (3 * margin) / 2;
      const excess = 1 - lowCdf - upCdf - midCdf;
      const modLow = clip(lowCdf + (excess * (lowCdf - margin / 2)) / denom, 1e-10, 0.5 - 1e-10);
      const modUp = clip(upCdf + (excess * (upCdf - margin / 2)) / denom, 1e-10, 0.5 - 1e-10);
      if (!edge) {
        // Solve for A and m so that P(below mLow) = modLow and P(above mUp) = modUp (eq. 14).
        const chiLow = Math.sqrt(chi2Ppf1(1 - 2 * modLow));
        const chiUp = Math.sqrt(chi2Ppf1(1 - 2 * modUp));
        this.A[i] = (mUp - mLow) / ((chiLow + chiUp) * sigma * Math.sqrt(cii));
        mean[i] = (mLow * chiUp + mUp * chiLow) / (chiLow + chiUp);
      }
    }
  }

  shouldStop(): boolean {
    return this.cma.shouldStop();
  }

  toJSON(): CmaWithMarginState {
    return {
      kind: 'cmawm',
      cma: this.cma.toJSON(),
      lower: Array.from(this.lower),
      upper: Array.from(this.upper),
      steps: Array.from(this.steps),
      margin: this.margin,
      A: Array.from(this.A),
    };
  }

  static fromJSON(state: CmaWithMarginState): CMAwM {
    if (state.kind !== 'cmawm') throw new UsageError(`not a CMAwM state: kind '${(state as { kind: string }).kind}'`);
    // Build around a throwaway mean inside the bounds, then put the real inner state in.
    const mid = state.lower.map((lo, i) => (lo + state.upper[i]) / 2);
    const wm = new CMAwM({
      mean: mid,
      sigma: 1,
      populationSize: state.cma.populationSize,
      bounds: { lower: state.lower, upper: state.upper },
      steps: state.steps,
      margin: state.margin,
    });
    (wm as { cma: CMA }).cma = CMA.fromJSON(state.cma);
    wm.A = Float64Array.from(state.A);
    return wm;
  }
}

function clip(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

