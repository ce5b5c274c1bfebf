/**
 * The IB study's cross-validated objective (`--folds`, `--aggregate`): a trial runs its
 * parameters on every fold's out-of-sample days (src/validation/folds.ts), each fold's value is
 * reported as a step (so pruners can stop a bad trial after a few folds), and the trial's value is
 * the mean, median or worst of them. The metrics stored with the trial are those of all the
 * folds' out-of-sample days together, and a re-run of the trial (study-settings.ts) runs on those
 * same days, so that it reproduces them.
 */
import { UsageError } from '../../src/errors.js';
import type { StudyDirection } from '../../src/frozen-trial.js';
import { Rng } from '../../src/rng.js';
import { type DayRange, makeFolds, parseFolds } from '../../src/validation/folds.js';
import { type Aggregate, aggregateValues, checkAggregate } from './aggregate.js';

export { AGGREGATES, type Aggregate, DEFAULT_AGGREGATE } from './aggregate.js';

export interface IbFolds {
  /** Each fold's out-of-sample days, as day indices of the symbol's data. */
  readonly outOfSample: readonly (readonly DayRange[])[];
  /** Every fold's out-of-sample days together, in order, each day once. */
  readonly allOutOfSample: readonly DayRange[];
}

/** The folds of `spec` (the `--folds` text) over the trading days dayFrom..dayTo-1 of the data. */
export function ibFolds(spec: string, dayFrom: number, dayTo: number): IbFolds {
  const plan = makeFolds(parseFolds(spec), dayTo - dayFrom);
  const shift = (r: DayRange): DayRange => ({ from: r.from + dayFrom, to: r.to + dayFrom });
  const outOfSample = plan.folds.map((f) => f.outOfSample.map(shift));
  const covered = new Uint8Array(dayTo - dayFrom);
  for (const f of plan.folds) for (const r of f.outOfSample) covered.fill(1, r.from, r.to);
  const allOutOfSample: DayRange[] = [];
  for (let d = 0; d < covered.length; ) {
    if (!covered[d]) {
      d++;
      continue;
    }
    const from = d;
    while (d < covered.length && covered[d]) d++;
    allOutOfSample.push(shift({ from, to: d }));
  }
  return { outOfSample, allOutOfSample };
}

/**
 * The days a trial's stored metrics cover: with folds, every fold's out-of-sample days together;
 * without, the whole date range. The objective and a re-run of a stored trial both use it.
 */
export function evaluatedDays(dayFrom: number, dayTo: number, folds: string | null | undefined): readonly DayRange[] {
  return folds ? ibFolds(folds, dayFrom, dayTo).allOutOfSample : [{ from: dayFrom, to: dayTo }];
}

/**
 * Checks `--folds` and `--aggregate` together, before any data is loaded: the folds' syntax, the
 * aggregate's name, and no aggregate without folds. Returns the aggregate (the default with folds).
 */
export function checkCrossValidation(folds: string | undefined, aggregate: string | undefined): Aggregate | undefined {
  if (folds === undefined) {
    if (aggregate !== undefined) throw new UsageError('--aggregate says how to combine folds: give --folds too (e.g. --folds rolling:is=6m,oos=1m)');
    return undefined;
  }
  parseFolds(folds);
  return checkAggregate(aggregate, "the folds' values");
}

/** The trial's value from its folds' values (aggregate.ts: the worst fold by the metric's direction). */
export function aggregateFolds(values: readonly number[], how: Aggregate, direction: StudyDirection = 'maximize'): number {
  return aggregateValues(values, how, direction);
}

/**
 * The order in which a trial evaluates its folds: in order, or shuffled per trial (the same order
 * for the same trial number). Optuna's WilcoxonPruner compares a trial with the best one on the
 * folds both have run; shuffled, the first few folds are a fair sample of all of them rather
 * than the earliest days, so the test sees the trial's typical performance sooner. The steps
 * reported are the fold indices either way.
 */
export function foldOrder(folds: number, trialNumber: number, shuffled: boolean): number[] {
  const order = Array.from({ length: folds }, (_, i) => i);
  if (!shuffled) return order;
  const rng = new Rng(0x5eed_f01d ^ trialNumber);
  for (let i = folds - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
