/** Shared by the sampler suites: run a sampler on a test function with ask and tell. */
import type { ParamValue } from '../../src/distributions.js';
import type { Sampler } from '../../src/sampler.js';
import { type Study, createStudy } from '../../src/study.js';
import { type Trial, suggestFrom } from '../../src/trial.js';
import type { TestFunction } from '../../studies/functions/index.js';

/** Suggests every parameter of the function's space on `t`, then evaluates it. */
export function evaluateTrial(t: Trial, fn: TestFunction): number {
  const params: Record<string, ParamValue> = {};
  for (const [name, d] of Object.entries(fn.space)) params[name] = suggestFrom(t, name, d);
  return fn.evaluate(params);
}

/** `n` trials of `fn` on `study`, one after another. */
export function askTell(study: Study, fn: TestFunction, n: number): void {
  for (let i = 0; i < n; i++) {
    const t = study.ask();
    study.tell(t, evaluateTrial(t, fn));
  }
}

/** The best value `sampler` finds on `fn` in `n` trials of a new in-memory study. */
export function bestAfter(sampler: Sampler, fn: TestFunction, n: number): number {
  const study = createStudy({ sampler });
  askTell(study, fn, n);
  return study.bestValue;
}
