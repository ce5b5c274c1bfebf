/**
 * The probability of backtest overfitting (PBO) by combinatorially symmetric cross-validation
 * (CSCV): how often the trial that a search would pick as best on one half of the history ranks
 * in the bottom half of all trials on the other half. A study that tunes on noise picks a
 * different lucky trial on every half, so its PBO is near 0.5 or above; a real edge keeps
 * ranking well out of sample, so its PBO is near 0.
 *
 * D. H. Bailey, J. M. Borwein, M. López de Prado and Q. J. Zhu, "The Probability of Backtest
 * Overfitting", Journal of Computational Finance 20(4), 2017 (SSRN 2326253, 2015), section
 * "the CSCV procedure", followed step by step:
 *
 *   1. M is the T×N matrix of per-period returns: N trials (strategies, parameter sets) over T
 *      periods; `returns[t][n]` is period t of trial n.
 *   2. M is split by rows into S contiguous blocks (S even). The paper takes T divisible by S;
 *      otherwise the first T mod S blocks get one period more (as src/validation/folds.ts).
 *   3. Every combination c of S/2 blocks, all C(S, S/2) of them (12,870 for S = 16), is an
 *      in-sample set J (its blocks in time order); the other S/2 blocks are its out-of-sample
 *      complement J̄. Each split appears once as c and once as its complement (the symmetry).
 *   4. For each c: the performance R_n of every trial on J and R̄_n on J̄ (default the Sharpe
 *      ratio); n* = argmax_n R_n, the trial the search would pick; ω̄_c = r̄(n*)/(N + 1), its
 *      relative rank out of sample, with r̄ = 1 for the worst and N for the best; the logit
 *      λ_c = ln(ω̄_c / (1 - ω̄_c)).
 *   5. PBO φ = ∫_{-∞}^{0} f(λ) dλ with f the relative frequency of the λ_c: the share of
 *      combinations with λ_c <= 0, i.e. with the in-sample best at or below the out-of-sample
 *      median.
 *
 * Ties: n* is the lowest-numbered of trials tied for the best in-sample performance; tied
 * out-of-sample performances share their average rank (midrank), so λ_c = 0 exactly when n*
 * sits at the median, and that counts as overfit (λ <= 0). A performance that is NaN ranks
 * below every number.
 *
 * The paper's performance degradation and probability of loss come along: the pairs
 * (R_{n*}, R̄_{n*}) for a scatter, their least-squares line R̄ = intercept + slope · R, and
 * Prob[R̄_{n*} < 0], the share of combinations whose pick loses out of sample.
 *
 * Speed: with the default Sharpe ratio each block's per-trial sum and sum of squares are
 * computed once (of the returns less each trial's mean, which keeps the sums of squares free of
 * cancellation), so a combination costs O(S·N) whatever T is: 12,870 combinations of N = 50
 * trials take a few tens of milliseconds. A custom performance measure sees each trial's
 * returns on J and J̄ and costs O(T·N) per combination.
 */
import { UsageError } from '../errors.js';
import { sharpeFromMeanAndVariance } from './sharpe-ratio.js';

/** T rows (periods) of N columns (trials): `returns[t][n]` is period t's return of trial n. */
export type ReturnMatrix = readonly ArrayLike<number>[];

/**
 * A trial's performance (higher is better) from its returns on some periods, in time order. The
 * array is a reused buffer: read it, do not keep it.
 */
export type PerformanceMeasure = (returns: Float64Array) => number;

export interface BacktestOverfittingOptions {
  /** S, the number of blocks the periods are split into: even, at least 2, at most T and 24. Default 16. */
  readonly blocks?: number;
  /** The performance measure that ranks trials; default the per-period Sharpe ratio (sharpe-ratio.ts). */
  readonly performance?: PerformanceMeasure;
}

export interface PerformanceDegradation {
  /** R_{n*} for each combination: the in-sample performance of the trial picked as best. */
  readonly inSample: Float64Array;
  /** R̄_{n*}: that trial's out-of-sample performance. */
  readonly outOfSample: Float64Array;
  /** Least-squares slope of outOfSample on inSample (NaN if undefined, e.g. an infinite Sharpe ratio). */
  readonly slope: number;
  readonly intercept: number;
}

export interface BacktestOverfitting {
  /** φ, the share of combinations with λ_c <= 0. */
  readonly pbo: number;
  /** λ_c for every combination, in lexicographic order of the in-sample block sets. */
  readonly logits: Float64Array;
  /** C(S, S/2), the number of combinations. */
  readonly combinations: number;
  /** S, the number of blocks. */
  readonly blocks: number;
  /** n*, the trial picked in sample, for every combination. */
  readonly selected: Int32Array;
  readonly degradation: PerformanceDegradation;
  /** Prob[R̄_{n*} < 0]: the share of combinations whose picked trial loses out of sample. */
  readonly probabilityOfLoss: number;
}

const DEFAULT_BLOCKS = 16;
/** C(24, 12) = 2,704,156 combinations; C(26, 13) would be ten million. */
const MAX_BLOCKS = 24;

