/**
 * Walk-forward efficiency: how much of its in-sample performance a walk-forward search kept out
 * of sample. Pardo (The Evaluation and Optimization of Trading Strategies, 2nd ed., 2008, ch. 11)
 * defines it as the annualised out-of-sample profit over the annualised in-sample profit: a
 * value near 1 means the search found something that held; near 0 or negative, mostly fit.
 *
 * "Annualised" matters only for metrics that grow with the length of the period (total R,
 * profit): those are compared per trading day. Metrics already independent of length (a Sharpe
 * ratio, a win rate, a profit factor) are compared as they are.
 */

/** How a metric scales with the period's length. */
export type MetricScaling = 'additive' | 'rate';

export interface PeriodPerformance {
  /** The metric's value over the period. */
  readonly value: number;
  /** Trading days in the period. */
  readonly days: number;
}

/**
 * Out-of-sample over in-sample performance, or null where it means nothing: an in-sample
 * performance that is not positive (the ratio's sign would say the opposite of what happened).
 */
export function walkForwardEfficiency(inSample: PeriodPerformance, outOfSample: PeriodPerformance, scaling: MetricScaling): number | null {
  const is = scaling === 'additive' ? inSample.value / inSample.days : inSample.value;
  const oos = scaling === 'additive' ? outOfSample.value / outOfSample.days : outOfSample.value;
  if (!(is > 0) || !Number.isFinite(oos)) return null;
  return oos / is;
}

/**
 * The efficiency of a whole walk-forward run: the stitched out-of-sample performance against the
 * windows' in-sample performance together (for an additive metric, all in-sample profit over all
 * in-sample days; for a rate, the windows' mean).
 */
export function overallEfficiency(inSample: readonly PeriodPerformance[], stitched: PeriodPerformance, scaling: MetricScaling): number | null {
  if (inSample.length === 0) return null;
  const together: PeriodPerformance =
    scaling === 'additive'
      ? { value: inSample.reduce((a, p) => a + p.value, 0), days: inSample.reduce((a, p) => a + p.days, 0) }
      : { value: inSample.reduce((a, p) => a + p.value, 0) / inSample.length, days: 1 };
  return walkForwardEfficiency(together, stitched, scaling);
}
