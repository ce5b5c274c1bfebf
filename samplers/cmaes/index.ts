/**
 * CMA-ES: the optimizer cores (plain ask/tell classes) and the study-facing sampler.
 */
import type { SamplerEntry } from '../entry.js';
import type { RestartStrategy } from './restart.js';
import { CmaEsSampler } from './sampler.js';

export { CMA, type AskTellOptimizer, type CmaOptions, type CmaState, type Solution } from './cma.js';
export { CMAwM, type CmaWithMarginOptions, type CmaWithMarginState } from './cma-with-margin.js';
export { SepCMA, type SepCmaState } from './sep-cma.js';
export { CmaEsSampler, type CmaEsSamplerOptions } from './sampler.js';
export { type RestartBook, type RestartStrategy, countGeneration, newRestartBook, nextRun } from './restart.js';

/** The CLI entry (`--sampler cmaes`); the lead registers it in samplers/index.ts. */
export const registryEntry: SamplerEntry = {
  description: 'CMA-ES over the numeric parameters (categoricals sampled at random); whole generations in flight, state kept in the storage',
  options: {
    seed: { type: 'integer', description: 'random seed (same seed, same parameters)' },
    sigma0: { type: 'number', description: 'initial step size in the unit box, every parameter scaled to [0, 1] (default 1/6)' },
    popsize: { type: 'integer', description: 'population size lambda (default 4 + floor(3 ln n))' },
    x0: { type: 'json', description: 'initial mean as {"param": value, ...}; missing parameters start at the centre' },
    restartStrategy: { type: 'string', description: "'ipop' or 'bipop': restart a stopped run with a larger population (default none)" },
    incPopsize: { type: 'number', description: 'population growth factor per restart (default 2)' },
    withMargin: { type: 'boolean', description: 'CMA-ES with margin for int, stepped and ordinal parameters (default false)' },
    separable: { type: 'boolean', description: 'separable (diagonal) CMA-ES for many parameters (default false)' },
    lrAdapt: { type: 'boolean', description: 'learning-rate adaptation for noisy or multimodal objectives (default false)' },
    nStartupTrials: { type: 'integer', description: 'trials sampled at random before CMA-ES starts (default 1)' },
  },
  create: (o) =>
    new CmaEsSampler({
      seed: o.seed as number | undefined,
      sigma0: o.sigma0 as number | undefined,
      popsize: o.popsize as number | undefined,
      x0: o.x0 as Record<string, string | number | boolean | null> | undefined,
      restartStrategy: o.restartStrategy as RestartStrategy | undefined,
      incPopsize: o.incPopsize as number | undefined,
      withMargin: o.withMargin as boolean | undefined,
      separable: o.separable as boolean | undefined,
      lrAdapt: o.lrAdapt as boolean | undefined,
      nStartupTrials: o.nStartupTrials as number | undefined,
    }),
};
