/**
 * The TPE sampler: same seed same parameters, better than random search on three functions over
 * fixed seeds, the awkward histories (constant objective, duplicates, all FAIL, one parameter),
 * ordinal parameters as ordered, infeasible regions avoided, pruned and running trials, several
 * objectives, conditional spaces with `group`, and the CLI registry entry.
 */
import { describe, expect, it } from 'vitest';
import { createStudy } from '../../src/study.js';
import type { Trial } from '../../src/trial.js';
import { suggestFrom } from '../../src/trial.js';
import { RandomSampler } from '../../samplers/random.js';
import { TPESampler, type TPESamplerOptions, registryEntry } from '../../samplers/tpe/index.js';
import { getTestFunction } from '../../studies/functions/index.js';
import { runSamplerOnFunction } from '../../scripts/lib/sampler-bench.js';
import type { Sampler } from '../../src/sampler.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function paramsOf(sampler: Sampler, objective: (t: Trial) => number, n: number): Promise<unknown[]> {
  const study = createStudy({ sampler });
  await study.optimize(objective, { nTrials: n });
  return study.trials.map((t) => t.params);
}

const mixedSpace = (t: Trial): number => {
  const x = t.suggestFloat('x', -3, 3);
  const lr = t.suggestFloat('lr', 1e-4, 1, { log: true });
  const n = t.suggestInt('n', 0, 10, { step: 2 });
  const kind = t.suggestCategorical('kind', ['a', 'b', 'c']);
  const w = t.suggestOrdinal('w', [40, 60, 90, 120]);
  return x * x + Math.log10(lr) ** 2 + n / 10 + (kind === 'b' ? 0 : 1) + Math.abs(w - 90) / 30;
};

