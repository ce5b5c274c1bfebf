/**
 * Runs one sampler on one test function for a budget and a seed, with ask/tell, and measures
 * what benchmark tables need: the best-so-far curve, and the time spent outside the objective
 * (sampler plus bookkeeping, as Optuna's reference "overhead ms/trial" counts it).
 */
import type { ParamValue } from '../../src/distributions.js';
import type { Sampler } from '../../src/sampler.js';
import type { AskTellOptimizer } from '../../samplers/cmaes/index.js';
import { createStudy } from '../../src/study.js';
import { suggestFrom } from '../../src/trial.js';
import type { TestFunction } from '../../studies/functions/index.js';

export interface SamplerRun {
  /** Best value after the whole budget. */
  readonly best: number;
  /** Best-so-far value after each trial (length = budget). */
  readonly curve: Float64Array;
  /** Milliseconds per trial spent outside the objective. */
  readonly overheadMsPerTrial: number;
  readonly wallSeconds: number;
}

export function runSamplerOnFunction(makeSampler: (seed: number) => Sampler, fn: TestFunction, budget: number, seed: number): SamplerRun {
  const study = createStudy({ sampler: makeSampler(seed), direction: 'minimize' });
  const curve = new Float64Array(budget);
  let best = Infinity;
  let objectiveMs = 0;
  const started = performance.now();
  for (let i = 0; i < budget; i++) {
    const trial = study.ask();
    const params: Record<string, ParamValue> = {};
    for (const [name, d] of Object.entries(fn.space)) params[name] = suggestFrom(trial, name, d);
    const t0 = performance.now();
    const value = fn.evaluate(params);
    objectiveMs += performance.now() - t0;
    study.tell(trial, value);
    if (value < best) best = value;
    curve[i] = best;
  }
  const wallMs = performance.now() - started;
  return { best, curve, overheadMsPerTrial: (wallMs - objectiveMs) / budget, wallSeconds: wallMs / 1000 };
}

/** Regret: distance of a best value to the known optimum (never negative). */
export function regret(fn: TestFunction, value: number): number {
  return Math.max(0, value - fn.optimum);
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Geometric mean of positive ratios (ratios of 0 are floored at 1e-12 to stay finite). */
export function geometricMean(values: readonly number[]): number {
  return Math.exp(values.reduce((s, v) => s + Math.log(Math.max(v, 1e-12)), 0) / values.length);
}

/** Evaluations an ask/tell optimizer core needs until f < target (Infinity within maxEvals). */
export function evalsToTarget(opt: AskTellOptimizer, f: (x: ArrayLike<number>) => number, target: number, maxEvals: number): number {
  let evals = 0;
  while (evals < maxEvals) {
    const sols = [];
    for (let k = 0; k < opt.populationSize; k++) {
      const x = opt.ask();
      const value = f(opt.encode(x));
      evals++;
      if (value < target) return evals;
      sols.push({ x, value });
    }
    opt.tell(sols);
  }
  return Infinity;
}

/** A run through the function's own define-by-run objective (conditional and noisy functions). */
export interface ObjectiveRun {
  /**
   * After each trial, the noiseless value of the trial that is best by what the sampler saw
   * (the observed values; without noise, the best value itself).
   */
  readonly curve: Float64Array;
  readonly wallSeconds: number;
}

/**
 * Runs `fn.objective(trial)` (which suggests, possibly conditionally, and may add noise) for
 * `budget` trials. On a noisy function the sampler is told the noisy value and the run is scored
 * by the noiseless value of the best-by-noisy trial, as a user would pick it.
 */
export function runObjectiveOnFunction(makeSampler: (seed: number) => Sampler, fn: TestFunction, budget: number, seed: number): ObjectiveRun {
  const study = createStudy({ sampler: makeSampler(seed), direction: 'minimize' });
  const curve = new Float64Array(budget);
  let bestObserved = Infinity;
  let bestTrue = Infinity;
  const started = performance.now();
  for (let i = 0; i < budget; i++) {
    const trial = study.ask();
    const observed = fn.objective(trial);
    study.tell(trial, observed);
    if (observed < bestObserved) {
      bestObserved = observed;
      bestTrue = fn.evaluate(trial.params);
    }
    curve[i] = bestTrue;
  }
  return { curve, wallSeconds: (performance.now() - started) / 1000 };
}
