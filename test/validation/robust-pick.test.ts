/**
 * Robust picks (src/validation/robust-pick.ts): smoothed values worked out by hand on small grids
 * (peak against plateau, conditional and categorical parameters, repeats, int and stepped
 * floats), the rules for infeasible trials and minNeighbours, the automatic choice of method, the
 * nearest method on a sampled continuous function, and usage errors. Speed is measured by
 * scripts/bench-robust-pick.ts, not asserted here (CONTRIBUTING.md).
 */
import { describe, expect, it } from 'vitest';
import {
  type Distribution,
  type ParamValue,
  categoricalDistribution,
  floatDistribution,
  intDistribution,
  ordinalDistribution,
  type OrdinalDistribution,
} from '../../src/distributions.js';
import { UsageError } from '../../src/errors.js';
import type { FrozenTrial, TrialState } from '../../src/frozen-trial.js';
import { Rng } from '../../src/rng.js';
import { createStudy } from '../../src/study.js';
import { type RobustEntry, robustRanking } from '../../src/validation/robust-pick.js';

let nextNumber = 0;

/** A trial as a storage returns it; `constraints` > 0 makes it infeasible. */
function trial(
  params: Record<string, ParamValue>,
  space: Record<string, Distribution>,
  value: number | number[] | null,
  options: { state?: TrialState; constraints?: number[] } = {},
): FrozenTrial {
  const number = nextNumber++;
  const distributions: Record<string, Distribution> = {};
  for (const name of Object.keys(params)) distributions[name] = space[name];
  return {
    trialId: number,
    number,
    state: options.state ?? 'COMPLETE',
    values: value === null ? null : typeof value === 'number' ? [value] : value,
    datetimeStart: null,
    datetimeComplete: null,
    params,
    distributions,
    userAttrs: {},
    systemAttrs: options.constraints ? { constraints: options.constraints } : {},
    intermediateValues: new Map(),
  };
}

const XS = [1, 2, 3, 4, 5, 6, 7, 8];
const YS = [10, 20, 30, 40, 50, 60, 70, 80];
const GRID_SPACE = { x: ordinalDistribution(XS), y: ordinalDistribution(YS) };

/**
 * An 8 × 8 ordinal grid (x outer, y inner), all 0 but a lone peak of 10 at (x, y) index (1, 1)
 * and a 3 × 3 plateau of 6s at indices 4..6 × 4..6.
 */
function peakAndPlateau(sign = 1, infeasibleAt: [number, number][] = []): FrozenTrial[] {
  const trials: FrozenTrial[] = [];
  for (let i = 0; i < 8; i++) {
    for (let j = 0; j < 8; j++) {
      const v = i === 1 && j === 1 ? 10 : i >= 4 && i <= 6 && j >= 4 && j <= 6 ? 6 : 0;
      const infeasible = infeasibleAt.some(([a, b]) => a === i && b === j);
      trials.push(trial({ x: XS[i], y: YS[j] }, GRID_SPACE, sign * v, infeasible ? { constraints: [1] } : {}));
    }
  }
  return trials;
}

const at = (e: RobustEntry): [number, number] => [XS.indexOf(e.trial.params.x as number), YS.indexOf(e.trial.params.y as number)];

