/**
 * Constraints before evaluation (src/space-constraints.ts): no sampler ever hands the objective a
 * point that breaks a constraint of the study's declared space; grids and QMC leave invalid points
 * out, the others redraw; enqueued invalid points are refused; constraints that reject almost
 * everything end in a clear error; the pool applies the same rule.
 *
 * Pool tests run the built JavaScript (dist/src/executor/worker.js): `npm test` builds first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { categoricalDistribution, floatDistribution, intDistribution, ordinalDistribution, type ParamValue } from '../../src/distributions.js';
import { UsageError } from '../../src/errors.js';
import type { FrozenTrial } from '../../src/frozen-trial.js';
import type { Sampler } from '../../src/sampler.js';
import { SPACE_CONSTRAINTS, type DeclaredSpace } from '../../src/search-space.js';
import { MAX_REDRAWS, REDRAW_KEY, declareSpace, redrawSeed, satisfiesSpace, spaceConstraints } from '../../src/space-constraints.js';
import { createStudy } from '../../src/study.js';
import type { Trial } from '../../src/trial.js';
import { optimizePool, prepareObjective } from '../../src/executor/index.js';
import { GridSampler, enumerateSpace } from '../../samplers/grid.js';
import { RandomSampler } from '../../samplers/random.js';
import { TPESampler } from '../../samplers/tpe/index.js';
import { GPSampler } from '../../samplers/gp/index.js';
import { CmaEsSampler } from '../../samplers/cmaes/index.js';
import { DESampler } from '../../samplers/de/index.js';
import { QMCSampler } from '../../samplers/qmc/index.js';
import { SobolSequence } from '../../samplers/qmc/sobol.js';
import { SearchSpaceTransform } from '../../src/transform.js';
import { ibSpace } from '../../studies/ib/objective.js';
import { GRID_VALUES, IbGrid } from '../../studies/ib/grids.js';
import { BUILTIN_SYMBOLS } from '../../studies/ib/symbols.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/executor/${name}`, import.meta.url));

/** About half of the box breaks `x <= y`; with kind 'b', z > 4 breaks the second rule. */
const space = declareSpace({
  x: floatDistribution(0, 1),
  y: floatDistribution(0, 1),
  kind: categoricalDistribution(['a', 'b']),
  z: { distribution: intDistribution(0, 10), when: (p) => p.kind === 'b' },
}).constrain(
  (p) => p.x <= p.y,
  (p) => p.z === undefined || p.z <= 4,
);

/** The objective throws on an invalid point, so that evaluating one fails its trial. */
function objective(trial: Trial): number {
  const x = trial.suggestFloat('x', 0, 1);
  const y = trial.suggestFloat('y', 0, 1);
  const kind = trial.suggestCategorical('kind', ['a', 'b']);
  const z = kind === 'b' ? trial.suggestInt('z', 0, 10) : undefined;
  if (!(x <= y)) throw new Error(`invalid point evaluated: x=${x} > y=${y}`);
  if (z !== undefined && z > 4) throw new Error(`invalid point evaluated: z=${z} > 4`);
  return (x - 0.3) ** 2 + (y - 0.4) ** 2 + (z ?? 0) * 0.01;
}

function expectAllValid(trials: readonly FrozenTrial[], n: number, of: DeclaredSpace = space): void {
  expect(trials.map((t) => t.state)).toEqual(new Array(n).fill('COMPLETE'));
  for (const t of trials) expect(satisfiesSpace(of, t.params)).toBe(true);
}

/** A discrete version of the space for the grid: 11 x 11 x (1 + 11) points before the constraints. */
const discrete = declareSpace({
  x: floatDistribution(0, 1, { step: 0.1 }),
  y: floatDistribution(0, 1, { step: 0.1 }),
  kind: categoricalDistribution(['a', 'b']),
  z: { distribution: intDistribution(0, 10), when: (p) => p.kind === 'b' },
}).constrain(
  (p) => p.x <= p.y + 1e-9,
  (p) => p.z === undefined || p.z <= 4,
);

