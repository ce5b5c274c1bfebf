/**
 * Noisy objectives: a test function observed through Gaussian noise, as a backtest on a finite
 * sample or a trained model's validation score is. The noise of each trial comes from its own
 * seeded stream (noise seed, trial number), so a run is reproducible and two samplers see the
 * same noise on the same trial number.
 *
 * `evaluate` stays the noiseless value: a benchmark ranks trials by what the sampler saw (the
 * noisy value) and scores the chosen trial by its noiseless value, so a sampler that chases a
 * lucky draw is not rewarded for it.
 */
import type { ParamValue } from '../../src/distributions.js';
import { Rng } from '../../src/rng.js';
import type { Trial } from '../../src/trial.js';
import type { TestFunction } from './test-function.js';

export interface NoisyTestFunction extends TestFunction {
  /** Standard deviation of the additive Gaussian noise. */
  readonly noiseSigma: number;
  readonly noiseSeed: number;
  /** The value observed for `params` on trial number `trialNumber`: evaluate(params) plus its noise. */
  observe(params: Readonly<Record<string, ParamValue>>, trialNumber: number): number;
  /** The same function with another noise stream (a benchmark gives each seed its own). */
  withNoiseSeed(noiseSeed: number): NoisyTestFunction;
}

export function isNoisy(fn: TestFunction): fn is NoisyTestFunction {
  return 'noiseSigma' in fn;
}

/** The standard normal deviate of trial `trialNumber` in the stream `noiseSeed`. */
export function noiseDeviate(noiseSeed: number, trialNumber: number): number {
  // Trial numbers stay below 2^20, so each (seed, number) pair is a distinct 32-bit-mixed seed.
  return new Rng(noiseSeed * 2 ** 20 + trialNumber).normal();
}

/** `base` observed with additive N(0, sigma^2) noise; named `noisy_<base name>`. */
export function withNoise(base: TestFunction, sigma: number, noiseSeed = 0): NoisyTestFunction {
  const observe = (params: Readonly<Record<string, ParamValue>>, trialNumber: number): number => base.evaluate(params) + sigma * noiseDeviate(noiseSeed, trialNumber);
  return {
    name: `noisy_${base.name}`,
    description: `${base.description}, observed with Gaussian noise of sd ${sigma}`,
    optimum: base.optimum,
    space: base.space,
    evaluate: base.evaluate,
    noiseSigma: sigma,
    noiseSeed,
    observe,
    // The base objective suggests (and may suggest conditionally); the noise is added after.
    objective: (trial: Trial): number => base.objective(trial) + sigma * noiseDeviate(noiseSeed, trial.number),
    withNoiseSeed: (seed: number) => withNoise(base, sigma, seed),
  };
}
