/**
 * The Gaussian-process sampler and its CLI registry entry (`--sampler gp`).
 */
import type { SamplerEntry } from '../entry.js';
import type { EhviReference } from './ehvi.js';
import type { RefitSchedule } from './model-cache.js';
import { type AcquisitionSearch, GPSampler } from './sampler.js';

export { type AcquisitionSearch, GPSampler, type GPSamplerOptions } from './sampler.js';
export { type RefitSchedule, REFIT_SCHEDULES } from './model-cache.js';
export { GPRegressor, fitKernelParams, defaultKernelParams, type KernelParams } from './gp.js';
export { logEI, logH } from './acquisition.js';
export { type EhviReference, LogEHVI, ehviReferencePoint } from './ehvi.js';
export { type BoxSet, nonDominatedBoxes } from './box-decomposition.js';

export const registryEntry: SamplerEntry = {
  description: 'Gaussian-process Bayesian optimisation (Matérn-5/2, log EI; log EHVI on several objectives): the best use of small budgets on up to ~20 numeric parameters',
  options: {
    seed: { type: 'integer', description: 'random seed (same seed, same parameters)' },
    nStartupTrials: { type: 'integer', description: 'random trials before the GP takes over (default 10)' },
    deterministicObjective: { type: 'boolean', description: 'the objective has no noise: fix the noise variance at its minimum (default false)' },
    ehviReference: { type: 'string', description: "several objectives: the hypervolume improvement's reference point, 'front' (the Pareto front's nadir + 10% of its range, default) or 'observed' (Optuna's: the worst observed values)" },
    acquisitionSearch: { type: 'string', description: "past 400 trials: 'scaled' (default: exact scores for the 128 most promising candidates, local searches on local GPs of 250 trials) or 'exact' (Optuna's search at every size)" },
    refitSchedule: { type: 'string', description: "past 100 trials, when to refit the kernel: 'growing' (default: once the trials grew by 5%, the GP extended in between) or 'every-trial' (Optuna's)" },
    hyperparameterDraws: { type: 'integer', description: 'up to 100 trials, average log EI over this many posterior draws of the kernel hyper-parameters besides the MAP fit (default 0: the MAP fit alone, as Optuna)' },
  },
  create: (o) =>
    new GPSampler({
      seed: o.seed as number | undefined,
      nStartupTrials: o.nStartupTrials as number | undefined,
      deterministicObjective: o.deterministicObjective as boolean | undefined,
      ehviReference: o.ehviReference as EhviReference | undefined,
      refitSchedule: o.refitSchedule as RefitSchedule | undefined,
      acquisitionSearch: o.acquisitionSearch as AcquisitionSearch | undefined,
      hyperparameterDraws: o.hyperparameterDraws as number | undefined,
    }),
};