describe('declaring constraints', () => {
  it('keeps the space a plain record: entries list only parameters, the constraints ride along', () => {
    expect(Object.keys(space)).toEqual(['x', 'y', 'kind', 'z']);
    expect(spaceConstraints(space)).toHaveLength(2);
    expect(spaceConstraints({ x: floatDistribution(0, 1) })).toHaveLength(0);
    // Spreading keeps them (an own symbol key); a plain module can attach them by the shared symbol.
    expect(spaceConstraints({ ...space })).toHaveLength(2);
    expect(SPACE_CONSTRAINTS).toBe(Symbol.for('studyopt.spaceConstraints'));
    // Constraining a constrained space adds to its rules.
    expect(spaceConstraints(declareSpace(space).constrain((p) => p.y < 0.9))).toHaveLength(3);
  });

  it('refuses what is not a constraint, and a parameter named like the method', () => {
    expect(() => declareSpace({ x: floatDistribution(0, 1) }).constrain(42 as never)).toThrow(UsageError);
    expect(() => declareSpace({ constrain: floatDistribution(0, 1) })).toThrow(/named 'constrain'/);
  });

  it('redraw seeds: the first draw keeps the stream, later ones differ', () => {
    expect(redrawSeed(12345, 0)).toBe(12345);
    const seeds = new Set([0, 1, 2, 3, 4].map((r) => redrawSeed(12345, r)));
    expect(seeds.size).toBe(5);
  });
});

describe('a constrained grid', () => {
  it('enumerates only valid points, and its size counts only them', () => {
    const points = enumerateSpace(discrete);
    // Pairs x <= y on an 11-value lattice: 66; kind 'a': 66 points, kind 'b': 66 x 5 (z in 0..4).
    expect(points.length).toBe(66 + 66 * 5);
    for (const p of points) expect(satisfiesSpace(discrete, p)).toBe(true);
    expect(points.some((p) => p.kind === 'a' && 'z' in p)).toBe(false);
    const sampler = GridSampler.fromSearchSpace(discrete, { seed: 1 });
    expect(sampler.searchSize).toBe(66 * 6);
  });

  it('runs every valid point once and never an invalid one', async () => {
    const study = createStudy({ sampler: GridSampler.fromSearchSpace(discrete), space: discrete });
    const summary = await study.optimize(objective);
    expect(summary.stopReason).toBe('exhausted');
    expectAllValid(study.trials, 66 * 6, discrete);
    expect(new Set(study.trials.map((t) => JSON.stringify(t.params))).size).toBe(66 * 6);
  });

  it('a grid whose every point breaks the constraints is refused', () => {
    const none = declareSpace({ a: intDistribution(0, 3) }).constrain((p) => p.a > 5);
    expect(enumerateSpace(none)).toEqual([]);
    expect(() => GridSampler.fromSearchSpace(none)).toThrow(/constraints leave no point/);
  });

  it('an explicit grid point that breaks a constraint fails its trial, unevaluated, with the reason', async () => {
    let evaluated = 0;
    const study = createStudy({ sampler: new GridSampler([{ a: 1 }, { a: 7 }]), space: declareSpace({ a: intDistribution(0, 9) }).constrain((p) => p.a < 5) });
    const run = () => study.optimize((t) => ++evaluated + t.suggestInt('a', 0, 9), { nTrials: 2 });
    await expect(run()).rejects.toThrow(/breaks space constraint 1/);
    const failed = study.trials.find((t) => t.state === 'FAIL')!;
    expect(String(failed.systemAttrs.fail_reason)).toMatch(/grid point, or enqueued/);
    expect(study.trials.filter((t) => t.state === 'COMPLETE').every((t) => (t.params.a as number) < 5)).toBe(true);
    expect(evaluated).toBeLessThanOrEqual(1);
  });
});

describe('every sampler evaluates only valid points', () => {
  const samplers: [string, () => Sampler][] = [
    ['random', () => new RandomSampler({ seed: 1 })],
    ['tpe', () => new TPESampler({ seed: 1 })],
    ['tpe multivariate', () => new TPESampler({ seed: 1, multivariate: true })],
    ['gp', () => new GPSampler({ seed: 1 })],
    ['cmaes', () => new CmaEsSampler({ seed: 1 })],
    ['de', () => new DESampler({ seed: 1 })],
    ['qmc', () => new QMCSampler({ seed: 1 })],
  ];
  for (const [name, make] of samplers) {
    it(`${name}: 60 seeded trials, all valid and complete, and the run repeats at the seed`, async () => {
      const run = async () => {
        const study = createStudy({ sampler: make(), space });
        await study.optimize(objective, { nTrials: 60 });
        return study;
      };
      const study = await run();
      expectAllValid(study.trials, 60);
      // Both branches of the conditional parameter occur: the constraints did not collapse the search.
      expect(new Set(study.trials.map((t) => t.params.kind)).size).toBe(2);
      const again = await run();
      expect(again.trials.map((t) => t.params)).toEqual(study.trials.map((t) => t.params));
    }, 60_000);
  }

  it('a redraw is recorded on the trial it took, and samplers that need it see the counter', async () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 3 }), space });
    await study.optimize(objective, { nTrials: 30 });
    const redrawn = study.trials.filter((t) => typeof t.systemAttrs[REDRAW_KEY] === 'number');
    // About half the box is invalid: some trials needed redraws, none more than a handful.
    expect(redrawn.length).toBeGreaterThan(0);
    expect(Math.max(...redrawn.map((t) => t.systemAttrs[REDRAW_KEY] as number))).toBeLessThan(30);
  });
});

