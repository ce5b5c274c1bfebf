/**
 * Differential evolution: the ask/tell core and the study-facing sampler.
 */
import type { SamplerEntry } from '../entry.js';
import type { DeInit, DeStrategy } from './de.js';
import { DESampler } from './sampler.js';

export { DifferentialEvolution, type DeInit, type DeOptions, type DeResult, type DeState, type DeStrategy } from './de.js';
export { DESampler, type DESamplerOptions, defaultDePopsize } from './sampler.js';

/** The CLI entry (`--sampler de`); the lead registers it in samplers/index.ts. */
export const registryEntry: SamplerEntry = {
  description: 'differential evolution (SciPy-style, a generation at a time); int/step/ordinal rounded, categoricals one-hot; state kept in the storage',
  options: {
    seed: { type: 'integer', description: 'random seed (same seed, same parameters)' },
    popsize: { type: 'integer', description: 'number of individuals (default max(10, n) for n coordinates, one-hot columns included)' },
    strategy: { type: 'string', description: "'best1bin' (default), 'rand1bin' or 'currenttobest1bin'" },
    mutation: { type: 'json', description: 'differential weight F, or [lo, hi] to draw F per generation (default [0.5, 1])' },
    recombination: { type: 'number', description: 'crossover probability CR (default 0.7)' },
    init: { type: 'string', description: "initial population: 'lhs' (default), 'sobol' or 'random'" },
  },
  create: (o) =>
    new DESampler({
      seed: o.seed as number | undefined,
      popsize: o.popsize as number | undefined,
      strategy: o.strategy as DeStrategy | undefined,
      mutation: o.mutation as number | [number, number] | undefined,
      recombination: o.recombination as number | undefined,
      init: o.init as DeInit | undefined,
    }),
};