describe('robustRanking on a grid', () => {
  it('picks the centre of a broad plateau over a lone peak, with the smoothed values worked out by hand', () => {
    const r = robustRanking(peakAndPlateau(), { direction: 'maximize' });
    expect(r.method).toBe('grid');
    // The peak: 10 with four neighbours of 0 -> (10 + 0 + 0 + 0 + 0) / 5.
    expect(at(r.peak)).toEqual([1, 1]);
    expect(r.peak.value).toBe(10);
    expect(r.peak.smoothed).toBe(2);
    expect(r.peak.neighbours).toBe(4);
    // The plateau's centre: 6 with four neighbours of 6.
    expect(at(r.robust!)).toEqual([5, 5]);
    expect(r.robust).toBe(r.ranking[0]);
    expect(r.robust!.smoothed).toBe(6);
    expect(r.robust!.neighbours).toBe(4);
    // Then the plateau's edges, (6 + 6 + 6 + 6 + 0) / 5, and corners, (6 + 6 + 6 + 0 + 0) / 5.
    expect(r.ranking.slice(1, 5).map((e) => e.smoothed)).toEqual([4.8, 4.8, 4.8, 4.8]);
    expect(r.ranking.slice(1, 5).map(at)).toEqual([[4, 5], [5, 4], [5, 6], [6, 5]]);
    expect(r.ranking.slice(5, 9).map((e) => e.smoothed)).toEqual([3.6, 3.6, 3.6, 3.6]);
    // A grid corner has two neighbours; a cell beside the peak averages (0 + 0 + 0 + 10) / 4.
    const corner = r.ranking.find((e) => at(e).join() === '0,0')!;
    expect(corner.neighbours).toBe(2);
    expect(corner.smoothed).toBe(0);
    expect(r.ranking.find((e) => at(e).join() === '1,0')!.smoothed).toBe(2.5);
    expect(r.ranking).toHaveLength(64);
    expect(r.ranking.every((e, m) => m === 0 || e.smoothed! <= r.ranking[m - 1].smoothed!)).toBe(true);
  });

  it('minimizes: the same picks with the values negated', () => {
    const r = robustRanking(peakAndPlateau(-1), { direction: 'minimize' });
    expect(at(r.peak)).toEqual([1, 1]);
    expect(r.peak.smoothed).toBe(-2);
    expect(at(r.robust!)).toEqual([5, 5]);
    expect(r.robust!.smoothed).toBe(-6);
    expect(r.ranking[1].smoothed).toBe(-4.8);
  });

  it('never ranks or picks an infeasible trial, but counts its value in its neighbours', () => {
    const r = robustRanking(peakAndPlateau(1, [[5, 5]]), { direction: 'maximize' });
    expect(r.ranking).toHaveLength(63);
    expect(r.ranking.some((e) => at(e).join() === '5,5')).toBe(false);
    // The edges still average the centre's 6: 4.8, one infeasible neighbour; the first in input order wins the tie.
    expect(at(r.robust!)).toEqual([4, 5]);
    expect(r.robust!.smoothed).toBe(4.8);
    expect(r.robust!.infeasibleNeighbours).toBe(1);
    expect(r.ranking.find((e) => at(e).join() === '5,5') ?? null).toBeNull();
  });

  it('reports the best feasible trial as the peak when the raw best is infeasible', () => {
    const r = robustRanking(peakAndPlateau(1, [[1, 1]]), { direction: 'maximize' });
    expect(r.peak.value).toBe(6);
    expect(at(r.peak)).toEqual([4, 4]);
    expect(at(r.robust!)).toEqual([5, 5]);
  });

  it('reports trials with fewer than minNeighbours neighbours with 0 and no smoothed value, after the ranked ones', () => {
    const r = robustRanking(peakAndPlateau(), { direction: 'maximize', minNeighbours: 3 });
    const corner = r.ranking.find((e) => at(e).join() === '0,0')!;
    expect(corner).toMatchObject({ smoothed: null, neighbours: 0 });
    // Four corners of the grid are unranked; 60 cells have 3 or 4 neighbours.
    expect(r.ranking.filter((e) => e.smoothed === null)).toHaveLength(4);
    expect(r.ranking.slice(60).every((e) => e.smoothed === null)).toBe(true);
    expect(at(r.robust!)).toEqual([5, 5]);

    const none = robustRanking(peakAndPlateau(), { direction: 'maximize', minNeighbours: 5 });
    expect(none.robust).toBeNull();
    expect(none.peak).toMatchObject({ value: 10, smoothed: null, neighbours: 0 });
    // Unranked entries follow the raw value: the peak first, then the plateau in input order.
    expect(at(none.ranking[0])).toEqual([1, 1]);
    expect(at(none.ranking[1])).toEqual([4, 4]);
  });

  it('returns only the first `limit` entries, in the same order, and the peak even when it is not among them', () => {
    const all = robustRanking(peakAndPlateau(), { direction: 'maximize' });
    const top = robustRanking(peakAndPlateau(), { direction: 'maximize', limit: 5 });
    expect(top.ranking.map(at)).toEqual(all.ranking.slice(0, 5).map(at));
    expect(top.ranking.map((e) => e.smoothed)).toEqual([6, 4.8, 4.8, 4.8, 4.8]);
    expect(top.robust).toBe(top.ranking[0]);
    expect(at(top.peak)).toEqual([1, 1]);
    expect(top.peak).toMatchObject({ value: 10, smoothed: 2, neighbours: 4 });
  });

  it('sinks a lone trial without neighbours below every ranked one (default minNeighbours 1)', () => {
    const space = { x: ordinalDistribution([1, 2, 3, 4, 5, 6]) };
    const trials = [trial({ x: 1 }, space, 100), trial({ x: 3 }, space, 2), trial({ x: 4 }, space, 4)];
    const r = robustRanking(trials, { direction: 'maximize', method: 'grid' });
    // x = 3 and x = 4 both average (2 + 4) / 2: equal smoothed values go by the raw value.
    expect(r.ranking.map((e) => [e.trial.params.x, e.smoothed, e.neighbours])).toEqual([
      [4, 3, 1],
      [3, 3, 1],
      [1, null, 0],
    ]);
    expect(r.peak.trial.params.x).toBe(1);
    expect(r.robust!.trial.params.x).toBe(4);
  });

  it('compares conditional parameters on the union of names: a missing name equals a missing name', () => {
    // WINDOW always; TSL_SL only when TSL_TARGET > 0. value = 100·window + 10·target + sl (indices).
    const space = { WINDOW: ordinalDistribution([40, 60]), TSL_TARGET: ordinalDistribution([0, 1, 2]), TSL_SL: ordinalDistribution([0.5, 1]) };
    const trials: FrozenTrial[] = [];
    for (let w = 0; w < 2; w++) {
      trials.push(trial({ WINDOW: [40, 60][w], TSL_TARGET: 0 }, space, 100 * w));
      for (let t = 1; t < 3; t++) {
        for (let s = 0; s < 2; s++) trials.push(trial({ WINDOW: [40, 60][w], TSL_TARGET: t, TSL_SL: [0.5, 1][s] }, space, 100 * w + 10 * t + s));
      }
    }
    const r = robustRanking(trials, { direction: 'maximize', method: 'grid' });
    const entry = (params: Record<string, ParamValue>): RobustEntry => r.ranking.find((e) => JSON.stringify(e.trial.params) === JSON.stringify(params))!;
    // (40, 0): only (60, 0); stepping TSL_TARGET to 1 also adds TSL_SL, two changes.
    expect(entry({ WINDOW: 40, TSL_TARGET: 0 })).toMatchObject({ neighbours: 1, smoothed: (0 + 100) / 2 });
    // (40, 1, 0.5): (60, 1, 0.5), (40, 2, 0.5), (40, 1, 1); not (40, 0), where TSL_SL is missing.
    expect(entry({ WINDOW: 40, TSL_TARGET: 1, TSL_SL: 0.5 })).toMatchObject({ neighbours: 3, smoothed: (10 + 110 + 20 + 11) / 4 });
    expect(entry({ WINDOW: 60, TSL_TARGET: 2, TSL_SL: 1 })).toMatchObject({ neighbours: 3, smoothed: (121 + 21 + 111 + 120) / 4 });
  });

  it('never moves a categorical parameter', () => {
    const space = { x: ordinalDistribution([1, 2, 3]), c: categoricalDistribution(['a', 'b', 'c']) };
    const trials: FrozenTrial[] = [];
    for (const c of ['a', 'b', 'c']) for (const x of [1, 2, 3]) trials.push(trial({ x, c }, space, c === 'b' ? x : 100));
    const r = robustRanking(trials, { direction: 'maximize' });
    const middle = r.ranking.find((e) => e.trial.params.x === 2 && e.trial.params.c === 'b')!;
    // (1, b) and (3, b) only: with (2, a) and (2, c) it would be 4 neighbours and a mean of 41.2.
    expect(middle).toMatchObject({ neighbours: 2, smoothed: 2 });
  });

  it('moves ints and stepped floats by one step, and counts repeated parameters once each', () => {
    const space = { n: intDistribution(0, 10, { step: 2 }), f: floatDistribution(0, 1, { step: 0.25 }) };
    const trials = [
      trial({ n: 4, f: 0.5 }, space, 1),
      trial({ n: 2, f: 0.5 }, space, 2),
      trial({ n: 6, f: 0.5 }, space, 3),
      trial({ n: 6, f: 0.5 }, space, 5), // a repeat: both count as neighbours of (4, 0.5)
      trial({ n: 4, f: 0.75 }, space, 4),
      trial({ n: 8, f: 0.5 }, space, 50), // two steps away
      trial({ n: 4, f: 0 }, space, 60), // two steps away
    ];
    const r = robustRanking(trials, { direction: 'maximize', method: 'grid' });
    const entry = (n: number, f: number, value: number): RobustEntry => r.ranking.find((e) => e.trial.params.n === n && e.trial.params.f === f && e.value === value)!;
    expect(entry(4, 0.5, 1)).toMatchObject({ neighbours: 4, smoothed: (1 + 2 + 3 + 5 + 4) / 5 });
    // A repeat is not its twin's neighbour: (6, 0.5) sees (4, 0.5) and (8, 0.5).
    expect(entry(6, 0.5, 3)).toMatchObject({ neighbours: 2, smoothed: (3 + 1 + 50) / 3 });
  });

  /** Neighbours by definition, pair by pair: same names, one ordered parameter one index apart. */
  function referenceSmoothing(trials: readonly FrozenTrial[]): Map<FrozenTrial, { smoothed: number; neighbours: number }> {
    const indexOf = (t: FrozenTrial, name: string): number => (t.distributions[name] as OrdinalDistribution).values.indexOf(t.params[name] as number);
    const out = new Map<FrozenTrial, { smoothed: number; neighbours: number }>();
    for (const a of trials) {
      let sum = a.values![0];
      let count = 0;
      for (const b of trials) {
        const names = new Set([...Object.keys(a.params), ...Object.keys(b.params)]);
        let steps = 0;
        let other = false;
        for (const name of names) {
          if (!(name in a.params) || !(name in b.params)) other = true;
          else if (Math.abs(indexOf(a, name) - indexOf(b, name)) === 1) steps++;
          else if (a.params[name] !== b.params[name]) other = true;
        }
        if (!other && steps === 1) {
          sum += b.values![0];
          count++;
        }
      }
      out.set(a, { smoothed: sum / (count + 1), neighbours: count });
    }
    return out;
  }

  it('agrees with the pairwise definition on random walks in dense, sparse and huge grids', () => {
    // 4 × 8 values: a direct table; 3 × 300: a hash table; 7 × 1000 (over 2^53 cells): string keys.
    for (const [dims, size] of [[4, 8], [3, 300], [7, 1000]]) {
      const rng = new Rng(dims * size);
      const space: Record<string, Distribution> = {};
      for (let j = 0; j < dims; j++) space[`p${j}`] = ordinalDistribution(Array.from({ length: size }, (_, v) => v * 10));
      space.extra = ordinalDistribution([1, 2, 3]); // conditional: only when p0 is even
      const at = Array.from({ length: dims }, () => rng.int(0, size - 1));
      const trials: FrozenTrial[] = [];
      for (let m = 0; m < 300; m++) {
        const j = rng.int(0, dims - 1);
        at[j] = Math.min(size - 1, Math.max(0, at[j] + (rng.random() < 0.5 ? -1 : 1)));
        const params: Record<string, ParamValue> = {};
        at.forEach((g, k) => (params[`p${k}`] = g * 10));
        if (at[0] % 2 === 0) params.extra = 1 + rng.int(0, 1);
        trials.push(trial(params, space, rng.int(0, 20)));
      }
      const r = robustRanking(trials, { direction: 'maximize', method: 'grid', minNeighbours: 0 });
      const want = referenceSmoothing(trials);
      expect(r.ranking).toHaveLength(300);
      for (const e of r.ranking) expect({ smoothed: e.smoothed, neighbours: e.neighbours }).toEqual(want.get(e.trial));
      expect(r.ranking.some((e) => e.neighbours > 1)).toBe(true);
    }
  });

  it('works on the trials of a study, with its constraints', () => {
    const space = { x: ordinalDistribution([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) };
    const values = [0, 0, 9, 0, 0, 5, 6, 5, 0, 0];
    const study = createStudy({ direction: 'maximize', constraints: (t) => [t.params.x === 7 ? 1 : -1] });
    for (const x of space.x.values) study.enqueueTrial({ x });
    for (let m = 0; m < values.length; m++) {
      const t = study.ask({ fixedDistributions: space });
      study.tell(t, values[space.x.values.indexOf(t.params.x as number)]);
    }
    study.tell(study.ask({ fixedDistributions: space }), null); // a FAILed trial takes no part
    const r = robustRanking(study.trials, { direction: 'maximize' });
    expect(r.peak.trial.params.x).toBe(3);
    expect(r.peak.smoothed).toBe(3);
    // x = 7 (6) is infeasible but counts: x = 6 averages 5, 0 and 6, as x = 8 does 5, 6 and 0; the earlier wins the tie.
    expect(r.robust!.trial.params.x).toBe(6);
    expect(r.robust!.smoothed).toBeCloseTo(11 / 3, 12);
    expect(r.robust!.infeasibleNeighbours).toBe(1);
    expect(r.ranking).toHaveLength(9);
    expect(r.ranking.map((e) => e.trial.params.x)).not.toContain(7);
  });
});

describe('robustRanking by nearest trials', () => {
  /** A narrow spike of 10 at (0.2, 0.2) and a broad hill of 5 at (0.7, 0.7) on [0, 1]². */
  const landscape = (x: number, y: number): number =>
    10 * Math.exp(-((x - 0.2) ** 2 + (y - 0.2) ** 2) / (2 * 0.01 ** 2)) + 5 * Math.exp(-((x - 0.7) ** 2 + (y - 0.7) ** 2) / (2 * 0.15 ** 2));
  const space = { x: floatDistribution(0, 1), y: floatDistribution(0, 1) };

  function sample(seed: number, n: number): FrozenTrial[] {
    const rng = new Rng(seed);
    const trials = [trial({ x: 0.2, y: 0.2 }, space, landscape(0.2, 0.2))]; // the lucky hit
    for (let i = 0; i < n; i++) {
      const x = rng.random();
      const y = rng.random();
      trials.push(trial({ x, y }, space, landscape(x, y)));
    }
    return trials;
  }

  it('is chosen for continuous floats and picks the broad hill, not the narrow spike', () => {
    for (const seed of [1, 2, 3]) {
      const r = robustRanking(sample(seed, 400), { direction: 'maximize' });
      expect(r.method).toBe('nearest');
      expect(r.methodReason).toMatch(/'x' is a continuous float/);
      expect(r.peak.trial.params).toEqual({ x: 0.2, y: 0.2 });
      expect(r.peak.value).toBeCloseTo(10, 3);
      expect(r.peak.neighbours).toBe(4); // k = 2·d
      // The spike's four nearest trials lie off it (its width is 0.01); the hill's are all near 5.
      const { x, y } = r.robust!.trial.params as { x: number; y: number };
      expect(Math.hypot(x - 0.7, y - 0.7)).toBeLessThan(0.1);
      expect(r.robust!.smoothed!).toBeGreaterThan(4.5);
      expect(r.peak.smoothed!).toBeLessThan(r.robust!.smoothed! - 1);
    }
  });

  it('averages exactly the k nearest trials in the normalised space', () => {
    // On a log axis 1, 10, 100, 1000 are evenly spaced: the nearest two of 10 are 1 and 100.
    const logSpace = { x: floatDistribution(1, 1000, { log: true }) };
    const trials = [trial({ x: 10 }, logSpace, 4), trial({ x: 1 }, logSpace, 1), trial({ x: 100 }, logSpace, 7), trial({ x: 1000 }, logSpace, 100), trial({ x: 500 }, logSpace, 100)];
    const r = robustRanking(trials, { direction: 'maximize', k: 2, candidates: 5 });
    expect(r.ranking.find((e) => e.trial.params.x === 10)).toMatchObject({ neighbours: 2, smoothed: (4 + 1 + 7) / 3 });
    expect(r.ranking).toHaveLength(5);
  });

  it('is chosen when the grid is too sparse, and can be forced either way', () => {
    const values = Array.from({ length: 30 }, (_, i) => i);
    const big = { x: ordinalDistribution(values), y: ordinalDistribution(values) };
    const rng = new Rng(7);
    const seen = new Set<string>();
    const trials: FrozenTrial[] = [];
    while (trials.length < 40) {
      const x = rng.int(0, 29);
      const y = rng.int(0, 29);
      if (seen.has(`${x},${y}`)) continue;
      seen.add(`${x},${y}`);
      trials.push(trial({ x, y }, big, x + y));
    }
    const auto = robustRanking(trials, { direction: 'maximize' });
    expect(auto.method).toBe('nearest');
    expect(auto.methodReason).toMatch(/too sparse/);
    expect(robustRanking(trials, { direction: 'maximize', method: 'grid' }).method).toBe('grid');
    expect(robustRanking(peakAndPlateau(), { direction: 'maximize', method: 'nearest' }).method).toBe('nearest');
  });
});

describe('robustRanking usage errors', () => {
  const space = { x: ordinalDistribution([1, 2, 3]) };

  it('needs complete single-objective trials with some feasible one', () => {
    expect(() => robustRanking([], { direction: 'maximize' })).toThrow(UsageError);
    expect(() => robustRanking([trial({ x: 1 }, space, null, { state: 'FAIL' }), trial({ x: 2 }, space, null, { state: 'PRUNED' })], { direction: 'maximize' })).toThrow(
      /none of the 2 trials is COMPLETE with a finite value: finish some trials first/,
    );
    expect(() => robustRanking([trial({ x: 1 }, space, [1, 2])], { direction: 'maximize' })).toThrow(/one objective, but trial \d+ has 2 values: .*paretoFront/);
    expect(() => robustRanking([trial({ x: 1 }, space, 1, { constraints: [2] })], { direction: 'maximize' })).toThrow(/all 1 complete trials are infeasible.*relax the constraints/);
  });

  it('needs an ordered parameter, a grid for method grid, and sensible options', () => {
    const cats = { c: categoricalDistribution(['a', 'b']) };
    expect(() => robustRanking([trial({ c: 'a' }, cats, 1), trial({ c: 'b' }, cats, 2)], { direction: 'maximize' })).toThrow(/needs an ordered parameter.*suggestOrdinal/);
    const floats = { f: floatDistribution(0, 1) };
    expect(() => robustRanking([trial({ f: 0.5 }, floats, 1)], { direction: 'maximize', method: 'grid' })).toThrow(/'f' is a continuous float \(no step\): use method 'nearest'/);
    const misaligned = { n: intDistribution(0, 10, { step: 2 }) };
    expect(() => robustRanking([trial({ n: 2 }, misaligned, 1), trial({ n: 3 }, { n: intDistribution(1, 9, { step: 2 }) }, 2)], { direction: 'maximize', method: 'grid' })).toThrow(
      /'n' = 3 is not on the grid of step 2 from 0: use method 'nearest'/,
    );
    const ok = [trial({ x: 1 }, space, 1)];
    expect(() => robustRanking(ok, { direction: 'maximize', minNeighbours: -1 })).toThrow(/minNeighbours must be a whole number >= 0, but got -1/);
    expect(() => robustRanking(ok, { direction: 'maximize', k: 0 })).toThrow(/k must be a whole number >= 1/);
    expect(() => robustRanking(ok, { direction: 'up' as 'maximize' })).toThrow(/direction must be 'maximize' or 'minimize'/);
    expect(() => robustRanking(ok, { direction: 'maximize', method: 'kd' as 'grid' })).toThrow(UsageError);
  });
});