describe('QMC skips invalid sequence points', () => {
  it('the k-th trial takes the k-th valid point of the scrambled sequence', async () => {
    const square = declareSpace({ x: floatDistribution(0, 1), y: floatDistribution(0, 1) }).constrain((p) => p.x <= p.y);
    const study = createStudy({ sampler: new QMCSampler({ seed: 7 }), space: square });
    await study.optimize((t) => t.suggestFloat('x', 0, 1) + t.suggestFloat('y', 0, 1), { nTrials: 40 });
    // The same sequence, walked by hand: the valid points in order.
    const transform = new SearchSpaceTransform({ x: square.x, y: square.y }, { categorical: 'index' });
    const sequence = new SobolSequence(2, { scramble: true, seed: 7 });
    const expected: Record<string, ParamValue>[] = [];
    const indices: number[] = [];
    for (let i = 0; expected.length < 40; i++) {
      const p = transform.decode(sequence.point(i));
      if ((p.x as number) <= (p.y as number)) {
        expected.push(p);
        indices.push(i);
      }
    }
    expect(study.trials.map((t) => t.params)).toEqual(expected);
    expect(study.trials.map((t) => t.systemAttrs['qmc:index'])).toEqual(indices);
    // Some points were skipped (indices are not 0..39).
    expect(indices[39]).toBeGreaterThan(39);
  });
});

describe('enqueued trials', () => {
  it('an enqueued point that breaks a constraint is refused when enqueued', () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 1 }), space });
    expect(() => study.enqueueTrial({ x: 0.9, y: 0.1, kind: 'a' })).toThrow(/break space constraint 1/);
    expect(() => study.enqueueTrial({ x: 0.1, y: 0.2, kind: 'b', z: 9 })).toThrow(/break space constraint 2/);
    expect(study.trials).toHaveLength(0);
    // A valid one, and an inactive conditional parameter left out, are accepted.
    study.enqueueTrial({ x: 0.1, y: 0.2, kind: 'a' });
    expect(study.trials).toHaveLength(1);
  });

  it('a partly enqueued point is completed under the constraints, its values kept', async () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 2 }), space });
    for (let i = 0; i < 10; i++) study.enqueueTrial({ x: 0.8, kind: 'b' });
    await study.optimize(objective, { nTrials: 10 });
    expectAllValid(study.trials, 10);
    for (const t of study.trials) expect(t.params).toMatchObject({ x: 0.8, kind: 'b' });
  });
});

