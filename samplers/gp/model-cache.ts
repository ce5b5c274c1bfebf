/**
 * The GP sampler's models from one trial to the next: when to refit the kernel's
 * hyper-parameters, and the Gaussian processes kept so that the next trial extends them instead
 * of building them again.
 *
 * Optuna refits the hyper-parameters at every trial (`samplers/_gp/sampler.py`), and so do we up
 * to REFIT_EVERY_TRIAL_MAX trials, where the benchmarks against Optuna run. Past it the 'growing'
 * schedule (the default) refits once the number of trials has grown by REFIT_GROWTH since the
 * last fit: the fit already runs on a subset of FIT_MAX trials (sampler.ts) warm-started from
 * the last fit, and one or two new trials among hundreds barely move it. Between refits the
 * hyper-parameters stay the same, so the kernel matrix of the old trials stays the same too and
 * the GP grows by the new trials' rows (GPRegressor.withRows: O(n²) per trial, not the O(n³) of a
 * new Cholesky factorisation, 0.2 s at 1,000 trials). The targets are recomputed at every trial
 * (standardisation and output warping change them all), which only costs two triangular solves.
 * 'every-trial' keeps Optuna's behaviour at every size.
 */
import type { FrozenTrial } from '../../src/frozen-trial.js';
import { UsageError } from '../../src/errors.js';
import { GPRegressor, type KernelParams } from './gp.js';

export type RefitSchedule = 'every-trial' | 'growing';

export const REFIT_SCHEDULES: readonly RefitSchedule[] = ['every-trial', 'growing'];

/** Up to this many trials the hyper-parameters are refitted at every trial, in either schedule. */
export const REFIT_EVERY_TRIAL_MAX = 100;
/** 'growing': past REFIT_EVERY_TRIAL_MAX, refit once the trials have grown by this fraction. */
export const REFIT_GROWTH = 0.05;

export function parseRefitSchedule(value: unknown): RefitSchedule {
  if (value === undefined) return 'growing';
  if (!REFIT_SCHEDULES.includes(value as RefitSchedule)) {
    throw new UsageError(`GP: \`refitSchedule\` must be ${REFIT_SCHEDULES.map((s) => `'${s}'`).join(' or ')}, but got ${JSON.stringify(value)}`);
  }
  return value as RefitSchedule;
}

/** What the last trial fitted: per objective its hyper-parameters and its GP over `trialIds`. */
interface Models {
  readonly key: string;
  readonly fittedAt: number;
  readonly params: readonly KernelParams[];
  readonly trialIds: readonly number[];
  readonly gps: readonly GPRegressor[];
}

/** A plan for this trial's models, from GPModels.plan. */
export interface ModelPlan {
  /** The trials in the order the models want them (the previous models' trials first). */
  readonly trials: readonly FrozenTrial[];
  /** Hyper-parameters to fit afresh (true), or the previous ones to reuse. */
  readonly refit: boolean;
  /** The previous hyper-parameters of each objective, to warm-start a refit from (if any). */
  readonly previous: readonly KernelParams[] | null;
}

export class GPModels {
  private last: Models | null = null;

  constructor(readonly schedule: RefitSchedule) {}

  /**
   * Whether to refit for `trials` (the complete trials, in storage order) in the search space
   * `key` with `nObjectives` objectives; when not, the trials reordered so that the previous
   * models' trials come first, in their order (in a sequential study they are already), which
   * lets the GPs grow by the rest.
   */
  plan(key: string, trials: readonly FrozenTrial[], nObjectives: number): ModelPlan {
    const last = this.last?.key === key && this.last.params.length === nObjectives ? this.last : null;
    const n = trials.length;
    const refit =
      last === null || this.schedule === 'every-trial' || n <= REFIT_EVERY_TRIAL_MAX || n < last.fittedAt || n >= last.fittedAt * (1 + REFIT_GROWTH);
    if (refit || last === null) return { trials, refit: true, previous: last?.params ?? null };
    const position = new Map<number, number>();
    last.trialIds.forEach((id, i) => position.set(id, i));
    const known: FrozenTrial[] = new Array(last.trialIds.length);
    const fresh: FrozenTrial[] = [];
    let found = 0;
    for (const t of trials) {
      const i = position.get(t.trialId);
      if (i === undefined) fresh.push(t);
      else {
        known[i] = t;
        found++;
      }
    }
    // A trial of the previous models no longer complete (rare: storage edited): same
    // hyper-parameters, GPs built afresh on the trials as they come.
    if (found !== last.trialIds.length) return { trials, refit: false, previous: last.params };
    return { trials: known.concat(fresh), refit: false, previous: last.params };
  }

  /**
   * The GP of each objective for the planned trials (`x`, n × d, and the targets `ys`): with
   * `params` (fitted afresh, or plan.previous), grown from the previous GPs when their trials
   * lead `trials`, else built afresh. Kept for the next trial.
   */
  models(key: string, plan: ModelPlan, params: readonly KernelParams[], x: Float64Array, ys: readonly Float64Array[], d: number, isCat: Uint8Array): GPRegressor[] {
    const last = this.last;
    const ids = plan.trials.map((t) => t.trialId);
    const grows = !plan.refit && last !== null && last.key === key && last.trialIds.every((id, i) => ids[i] === id);
    const n0 = grows ? last.trialIds.length : 0;
    const gps = ys.map((y, j) => (grows && params[j] === last.params[j] ? last.gps[j].withRows(x.subarray(n0 * d), y) : new GPRegressor(x, y, d, isCat, params[j])));
    this.last = { key, fittedAt: plan.refit || last === null ? ids.length : last.fittedAt, params, trialIds: ids, gps };
    return gps;
  }
}
