/**
 * The TPE sampler and its CLI registry entry (`--sampler tpe`; Optuna's default TPE is
 * `--sampler tpe --sampler-options '{"multivariate":false}'`).
 */
import type { SamplerEntry } from '../entry.js';
import { TPESampler } from './sampler.js';

export { TPESampler, type TPESamplerOptions } from './sampler.js';
export { defaultGamma, defaultGammaMultiObjective, defaultWeights, hyperoptDefaultGamma } from './defaults.js';
export { ParzenEstimator, parzenDim, type MultivariateBandwidth, type ParzenDim } from './parzen-estimator.js';
export { SortedParzen1D } from './parzen-1d.js';

export const registryEntry: SamplerEntry = {
  description: 'Tree-structured Parzen Estimator (Optuna 4 TPE): the default; good on any space, cheap per trial',
  options: {
    seed: { type: 'integer', description: 'random seed (same seed, same parameters)' },
    nStartupTrials: { type: 'integer', description: 'random trials before the model takes over (default 10)' },
    nEiCandidates: { type: 'integer', description: 'candidates drawn from l(x) per proposal (default 24)' },
    multivariate: {
      type: 'boolean',
      description: "joint kernels over the parameters all trials share (default true on one objective, false on several; false is Optuna's TPESampler())",
    },
    group: { type: 'boolean', description: 'multivariate, modelling each group of co-occurring parameters jointly, for conditional spaces (default false)' },
    constantLiar: { type: 'boolean', description: 'count running trials as bad ones so that parallel workers spread out (default false)' },
    considerEndpoints: { type: 'boolean', description: "let the outermost kernels' bandwidth reach the range ends (default false)" },
    priorWeight: { type: 'number', description: 'weight of the prior kernel relative to one observation (default 1)' },
    multivariateBandwidth: {
      type: 'string',
      description: "with multivariate: 'scott' (default) narrows joint kernels with the observations' spread; 'optuna' keeps Optuna's range-based width",
    },
  },
  create: (o) =>
    new TPESampler({
      seed: o.seed as number | undefined,
      nStartupTrials: o.nStartupTrials as number | undefined,
      nEiCandidates: o.nEiCandidates as number | undefined,
      multivariate: o.multivariate as boolean | undefined,
      group: o.group as boolean | undefined,
      constantLiar: o.constantLiar as boolean | undefined,
      considerEndpoints: o.considerEndpoints as boolean | undefined,
      priorWeight: o.priorWeight as number | undefined,
      multivariateBandwidth: o.multivariateBandwidth as 'scott' | 'optuna' | undefined,
    }),
};