describe('constraints that reject almost everything', () => {
  const impossible = declareSpace({ x: floatDistribution(0, 1) }).constrain((p) => p.x > 2);

  for (const [name, make] of [
    ['random', () => new RandomSampler({ seed: 1 })],
    ['qmc', () => new QMCSampler({ seed: 1 })],
  ] as [string, () => Sampler][]) {
    it(`${name}: the trial is not evaluated, FAILs with the reason, and a UsageError says so`, async () => {
      let evaluated = 0;
      const study = createStudy({ sampler: make(), space: impossible });
      const err = await study.optimize((t) => ++evaluated + t.suggestFloat('x', 0, 1), { nTrials: 3 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(new RegExp(`rejected ${MAX_REDRAWS + 1} points in a row.*reject almost every point of the space`));
      expect(evaluated).toBe(0);
      expect(study.trials.map((t) => t.state)).toEqual(['FAIL']);
      expect(String(study.trials[0].systemAttrs.fail_reason)).toMatch(/reject almost every point/);
    });
  }

  it('a constraint that throws or returns a non-boolean is named in the error', async () => {
    const throwing = declareSpace({ x: floatDistribution(0, 1) }).constrain(() => {
      throw new Error('boom');
    });
    await expect(createStudy({ sampler: new RandomSampler({ seed: 1 }), space: throwing }).optimize((t) => t.suggestFloat('x', 0, 1), { nTrials: 1 })).rejects.toThrow(/constraint 1 .* threw .*boom/);
    const notBoolean = declareSpace({ x: floatDistribution(0, 1) }).constrain((() => 1) as never);
    await expect(createStudy({ sampler: new RandomSampler({ seed: 1 }), space: notBoolean }).optimize((t) => t.suggestFloat('x', 0, 1), { nTrials: 1 })).rejects.toThrow(/returned 1 .* must return true/);
  });
});

describe('resume and the pool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'studyopt-space-constraints-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a study resumed on SQLite keeps the constraints, and QMC continues its valid points', async () => {
    const storage = `sqlite:///${join(dir, 'resume.db')}`;
    const first = createStudy({ studyName: 'c', storage, sampler: new QMCSampler({ seed: 5 }), space });
    await first.optimize(objective, { nTrials: 20 });
    const resumed = createStudy({ studyName: 'c', storage, sampler: new QMCSampler({ seed: 5 }), space, loadIfExists: true });
    await resumed.optimize(objective, { nTrials: 20 });
    expectAllValid(resumed.trials, 40);
    // The same 40 points as one uninterrupted run.
    const whole = createStudy({ sampler: new QMCSampler({ seed: 5 }), space });
    await whole.optimize(objective, { nTrials: 40 });
    expect(resumed.trials.map((t) => t.params)).toEqual(whole.trials.map((t) => t.params));
  });

  it('the pool pre-samples valid points only, from a module whose space is constrained', async () => {
    const prepared = await prepareObjective(fixture('constrained.mjs'));
    expect(spaceConstraints(prepared.space)).toHaveLength(2);
    for (const sampler of [new TPESampler({ seed: 4 }), new CmaEsSampler({ seed: 4 }), new QMCSampler({ seed: 4 })]) {
      const study = createStudy({ sampler });
      const summary = await optimizePool(study, prepared, { workers: 2, nTrials: 60 });
      expect(summary.completed).toBe(60);
      expectAllValid(study.trials, 60, prepared.space!);
      // The study adopted the module's space, constraints included.
      expect(spaceConstraints(study.space)).toHaveLength(2);
    }
  }, 60_000);

  it('the pool and the sequential executor give the same points at a seed (one rule)', async () => {
    const prepared = await prepareObjective(fixture('constrained.mjs'));
    const seq = createStudy({ sampler: new RandomSampler({ seed: 9 }), space: prepared.space });
    await seq.optimize(prepared.module.objective, { nTrials: 40 });
    const pool = createStudy({ sampler: new RandomSampler({ seed: 9 }) });
    await optimizePool(pool, prepared, { workers: 2, nTrials: 40 });
    expect(pool.trials.map((t) => t.params)).toEqual(seq.trials.map((t) => t.params));
    expectAllValid(pool.trials, 40, prepared.space!);
  }, 60_000);
});

describe('the IB study space', () => {
  it('declares TSL_SL <= TSL_TARGET: its enumeration is the IB standard grid, point for point', () => {
    const symbol = BUILTIN_SYMBOLS.GER40;
    const declared = ibSpace(symbol.ibWindows, GRID_VALUES.standard);
    expect(spaceConstraints(declared)).toHaveLength(1);
    const grid = new IbGrid(symbol, 'standard');
    const points = enumerateSpace(declared);
    expect(grid.size).toBe(25_920);
    expect(points.length).toBe(grid.size);
    const key = (p: Readonly<Record<string, ParamValue>>) => JSON.stringify(Object.entries(p).sort(([a], [b]) => a.localeCompare(b)));
    const fromGrid = new Set(Array.from({ length: grid.size }, (_, i) => key(grid.point(i))));
    expect(points.every((p) => fromGrid.has(key(p)))).toBe(true);
  });

  it('a TPE run over it never proposes a point the objective would clamp', async () => {
    const declared = ibSpace(BUILTIN_SYMBOLS.XAUUSD.ibWindows, GRID_VALUES.expanded);
    const study = createStudy({ sampler: new TPESampler({ seed: 2 }), space: declared });
    await study.optimize((t) => {
      const target = t.suggestOrdinal('TSL_TARGET', GRID_VALUES.expanded.TSL_TARGET);
      const sl = target > 0 ? t.suggestOrdinal('TSL_SL', GRID_VALUES.expanded.TSL_SL) : 0;
      if (sl > target) throw new Error(`clamped point proposed: TSL_SL ${sl} > TSL_TARGET ${target}`);
      return target - sl;
    }, { nTrials: 40 });
    expect(study.trials.every((t) => t.state === 'COMPLETE')).toBe(true);
  });
});

describe('an ordinal space as the IB study declares it', () => {
  it('TSL_SL <= TSL_TARGET: the grid leaves out what the IB grid leaves out', () => {
    const ib = declareSpace({
      TSL_TARGET: ordinalDistribution([0, 1, 2]),
      TSL_SL: { distribution: ordinalDistribution([0.5, 1, 1.5]), when: (p) => (p.TSL_TARGET as number) > 0 },
    }).constrain((p) => p.TSL_SL === undefined || p.TSL_SL <= p.TSL_TARGET);
    // TSL_TARGET 0: one point; 1: TSL_SL 0.5, 1; 2: all three.
    expect(enumerateSpace(ib)).toHaveLength(1 + 2 + 3);
  });
});
