/**
 * NSGAIISampler: NSGA-II (Deb, Pratap, Agarwal & Meyarivan 2002, IEEE TEC 6(2)) with Optuna's
 * names and defaults: survivors by non-dominated sorting and crowding distance.
 */
import type { Rng } from '../../src/rng.js';
import type { Individual } from './dominance.js';
import { selectNsga2 } from './elite-selection.js';
import { GeneticSampler, type GeneticSamplerOptions } from './sampler.js';

export type NSGAIISamplerOptions = GeneticSamplerOptions;

export class NSGAIISampler extends GeneticSampler {
  readonly name = 'nsga2';

  constructor(options: NSGAIISamplerOptions = {}) {
    super(options);
  }

  protected selectSurvivors(population: readonly Individual[], size: number, _rng: Rng): number[] {
    return selectNsga2(population, size);
  }
}
