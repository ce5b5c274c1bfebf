/**
 * Optuna's WilcoxonPruner (`optuna/pruners/_wilcoxon.py`, Optuna 4.2 and later): for objectives
 * that aggregate many evaluations (cross-validation folds, shuffled inputs), each step is an
 * instance id, and a trial is pruned once a one-sided Wilcoxon signed-rank test on its values
 * minus the best trial's values, at the steps both have, says it is worse with p < pThreshold.
 *
 * As Optuna, it does not prune: with no intermediate values; when the trial's or the best trial's
 * values contain NaN or ±Infinity (with a warning); before any trial completed; when the best
 * trial has no intermediate values (with a warning); with fewer than max(2, nStartupSteps)
 * common steps; or when the test says "worse" but the trial's average intermediate value is
 * at least as good as the best trial's average (a safety net for the test's false alarms).
 */
import { bestOf, type FrozenTrial } from '../frozen-trial.js';
import { UsageError } from '../errors.js';
import type { Study } from '../study.js';
import type { Pruner } from './pruner.js';
import { wilcoxonSignedRank } from './wilcoxon-signed-rank.js';

export interface WilcoxonPrunerOptions {
  /** Prune when the p-value is below this (between 0 and 1). Default 0.1. */
  pThreshold?: number;
  /** Do not prune before this many steps are common to the trial and the best trial. Default 2. */
  nStartupSteps?: number;
  /**
   * Receives Optuna's warnings (non-finite values, a best trial without intermediate values,
   * steps the best trial lacks). Default: `process.emitWarning`, once per distinct message, as
   * Python's default warning filter shows them.
   */
  onWarning?: (message: string) => void;
}

export class WilcoxonPruner implements Pruner {
  readonly pThreshold: number;
  readonly nStartupSteps: number;
  private readonly warn: (message: string) => void;

  constructor(options: WilcoxonPrunerOptions = {}) {
    this.pThreshold = options.pThreshold ?? 0.1;
    this.nStartupSteps = options.nStartupSteps ?? 2;
    if (!Number.isInteger(this.nStartupSteps) || this.nStartupSteps < 0) {
      throw new UsageError(`WilcoxonPruner: nStartupSteps must be an integer >= 0, but got ${this.nStartupSteps}`);
    }
    if (!(this.pThreshold >= 0 && this.pThreshold <= 1)) {
      throw new UsageError(`WilcoxonPruner: pThreshold must be between 0 and 1, but got ${this.pThreshold}`);
    }
    this.warn = options.onWarning ?? onceWarner();
  }

  prune(study: Study, trial: FrozenTrial): boolean {
    if (trial.intermediateValues.size === 0) return false;
    const values = [...trial.intermediateValues.values()];
    if (!values.every(Number.isFinite)) {
      this.warn(`The intermediate values of the current trial (trial ${trial.number}) contain infinity/NaNs. WilcoxonPruner will not prune this trial.`);
      return false;
    }
    // Optuna's `study.best_trial` raises for a multi-objective study.
    if (study.directions.length > 1) throw new UsageError('WilcoxonPruner does not support multi-objective studies');
    const direction = study.directions[0];
    const best = bestOf(study.getTrials({ states: ['COMPLETE'] }), direction);
    if (!best) return false;
    if (best.intermediateValues.size === 0) {
      this.warn('The best trial has no intermediate values so WilcoxonPruner cannot prune trials.');
      return false;
    }
    const bestValues = [...best.intermediateValues.values()];
    if (!bestValues.every(Number.isFinite)) {
      this.warn(`The intermediate values of the best trial (trial ${best.number}) contain infinity/NaNs. WilcoxonPruner will not prune the current trial.`);
      return false;
    }

    const diffs: number[] = [];
    for (const step of [...trial.intermediateValues.keys()].sort((a, b) => a - b)) {
      const b = best.intermediateValues.get(step);
      if (b !== undefined) diffs.push(trial.intermediateValues.get(step)! - b);
    }
    if (diffs.length < values.length) {
      this.warn('WilcoxonPruner finds steps existing in the current trial but does not exist in the best trial. Those values are ignored.');
    }
    if (diffs.length < Math.max(2, this.nStartupSteps)) return false;

    // Averages over all the steps of each trial (not only the common ones), summed in order.
    const mean = sum(values) / values.length;
    const bestMean = sum(bestValues) / bestValues.length;
    const maximize = direction === 'maximize';
    const averageIsBest = maximize ? bestMean <= mean : bestMean >= mean;
    // Worse means lower differences when maximizing, higher ones when minimizing.
    const { pvalue } = wilcoxonSignedRank(diffs, { alternative: maximize ? 'less' : 'greater' });
    if (pvalue < this.pThreshold && averageIsBest) return false;
    return pvalue < this.pThreshold;
  }
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

/** process.emitWarning, each distinct message once. */
function onceWarner(): (message: string) => void {
  const seen = new Set<string>();
  return (message) => {
    if (seen.has(message)) return;
    seen.add(message);
    process.emitWarning(message, 'WilcoxonPrunerWarning');
  };
}