/** The PBO of the trials in `returns` (T×N) by CSCV over `blocks` blocks; see the header. */
export function probabilityOfBacktestOverfitting(returns: ReturnMatrix, options: BacktestOverfittingOptions = {}): BacktestOverfitting {
  const blocks = options.blocks ?? DEFAULT_BLOCKS;
  const { periods, trials } = checkInput(returns, blocks, options.performance === undefined);
  const blockStarts = blockBoundaries(periods, blocks);
  const combinationCount = binomial(blocks, blocks / 2);
  const inSample = new Float64Array(trials);
  const outOfSample = new Float64Array(trials);
  const evaluate =
    options.performance === undefined
      ? sharpeEvaluator(returns, trials, blockStarts)
      : customEvaluator(returns, trials, blockStarts, options.performance);

  const logits = new Float64Array(combinationCount);
  const selected = new Int32Array(combinationCount);
  const pickedInSample = new Float64Array(combinationCount);
  const pickedOutOfSample = new Float64Array(combinationCount);
  let overfit = 0;
  let losses = 0;
  const half = blocks / 2;
  const pick = Int32Array.from({ length: half }, (_, i) => i);
  for (let c = 0; c < combinationCount; c++) {
    evaluate(pick, inSample, outOfSample);
    const best = argmax(inSample);
    const relativeRank = midrank(outOfSample, best) / (trials + 1);
    const logit = Math.log(relativeRank / (1 - relativeRank));
    logits[c] = logit;
    selected[c] = best;
    pickedInSample[c] = inSample[best];
    pickedOutOfSample[c] = outOfSample[best];
    if (logit <= 0) overfit++;
    if (outOfSample[best] < 0) losses++;
    nextCombination(pick, blocks);
  }
  return {
    pbo: overfit / combinationCount,
    logits,
    combinations: combinationCount,
    blocks,
    selected,
    degradation: { inSample: pickedInSample, outOfSample: pickedOutOfSample, ...leastSquaresLine(pickedInSample, pickedOutOfSample) },
    probabilityOfLoss: losses / combinationCount,
  };
}

/** Fills the in-sample and out-of-sample performance of every trial for the blocks in `pick`. */
type Evaluator = (pick: Int32Array, inSample: Float64Array, outOfSample: Float64Array) => void;

/**
 * The Sharpe ratio from per-block sums: with x the returns less the trial's overall mean μ, a
 * half of m periods has mean μ + Σx/m and sample variance (Σx² - (Σx)²/m)/(m - 1); the
 * out-of-sample sums are the totals less the in-sample ones.
 */
function sharpeEvaluator(returns: ReturnMatrix, trials: number, blockStarts: Int32Array): Evaluator {
  const blocks = blockStarts.length - 1;
  const periods = blockStarts[blocks];
  const means = new Float64Array(trials);
  for (let t = 0; t < periods; t++) {
    const row = returns[t];
    for (let n = 0; n < trials; n++) means[n] += row[n];
  }
  for (let n = 0; n < trials; n++) means[n] /= periods;
  const blockSums = new Float64Array(blocks * trials);
  const blockSquares = new Float64Array(blocks * trials);
  const totalSums = new Float64Array(trials);
  const totalSquares = new Float64Array(trials);
  for (let s = 0; s < blocks; s++) {
    const at = s * trials;
    for (let t = blockStarts[s]; t < blockStarts[s + 1]; t++) {
      const row = returns[t];
      for (let n = 0; n < trials; n++) {
        const x = row[n] - means[n];
        blockSums[at + n] += x;
        blockSquares[at + n] += x * x;
      }
    }
    for (let n = 0; n < trials; n++) {
      totalSums[n] += blockSums[at + n];
      totalSquares[n] += blockSquares[at + n];
    }
  }
  const sums = new Float64Array(trials);
  const squares = new Float64Array(trials);
  const sharpe = (mean: number, sum: number, square: number, m: number): number => {
    const centredMean = sum / m;
    return sharpeFromMeanAndVariance(mean + centredMean, (square - sum * centredMean) / (m - 1));
  };
  return (pick, inSample, outOfSample) => {
    sums.fill(0);
    squares.fill(0);
    let length = 0;
    for (let i = 0; i < pick.length; i++) {
      const s = pick[i];
      const at = s * trials;
      for (let n = 0; n < trials; n++) {
        sums[n] += blockSums[at + n];
        squares[n] += blockSquares[at + n];
      }
      length += blockStarts[s + 1] - blockStarts[s];
    }
    const rest = periods - length;
    for (let n = 0; n < trials; n++) {
      inSample[n] = sharpe(means[n], sums[n], squares[n], length);
      outOfSample[n] = sharpe(means[n], totalSums[n] - sums[n], totalSquares[n] - squares[n], rest);
    }
  };
}

