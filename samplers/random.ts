/**
 * Independent uniform sampling: the baseline every other sampler must beat.
 */
import { type Distribution, type ParamValue, steppedFloat } from '../src/distributions.js';
import { Rng } from '../src/rng.js';
import type { FrozenTrial } from '../src/frozen-trial.js';
import type { Sampler } from '../src/sampler.js';

export interface RandomSamplerOptions {
  seed?: number;
}

/** Draws one external value uniformly from `d` (log-uniformly for log distributions). */
export function sampleUniform(rng: Rng, d: Distribution): ParamValue {
  switch (d.type) {
    case 'float': {
      if (d.log) return clamp(Math.exp(rng.uniform(Math.log(d.low), Math.log(d.high))), d.low, d.high);
      if (d.step !== null) {
        const n = Math.round((d.high - d.low) / d.step);
        const k = rng.int(0, n);
        return k === n ? d.high : steppedFloat(d.low, d.step, k);
      }
      return rng.uniform(d.low, d.high);
    }
    case 'int': {
      if (d.log) {
        // Uniform in log space over [low - 0.5, high + 0.5], then round (as Optuna's transform does).
        const v = Math.exp(rng.uniform(Math.log(d.low - 0.5 > 0 ? d.low - 0.5 : d.low * 0.5), Math.log(d.high + 0.5)));
        return clamp(Math.round(v), d.low, d.high);
      }
      const n = Math.round((d.high - d.low) / d.step);
      return d.low + rng.int(0, n) * d.step;
    }
    case 'categorical':
      return d.choices[rng.int(0, d.choices.length - 1)];
    case 'ordinal':
      return d.values[rng.int(0, d.values.length - 1)];
  }
}

function clamp(x: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, x));
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
