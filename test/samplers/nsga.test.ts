import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParamValue } from '../../src/distributions.js';
import { UsageError } from '../../src/errors.js';
import { hypervolume } from '../../src/hypervolume.js';
import { Rng } from '../../src/rng.js';
import type { Sampler } from '../../src/sampler.js';
import { declareSpace } from '../../src/space-constraints.js';
import { floatDistribution } from '../../src/distributions.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { type Study, createStudy, loadStudy } from '../../src/study.js';
import { suggestFrom } from '../../src/trial.js';
import { createSampler } from '../../samplers/index.js';
import {
  NSGAIISampler,
  NSGAIIISampler,
  constrainedDominates,
  crossoverByName,
  crowdingDistances,
  dasDennisPoints,
  nonDominatedFronts,
  polynomialMutation,
  selectNsga2,
  selectNsga3,
} from '../../samplers/nsga/index.js';
import { RandomSampler } from '../../samplers/random.js';
import { type MultiObjectiveProblem, getMultiObjectiveProblem, multiObjectiveProblemNames } from '../../studies/functions/multi-objective.js';

const ind = (values: number[], violation = 0) => ({ values, violation });

function runProblem(study: Study, problem: MultiObjectiveProblem, n: number): void {
  for (let i = 0; i < n; i++) {
    const t = study.ask();
    const params: Record<string, ParamValue> = {};
    for (const [name, d] of Object.entries(problem.space)) params[name] = suggestFrom(t, name, d);
    study.tell(t, problem.evaluate(params));
  }
}

function hvOf(sampler: Sampler, problem: MultiObjectiveProblem, n: number): number {
  const study = createStudy({ sampler, directions: Array.from({ length: problem.nObjectives }, () => 'minimize' as const) });
  runProblem(study, problem, n);
  return hypervolume(
    study.trials.map((t) => [...t.values!]),
    problem.referencePoint,
  );
}

