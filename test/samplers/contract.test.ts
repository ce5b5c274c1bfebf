/**
 * The sampler contract, run against every sampler in the registry (the grid sampler, which needs
 * a grid, has its own suite): values inside their distributions for every kind of parameter,
 * define-by-run and conditional spaces, same seed same parameters, FAIL trials in the history,
 * several trials in flight at once.
 */
import { describe, expect, it } from 'vitest';
import { containsInternal, toInternal } from '../../src/distributions.js';
import { createStudy } from '../../src/study.js';
import type { Trial } from '../../src/trial.js';
import { createSampler, samplerNames } from '../../samplers/index.js';

const N_TRIALS = 24; // past every sampler's start-up phase (10 by default)

/** Every kind of parameter, plus one that exists only for some values of another. */
function mixedObjective(t: Trial): number {
  const x = t.suggestFloat('x', -3, 3);
  const lr = t.suggestFloat('lr', 1e-4, 1, { log: true });
  const q = t.suggestFloat('q', 0, 1, { step: 0.25 });
  const n = t.suggestInt('n', 0, 10, { step: 2 });
  const ln = t.suggestInt('ln', 1, 128, { log: true });
  const kind = t.suggestCategorical('kind', ['a', 'b', null]);
  const w = t.suggestOrdinal('w', [40, 60, 90, 120]);
  let extra = 0;
  if (kind === 'a') extra = t.suggestFloat('only_for_a', 0, 1);
  return x * x + Math.log(lr) ** 2 / 10 + q + n / 10 + Math.log2(ln) / 7 + (kind === 'b' ? 1 : 0) + w / 120 + extra;
}

for (const name of samplerNames().filter((n) => n !== 'grid')) {
  describe(`sampler contract: ${name}`, () => {
    it('suggests values inside their distributions, for every kind and conditional parameters', async () => {
      const study = createStudy({ sampler: createSampler(name, { seed: 1 }) });
      await study.optimize(mixedObjective, { nTrials: N_TRIALS, catch: 'none' });
      expect(study.getTrials({ states: ['COMPLETE'] })).toHaveLength(N_TRIALS);
      for (const t of study.trials) {
        for (const [p, d] of Object.entries(t.distributions)) expect(containsInternal(d, toInternal(d, t.params[p]))).toBe(true);
        expect('only_for_a' in t.params).toBe(t.params.kind === 'a');
      }
    });

    it('gives the same parameters for the same seed', async () => {
      const run = async () => {
        const study = createStudy({ sampler: createSampler(name, { seed: 3 }) });
        await study.optimize(mixedObjective, { nTrials: 16 });
        return study.trials.map((t) => t.params);
      };
      expect(await run()).toEqual(await run());
    });

    it('copes with FAIL trials in the history and with a one-parameter space', async () => {
      const study = createStudy({ sampler: createSampler(name, { seed: 2 }) });
      await study.optimize((t) => {
        const x = t.suggestFloat('x', -1, 1);
        if (t.number % 3 === 0) throw new Error('fails every third trial');
        return x * x;
      }, { nTrials: N_TRIALS });
      expect(study.getTrials({ states: ['COMPLETE'] }).length).toBe(N_TRIALS - Math.ceil(N_TRIALS / 3));
      expect(study.bestValue).toBeLessThan(0.25);
    });

    it('serves several trials in flight at once, told in any order', () => {
      const study = createStudy({ sampler: createSampler(name, { seed: 4 }) });
      for (let round = 0; round < 4; round++) {
        const batch = Array.from({ length: 6 }, () => study.ask());
        const values = batch.map((t) => {
          const x = t.suggestFloat('x', -2, 2);
          const y = t.suggestInt('y', 0, 4);
          return x * x + y;
        });
        for (const i of [3, 0, 5, 1, 4, 2]) study.tell(batch[i], values[i]);
      }
      expect(study.getTrials({ states: ['COMPLETE'] })).toHaveLength(24);
    });
  });
}
