/**
 * The one-sample Wilcoxon signed-rank test on paired differences, as SciPy's
 * `scipy.stats.wilcoxon(d, zero_method="zsplit", correction=False, method="auto")` computes it
 * (SciPy 1.15 to 1.18, `scipy/stats/_wilcoxon.py`), which is what Optuna's WilcoxonPruner calls.
 *
 * The statistic is R+, the sum of the ranks of |d| (average ranks for ties) over the positive
 * differences; with "zsplit", zero differences are ranked with the others and half their rank sum
 * is added to R+. The p-value comes from, as SciPy's `method="auto"` chooses:
 *
 * - more than 50 differences: the normal approximation;
 * - else, no ties among |d| and no zeros: the exact null distribution of R+ (each difference's
 *   sign + or - with probability 1/2), P(R+ <= ceil(r)) for "less", P(R+ >= floor(r)) for "greater";
 * - else, at most 13 differences: SciPy's exhaustive permutation test (`permutation_test` with
 *   `permutation_type="samples"`, all 2^n sign flips, no +1 adjustment since it is exact);
 * - else the normal approximation: z = (R+ - n(n+1)/4) / se with
 *   se = sqrt((n(n+1)(2n+1) - Σ(t³ - t)/2) / 24), t running over the sizes of the groups of tied
 *   |d| (zeros included), no continuity correction unless asked; p = Φ(z) for "less", Φ(-z)
 *   for "greater".
 *
 * Exact and permutation p-values are counts over 2^n sign patterns; every partial sum SciPy forms
 * is a multiple of 2^-n (ranks are multiples of 1/2), so the counting here gives the same double.
 */
import { ndtr as normalCdf } from '../normal-distribution.js';

export type Alternative = 'less' | 'greater' | 'two-sided';

/** How SciPy's method="auto" computed the p-value. */
export type SignedRankMethod = 'exact' | 'permutation' | 'asymptotic';

export interface SignedRankResult {
  /** R+ (with half the zeros' ranks) for one-sided tests; min(R+, R-) for two-sided, as SciPy. */
  statistic: number;
  pvalue: number;
  method: SignedRankMethod;
}

export interface SignedRankOptions {
  /** Default 'two-sided', as SciPy. */
  alternative?: Alternative;
  /** Continuity correction of the normal approximation. Default false, as SciPy. */
  correction?: boolean;
}

/** SciPy's limits for method="auto". */
const EXACT_MAX_N = 50;
const PERMUTATION_MAX_N = 13;

/**
 * The Wilcoxon signed-rank test of the differences `d` against a distribution symmetric about 0,
 * with zeros split ("zsplit"). "greater": the alternative that d is shifted above 0.
 * NaN in `d`, or no differences at all, gives a NaN p-value (SciPy's nan_policy="propagate").
 */
export function wilcoxonSignedRank(d: readonly number[], options: SignedRankOptions = {}): SignedRankResult {
  const alternative = options.alternative ?? 'two-sided';
  const n = d.length;
  if (n === 0 || d.some((x) => Number.isNaN(x))) return { statistic: Number.NaN, pvalue: Number.NaN, method: 'asymptotic' };

  const { ranks, tieSizes } = averageRanks(d.map(Math.abs));
  let rPlus = 0;
  let rMinus = 0;
  let rZero = 0;
  for (let i = 0; i < n; i++) {
    if (d[i] > 0) rPlus += ranks[i];
    else if (d[i] < 0) rMinus += ranks[i];
    else rZero += ranks[i];
  }
  rPlus += rZero / 2;
  rMinus += rZero / 2;
  const statistic = alternative === 'two-sided' ? Math.min(rPlus, rMinus) : rPlus;
  const hasZeros = d.some((x) => x === 0);
  const hasTies = tieSizes.some((t) => t > 1);

  let method: SignedRankMethod;
  if (n > EXACT_MAX_N) method = 'asymptotic';
  else if (!hasTies && !hasZeros) method = 'exact';
  else if (n <= PERMUTATION_MAX_N) method = 'permutation';
  else method = 'asymptotic';

  if (method === 'asymptotic') {
    const mean = n * (n + 1) * 0.25;
    const tieCorrection = tieSizes.reduce((s, t) => s + (t * t * t - t), 0);
    const se = Math.sqrt((n * (n + 1) * (2 * n + 1) - tieCorrection / 2) / 24);
    let z = (rPlus - mean) / se;
    if (options.correction) {
      const sign = alternative === 'greater' ? 1 : alternative === 'less' ? -1 : Math.sign(z);
      z -= (sign * 0.5) / se;
    }
    const pvalue =
      alternative === 'less' ? normalCdf(z) : alternative === 'greater' ? normalCdf(-z) : 2 * normalCdf(-Math.abs(z));
    return { statistic, pvalue, method };
  }

  // Null distribution of R+ over the 2^m sign patterns of the m nonzero differences, on doubled
  // ranks (integers). Zeros add the same rZero/2 to every pattern, so they drop out of the
  // comparison; each counts twice in SciPy's 2^n patterns, which leaves the ratio unchanged.
  const weights: number[] = [];
  for (let i = 0; i < n; i++) if (d[i] !== 0) weights.push(2 * ranks[i]);
  const counts = subsetSumCounts(weights);
  const total = 2 ** weights.length;
  const observed = 2 * (rPlus - rZero / 2);
  // The exact method rounds a non-integral R+ toward the tail (conservative); without ties and
  // zeros R+ is an integer anyway. The permutation test compares the doubled sums directly.
  const atMost = (x: number) => countWhere(counts, (s) => s <= x) / total;
  const atLeast = (x: number) => countWhere(counts, (s) => s >= x) / total;
  const lessP = method === 'exact' ? atMost(2 * Math.ceil(observed / 2)) : atMost(observed);
  const greaterP = method === 'exact' ? atLeast(2 * Math.floor(observed / 2)) : atLeast(observed);
  const pvalue = alternative === 'less' ? lessP : alternative === 'greater' ? greaterP : Math.min(1, 2 * Math.min(lessP, greaterP));
  return { statistic, pvalue, method };
}

/**
 * Average ranks (1-based) of `values`, and the sizes of the groups of equal values (SciPy's
 * `rankdata(method="average")` and its tie counts).
 */
function averageRanks(values: readonly number[]): { ranks: number[]; tieSizes: number[] } {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b] || a - b);
  const ranks = new Array<number>(values.length);
  const tieSizes: number[] = [];
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    const rank = start + 1 + (end - start - 1) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    tieSizes.push(end - start);
    start = end;
  }
  return { ranks, tieSizes };
}

/** counts[s] = how many subsets of the (non-negative integer) weights sum to s. */
function subsetSumCounts(weights: readonly number[]): Float64Array {
  const max = weights.reduce((a, b) => a + b, 0);
  let counts = new Float64Array(max + 1);
  counts[0] = 1;
  let reach = 0;
  for (const w of weights) {
    const next = counts.slice();
    for (let s = 0; s <= reach; s++) if (counts[s]) next[s + w] += counts[s];
    counts = next;
    reach += w;
  }
  return counts;
}

function countWhere(counts: Float64Array, test: (sum: number) => boolean): number {
  let c = 0;
  for (let s = 0; s < counts.length; s++) if (counts[s] && test(s)) c += counts[s];
  return c;
}
