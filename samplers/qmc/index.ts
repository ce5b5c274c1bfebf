/**
 * Quasi-Monte Carlo: the Sobol and Halton generators (also used by other samplers, e.g. the GP
 * sampler's candidate sets and DE's initial population) and the study-facing sampler.
 */
import type { SamplerEntry } from '../entry.js';
import { QMCSampler, type QmcType } from './sampler.js';

export { SobolSequence, SOBOL_MAX_DIM, type SobolOptions } from './sobol.js';
export { HaltonSequence, firstPrimes, type HaltonOptions } from './halton.js';
export { centeredL2Discrepancy } from './discrepancy.js';
export { QMCSampler, type QMCSamplerOptions, type QmcType } from './sampler.js';

/** The CLI entry (`--sampler qmc`); the lead registers it in samplers/index.ts. */
export const registryEntry: SamplerEntry = {
  description: 'quasi-Monte Carlo points (scrambled Sobol or Halton), even coverage of the space; ignores objective values',
  options: {
    seed: { type: 'integer', description: 'seed of the scrambling (same seed, same points)' },
    scramble: { type: 'boolean', description: 'randomise the sequence (default true; false gives the textbook points, first at the lower bounds)' },
    qmcType: { type: 'string', description: "'sobol' (default) or 'halton'" },
  },
  create: (o) => new QMCSampler({ seed: o.seed as number | undefined, scramble: o.scramble as boolean | undefined, qmcType: o.qmcType as QmcType | undefined }),
};