/** Any performance measure: copies each trial's in-sample and out-of-sample periods, in time order. */
function customEvaluator(returns: ReturnMatrix, trials: number, blockStarts: Int32Array, performance: PerformanceMeasure): Evaluator {
  const blocks = blockStarts.length - 1;
  const periods = blockStarts[blocks];
  const columns = Array.from({ length: trials }, (_, n) => Float64Array.from({ length: periods }, (_, t) => returns[t][n]));
  const chosen = new Uint8Array(blocks);
  const inBuffer = new Float64Array(periods);
  const outBuffer = new Float64Array(periods);
  return (pick, inSample, outOfSample) => {
    chosen.fill(0);
    for (const s of pick) chosen[s] = 1;
    for (let n = 0; n < trials; n++) {
      const column = columns[n];
      let inLength = 0;
      let outLength = 0;
      for (let s = 0; s < blocks; s++) {
        const part = column.subarray(blockStarts[s], blockStarts[s + 1]);
        if (chosen[s]) {
          inBuffer.set(part, inLength);
          inLength += part.length;
        } else {
          outBuffer.set(part, outLength);
          outLength += part.length;
        }
      }
      inSample[n] = performance(inBuffer.subarray(0, inLength));
      outOfSample[n] = performance(outBuffer.subarray(0, outLength));
    }
  };
}

/** The index of the largest value, the first one on ties; NaN counts as below every number. */
function argmax(values: Float64Array): number {
  let best = 0;
  let bestValue = Number.isNaN(values[0]) ? -Infinity : values[0];
  for (let n = 1; n < values.length; n++) {
    if (values[n] > bestValue) {
      best = n;
      bestValue = values[n];
    }
  }
  return best;
}

/** The rank of values[index] from 1 (lowest) to N (highest), ties sharing their average rank; NaN lowest. */
function midrank(values: Float64Array, index: number): number {
  const value = Number.isNaN(values[index]) ? -Infinity : values[index];
  let below = 0;
  let equal = 0;
  for (let n = 0; n < values.length; n++) {
    const v = Number.isNaN(values[n]) ? -Infinity : values[n];
    if (v < value) below++;
    else if (v === value) equal++;
  }
  return below + (equal + 1) / 2;
}

/** Advances `pick` (increasing block indices) to the next `pick.length`-subset of 0..blocks-1 in lexicographic order. */
function nextCombination(pick: Int32Array, blocks: number): void {
  const k = pick.length;
  let i = k - 1;
  while (i >= 0 && pick[i] === blocks - k + i) i--;
  if (i < 0) return;
  pick[i]++;
  for (let j = i + 1; j < k; j++) pick[j] = pick[j - 1] + 1;
}

/** Start of each of `blocks` contiguous blocks of near-equal size (the first periods % blocks one longer), then `periods`. */
function blockBoundaries(periods: number, blocks: number): Int32Array {
  const starts = new Int32Array(blocks + 1);
  const base = Math.floor(periods / blocks);
  for (let s = 0; s < blocks; s++) starts[s + 1] = starts[s] + base + (s < periods % blocks ? 1 : 0);
  return starts;
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return Math.round(result);
}

/** Ordinary least squares y = intercept + slope · x. */
function leastSquaresLine(x: Float64Array, y: Float64Array): { slope: number; intercept: number } {
  const n = x.length;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += x[i];
    meanY += y[i];
  }
  meanX /= n;
  meanY /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - meanX) * (y[i] - meanY);
    sxx += (x[i] - meanX) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : Number.NaN;
  return { slope, intercept: meanY - slope * meanX };
}

function checkInput(returns: ReturnMatrix, blocks: number, sharpe: boolean): { periods: number; trials: number } {
  const periods = returns.length;
  const trials = periods > 0 ? returns[0].length : 0;
  if (trials < 2) {
    throw new UsageError(`returns: the PBO compares trials, so it needs at least 2 trials (columns of the T×N matrix), but got ${trials}: give the returns of every trial of the study`);
  }
  if (!Number.isInteger(blocks) || blocks < 2 || blocks % 2 !== 0) {
    throw new UsageError(`blocks: CSCV splits the periods into halves of blocks, so blocks (S) must be an even whole number >= 2, but got ${blocks}: use e.g. 16`);
  }
  if (blocks > MAX_BLOCKS) {
    throw new UsageError(`blocks: ${blocks} blocks make ${binomial(blocks, blocks / 2)} combinations; at most ${MAX_BLOCKS} are allowed: use 16`);
  }
  if (blocks > periods) {
    throw new UsageError(`blocks: ${blocks} blocks need at least ${blocks} periods (rows), but the returns have ${periods}: use fewer blocks or longer return series`);
  }
  if (sharpe && (blocks / 2) * Math.floor(periods / blocks) < 2) {
    throw new UsageError(`returns: a Sharpe ratio needs at least 2 periods in each half, but ${periods} periods in ${blocks} blocks give fewer: give at least 4 periods`);
  }
  for (let t = 0; t < periods; t++) {
    const row = returns[t];
    if (row.length !== trials) {
      throw new UsageError(`returns: every period (row) must hold all ${trials} trials, but period ${t} has ${row.length}: give a T×N matrix, one row per period`);
    }
    for (let n = 0; n < trials; n++) {
      if (!Number.isFinite(row[n])) throw new UsageError(`returns: period ${t} of trial ${n} is ${row[n]}: every return must be a finite number (use 0 for a period without a position)`);
    }
  }
  return { periods, trials };
}
