/**
 * The probabilistic and the deflated Sharpe ratio: how likely the best Sharpe ratio of a search
 * is to be real, given how long the track record is, how far from normal its returns are, and
 * how many trials the search made to find it. A study of 500 trials that keeps the best one
 * reports a Sharpe ratio inflated by the selection; the DSR measures it against the best that
 * luck alone would have given.
 *
 * All Sharpe ratios are per period (per day for daily returns), not annualized; skewness and
 * kurtosis as in sharpe-ratio.ts (kurtosis non-excess: 3 for normal returns).
 *
 *   PSR   D. H. Bailey and M. López de Prado, "The Sharpe Ratio Efficient Frontier", Journal of
 *         Risk 15(2), 2012, the probabilistic Sharpe ratio:
 *           PSR(SR*) = Φ( (SR - SR*) √(n - 1) / √(1 - γ3·SR + (γ4 - 1)/4 · SR²) )
 *   SR0   D. H. Bailey and M. López de Prado, "The Deflated Sharpe Ratio: Correcting for
 *         Selection Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio
 *         Management 40(5), 2014: the expected maximum of N independent Sharpe ratio estimates
 *         whose true value is 0 and whose variance across trials is V (their approximation from
 *         extreme value theory, γ the Euler-Mascheroni constant, e Euler's number):
 *           SR0 = √V · ( (1 - γ) Φ⁻¹(1 - 1/N) + γ Φ⁻¹(1 - 1/(N e)) )
 *   DSR   ibid.: the PSR against that benchmark, DSR = PSR(SR0).
 *   N     with correlated trials, the number of effectively independent ones from the average
 *         pairwise correlation ρ̄ of the trials' returns: N̂ = ρ̄ + (1 - ρ̄)·M for M trials
 *         (the average-correlation estimate of independent trials that accompanies the DSR in
 *         Bailey and López de Prado's work; López de Prado and Lewis, "Detection of false
 *         investment strategies using unsupervised learning methods", Quantitative Finance
 *         19(9), 2019, discuss it and replace it by clustering the trials). It interpolates
 *         linearly between M independent trials (ρ̄ = 0) and a single one (ρ̄ = 1); it is a
 *         heuristic, not a derivation, so report it next to the raw M.
 */
import { UsageError } from '../errors.js';
import { ndtr as normalCdf, ndtri as normalQuantile } from '../normal-distribution.js';

/** The Euler-Mascheroni constant γ. */
const EULER_MASCHERONI = 0.5772156649015329;

/**
 * The PSR's standardized statistic (SR - SR*) √(n - 1) / √(1 - γ3·SR + (γ4 - 1)/4 · SR²): the
 * distance of the observed from the benchmark Sharpe ratio in standard errors of the estimate
 * under non-normal returns (Bailey and López de Prado 2012).
 */
export function probabilisticSharpeZ(sr: number, srBenchmark: number, n: number, skew: number, kurtosis: number): number {
  for (const [name, value] of [
    ['sharpe', sr],
    ['benchmark Sharpe', srBenchmark],
    ['skewness', skew],
    ['kurtosis', kurtosis],
  ] as const) {
    if (!Number.isFinite(value)) throw new UsageError(`${name}: must be a finite number, but got ${value}: compute it from a series that varies`);
  }
  if (!(n >= 2)) throw new UsageError(`number of observations: the PSR needs at least 2 return periods, but got ${n}: give the length of the return series`);
  // 1 - γ3 SR + (γ4 - 1)/4 SR² >= (1 - γ3 SR/2)² >= 0 whenever γ4 >= 1 + γ3², which holds for
  // every distribution (Pearson's inequality); a smaller kurtosis is most likely an excess one.
  const variance = 1 - skew * sr + ((kurtosis - 1) / 4) * sr * sr;
  if (!(variance > 0)) {
    throw new UsageError(
      `kurtosis: ${kurtosis} with skewness ${skew} is no distribution's (the kurtosis is at least 1 + skewness²): pass the plain kurtosis (3 for normal returns), not the excess kurtosis`,
    );
  }
  return ((sr - srBenchmark) * Math.sqrt(n - 1)) / Math.sqrt(variance);
}

/**
 * PSR: the probability that the true Sharpe ratio exceeds `srBenchmark`, given the observed
 * per-period Sharpe ratio `sr` of `n` returns with skewness `skew` and non-excess `kurtosis`
 * (Bailey and López de Prado 2012): PSR = Φ( (SR - SR*) √(n - 1) / √(1 - γ3·SR + (γ4 - 1)/4 · SR²) ).
 */
export function probabilisticSharpeRatio(sr: number, srBenchmark: number, n: number, skew: number, kurtosis: number): number {
  return normalCdf(probabilisticSharpeZ(sr, srBenchmark, n, skew, kurtosis));
}

/**
 * SR0, the expected maximum of `nTrials` independent per-period Sharpe ratio estimates whose true
 * value is 0 and whose variance across the trials is `variance` (Bailey and López de Prado 2014):
 * √V · ((1 - γ) Φ⁻¹(1 - 1/N) + γ Φ⁻¹(1 - 1/(N e))). `nTrials` may be fractional (an effective
 * number of trials). The approximation is meant for N >> 1 and dips below 0 for N under about
 * 1.4, where the true expected maximum of N >= 1 zero-mean estimates is at least E[SR_1] = 0; it
 * is floored at 0, which makes one trial (no selection) exactly 0.
 */
