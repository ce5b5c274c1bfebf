/**
 * Optuna's MedianPruner: prune a trial whose best intermediate value so far is worse than the
 * median of the other trials' intermediate values at the same step.
 */
import type { FrozenTrial } from '../frozen-trial.js';
import { UsageError } from '../errors.js';
import type { Study } from '../study.js';
import type { Pruner } from './pruner.js';

export interface MedianPrunerOptions {
  /** Do not prune until this many trials have completed. Default 5. */
  nStartupTrials?: number;
  /** Do not prune before this step. Default 0. */
  nWarmupSteps?: number;
  /** Only check every this many steps (counted from the warm-up). Default 1. */
  intervalSteps?: number;
  /** Minimum number of reported values at the step among completed trials. Default 1. */
  nMinTrials?: number;
}

export class MedianPruner implements Pruner {
  private readonly nStartupTrials: number;
  private readonly nWarmupSteps: number;
  private readonly intervalSteps: number;
  private readonly nMinTrials: number;

  constructor(options: MedianPrunerOptions = {}) {
    this.nStartupTrials = options.nStartupTrials ?? 5;
    this.nWarmupSteps = options.nWarmupSteps ?? 0;
    this.intervalSteps = options.intervalSteps ?? 1;
    this.nMinTrials = options.nMinTrials ?? 1;
    if (this.nStartupTrials < 0) throw new UsageError(`MedianPruner: nStartupTrials must be >= 0, but got ${this.nStartupTrials}`);
    if (this.nWarmupSteps < 0) throw new UsageError(`MedianPruner: nWarmupSteps must be >= 0, but got ${this.nWarmupSteps}`);
    if (this.intervalSteps < 1) throw new UsageError(`MedianPruner: intervalSteps must be >= 1, but got ${this.intervalSteps}`);
  }

  prune(study: Study, trial: FrozenTrial): boolean {
    if (study.directions.length > 1) throw new UsageError('MedianPruner does not support multi-objective studies');
    const steps = [...trial.intermediateValues.keys()];
    if (steps.length === 0) return false;
    const step = Math.max(...steps);
    if (step < this.nWarmupSteps) return false;
    if ((step - this.nWarmupSteps) % this.intervalSteps !== 0) return false;
    const completed = study.getTrials({ states: ['COMPLETE'] });
    if (completed.length < this.nStartupTrials) return false;
    const maximize = study.directions[0] === 'maximize';
    const own = [...trial.intermediateValues.values()].filter((v) => !Number.isNaN(v));
    if (own.length === 0) return true;
    const best = maximize ? Math.max(...own) : Math.min(...own);
    const others: number[] = [];
    for (const t of completed) {
      const v = t.intermediateValues.get(step);
      if (v !== undefined && !Number.isNaN(v)) others.push(v);
    }
    if (others.length < this.nMinTrials) return false;
    others.sort((a, b) => a - b);
    const mid = others.length >> 1;
    const median = others.length % 2 ? others[mid] : (others[mid - 1] + others[mid]) / 2;
    return maximize ? best < median : best > median;
  }
}
