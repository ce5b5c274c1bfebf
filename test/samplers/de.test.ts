import { describe, expect, it } from 'vitest';
import { askTell, bestAfter, evaluateTrial } from './helpers.js';
import type { FrozenTrial } from '../../src/frozen-trial.js';
import { Rng } from '../../src/rng.js';
import { InMemoryStorage } from '../../src/storage/in-memory.js';
import { createStudy, loadStudy } from '../../src/study.js';
import { DESampler, type DESamplerOptions, DifferentialEvolution } from '../../samplers/de/index.js';
import { RandomSampler } from '../../samplers/random.js';
import { getTestFunction } from '../../studies/functions/index.js';




const tag = (t: FrozenTrial) => [t.systemAttrs['de:generation'], t.systemAttrs['de:index']];

describe('DifferentialEvolution core', () => {
  it('minimises a sphere in the unit box, for every strategy and init', () => {
    for (const strategy of ['rand1bin', 'best1bin', 'currenttobest1bin'] as const) {
      for (const init of ['lhs', 'sobol', 'random'] as const) {
        const de = new DifferentialEvolution({ dim: 4, popsize: 16, strategy, init, seed: 1 });
        for (let g = 0; g < 60; g++) {
          de.tell(de.candidates().map((x, index) => ({ index, x, value: x.reduce((s, v) => s + (v - 0.3) ** 2, 0) })));
        }
        expect(de.best()!.value, `${strategy}/${init}`).toBeLessThan(1e-4);
      }
    }
  });

  it('latin hypercube init puts one point in every stratum of every coordinate', () => {
    const pts = new DifferentialEvolution({ dim: 3, popsize: 12, init: 'lhs', seed: 4 }).candidates();
    for (let j = 0; j < 3; j++) expect(new Set(pts.map((p) => Math.floor(p[j] * 12))).size).toBe(12);
  });

  it('round-trips its state through JSON', () => {
    const a = new DifferentialEvolution({ dim: 3, popsize: 8, mutation: [0.4, 0.9], seed: 9 });
    const f = (x: ArrayLike<number>) => Array.from(x).reduce((s, v) => s + v, 0);
    for (let g = 0; g < 3; g++) a.tell(a.candidates().map((x, index) => ({ index, x, value: f(x) })));
    const b = DifferentialEvolution.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    expect(b.candidates()).toEqual(a.candidates());
    a.tell(a.candidates().map((x, index) => ({ index, x, value: f(x) })));
    b.tell(b.candidates().map((x, index) => ({ index, x, value: f(x) })));
    expect(b.toJSON()).toEqual(a.toJSON());
  });

  it('rejects bad options with a message naming the option', () => {
    expect(() => new DESampler({ popsize: 3 })).toThrow(/popsize/);
    expect(() => new DESampler({ mutation: [0.9, 0.2] })).toThrow(/mutation/);
    expect(() => new DESampler({ strategy: 'best2exp' as never })).toThrow(/strategy/);
  });
});

describe('DESampler', () => {
  it('gives the same parameters for the same seed', () => {
    const fn = getTestFunction('mixed');
    const run = (seed: number) => {
      const study = createStudy({ sampler: new DESampler({ seed }) });
      askTell(study, fn, 60);
      return study.trials.map((t) => t.params);
    };
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });

  it('accepts a generation told in any order, with the same result as in order', () => {
    const fn = getTestFunction('branin');
    const run = (shuffled: boolean) => {
      const study = createStudy({ sampler: new DESampler({ seed: 5, popsize: 8 }) });
      askTell(study, fn, 1);
      for (let g = 0; g < 4; g++) {
        const batch = Array.from({ length: 8 }, () => study.ask());
        const values = batch.map((t) => evaluateTrial(t, fn));
        expect(batch.map((t) => tag(t.snapshot()))).toEqual(batch.map((_, i) => [g, i]));
        const order = batch.map((_, i) => i);
        if (shuffled) new Rng(g).shuffle(order);
        for (const i of order) study.tell(batch[i], values[i]);
      }
      return study.trials.map((t) => t.params);
    };
    expect(run(true)).toEqual(run(false));
  });

  it('resumes from the storage in the middle of a generation', () => {
    const fn = getTestFunction('hartmann6');
    const options: DESamplerOptions = { seed: 8, strategy: 'currenttobest1bin' };
    const reference = createStudy({ sampler: new DESampler(options) });
    askTell(reference, fn, 70);
    const storage = new InMemoryStorage();
    askTell(createStudy({ storage, studyName: 'd', sampler: new DESampler(options) }), fn, 41);
    const resumed = loadStudy({ storage, studyName: 'd', sampler: new DESampler(options) });
    askTell(resumed, fn, 29);
    expect(resumed.trials.map((t) => t.params)).toEqual(reference.trials.map((t) => t.params));
  });

  it('maps int, stepped, ordinal and categorical parameters to valid values and finds the mixed optimum region', () => {
    const fn = getTestFunction('mixed');
    const study = createStudy({ sampler: new DESampler({ seed: 3 }) });
    askTell(study, fn, 400);
    expect(study.bestValue).toBeLessThan(0.2);
    expect(study.bestParams.cat).toBe('c');
  });

  it('beats random search on three functions over fixed seeds', () => {
    for (const fn of ['rosenbrock4', 'styblinski_tang4', 'mixed'].map(getTestFunction)) {
      let wins = 0;
      for (const seed of [0, 1, 2, 3, 4, 5]) if (bestAfter(new DESampler({ seed }), fn, 200) < bestAfter(new RandomSampler({ seed }), fn, 200)) wins++;
      expect(wins, fn.name).toBeGreaterThanOrEqual(5);
    }
  });
});
