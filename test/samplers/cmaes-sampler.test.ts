import { describe, expect, it } from 'vitest';
import { askTell, bestAfter } from './helpers.js';
import { type ParamValue, containsInternal, toInternal } from '../../src/distributions.js';
import type { FrozenTrial } from '../../src/frozen-trial.js';
import { Rng } from '../../src/rng.js';
import { InMemoryStorage } from '../../src/storage/in-memory.js';
import { createStudy, loadStudy } from '../../src/study.js';
import { suggestFrom } from '../../src/trial.js';
import { CmaEsSampler, type CmaEsSamplerOptions, registryEntry } from '../../samplers/cmaes/index.js';
import { RandomSampler } from '../../samplers/random.js';
import { loadChunkedState } from '../../samplers/cmaes/stored-state.js';
import type { RestartBook } from '../../samplers/cmaes/restart.js';
import { getTestFunction } from '../../studies/functions/index.js';



const tag = (t: FrozenTrial) => [t.systemAttrs['cmaes:generation'], t.systemAttrs['cmaes:index']];

describe('CmaEsSampler', () => {
  it('gives the same parameters for the same seed, and other ones for another seed', () => {
    const fn = getTestFunction('rosenbrock4');
    const run = (seed: number) => {
      const study = createStudy({ sampler: new CmaEsSampler({ seed }) });
      askTell(study, fn, 40);
      return study.trials.map((t) => t.params);
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it('hands out a whole generation and accepts the results in any order', () => {
    const fn = getTestFunction('sphere6');
    const run = (order: 'sequential' | 'shuffled') => {
      const study = createStudy({ sampler: new CmaEsSampler({ seed: 11 }) });
      askTell(study, fn, 1); // the startup trial fixes the search space
      const lambda = 4 + Math.floor(3 * Math.log(6));
      for (let g = 0; g < 3; g++) {
        const batch = Array.from({ length: lambda }, () => study.ask());
        const values = batch.map((t) => {
          const params: Record<string, ParamValue> = {};
          for (const [name, d] of Object.entries(fn.space)) params[name] = suggestFrom(t, name, d);
          return fn.evaluate(params);
        });
        expect(batch.map((t) => tag(t.snapshot()))).toEqual(batch.map((_, i) => [g, i]));
        const order_ = order === 'sequential' ? batch.map((_, i) => i) : new Rng(g).shuffle(batch.map((_, i) => i));
        for (const i of order_) study.tell(batch[i], values[i]);
      }
      return study.trials.map((t) => t.params);
    };
    expect(run('shuffled')).toEqual(run('sequential'));
  });

  it('gives extra trials of the same generation when more are in flight than the population', () => {
    const fn = getTestFunction('sphere3');
    const study = createStudy({ sampler: new CmaEsSampler({ seed: 2, popsize: 4 }) });
    askTell(study, fn, 1);
    const batch = Array.from({ length: 6 }, () => study.ask());
    for (const t of batch) for (const [name, d] of Object.entries(fn.space)) suggestFrom(t, name, d);
    expect(batch.map((t) => tag(t.snapshot()))).toEqual([[0, 0], [0, 1], [0, 2], [0, 3], [0, 4], [0, 5]]);
    // Fail one: the generation still closes with four complete trials.
    study.tell(batch[1], null);
    for (const i of [5, 0, 3, 2]) study.tell(batch[i], i);
    expect(tag(study.ask().snapshot())).toEqual([1, 0]);
  });

  it('resumes from the storage: a new Study object continues the same generation with the same points', () => {
    const fn = getTestFunction('ellipsoid5');
    const options: CmaEsSamplerOptions = { seed: 21, withMargin: false };
    const reference = createStudy({ sampler: new CmaEsSampler(options) });
    askTell(reference, fn, 30);

    const storage = new InMemoryStorage();
    const first = createStudy({ storage, studyName: 's', sampler: new CmaEsSampler(options) });
    askTell(first, fn, 17); // 1 startup + 2 generations of 8 (lambda = 8 in 5-D)... and part of a third
    const second = loadStudy({ storage, studyName: 's', sampler: new CmaEsSampler(options) });
    askTell(second, fn, 13);
    expect(second.trials.map((t) => t.params)).toEqual(reference.trials.map((t) => t.params));
    expect(tag(second.trials[17])).toEqual(tag(reference.trials[17]));
  });

  it('restarts with a larger population when the run stagnates (IPOP)', () => {
    // A plateau: every value equal, so the tolfun criterion stops the run.
    const study = createStudy({ sampler: new CmaEsSampler({ seed: 3, restartStrategy: 'ipop', popsize: 6 }) });
    for (let i = 0; i < 400; i++) {
      const t = study.ask();
      t.suggestFloat('x', 0, 1);
      t.suggestFloat('y', 0, 1);
      study.tell(t, 1);
    }
    const maxIndex = Math.max(...study.trials.map((t) => (t.systemAttrs['cmaes:index'] as number | undefined) ?? -1));
    expect(maxIndex).toBeGreaterThanOrEqual(6); // some generation had at least 7 members
    const noRestart = createStudy({ sampler: new CmaEsSampler({ seed: 3, popsize: 6 }) });
    for (let i = 0; i < 400; i++) {
      const t = noRestart.ask();
      t.suggestFloat('x', 0, 1);
      t.suggestFloat('y', 0, 1);
      noRestart.tell(t, 1);
    }
    expect(Math.max(...noRestart.trials.map((t) => (t.systemAttrs['cmaes:index'] as number | undefined) ?? -1))).toBe(5);
  });

  it('BIPOP alternates large and small populations after stops, as recorded in the stored state', () => {
    const study = createStudy({ sampler: new CmaEsSampler({ seed: 5, restartStrategy: 'bipop', popsize: 6 }) });
    const regimes = new Set<string>();
    let restarts = 0;
    for (let i = 0; i < 1500; i++) {
      const t = study.ask();
      t.suggestFloat('x', 0, 1);
      t.suggestFloat('y', 0, 1);
      study.tell(t, 1);
      const state = loadChunkedState<{ generation: number; restart: RestartBook }>(study, 'cmaes:state');
      if (state) {
        regimes.add(state.restart.regime);
        restarts = state.restart.restarts;
      }
    }
    expect(restarts).toBeGreaterThanOrEqual(3);
    expect([...regimes].sort()).toEqual(['large', 'small']);
  });

  it('with margin on a space without discrete parameters gives the same points as plain CMA-ES', () => {
    const fn = getTestFunction('ackley5');
    const run = (withMargin: boolean) => {
      const study = createStudy({ sampler: new CmaEsSampler({ seed: 9, withMargin }) });
      askTell(study, fn, 60);
      return study.trials.map((t) => t.params);
    };
    expect(run(true)).toEqual(run(false));
  });

  it('with margin: integer, stepped and ordinal parameters get valid values and categoricals stay independent', () => {
    const study = createStudy({ sampler: new CmaEsSampler({ seed: 4, withMargin: true }) });
    for (let i = 0; i < 150; i++) {
      const t = study.ask();
      const a = t.suggestInt('a', -10, 10);
      const b = t.suggestFloat('b', 0, 2, { step: 0.25 });
      const c = t.suggestOrdinal('c', [1, 2, 4, 8, 16]);
      const d = t.suggestFloat('d', -3, 3);
      const k = t.suggestCategorical('k', ['x', 'y']);
      study.tell(t, (a - 3) ** 2 + (b - 1.25) ** 2 + Math.log2(c) + d * d + (k === 'y' ? 0 : 1));
    }
    for (const t of study.trials) {
      for (const [name, d] of Object.entries(t.distributions)) expect(containsInternal(d, toInternal(d, t.params[name])), name).toBe(true);
    }
    // Near the optimum 0 (a = 3, b = 1.25, c = 1, d = 0, k = 'y'): the integer parts are found.
    expect(study.bestParams.a).toBe(3);
    expect(study.bestParams.c).toBe(1);
    expect(study.bestValue).toBeLessThan(1.5);
    expect(study.trials.at(-1)!.systemAttrs['cmaes:x']).toHaveLength(4);
  });

  it('is built by the CLI registry entry, options left undefined keeping their defaults, and rejects bad combinations', () => {
    const sampler = registryEntry.create({ seed: 1, incPopsize: undefined, restartStrategy: 'ipop' }, {});
    expect(sampler.name).toBe('cmaes');
    const study = createStudy({ sampler });
    askTell(study, getTestFunction('sphere3'), 20);
    expect(() => new CmaEsSampler({ separable: true, withMargin: true })).toThrow(/separable and withMargin/);
    expect(() => new CmaEsSampler({ restartStrategy: 'lpop' as never })).toThrow(/restartStrategy/);
    expect(() => new CmaEsSampler({ sigma0: -1 })).toThrow(/sigma0/);
  });

  it('starts at x0 with sigma0, maximises when asked, and waits for nStartupTrials', () => {
    const study = createStudy({ direction: 'maximize', sampler: new CmaEsSampler({ seed: 2, x0: { x: 2, y: -1 }, sigma0: 0.001, nStartupTrials: 3 }) });
    const objective = (x: number, y: number) => -((x - 2.5) ** 2) - (y + 1) ** 2;
    for (let i = 0; i < 3 + 6; i++) {
      const t = study.ask();
      study.tell(t, objective(t.suggestFloat('x', -5, 5), t.suggestFloat('y', -5, 5)));
    }
    const tags = study.trials.map((t) => t.systemAttrs['cmaes:generation']);
    expect(tags.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    for (const t of study.trials.slice(3)) {
      expect(t.params.x as number).toBeCloseTo(2, 1);
      expect(t.params.y as number).toBeCloseTo(-1, 1);
    }
    for (let i = 0; i < 300; i++) {
      const t = study.ask();
      study.tell(t, objective(t.suggestFloat('x', -5, 5), t.suggestFloat('y', -5, 5)));
    }
    expect(study.bestValue).toBeGreaterThan(-1e-6);
  });

  it('beats random search on three functions over fixed seeds (also separable and lrAdapt variants)', () => {
    const fns = ['sphere5', 'rosenbrock4', 'hartmann6'].map(getTestFunction);
    const seeds = [0, 1, 2, 3, 4];
    for (const fn of fns) {
      for (const make of [
        (s: number) => new CmaEsSampler({ seed: s }),
        (s: number) => new CmaEsSampler({ seed: s, separable: true }),
        (s: number) => new CmaEsSampler({ seed: s, lrAdapt: true }),
      ]) {
        let wins = 0;
        for (const seed of seeds) if (bestAfter(make(seed), fn, 150) < bestAfter(new RandomSampler({ seed }), fn, 150)) wins++;
        expect(wins, fn.name).toBeGreaterThanOrEqual(4);
      }
    }
  });
});
