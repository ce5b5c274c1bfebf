/**
 * Independent uniform sampling: the baseline every other sampler must beat.
 */
import type { Distribution, ParamValue } from '../src/distributions.js';
import { Rng } from '../src/rng.js';
import type { FrozenTrial } from '../src/frozen-trial.js';
import type { Sampler } from '../src/sampler.js';
import { sampleUniform } from '../src/sampling.js';

export interface RandomSamplerOptions {
  seed?: number;
}

/**
 * Uniform sampling. The stream of each trial is seeded from (seed, trial number), so a resumed
 * study does not repeat the parameters of its first run, and a worker pool that samples trials
 * in another order still gives every trial the same parameters as a sequential run.
 */
export class RandomSampler implements Sampler {
  readonly name = 'random';
  private seed: number;
  private readonly rng = new Rng(0);
  private currentTrial = -1;

  constructor(options: RandomSamplerOptions = {}) {
    this.seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  }

  sampleIndependent(_study: unknown, trial: FrozenTrial, _name: string, distribution: Distribution): ParamValue {
    if (trial.number !== this.currentTrial) {
      this.currentTrial = trial.number;
      this.rng.reseed(trialSeed(this.seed, trial.number));
    }
    return sampleUniform(this.rng, distribution);
  }

  reseedRng(seed?: number): void {
    this.seed = seed ?? Math.floor(Math.random() * 2 ** 32);
    this.currentTrial = -1;
  }
}

/** A seed for one trial's stream, mixing the sampler seed and the trial number. */
export function trialSeed(seed: number, trialNumber: number): number {
  return (Math.imul((seed >>> 0) ^ 0x5bd1e995, 0x01000193) + Math.imul(trialNumber + 1, 0x9e3779b1)) >>> 0;
}
