/**
 * How several values of one trial make its value: the folds of a cross-validated objective
 * (cross-validation.ts) and the symbols of a basket (basket.ts) are combined by the same rule,
 * `--aggregate mean|median|worst`. "Worst" depends on the direction: the smallest value of a
 * maximised metric, the largest of a minimised one (a drawdown).
 */
import { UsageError } from '../../src/errors.js';
import type { StudyDirection } from '../../src/frozen-trial.js';

export const AGGREGATES = ['mean', 'median', 'worst'] as const;
export type Aggregate = (typeof AGGREGATES)[number];
export const DEFAULT_AGGREGATE: Aggregate = 'mean';

/** The aggregate named by `--aggregate` (the default when not given); `what` says what it combines. */
export function checkAggregate(value: string | undefined, what: string): Aggregate {
  const a = value ?? DEFAULT_AGGREGATE;
  if (!(AGGREGATES as readonly string[]).includes(a)) {
    throw new UsageError(`--aggregate must be one of ${AGGREGATES.join(', ')} (how ${what} make the trial's value), but got '${a}'`);
  }
  return a as Aggregate;
}

/** The mean, median or worst of `values` (at least one), worst by `direction`. */
export function aggregateValues(values: readonly number[], how: Aggregate, direction: StudyDirection = 'maximize'): number {
  if (how === 'worst') return direction === 'maximize' ? Math.min(...values) : Math.max(...values);
  if (how === 'mean') return values.reduce((a, b) => a + b, 0) / values.length;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
