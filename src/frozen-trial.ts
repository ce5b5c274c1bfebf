/**
 * A finished or running trial as storages return it: a plain, read-only record.
 */
import type { Distribution, ParamValue } from './distributions.js';

export type TrialState = 'RUNNING' | 'COMPLETE' | 'PRUNED' | 'FAIL' | 'WAITING';
export const TRIAL_STATES: readonly TrialState[] = ['RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING'];
export const FINISHED_STATES: readonly TrialState[] = ['COMPLETE', 'PRUNED', 'FAIL'];

export type StudyDirection = 'minimize' | 'maximize';

export interface FrozenTrial {
  /** Storage-wide id (unique across studies in one storage). */
  readonly trialId: number;
  /** Zero-based position of the trial in its study. */
  readonly number: number;
  readonly state: TrialState;
  /** One value per objective for COMPLETE trials; otherwise null. */
  readonly values: readonly number[] | null;
  readonly datetimeStart: Date | null;
  readonly datetimeComplete: Date | null;
  /** External parameter values, in suggestion order. */
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly distributions: Readonly<Record<string, Distribution>>;
  readonly userAttrs: Readonly<Record<string, unknown>>;
  readonly systemAttrs: Readonly<Record<string, unknown>>;
  /** Reported intermediate values by step. */
  readonly intermediateValues: ReadonlyMap<number, number>;
}

/** The single objective value of a trial, or null. */
export function trialValue(t: FrozenTrial): number | null {
  return t.values && t.values.length > 0 ? t.values[0] : null;
}

/** Feasible unless the trial carries Optuna's `constraints` system attribute with a positive entry. */
export function isFeasible(t: FrozenTrial): boolean {
  const c = t.systemAttrs.constraints;
  if (!Array.isArray(c)) return true;
  return c.every((v) => typeof v === 'number' && v <= 0);
}

export function isFinished(state: TrialState): boolean {
  return state === 'COMPLETE' || state === 'PRUNED' || state === 'FAIL';
}

/**
 * The best feasible COMPLETE trial by its first value (the first in the given order among
 * equals: the lowest number, for trials in number order), or null.
 */
export function bestOf(trials: readonly FrozenTrial[], direction: StudyDirection): FrozenTrial | null {
  let best: FrozenTrial | null = null;
  const sign = direction === 'maximize' ? -1 : 1;
  for (const t of trials) {
    if (t.state !== 'COMPLETE' || !t.values || !isFeasible(t)) continue;
    if (best === null || sign * t.values[0] < sign * best.values![0]) best = t;
  }
  return best;
}