describe('TPESampler', () => {
  it('gives the same parameters for the same seed, and others for another seed', async () => {
    for (const opts of [{}, { multivariate: true }, { multivariate: true, group: true }] as TPESamplerOptions[]) {
      const a = await paramsOf(new TPESampler({ seed: 7, ...opts }), mixedSpace, 30);
      const b = await paramsOf(new TPESampler({ seed: 7, ...opts }), mixedSpace, 30);
      const c = await paramsOf(new TPESampler({ seed: 8, ...opts }), mixedSpace, 30);
      expect(b).toEqual(a);
      expect(c).not.toEqual(a);
    }
  });

  it('beats random search on branin, hartmann6 and the mixed function over fixed seeds', () => {
    // Budget 80, seeds 0-7: TPE's median regret must be under half of random's, and TPE must win
    // on most seeds. Deterministic (fixed seeds); measured ratios are 0.26 (branin), 0.31
    // (hartmann6) and 0.19 (mixed), with 5, 6 and 8 wins of 8.
    for (const name of ['branin', 'hartmann6', 'mixed']) {
      const fn = getTestFunction(name);
      const regret = (v: number) => v - fn.optimum;
      const tpe: number[] = [];
      const rnd: number[] = [];
      for (let seed = 0; seed < 8; seed++) {
        tpe.push(regret(runSamplerOnFunction((s) => new TPESampler({ seed: s }), fn, 80, seed).best));
        rnd.push(regret(runSamplerOnFunction((s) => new RandomSampler({ seed: s }), fn, 80, seed).best));
      }
      const wins = tpe.filter((v, i) => v < rnd[i]).length;
      expect(median(tpe), name).toBeLessThan(0.5 * median(rnd));
      expect(wins, name).toBeGreaterThanOrEqual(5);
    }
  });

  it('multivariate TPE beats independent TPE where variables interact (rosenbrock)', () => {
    const fn = getTestFunction('rosenbrock4');
    const ind: number[] = [];
    const mv: number[] = [];
    for (let seed = 0; seed < 6; seed++) {
      ind.push(runSamplerOnFunction((s) => new TPESampler({ seed: s, multivariate: false }), fn, 120, seed).best);
      mv.push(runSamplerOnFunction((s) => new TPESampler({ seed: s, multivariate: true }), fn, 120, seed).best);
    }
    expect(median(mv)).toBeLessThan(0.5 * median(ind));
  });

  it('is multivariate by default on one objective and independent on several; group implies multivariate', async () => {
    const one = async (opts: TPESamplerOptions): Promise<unknown[]> => paramsOf(new TPESampler({ seed: 11, ...opts }), mixedSpace, 40);
    expect(await one({})).toEqual(await one({ multivariate: true }));
    expect(await one({})).not.toEqual(await one({ multivariate: false }));
    expect(await one({ group: true })).toEqual(await one({ multivariate: true, group: true }));
    const two = async (opts: TPESamplerOptions): Promise<unknown[]> => {
      const study = createStudy({ sampler: new TPESampler({ seed: 11, ...opts }), directions: ['minimize', 'minimize'] });
      await study.optimize((t) => [mixedSpace(t), t.params.x as number], { nTrials: 40 });
      return study.trials.map((t) => t.params);
    };
    expect(await two({})).toEqual(await two({ multivariate: false }));
    expect(await two({})).not.toEqual(await two({ multivariate: true }));
  });

  it('copes with a constant objective, duplicate points, an all-FAIL history and a single parameter', async () => {
    const constant = createStudy({ sampler: new TPESampler({ seed: 1 }) });
    await constant.optimize((t) => (t.suggestFloat('x', 0, 1), t.suggestInt('n', 1, 5), 3), { nTrials: 30 });
    expect(constant.getTrials({ states: ['COMPLETE'] })).toHaveLength(30);

    // Duplicates: a two-valued parameter makes every observation repeat many times.
    const dup = createStudy({ sampler: new TPESampler({ seed: 2, multivariate: true }) });
    await dup.optimize((t) => t.suggestInt('b', 0, 1) + t.suggestFloat('y', 0, 1, { step: 0.5 }), { nTrials: 40 });
    for (const t of dup.trials) expect([0, 0.5, 1]).toContain(t.params.y);

    const failing = createStudy({ sampler: new TPESampler({ seed: 3 }) });
    await failing.optimize(
      (t) => {
        t.suggestFloat('x', 0, 1);
        throw new Error('boom');
      },
      { nTrials: 15, catch: 'all' },
    );
    const after = failing.ask();
    const x = after.suggestFloat('x', 0, 1);
    expect(x).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThanOrEqual(1);

    const one = createStudy({ sampler: new TPESampler({ seed: 4 }) });
    await one.optimize((t) => (t.suggestFloat('x', -10, 10) - 3) ** 2, { nTrials: 60 });
    expect(Math.abs((one.bestParams.x as number) - 3)).toBeLessThan(0.5);

    const single = createStudy({ sampler: new TPESampler({ seed: 5 }) });
    await single.optimize((t) => t.suggestFloat('x', 2, 2) + t.suggestCategorical('c', ['only']).length, { nTrials: 15 });
    expect(single.trials.every((t) => t.params.x === 2)).toBe(true);
  });

  it('treats ordinal values as ordered: near misses are explored, unlike a categorical', async () => {
    const values = Array.from({ length: 30 }, (_, i) => 10 * (i + 1));
    const target = 150; // index 14
    const distanceAfterStartup = async (ordinal: boolean): Promise<number> => {
      const distances: number[] = [];
      for (let seed = 0; seed < 4; seed++) {
        const study = createStudy({ sampler: new TPESampler({ seed }) });
        await study.optimize(
          (t) => {
            const v = ordinal ? t.suggestOrdinal('v', values) : (t.suggestCategorical('v', values) as number);
            return Math.abs(v - target);
          },
          { nTrials: 50 },
        );
        for (const t of study.trials.slice(20)) distances.push(Math.abs((t.params.v as number) - target) / 10);
      }
      return distances.reduce((a, b) => a + b, 0) / distances.length;
    };
    // Measured: 3.5 steps on average as ordinal, 5.5 as categorical.
    const ordinal = await distanceAfterStartup(true);
    const categorical = await distanceAfterStartup(false);
    expect(ordinal).toBeLessThan(4.2);
    expect(ordinal).toBeLessThan(0.75 * categorical);
  });

  it('steers away from infeasible regions (constraints) and never reports an infeasible best', async () => {
    // Minimise (x - 1)² on [0, 2] with x <= 0.6 required: the unconstrained optimum is infeasible
    // and the feasible one, 0.16 at x = 0.6, lies on the boundary, so samples crowd both sides of
    // it; far beyond it (x > 0.8) they must become rare. Measured over trials 20-59 of seeds 0-3:
    // 46% infeasible and 24% far with constraints, 93% and 79% without.
    const shares = async (withConstraints: boolean): Promise<{ infeasible: number; far: number; best: number }> => {
      let infeasible = 0;
      let far = 0;
      let total = 0;
      let best = 0;
      for (let seed = 0; seed < 4; seed++) {
        const study = createStudy({
          sampler: new TPESampler({ seed }),
          constraints: withConstraints ? (t) => [(t.params.x as number) - 0.6] : undefined,
        });
        await study.optimize((t) => (t.suggestFloat('x', 0, 2) - 1) ** 2, { nTrials: 60 });
        for (const t of study.trials.slice(20)) {
          total++;
          if ((t.params.x as number) > 0.6) infeasible++;
          if ((t.params.x as number) > 0.8) far++;
        }
        if (withConstraints) expect((study.bestParams.x as number) <= 0.6).toBe(true);
        best = Math.max(best, study.bestValue);
      }
      return { infeasible: infeasible / total, far: far / total, best };
    };
    const constrained = await shares(true);
    const free = await shares(false);
    expect(constrained.infeasible).toBeLessThan(0.6 * free.infeasible);
    expect(constrained.far).toBeLessThan(0.4 * free.far);
    expect(constrained.best).toBeLessThan(0.18); // the feasible optimum is 0.16
  });

  it('ranks pruned trials by their last step and keeps working', async () => {
    const study = createStudy({ sampler: new TPESampler({ seed: 6, nStartupTrials: 5 }) });
    for (let i = 0; i < 30; i++) {
      const t = study.ask();
      const x = t.suggestFloat('x', -5, 5);
      t.report(x * x, 0);
      if (i % 3 === 0) study.tell(t, undefined, { state: 'PRUNED' });
      else study.tell(t, x * x);
    }
    expect(study.getTrials({ states: ['PRUNED'] }).length).toBe(10);
    expect(Math.abs(study.bestParams.x as number)).toBeLessThan(1.5);
  });

  it('with constantLiar, trials in flight count as bad so that parallel asks spread out', () => {
    const spread = (constantLiar: boolean): number => {
      const study = createStudy({ sampler: new TPESampler({ seed: 9, constantLiar, nStartupTrials: 10 }) });
      for (let i = 0; i < 30; i++) {
        const t = study.ask();
        study.tell(t, (t.suggestFloat('x', -5, 5) - 1) ** 2);
      }
      const pending = Array.from({ length: 8 }, () => study.ask().suggestFloat('x', -5, 5));
      const mean = pending.reduce((a, b) => a + b, 0) / pending.length;
      return Math.sqrt(pending.reduce((a, b) => a + (b - mean) ** 2, 0) / pending.length);
    };
    expect(spread(true)).toBeGreaterThan(spread(false));
  });

  it('optimises two objectives (non-dominated split) better than random search', async () => {
    const objective = (t: Trial): number[] => {
      const x = t.suggestFloat('x', 0, 1);
      const y = t.suggestFloat('y', 0, 1);
      return [x + y * y, 1 - x + (y - 0.1) ** 2];
    };
    const frontQuality = async (sampler: Sampler): Promise<number> => {
      const study = createStudy({ sampler, directions: ['minimize', 'minimize'] });
      await study.optimize(objective, { nTrials: 60 });
      // Mean distance of the Pareto front to the true front (y = 0.05 gives x + 0.0025 + ...).
      return study.bestTrials.reduce((s, t) => s + Math.abs((t.params.y as number) - 0.05), 0) / study.bestTrials.length;
    };
    let tpe = 0;
    let rnd = 0;
    for (let seed = 0; seed < 4; seed++) {
      tpe += await frontQuality(new TPESampler({ seed }));
      rnd += await frontQuality(new RandomSampler({ seed }));
    }
    expect(tpe).toBeLessThan(rnd);
  });

  it('samples conditional spaces, jointly per group with `group`', async () => {
    const study = createStudy({ sampler: new TPESampler({ seed: 3, multivariate: true, group: true }) });
    await study.optimize(
      (t) => {
        const kind = t.suggestCategorical('kind', ['svm', 'forest']);
        if (kind === 'svm') return ((t.suggestFloat('c', -3, 3) - 1) ** 2 + (t.suggestFloat('g', -3, 3) + 1) ** 2) / 9;
        return 1 + (t.suggestInt('depth', 1, 10) - 4) ** 2 / 10;
      },
      { nTrials: 60 },
    );
    for (const t of study.trials) expect('c' in t.params).toBe(t.params.kind === 'svm');
    expect(study.bestParams.kind).toBe('svm');
    expect(study.bestValue).toBeLessThan(0.02);
  });

  it('lets a batching executor run the start-up phase in parallel, then one trial per worker ahead', () => {
    const sampler = new TPESampler({ nStartupTrials: 10 });
    expect(sampler.pendingLimit(0)).toBe(10);
    expect(sampler.pendingLimit(9)).toBe(1);
    expect(sampler.pendingLimit(10)).toBe(1);
    expect(sampler.pendingLimit(1000)).toBe(1); // proposals from one model crowd together: one per worker
  });

  it('rejects bad options with messages that name them', () => {
    expect(() => new TPESampler({ nEiCandidates: 0 })).toThrow(/nEiCandidates/);
    expect(() => new TPESampler({ group: true, multivariate: false })).toThrow(/multivariate/);
    expect(() => new TPESampler({ priorWeight: -1 })).toThrow(/priorWeight/);
  });

  it('exposes a registry entry for the CLI with its options', async () => {
    expect(Object.keys(registryEntry.options)).toEqual(
      expect.arrayContaining(['seed', 'nStartupTrials', 'nEiCandidates', 'multivariate', 'group', 'constantLiar', 'considerEndpoints', 'priorWeight']),
    );
    const sampler = registryEntry.create({ seed: 1, multivariate: true }, {});
    expect(sampler.name).toBe('tpe');
    const fn = getTestFunction('branin');
    const study = createStudy({ sampler });
    await study.optimize((t) => fn.evaluate(Object.fromEntries(Object.entries(fn.space).map(([n, d]) => [n, suggestFrom(t, n, d)]))), { nTrials: 15 });
    expect(study.trials).toHaveLength(15);
  });
});
