/**
 * Optuna's SuccessiveHalvingPruner (`optuna/pruners/_successive_halving.py`): Asynchronous
 * Successive Halving (ASHA). Rung r is reached at step minResource * reductionFactor^(s + r),
 * s = minEarlyStoppingRate. A trial that reaches a rung stores its latest intermediate value in
 * its system attribute `completed_rung_{r}` (Optuna's key, so studies carry over), and goes on
 * only if that value is in the top 1/reductionFactor of the values stored at that rung by all
 * trials of the study (itself included; the best one while fewer than reductionFactor compete).
 */
import type { FrozenTrial } from '../frozen-trial.js';
import { UsageError } from '../errors.js';
import type { Study } from '../study.js';
import type { Pruner } from './pruner.js';

export interface SuccessiveHalvingPrunerOptions {
  /**
   * The step of the first rung (with minEarlyStoppingRate 0), an integer >= 1, or 'auto'
   * (default): once a trial has completed, max(floor(its last step / 100), 1), taking the
   * largest last step among completed trials; no pruning before that.
   */
  minResource?: number | 'auto';
  /** Rungs are this factor apart, and 1/reductionFactor of the trials are promoted. Default 4. */
  reductionFactor?: number;
  /** Shifts the first rung to minResource * reductionFactor^rate. Default 0. */
  minEarlyStoppingRate?: number;
  /** Prune a trial at a rung until more than this many trials have reached it. Default 0. */
  bootstrapCount?: number;
}

export class SuccessiveHalvingPruner implements Pruner {
  private minResource: number | null;
  readonly reductionFactor: number;
  readonly minEarlyStoppingRate: number;
  readonly bootstrapCount: number;

  constructor(options: SuccessiveHalvingPrunerOptions = {}) {
    const minResource = options.minResource ?? 'auto';
    this.reductionFactor = options.reductionFactor ?? 4;
    this.minEarlyStoppingRate = options.minEarlyStoppingRate ?? 0;
    this.bootstrapCount = options.bootstrapCount ?? 0;
    if (minResource !== 'auto' && (typeof minResource !== 'number' || !Number.isInteger(minResource) || minResource < 1)) {
      throw new UsageError(`SuccessiveHalvingPruner: minResource must be an integer >= 1 or 'auto', but got ${JSON.stringify(minResource)}`);
    }
    checkInteger('reductionFactor', this.reductionFactor, 2);
    checkInteger('minEarlyStoppingRate', this.minEarlyStoppingRate, 0);
    checkInteger('bootstrapCount', this.bootstrapCount, 0);
    if (this.bootstrapCount > 0 && minResource === 'auto') {
      throw new UsageError(`SuccessiveHalvingPruner: bootstrapCount > 0 needs a numeric minResource, not 'auto' (bootstrapCount is ${this.bootstrapCount})`);
    }
    this.minResource = minResource === 'auto' ? null : minResource;
  }

  prune(study: Study, trial: FrozenTrial): boolean {
    return this.pruneAmong(study, trial, () => study.getTrials());
  }

  /**
   * @internal The decision, with the competing trials read from `getTrials` (the whole study, or
   * one Hyperband bracket of it). Writes the trial's `completed_rung_{r}` attributes.
   */
  pruneAmong(study: Study, trial: FrozenTrial, getTrials: () => readonly FrozenTrial[]): boolean {
    const step = lastStep(trial);
    if (step === null) return false;
    if (study.directions.length > 1) throw new UsageError('SuccessiveHalvingPruner does not support multi-objective studies');
    const maximize = study.directions[0] === 'maximize';
    const value = trial.intermediateValues.get(step)!;
    // The rungs already passed, from the stored record: a snapshot taken before this pruner last
    // wrote the trial's attributes would start again at a rung already done.
    let rung = currentRung(study.storage.getTrial(trial.trialId));
    let trials: readonly FrozenTrial[] | null = null;

    for (;;) {
      if (this.minResource === null) {
        trials ??= getTrials();
        this.minResource = estimateMinResource(trials);
        if (this.minResource === null) return false;
      }
      const promotionStep = this.minResource * this.reductionFactor ** (this.minEarlyStoppingRate + rung);
      if (step < promotionStep) return false;
      if (Number.isNaN(value)) return true;

      trials ??= getTrials();
      const key = completedRungKey(rung);
      study.storage.setTrialSystemAttr(trial.trialId, key, value);
      // The other trials' values at this rung, and this trial's own.
      const competing: number[] = [];
      for (const t of trials) if (t.trialId !== trial.trialId && key in t.systemAttrs) competing.push(t.systemAttrs[key] as number);
      competing.push(value);
      if (competing.length <= this.bootstrapCount) return true;
      if (!isPromotable(value, competing, this.reductionFactor, maximize)) return true;
      rung++;
    }
  }
}

export function completedRungKey(rung: number): string {
  return `completed_rung_${rung}`;
}

function checkInteger(name: string, value: number, min: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new UsageError(`SuccessiveHalvingPruner: ${name} must be an integer >= ${min}, but got ${JSON.stringify(value)}`);
  }
}

function lastStep(trial: FrozenTrial): number | null {
  let last: number | null = null;
  for (const s of trial.intermediateValues.keys()) if (last === null || s > last) last = s;
  return last;
}

function currentRung(trial: FrozenTrial): number {
  let rung = 0;
  while (completedRungKey(rung) in trial.systemAttrs) rung++;
  return rung;
}

/** Optuna's 'auto': max(floor(max last step of the completed trials / 100), 1), or null with none. */
function estimateMinResource(trials: readonly FrozenTrial[]): number | null {
  let maxStep: number | null = null;
  for (const t of trials) {
    if (t.state !== 'COMPLETE') continue;
    const s = lastStep(t);
    if (s !== null && (maxStep === null || s > maxStep)) maxStep = s;
  }
  return maxStep === null ? null : Math.max(Math.floor(maxStep / 100), 1);
}

/**
 * In the top 1/reductionFactor of the competing values (ties kept); while fewer than
 * reductionFactor compete, only the best is promoted (Optuna cannot pause trials to wait).
 */
function isPromotable(value: number, competing: number[], reductionFactor: number, maximize: boolean): boolean {
  const index = Math.max(Math.floor(competing.length / reductionFactor) - 1, 0);
  competing.sort((a, b) => a - b);
  return maximize ? value >= competing[competing.length - 1 - index] : value <= competing[index];
}