describe('non-dominated sorting and crowding distance', () => {
  it('splits a population into the hand-computed fronts', () => {
    // 0 (1,5), 1 (2,3), 2 (4,1) form the first front; 3 (3,4) is dominated by 1; 4 (5,5) by all
    // of the first and by 3; 5 (2,3) equals 1 (neither dominates).
    const pop = [ind([1, 5]), ind([2, 3]), ind([4, 1]), ind([3, 4]), ind([5, 5]), ind([2, 3])];
    expect(nonDominatedFronts(pop)).toEqual([[0, 1, 2, 5], [3], [4]]);
  });

  it('puts infeasible members after every feasible front, ordered by violation', () => {
    const pop = [ind([9, 9]), ind([0, 0], 2), ind([1, 1]), ind([0, 0], 0.5), ind([5, 0])];
    expect(nonDominatedFronts(pop)).toEqual([[2, 4], [0], [3], [1]]);
  });

  it('constrained domination: feasible beats infeasible, less violation beats more, else Pareto', () => {
    expect(constrainedDominates(ind([9, 9]), ind([0, 0], 1))).toBe(true);
    expect(constrainedDominates(ind([0, 0], 1), ind([9, 9]))).toBe(false);
    expect(constrainedDominates(ind([9, 9], 0.5), ind([0, 0], 1))).toBe(true);
    expect(constrainedDominates(ind([0, 0], 1), ind([0, 0], 1))).toBe(false);
    expect(constrainedDominates(ind([1, 2]), ind([1, 3]))).toBe(true);
    expect(constrainedDominates(ind([1, 2]), ind([2, 1]))).toBe(false);
  });

  it('crowding distance: boundaries infinite, inner members the normalised gap of their neighbours', () => {
    // Front (0,4), (1,2), (3,1), (4,0): ranges 4 and 4.
    // (1,2): (3-0)/4 + (4-1)/4 = 1.5; (3,1): (4-1)/4 + (2-0)/4 = 1.25.
    expect(crowdingDistances([[0, 4], [1, 2], [3, 1], [4, 0]])).toEqual([Infinity, 1.5, 1.25, Infinity]);
    // An objective equal across the front adds nothing.
    expect(crowdingDistances([[1, 7], [2, 7], [3, 7]])).toEqual([Infinity, 1, Infinity]);
    expect(crowdingDistances([])).toEqual([]);
  });

  it('NSGA-II survivor selection keeps whole fronts, then the least crowded of the next', () => {
    // Front 1: 0 (0,4), 1 (1,2), 2 (3,1), 3 (4,0); front 2: 4 (5,5). Keep 3: the boundaries and (1,2).
    const pop = [ind([0, 4]), ind([1, 2]), ind([3, 1]), ind([4, 0]), ind([5, 5])];
    expect(selectNsga2(pop, 3).sort()).toEqual([0, 1, 3]);
    expect(selectNsga2(pop, 5).sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('NSGA-III reference points and niching', () => {
  it('Das-Dennis points: C(M + p - 1, p) points on the unit simplex', () => {
    const pts = dasDennisPoints(3, 3);
    expect(pts).toHaveLength(10);
    for (const p of pts) expect(p.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    expect(dasDennisPoints(2, 2)).toEqual([[1, 0], [0.5, 0.5], [0, 1]]);
  });

  it('keeps one member per reference direction before a second in any', () => {
    // Last front of 6 on the plane f1 + f2 + f3 = 1: two near each axis. Keep 3: one per axis.
    const pop = [
      ind([0.9, 0.05, 0.05]),
      ind([0.85, 0.1, 0.05]),
      ind([0.05, 0.9, 0.05]),
      ind([0.1, 0.85, 0.05]),
      ind([0.05, 0.05, 0.9]),
      ind([0.05, 0.1, 0.85]),
    ];
    const kept = selectNsga3(pop, 3, dasDennisPoints(3, 1), new Rng(1));
    expect(kept.map((i) => Math.floor(i / 2)).sort()).toEqual([0, 1, 2]);
  });
});

describe('crossovers', () => {
  it('every crossover makes a child of the right length, near the parents', () => {
    const rng = new Rng(4);
    const lower = new Float64Array(4);
    const upper = new Float64Array(4).fill(1);
    const parents = [Float64Array.from([0.2, 0.4, 0.6, 0.8]), Float64Array.from([0.3, 0.5, 0.5, 0.7]), Float64Array.from([0.25, 0.45, 0.55, 0.75])];
    for (const name of ['uniform', 'blxalpha', 'sbx', 'vsbx', 'undx', 'spx']) {
      const c = crossoverByName(name);
      const child = c.cross(parents.slice(0, c.nParents), rng, lower, upper, true);
      expect(child, name).toHaveLength(4);
      for (const v of child) expect(Math.abs(v - 0.5), name).toBeLessThan(1);
    }
    // Uniform: each coordinate from one parent.
    const child = crossoverByName('uniform').cross(parents.slice(0, 2), rng, lower, upper, true);
    child.forEach((v, i) => expect([parents[0][i], parents[1][i]]).toContain(v));
  });
});

describe('NSGAIISampler', () => {
  it('refuses bad options with a UsageError naming the option', () => {
    expect(() => new NSGAIISampler({ populationSize: 1 })).toThrow(UsageError);
    expect(() => new NSGAIISampler({ populationSize: 1 })).toThrow(/populationSize/);
    expect(() => new NSGAIISampler({ mutationProb: 1.5 })).toThrow(/mutationProb/);
    expect(() => new NSGAIISampler({ crossoverProb: -0.1 })).toThrow(/crossoverProb/);
    expect(() => new NSGAIISampler({ swappingProb: 2 })).toThrow(/swappingProb/);
    expect(() => new NSGAIISampler({ init: 'sobol' as never })).toThrow(/init.*lhs, random/);
    expect(() => new NSGAIISampler({ selection: 'tournament' as never })).toThrow(/selection.*generational, steady-state/);
    expect(() => new NSGAIISampler({ mutation: 'gaussian' as never })).toThrow(/mutation.*uniform, polynomial/);
    expect(() => createSampler('nsga2', { selection: 'elitist' })).toThrow(UsageError);
    expect(createSampler('nsga2', { selection: 'generational', mutation: 'polynomial' }).name).toBe('nsga2');
    expect(() => createSampler('nsga2', { init: 'grid' })).toThrow(UsageError);
    expect(() => new NSGAIISampler({ crossover: 'pmx' as never })).toThrow(/crossover.*uniform/);
    expect(() => new NSGAIISampler({ crossover: 'undx', populationSize: 2 })).toThrow(/at least 3/);
    expect(() => new NSGAIIISampler({ dividingParameter: 0 })).toThrow(/dividingParameter/);
    expect(() => new NSGAIIISampler({ referencePoints: [[1, -1]] })).toThrow(/referencePoints/);
    expect(() => createSampler('nsga2', { populationSize: 2.5 })).toThrow(UsageError);
    expect(() => createSampler('nsga2', { population_size: 20 })).toThrow(/no option 'population_size'/);
    expect(createSampler('nsga3', { dividingParameter: 4, crossover: 'sbx' }).name).toBe('nsga3');
  });

  it('hands out generations: the first populationSize trials random, then children of the first generation', () => {
    const problem = getMultiObjectiveProblem('zdt1');
    const study = createStudy({ sampler: new NSGAIISampler({ seed: 1, populationSize: 10 }), directions: ['minimize', 'minimize'] });
    runProblem(study, problem, 35);
    const generations = study.trials.map((t) => t.systemAttrs['nsga2:generation']);
    expect(generations).toEqual([...Array(10).fill(0), ...Array(10).fill(1), ...Array(10).fill(2), ...Array(5).fill(3)]);
    const state = study.storage.getStudySystemAttrs(study.studyId)['nsga2:state'] as { generation: number };
    expect(state.generation).toBe(3);
  });

  it('continues the same generations across two Study objects on one SQLite storage (resume)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsga-'));
    try {
      const problem = getMultiObjectiveProblem('zdt2');
      const directions = ['minimize', 'minimize'] as const;
      const options = { seed: 5, populationSize: 8 };
      const reference = createStudy({ sampler: new NSGAIISampler(options), directions: [...directions] });
      runProblem(reference, problem, 40);
      const file = join(dir, 'nsga.db');
      const first = new SqliteStorage(file);
      runProblem(createStudy({ storage: first, studyName: 'n', sampler: new NSGAIISampler(options), directions: [...directions] }), problem, 21);
      first.close();
      const second = new SqliteStorage(file);
      const resumed = loadStudy({ storage: second, studyName: 'n', sampler: new NSGAIISampler(options) });
      runProblem(resumed, problem, 19);
      expect(resumed.trials.map((t) => t.params)).toEqual(reference.trials.map((t) => t.params));
      expect(resumed.trials.map((t) => t.systemAttrs['nsga2:generation'])).toEqual(reference.trials.map((t) => t.systemAttrs['nsga2:generation']));
      second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('two studies asking in turn on one storage share the generations (several processes)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsga-'));
    const storage = new SqliteStorage(join(dir, 'shared.db'));
    const problem = getMultiObjectiveProblem('zdt1');
    const a = createStudy({ storage, studyName: 's', sampler: new NSGAIISampler({ seed: 2, populationSize: 6 }), directions: ['minimize', 'minimize'] });
    const b = loadStudy({ storage, studyName: 's', sampler: new NSGAIISampler({ seed: 2, populationSize: 6 }) });
    // Ask 3 at once from each, then tell: slots are never shared.
    for (let round = 0; round < 4; round++) {
      const asked = [a.ask(), b.ask(), a.ask(), b.ask(), a.ask(), b.ask()];
      for (const [k, t] of asked.entries()) {
        const params: Record<string, ParamValue> = {};
        for (const [name, d] of Object.entries(problem.space)) params[name] = suggestFrom(t, name, d);
        (k % 2 ? b : a).tell(t, problem.evaluate(params));
      }
    }
    const trials = a.trials;
    const slots = trials.map((t) => t.systemAttrs['nsga2:slot']);
    expect(new Set(slots).size).toBe(slots.length);
    expect(trials.map((t) => t.systemAttrs['nsga2:generation'])).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3]);
    storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("generation 0 is a Latin hypercube by default: each parameter has one member per stratum, also across two processes; init 'random' does not", () => {
    const problem = getMultiObjectiveProblem('zdt1');
    const strataOf = (study: Study) =>
      Object.keys(problem.space).map((name) => study.trials.slice(0, 10).map((t) => Math.floor((t.params[name] as number) * 10)).sort((x, y) => x - y));
    const all = Array.from({ length: 10 }, (_, i) => i);
    const lhs = createStudy({ sampler: new NSGAIISampler({ seed: 3, populationSize: 10 }), directions: ['minimize', 'minimize'] });
    runProblem(lhs, problem, 10);
    for (const strata of strataOf(lhs)) expect(strata).toEqual(all);
    // Two processes asking in turn on one storage: together they still fill every stratum once.
    const dir = mkdtempSync(join(tmpdir(), 'nsga-'));
    const storage = new SqliteStorage(join(dir, 'lhs.db'));
    try {
      const a = createStudy({ storage, studyName: 'l', sampler: new NSGAIISampler({ seed: 4, populationSize: 10 }), directions: ['minimize', 'minimize'] });
      const b = loadStudy({ storage, studyName: 'l', sampler: new NSGAIISampler({ seed: 4, populationSize: 10 }) });
      for (let i = 0; i < 10; i++) runProblem(i % 2 ? b : a, problem, 1);
      for (const strata of strataOf(a)) expect(strata).toEqual(all);
    } finally {
      storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
    // Optuna's uniform random generation 0 leaves some stratum of some parameter empty (fixed seed).
    const random = createStudy({ sampler: new NSGAIISampler({ seed: 3, populationSize: 10, init: 'random' }), directions: ['minimize', 'minimize'] });
    runProblem(random, problem, 10);
    expect(strataOf(random).some((strata) => strata.join() !== all.join())).toBe(true);
  });

  it("selection 'steady-state' (default) breeds from the best of the parents and the generation's complete children; 'generational' from the parents only", () => {
    /** Records the size of every pool it selects from, and the trial numbers it keeps. */
    class RecordingNSGAII extends NSGAIISampler {
      readonly pools: number[] = [];
      protected override selectSurvivors(population: Parameters<NSGAIISampler['selectSurvivors']>[0], size: number, rng: Rng): number[] {
        this.pools.push(population.length);
        return super.selectSurvivors(population, size, rng);
      }
    }
    const problem = getMultiObjectiveProblem('zdt1');
    const steady = new RecordingNSGAII({ seed: 2, populationSize: 4 });
    runProblem(createStudy({ sampler: steady, directions: ['minimize', 'minimize'] }), problem, 12);
    // End of generation 0 (4 complete), then generation 1's asks after 1, 2, 3 complete children,
    // its end (4 parents + 4 children), then generation 2's asks after 1, 2, 3.
    expect(steady.pools).toEqual([4, 5, 6, 7, 8, 5, 6, 7]);
    const generational = new RecordingNSGAII({ seed: 2, populationSize: 4, selection: 'generational' });
    runProblem(createStudy({ sampler: generational, directions: ['minimize', 'minimize'] }), problem, 12);
    expect(generational.pools).toEqual([4, 8]);
  });

  it('steady-state: a seeded run repeats exactly, also when trials are asked in batches and told out of order', () => {
    const problem = getMultiObjectiveProblem('zdt1');
    const batched = (): Record<string, ParamValue>[] => {
      const study = createStudy({ sampler: new NSGAIISampler({ seed: 9, populationSize: 6 }), directions: ['minimize', 'minimize'] });
      for (let round = 0; round < 8; round++) {
        const trials = [0, 1, 2].map(() => study.ask());
        const params = trials.map((t) => Object.fromEntries(Object.entries(problem.space).map(([name, d]) => [name, suggestFrom(t, name, d)])));
        for (const k of [2, 0, 1]) study.tell(trials[k], problem.evaluate(params[k]));
      }
      return study.trials.map((t) => t.params);
    };
    const first = batched();
    expect(first).toHaveLength(24);
    expect(batched()).toEqual(first);
    // Later generations exist: the generation counter moved on while trials ran three at a time.
    const study = createStudy({ sampler: new NSGAIISampler({ seed: 9, populationSize: 6 }), directions: ['minimize', 'minimize'] });
    runProblem(study, problem, 24);
    expect(Math.max(...study.trials.map((t) => t.systemAttrs['nsga2:generation'] as number))).toBe(3);
  });

  it('steady-state selection beats generational breeding on ZDT1 at 100 trials (population 50) over fixed seeds', () => {
    const problem = getMultiObjectiveProblem('zdt1');
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const seeds = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const steady = median(seeds.map((seed) => hvOf(new NSGAIISampler({ seed }), problem, 100)));
    const generational = median(seeds.map((seed) => hvOf(new NSGAIISampler({ seed, selection: 'generational' }), problem, 100)));
    expect(steady).toBeGreaterThan(generational);
  });

  it('beats random search on ZDT1 in hypervolume over fixed seeds', () => {
    const problem = getMultiObjectiveProblem('zdt1');
    let wins = 0;
    for (const seed of [0, 1, 2, 3, 4]) if (hvOf(new NSGAIISampler({ seed, populationSize: 20 }), problem, 200) > hvOf(new RandomSampler({ seed }), problem, 200)) wins++;
    expect(wins).toBeGreaterThanOrEqual(5);
  });

  it('prefers feasible trials under constraints: the later generations are mostly feasible', () => {
    const problem = getMultiObjectiveProblem('zdt1');
    // Feasible only when f1 >= 0.5.
    const study = createStudy({
      sampler: new NSGAIISampler({ seed: 3, populationSize: 20 }),
      directions: ['minimize', 'minimize'],
      constraints: (t) => [0.5 - t.values![0]],
    });
    runProblem(study, problem, 200);
    const feasible = (from: number, to: number) => study.trials.slice(from, to).filter((t) => (t.systemAttrs.constraints as number[])[0] <= 0).length / (to - from);
    expect(feasible(0, 20)).toBeLessThan(0.8);
    expect(feasible(160, 200)).toBeGreaterThan(0.9);
  });

  it('under space constraints, a redraw makes another child, so every trial is valid without the uniform fallback', () => {
    const space = declareSpace({ x: floatDistribution(0, 1), y: floatDistribution(0, 1) }).constrain((p) => (p.x as number) + (p.y as number) <= 1);
    const study = createStudy({ space, sampler: new NSGAIISampler({ seed: 4, populationSize: 10 }), directions: ['minimize', 'minimize'] });
    for (let i = 0; i < 60; i++) {
      const t = study.ask();
      const x = t.suggestFloat('x', 0, 1);
      const y = t.suggestFloat('y', 0, 1);
      study.tell(t, [x, 1 - x + y]);
    }
    for (const t of study.trials) expect((t.params.x as number) + (t.params.y as number)).toBeLessThanOrEqual(1);
    const redraws = study.trials.map((t) => (t.systemAttrs.space_redraw as number | undefined) ?? 0);
    expect(Math.max(...redraws)).toBeLessThan(50);
  });

  it('samples int, log and categorical parameters validly and runs a single-objective study', () => {
    const problem = getMultiObjectiveProblem('mixed2');
    const study = createStudy({ sampler: new NSGAIISampler({ seed: 7, populationSize: 10, crossover: 'sbx' }), directions: ['minimize', 'minimize'] });
    runProblem(study, problem, 80);
    for (const t of study.trials) {
      expect(Number.isInteger(t.params.lookback)).toBe(true);
      expect(t.params.lookback as number).toBeGreaterThanOrEqual(5);
      expect(['trend', 'revert', 'breakout']).toContain(t.params.mode);
    }
    const single = createStudy({ sampler: new NSGAIISampler({ seed: 1, populationSize: 10 }) });
    for (let i = 0; i < 60; i++) {
      const t = single.ask();
      const x = t.suggestFloat('x', -5, 5);
      single.tell(t, (x - 1) ** 2);
    }
    expect(single.bestValue).toBeLessThan(0.05);
  });
});

describe('NSGAIIISampler', () => {
  it('beats random search on DTLZ2 (3 objectives) in hypervolume over fixed seeds', () => {
    const problem = getMultiObjectiveProblem('dtlz2');
    let wins = 0;
    for (const seed of [0, 1, 2, 3]) if (hvOf(new NSGAIIISampler({ seed, populationSize: 20 }), problem, 200) > hvOf(new RandomSampler({ seed }), problem, 200)) wins++;
    expect(wins).toBeGreaterThanOrEqual(4);
  });
});


describe('multi-objective test problems', () => {
  const at = (name: string, params: Record<string, ParamValue>) => getMultiObjectiveProblem(name).evaluate(params);
  const point = (n: number, first: number[], rest: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`x${i}`, i < first.length ? first[i] : rest]));

  it('put their Pareto-optimal points on the published fronts', () => {
    for (const f1 of [0, 0.25, 1]) {
      expect(at('zdt1', point(10, [f1], 0))).toEqual([f1, 1 - Math.sqrt(f1)]);
      expect(at('zdt2', point(10, [f1], 0))[1]).toBeCloseTo(1 - f1 * f1, 12);
      expect(at('zdt4', point(10, [f1], 0))[1]).toBeCloseTo(1 - Math.sqrt(f1), 12);
    }
    for (const name of ['dtlz2', 'dtlz3', 'dtlz4']) {
      const f = at(name, point(7, [0.3, 0.6], 0.5));
      expect(f.reduce((s, v) => s + v * v, 0), name).toBeCloseTo(1, 12);
    }
    const f = at('dtlz1', point(7, [0.3, 0.6], 0.5));
    expect(f.reduce((s, v) => s + v, 0)).toBeCloseTo(0.5, 12);
    const m = at('mixed2', { threshold: 1, lookback: 40, steps: 7, mode: 'trend' });
    expect(m[0]).toBeCloseTo(0.5, 12);
    expect(m[1]).toBeCloseTo(1 - Math.sqrt(0.5), 12);
    expect(at('mixed2', { threshold: 1, lookback: 40, steps: 7, mode: 'revert' })[1]).toBeGreaterThan(1 - Math.sqrt(0.5));
  });

  it('every evaluated point of ZDT1/2 counts at the wide reference point; unknown names are refused', () => {
    const rng = new Rng(2);
    for (const name of ['zdt1', 'zdt2']) {
      const p = getMultiObjectiveProblem(name);
      for (let i = 0; i < 200; i++) {
        const f = p.evaluate(point(10, [], rng.random()));
        f.forEach((v, k) => expect(v).toBeLessThan(p.referencePoint[k]));
      }
    }
    expect(multiObjectiveProblemNames()).toContain('dtlz4');
    expect(() => getMultiObjectiveProblem('zdt5')).toThrow(UsageError);
  });
});

describe('polynomial mutation', () => {
  it('stays in the box, centres on the parent, and spreads less as eta grows', () => {
    const rng = new Rng(11);
    const spread = (eta: number, y: number) => {
      const xs = Array.from({ length: 4000 }, () => polynomialMutation(y, 0, 1, rng, eta));
      for (const x of xs) expect(x >= 0 && x <= 1).toBe(true);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return { mean, meanAbs: xs.reduce((a, b) => a + Math.abs(b - y), 0) / xs.length };
    };
    const narrow = spread(20, 0.5);
    const wide = spread(2, 0.5);
    expect(Math.abs(narrow.mean - 0.5)).toBeLessThan(0.005);
    // E|delta| for eta = 20 away from the bounds is 1 / (eta + 2) = 0.045.
    expect(narrow.meanAbs).toBeGreaterThan(0.035);
    expect(narrow.meanAbs).toBeLessThan(0.055);
    expect(wide.meanAbs).toBeGreaterThan(2 * narrow.meanAbs);
    // At a bound, the draw moves inward (half the draws stay at the bound's side, none leave).
    expect(spread(20, 0).mean).toBeGreaterThan(0);
  });

  it("the sampler's polynomial mutation moves a copied parent a little (in the log scale for log parameters); uniform mutation redraws it anywhere", () => {
    const space = { x: floatDistribution(0, 1), lr: floatDistribution(1e-4, 1, { log: true }) };
    /** For generation 1's children (population 2, copies of a parent (generational: of generation 0), every parameter mutated): the distance to the nearer parent, in x and in log10(lr). */
    const distances = (mutation: 'polynomial' | 'uniform', seed: number): number[][] => {
      const study = createStudy({ sampler: new NSGAIISampler({ seed, populationSize: 2, mutation, mutationProb: 1, crossoverProb: 0, selection: 'generational' }), directions: ['minimize', 'minimize'] });
      for (let i = 0; i < 4; i++) {
        const t = study.ask();
        const x = suggestFrom(t, 'x', space.x) as number;
        const lr = suggestFrom(t, 'lr', space.lr) as number;
        expect(x >= 0 && x <= 1 && lr >= 1e-4 && lr <= 1).toBe(true);
        study.tell(t, [x, 1 - x + lr]);
      }
      const [p0, p1, c0, c1] = study.trials.map((t) => [t.params.x as number, Math.log10(t.params.lr as number)]);
      return [c0, c1].map((c) => [0, 1].map((k) => Math.min(Math.abs(c[k] - p0[k]), Math.abs(c[k] - p1[k]))));
    };
    const polynomial = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((seed) => distances('polynomial', seed));
    const uniform = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((seed) => distances('uniform', seed));
    // Within 0.3 of the range (1.2 decades of lr's 4; eta 20 goes that far with probability 6e-4), and moved.
    for (const [dx, dlr] of polynomial) {
      expect(dx).toBeLessThan(0.3);
      expect(dlr).toBeLessThan(1.2);
    }
    expect(polynomial.filter(([dx, dlr]) => dx > 0 && dlr > 0).length).toBeGreaterThan(15);
    expect(uniform.some(([dx, dlr]) => dx > 0.3 || dlr > 1.2)).toBe(true);
  });
});
