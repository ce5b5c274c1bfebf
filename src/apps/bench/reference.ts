/**
 * What a sampler's best value is measured against: the reference population of a search space.
 *
 * For the IB study that is the exhaustive grid (every grid point's objective value, infeasible
 * points counted as the worst); for a test function, whose continuous space has no grid, it is
 * the known optimum plus a seeded uniform sample of the space for percentiles and the top-1%
 * threshold.
 */
import type { StudyDirection } from '../../frozen-trial.js';

export type ReferenceKind = 'grid' | 'uniform-sample';

export class Reference {
  /** Values sorted best first; infeasible points are not in it but count in `size`. */
  private readonly sorted: Float64Array;

  /**
   * `values`: the objective value of each feasible point; `infeasible`: how many points are
   * infeasible (they rank below every feasible one); `optimum`: the known optimum when it is
   * not simply the best value (test functions).
   */
  constructor(
    readonly kind: ReferenceKind,
    readonly direction: StudyDirection,
    values: ArrayLike<number>,
    readonly infeasible = 0,
    optimum?: number,
  ) {
    const s = Float64Array.from(values);
    s.sort();
    if (direction === 'maximize') s.reverse();
    this.sorted = s;
    if (s.length === 0 && optimum === undefined) throw new Error('a reference needs at least one feasible point or a known optimum');
    this.optimum = optimum ?? s[0];
  }

  readonly optimum: number;

  /** All points, feasible or not. */
  get size(): number {
    return this.sorted.length + this.infeasible;
  }

  get feasibleCount(): number {
    return this.sorted.length;
  }

  /** True when `a` is at least as good as `b`. */
  atLeastAsGood(a: number, b: number): boolean {
    return this.direction === 'maximize' ? a >= b : a <= b;
  }

  /**
   * Percentile of `value` among the points: the share (0–100) of points it is at least as good
   * as. The grid optimum scores 100; a value no feasible point is worse than scores the share of
   * infeasible points. `null` (no feasible trial) scores 0.
   */
  percentile(value: number | null): number {
    if (value === null) return 0;
    // Points strictly better than `value`: binary search on the best-first order.
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.atLeastAsGood(value, this.sorted[mid])) hi = mid;
      else lo = mid + 1;
    }
    return (100 * (this.size - lo)) / this.size;
  }

  /**
   * The value a best must reach to be in the top `fraction` of the points: the value of the
   * ceil(fraction · size)-th best point (1-based). For 25,920 points and 1 %: the 260th best.
   */
  topThreshold(fraction = 0.01): number {
    const k = Math.max(1, Math.ceil(fraction * this.size));
    if (k > this.sorted.length) return this.direction === 'maximize' ? -Infinity : Infinity;
    return this.sorted[k - 1];
  }

  /**
   * Share of the optimum reached, in %: best/optimum for maximisation, optimum/best for
   * minimisation of positive values, best/optimum when both are negative; for an optimum of 0
   * there is no ratio and this returns null (report the regret instead).
   */
  percentOfOptimum(best: number | null): number | null {
    if (best === null) return null;
    const opt = this.optimum;
    if (opt === 0) return null;
    if (this.direction === 'maximize') return opt > 0 ? (100 * best) / opt : (100 * opt) / best;
    return opt > 0 ? (100 * opt) / best : (100 * best) / opt;
  }
}

/**
 * The first trial (1-based) whose best-so-far reaches `threshold`, or null if none in `curve`
 * does. `curve[i]` is the best feasible value after trial i+1 (NaN while there is none).
 */
export function trialsToReach(curve: ArrayLike<number>, threshold: number, direction: StudyDirection, limit = curve.length): number | null {
  for (let i = 0; i < Math.min(limit, curve.length); i++) {
    const v = curve[i];
    if (Number.isNaN(v)) continue;
    if (direction === 'maximize' ? v >= threshold : v <= threshold) return i + 1;
  }
  return null;
}
