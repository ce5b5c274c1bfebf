/**
 * NSGA-II and NSGA-III: genetic samplers for several objectives (one works too), a generation at
 * a time through storage claims, parallel and resume safe.
 */
import type { SamplerEntry, SamplerOptionSpec } from '../entry.js';
import type { CrossoverName } from './crossover.js';
import { NSGAIISampler } from './nsga2.js';
import { NSGAIIISampler } from './nsga3.js';
import type { MutationName } from './mutation.js';
import type { GeneticInit, GeneticSamplerOptions, GeneticSelection } from './sampler.js';

export { NSGAIISampler, type NSGAIISamplerOptions } from './nsga2.js';
export { NSGAIIISampler, type NSGAIIISamplerOptions } from './nsga3.js';
export { GENETIC_INITS, GENETIC_SELECTIONS, GeneticSampler, type GeneticInit, type GeneticSamplerOptions, type GeneticSelection } from './sampler.js';
export { MUTATION_NAMES, type MutationName, polynomialMutation } from './mutation.js';
export { CROSSOVER_NAMES, type Crossover, type CrossoverName, crossoverByName } from './crossover.js';
export { nonDominatedFronts, nonDominationRanks } from './non-dominated-sort.js';
export { crowdingDistances } from './crowding-distance.js';
export { constrainedDominates, constraintViolation, type Individual } from './dominance.js';
export { dasDennisPoints } from './reference-points.js';
export { selectNsga2, selectNsga3 } from './elite-selection.js';

const geneticOptions: Record<string, SamplerOptionSpec> = {
  seed: { type: 'integer', description: 'random seed (same seed, same parameters)' },
  populationSize: { type: 'integer', description: 'individuals per generation (default 50)' },
  mutationProb: { type: 'number', description: 'probability of re-drawing a parameter at random (default 1 / number of parameters)' },
  crossover: { type: 'string', description: "'uniform' (default), 'blxalpha', 'sbx', 'vsbx', 'undx' or 'spx'" },
  crossoverProb: { type: 'number', description: 'probability that a child comes from crossover, else a copy of a parent (default 0.9)' },
  swappingProb: { type: 'number', description: "uniform crossover's probability of taking the second parent's value (default 0.5)" },
  init: { type: 'string', description: "generation 0: 'lhs' (Latin hypercube, default) or 'random' (uniform, Optuna's)" },
  selection: { type: 'string', description: "who breeds children: 'steady-state' (parents and the generation's complete children, default) or 'generational' (parents only, Optuna's)" },
  mutation: { type: 'string', description: "numeric mutation: 'uniform' (a draw over the range, default, Optuna's) or 'polynomial' (around the parent's value, Deb's)" },
};

function geneticFrom(o: Record<string, unknown>): GeneticSamplerOptions {
  return {
    seed: o.seed as number | undefined,
    populationSize: o.populationSize as number | undefined,
    mutationProb: o.mutationProb as number | undefined,
    crossover: o.crossover as CrossoverName | undefined,
    crossoverProb: o.crossoverProb as number | undefined,
    swappingProb: o.swappingProb as number | undefined,
    init: o.init as GeneticInit | undefined,
    selection: o.selection as GeneticSelection | undefined,
    mutation: o.mutation as MutationName | undefined,
  };
}

/** `--sampler nsga2`. */
export const nsga2Entry: SamplerEntry = {
  description: 'NSGA-II genetic algorithm (several objectives, constraints): non-dominated sorting and crowding distance; state kept in the storage',
  options: geneticOptions,
  create: (o) => new NSGAIISampler(geneticFrom(o)),
};

/** `--sampler nsga3`. */
export const nsga3Entry: SamplerEntry = {
  description: 'NSGA-III genetic algorithm for 3 or more objectives: non-dominated sorting and reference-point niching; state kept in the storage',
  options: {
    ...geneticOptions,
    dividingParameter: { type: 'integer', description: 'divisions per objective of the Das-Dennis reference points (default 3)' },
    referencePoints: { type: 'json', description: 'reference points, e.g. [[1,0,0],[0,1,0],[0,0,1]] (default: Das-Dennis)' },
  },
  create: (o) => new NSGAIIISampler({ ...geneticFrom(o), dividingParameter: o.dividingParameter as number | undefined, referencePoints: o.referencePoints as number[][] | undefined }),
};