export function expectedMaxSharpe(variance: number, nTrials: number): number {
  if (!(variance >= 0) || !Number.isFinite(variance)) {
    throw new UsageError(`Sharpe variance: the variance of the trials' Sharpe ratios must be a finite number >= 0, but got ${variance}`);
  }
  if (!(nTrials >= 1) || !Number.isFinite(nTrials)) {
    throw new UsageError(`number of trials: must be a finite number >= 1 (the trials the search made), but got ${nTrials}`);
  }
  const maxZ = (1 - EULER_MASCHERONI) * normalQuantile(1 - 1 / nTrials) + EULER_MASCHERONI * normalQuantile(1 - 1 / (nTrials * Math.E));
  return Math.sqrt(variance) * Math.max(0, maxZ);
}

export interface DeflatedSharpeInput {
  /** The observed per-period Sharpe ratio of the chosen trial. */
  readonly sharpe: number;
  /** The variance of the per-period Sharpe ratios across all the trials (V). */
  readonly sharpeVariance: number;
  /** How many (effectively independent) trials the search made (N; see effectiveNumberOfTrials). */
  readonly nTrials: number;
  /** Return periods behind `sharpe` (T). */
  readonly nObservations: number;
  /** Skewness γ3 of the chosen trial's returns. */
  readonly skewness: number;
  /** Non-excess kurtosis γ4 of the chosen trial's returns (3 for normal returns). */
  readonly kurtosis: number;
}

export interface DeflatedSharpe {
  /** SR0: the expected maximum Sharpe ratio of the search under the null of no skill, per period. */
  readonly sr0: number;
  /** PSR(0): the probability that the true Sharpe ratio is above 0, ignoring the selection. */
  readonly psr: number;
  /** DSR = PSR(SR0): the probability that it beats the best that luck would have found. */
  readonly dsr: number;
  /** The DSR's standardized statistic, (SR - SR0) in standard errors; DSR = Φ(zScore). */
  readonly zScore: number;
}

/**
 * The deflated Sharpe ratio (Bailey and López de Prado 2014): the probabilistic Sharpe ratio of
 * the chosen trial against SR0, the expected maximum Sharpe ratio of `nTrials` skill-less
 * trials, with the pieces a report shows.
 */
export function deflatedSharpeRatio(input: DeflatedSharpeInput): DeflatedSharpe {
  const { sharpe, sharpeVariance, nTrials, nObservations, skewness, kurtosis } = input;
  const sr0 = expectedMaxSharpe(sharpeVariance, nTrials);
  const zScore = probabilisticSharpeZ(sharpe, sr0, nObservations, skewness, kurtosis);
  return {
    sr0,
    psr: probabilisticSharpeRatio(sharpe, 0, nObservations, skewness, kurtosis),
    dsr: normalCdf(zScore),
    zScore,
  };
}

/**
 * N̂ = ρ̄ + (1 - ρ̄)·M: the effectively independent trials among `nTrials` (M) whose returns
 * have average pairwise correlation `averageCorrelation` (ρ̄). ρ̄ below 0 is taken as 0 (M
 * trials cannot be more than M independent ones), so N̂ runs from 1 (ρ̄ = 1) to M (ρ̄ <= 0).
 */
export function effectiveNumberOfTrials(nTrials: number, averageCorrelation: number): number {
  if (!Number.isInteger(nTrials) || nTrials < 1) throw new UsageError(`number of trials: must be a whole number >= 1, but got ${nTrials}`);
  if (!(averageCorrelation >= -1 && averageCorrelation <= 1)) {
    throw new UsageError(`average correlation: must be a number from -1 to 1, but got ${averageCorrelation}: see averagePairwiseCorrelation`);
  }
  const rho = Math.max(0, averageCorrelation);
  return rho + (1 - rho) * nTrials;
}

/**
 * ρ̄, the average Pearson correlation over all pairs of trials, from `returns`, a T×N matrix
 * (`returns[t][n]`: period t of trial n, the layout of backtest-overfitting.ts). With z_n the
 * trial's returns centred and scaled to unit length, Σ_{i≠j} z_i·z_j = |Σ z_n|² - N', so the
 * average over the N'(N' - 1) ordered pairs costs O(T·N) instead of O(T·N²). Trials whose
 * returns never vary (one that never trades) have no correlation and are left out (N' counts
 * the others).
 */
export function averagePairwiseCorrelation(returns: readonly ArrayLike<number>[]): number {
  const periods = returns.length;
  const trials = periods > 0 ? returns[0].length : 0;
  if (periods < 2) throw new UsageError(`returns: a correlation needs at least 2 periods (rows), but got ${periods}: give longer return series`);
  const means = new Float64Array(trials);
  for (const row of returns) {
    if (row.length !== trials) throw new UsageError(`returns: every period (row) must hold all ${trials} trials, but one has ${row.length}: give a T×N matrix`);
    for (let n = 0; n < trials; n++) means[n] += row[n];
  }
  for (let n = 0; n < trials; n++) means[n] /= periods;
  const norms = new Float64Array(trials);
  for (const row of returns) {
    for (let n = 0; n < trials; n++) norms[n] += (row[n] - means[n]) ** 2;
  }
  let varying = 0;
  for (let n = 0; n < trials; n++) {
    norms[n] = norms[n] > 0 ? 1 / Math.sqrt(norms[n]) : 0;
    if (norms[n] > 0) varying++;
  }
  if (varying < 2) throw new UsageError(`returns: an average correlation needs at least 2 trials whose returns vary, but got ${varying}: give more trials`);
  let sumOfSquares = 0;
  for (const row of returns) {
    let sum = 0;
    for (let n = 0; n < trials; n++) sum += (row[n] - means[n]) * norms[n];
    sumOfSquares += sum * sum;
  }
  return (sumOfSquares - varying) / (varying * (varying - 1));
}
