/**
 * Parameter values decided for a trial before anything is sampled, and the one rule by which
 * `suggest` returns them, wherever it runs: in the study's thread (StudyTrial), in a pool worker
 * (WorkerTrial), and in the pool's main thread when it samples a trial ahead of its worker.
 *
 * Two sources, merged: what the study's sampler decided (`Sampler.decidedParams`: a grid point),
 * and an enqueued trial's fixed values (`Study.enqueueTrial`, stored as the `fixed_params` system
 * attribute), which win over the sampler's.
 */
import { type Distribution, type ParamValue, containsInternal, toInternal } from './distributions.js';
import { UsageError } from './errors.js';
import type { FrozenTrial } from './frozen-trial.js';
import type { DecidedParams } from './sampler.js';
import type { Study } from './study.js';

export type { DecidedParams };

/** The system attribute holding an enqueued trial's values (Optuna's name). */
export const FIXED_PARAMS_KEY = 'fixed_params';

/** The trial's decided values: the enqueued ones over the sampler's; null when there are none. */
export function decidedParamsOf(study: Study, trial: FrozenTrial): DecidedParams | null {
  const bySampler = study.sampler.decidedParams?.(study, trial) ?? null;
  const fixed = trial.systemAttrs[FIXED_PARAMS_KEY] as Record<string, ParamValue> | undefined;
  if (!fixed || Object.keys(fixed).length === 0) return bySampler;
  return { values: bySampler ? { ...bySampler.values, ...fixed } : fixed, complete: bySampler?.complete ?? false };
}

/**
 * The value `suggest(name, distribution)` returns for a decided trial: the decided value, checked
 * against the distribution; undefined when the decision leaves `name` to sampling. Throws when
 * the value does not fit, or when a complete decision does not name the parameter.
 */
export function decidedValue(decided: DecidedParams | null | undefined, name: string, distribution: Distribution): ParamValue | undefined {
  if (!decided) return undefined;
  if (!Object.prototype.hasOwnProperty.call(decided.values, name)) {
    if (decided.complete) {
      throw new UsageError(`parameter '${name}' is not in the grid (grid parameters: ${Object.keys(decided.values).join(', ')}): add it to the grid`);
    }
    return undefined;
  }
  const value = decided.values[name];
  let internal: number;
  try {
    internal = toInternal(distribution, value, name);
  } catch (err) {
    throw new UsageError(`the value ${JSON.stringify(value)} decided for parameter '${name}' (enqueued, or a grid point) does not fit its distribution: ${(err as Error).message}`);
  }
  if (!containsInternal(distribution, internal)) {
    throw new UsageError(`the value ${JSON.stringify(value)} decided for parameter '${name}' (enqueued, or a grid point) lies outside its distribution`);
  }
  return value;
}

/**
 * The error for a parameter nobody decided in a study whose sampler only hands out decided points
 * (a grid): the trial has none (it was enqueued without that parameter).
 */
export function undecidedParamError(trialNumber: number, name: string): UsageError {
  return new UsageError(`trial ${trialNumber} has no grid point (was it enqueued?): give every parameter, '${name}' too, in enqueueTrial, or use another sampler`);
}
