/**
 * The Sharpe ratio of a return series and the two higher moments that correct its standard
 * error: the inputs of the probabilistic and deflated Sharpe ratios (deflated-sharpe.ts) and the
 * default performance measure of the probability of backtest overfitting
 * (backtest-overfitting.ts).
 *
 * Everything is per period (per day for daily returns) and never annualized: Bailey and López de
 * Prado's formulas take the per-period ratio and the number of periods. Returns are excess
 * returns (subtract a risk-free rate first if there is one).
 *
 *   Sharpe ratio  SR = mean / s, with s the sample standard deviation (n - 1 in the denominator)
 *   skewness      γ3 = m3 / m2^(3/2)
 *   kurtosis      γ4 = m4 / m2², the plain (non-excess) kurtosis: 3 for a normal distribution
 *
 * with m_k = (1/n) Σ (x - mean)^k the central moments, the plain moment estimators that Bailey
 * and López de Prado use ("The Sharpe Ratio Efficient Frontier", J. of Risk 15(2), 2012, whose
 * appendix code calls scipy.stats' skew and kurtosis(fisher=False), both without bias
 * correction).
 */
import { UsageError } from '../errors.js';

/** What one pass over a return series gives: the inputs of the PSR and DSR. */
export interface ReturnMoments {
  /** Number of periods. */
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (n - 1 in the denominator). */
  readonly standardDeviation: number;
  /** Per-period Sharpe ratio, mean / standardDeviation (see sharpeFromMeanAndVariance for a flat series). */
  readonly sharpe: number;
  /** γ3 = m3 / m2^(3/2); NaN for a flat series. */
  readonly skewness: number;
  /** γ4 = m4 / m2², non-excess (3 for a normal distribution); NaN for a flat series. */
  readonly kurtosis: number;
}

/**
 * mean / √variance, the Sharpe ratio from its two moments. A series with no variance (a strategy
 * that never trades, or earns the same every period) has no ratio; it is taken as 0 when its mean
 * is 0 and as ±Infinity otherwise, so that ranking strategies by it stays meaningful. A variance
 * below (1e-14 · mean)² is rounding noise of a flat series and counts as none.
 */
export function sharpeFromMeanAndVariance(mean: number, variance: number): number {
  const sd = Math.sqrt(Math.max(variance, 0));
  if (sd <= 1e-14 * Math.abs(mean)) return mean > 0 ? Infinity : mean < 0 ? -Infinity : 0;
  return mean / sd;
}

/** Mean, sample standard deviation, Sharpe ratio, skewness and kurtosis of `returns` (two passes). */
export function returnMoments(returns: ArrayLike<number>): ReturnMoments {
  const n = returns.length;
  const mean = meanOfAtLeastTwo(returns);
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = returns[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const sampleVariance = m2 / (n - 1);
  m2 /= n;
  m3 /= n;
  m4 /= n;
  const flat = m2 === 0;
  return {
    n,
    mean,
    standardDeviation: Math.sqrt(sampleVariance),
    sharpe: sharpeFromMeanAndVariance(mean, sampleVariance),
    skewness: flat ? Number.NaN : m3 / (m2 * Math.sqrt(m2)),
    kurtosis: flat ? Number.NaN : m4 / (m2 * m2),
  };
}

/** Per-period Sharpe ratio of `returns`: mean / sample standard deviation. */
export function sharpeRatio(returns: ArrayLike<number>): number {
  const n = returns.length;
  const mean = meanOfAtLeastTwo(returns);
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (returns[i] - mean) ** 2;
  return sharpeFromMeanAndVariance(mean, squares / (n - 1));
}

/** The mean of `returns`, which must have the 2 periods a sample standard deviation needs. */
function meanOfAtLeastTwo(returns: ArrayLike<number>): number {
  const n = returns.length;
  if (n < 2) throw new UsageError(`returns: a Sharpe ratio needs at least 2 periods, but the series has ${n}: give a longer return series`);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += returns[i];
  return sum / n;
}

/** Sample skewness γ3 = m3 / m2^(3/2) of `returns` (0 for a symmetric distribution). */
export function skewness(returns: ArrayLike<number>): number {
  return returnMoments(returns).skewness;
}

/** Sample kurtosis γ4 = m4 / m2² of `returns`, non-excess (3 for a normal distribution). */
export function kurtosis(returns: ArrayLike<number>): number {
  return returnMoments(returns).kurtosis;
}
