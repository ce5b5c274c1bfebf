import { describe, expect, it } from 'vitest';
import type { FrozenTrial, StudyDirection, TrialState } from '../../src/frozen-trial.js';
import { Staircase2D, defaultReferencePoint, hypervolume, hypervolumeHistory } from '../../src/hypervolume.js';
import { Rng } from '../../src/rng.js';

/** Exact union volume by coordinate compression: every cell of the grid the coordinates span is in or out. */
function cellVolume(points: number[][], ref: number[]): number {
  const inside = points.filter((p) => p.every((v, k) => v < ref[k]));
  const m = ref.length;
  const axes = Array.from({ length: m }, (_, k) => [...new Set([...inside.map((p) => p[k]), ref[k]])].sort((a, b) => a - b));
  let volume = 0;
  const idx = new Array<number>(m).fill(0);
  const walk = (k: number): void => {
    if (k === m) {
      const corner = idx.map((i, d) => axes[d][i]);
      if (inside.some((p) => p.every((v, d) => v <= corner[d]))) volume += idx.reduce((v, i, d) => v * (axes[d][i + 1] - axes[d][i]), 1);
      return;
    }
    for (idx[k] = 0; idx[k] < axes[k].length - 1; idx[k]++) walk(k + 1);
  };
  walk(0);
  return volume;
}

function trial(number: number, values: number[] | null, state: TrialState = 'COMPLETE', constraints?: number[]): FrozenTrial {
  return {
    trialId: number,
    number,
    state,
    values,
    datetimeStart: null,
    datetimeComplete: null,
    params: {},
    distributions: {},
    userAttrs: {},
    systemAttrs: constraints ? { constraints } : {},
    intermediateValues: new Map(),
  };
}

describe('hypervolume', () => {
  it('a 2-D staircase: the analytic sum of its steps', () => {
    // Points (1,4), (2,2), (3,1) against (5,5): columns 4*1 + 3*2 + 2*1 = 12.
    expect(hypervolume([[1, 4], [2, 2], [3, 1]], [5, 5])).toBeCloseTo(12, 12);
    // Dominated and duplicate points add nothing.
    expect(hypervolume([[1, 4], [2, 2], [3, 1], [2.5, 2.5], [2, 2], [4, 4]], [5, 5])).toBeCloseTo(12, 12);
  });

  it('drops points not strictly better than the reference in every objective', () => {
    expect(hypervolume([[1, 5], [6, 0], [5, 1]], [5, 5])).toBe(0);
    expect(hypervolume([[0, 0, 7]], [1, 1, 1])).toBe(0);
    expect(hypervolume([], [1, 1])).toBe(0);
  });

  it('a 3-D box set: the union by inclusion-exclusion', () => {
    // Boxes from (0,0,0.5), (0.5,0,0), (0,0.5,0) to (1,1,1): each 0.5, pairwise overlaps 0.25, triple 0.125.
    const pts = [[0, 0, 0.5], [0.5, 0, 0], [0, 0.5, 0]];
    expect(hypervolume(pts, [1, 1, 1])).toBeCloseTo(3 * 0.5 - 3 * 0.25 + 0.125, 12);
    // One point: its box.
    expect(hypervolume([[0.2, 0.3, 0.4]], [1, 1, 1])).toBeCloseTo(0.8 * 0.7 * 0.6, 12);
  });

  it('agrees with an exact cell count on random sets in 2, 3, 4 and 5 dimensions', () => {
    const rng = new Rng(7);
    for (const m of [2, 3, 4, 5]) {
      for (let rep = 0; rep < 15; rep++) {
        const n = 1 + rng.int(0, m >= 4 ? 9 : 25);
        const pts = Array.from({ length: n }, () => Array.from({ length: m }, () => Math.round(rng.uniform(0, 1.2) * 20) / 20));
        const ref = Array.from({ length: m }, () => 1);
        expect(hypervolume(pts, ref), `m=${m} rep=${rep}`).toBeCloseTo(cellVolume(pts, ref), 10);
      }
    }
  });

  it('is exact on the sampled front of the unit-sphere octant (DTLZ2 at [1.1, 1.1, 1.1]) within sampling error', () => {
    const rng = new Rng(3);
    const pts: number[][] = [];
    for (let i = 0; i < 3000; i++) {
      const a = (rng.random() * Math.PI) / 2;
      const b = (rng.random() * Math.PI) / 2;
      pts.push([Math.cos(a) * Math.cos(b), Math.cos(a) * Math.sin(b), Math.sin(a)]);
    }
    const hv = hypervolume(pts, [1.1, 1.1, 1.1]);
    // The optimum is 1.1^3 - pi/6 = 0.8074; a finite sample falls slightly short of it.
    expect(hv).toBeLessThan(1.331 - Math.PI / 6);
    expect(hv).toBeGreaterThan(0.78);
  });

  it('one objective: the distance from the best point to the reference', () => {
    expect(hypervolume([[3], [1], [7]], [5])).toBe(4);
  });

  it('refuses a point with the wrong number of objectives', () => {
    expect(() => hypervolume([[1, 2, 3]], [5, 5])).toThrow(/3 objectives/);
  });
});

describe('Staircase2D', () => {
  it('adds exactly the new area of each point, removing the ones it dominates', () => {
    const s = new Staircase2D(5, 5);
    expect(s.add(3, 1)).toBeCloseTo(8, 12);
    // (1,4): its box 4 x 1, of which [3,5] x [4,5] (2) was covered.
    expect(s.add(1, 4)).toBeCloseTo(2, 12);
    // (2,2): its box 3 x 3 = 9, covered 6 + 3 - 2 = 7 by the two before.
    expect(s.add(2, 2)).toBeCloseTo(2, 12);
    expect(s.area).toBeCloseTo(12, 12);
    expect(s.add(2.5, 2.5)).toBe(0);
    expect(s.add(0.5, 0.5)).toBeCloseTo(4.5 * 4.5 - 12, 12);
    expect(s.area).toBeCloseTo(4.5 * 4.5, 12);
  });

  it('matches the batch hypervolume after every insertion in a random order', () => {
    const rng = new Rng(11);
    const s = new Staircase2D(1, 1);
    const seen: number[][] = [];
    for (let i = 0; i < 400; i++) {
      const p = [rng.random() * 1.1, rng.random() * 1.1];
      seen.push(p);
      s.add(p[0], p[1]);
      if (i % 37 === 0) expect(s.area).toBeCloseTo(hypervolume(seen, [1, 1]), 10);
    }
    expect(s.area).toBeCloseTo(hypervolume(seen, [1, 1]), 10);
  });
});

describe('hypervolumeHistory', () => {
  it('gives the hypervolume after each finished trial; failed, pruned and infeasible ones add nothing', () => {
    const trials = [
      trial(0, [3, 1]),
      trial(1, null, 'FAIL'),
      trial(2, [1, 4]),
      trial(3, null, 'RUNNING'),
      trial(4, [0, 0], 'COMPLETE', [1]),
      trial(5, [2, 2]),
      trial(6, null, 'PRUNED'),
    ];
    expect(hypervolumeHistory(trials, ['minimize', 'minimize'], [5, 5]).map((s) => [s.number, Number(s.hypervolume.toFixed(9))])).toEqual([
      [0, 8],
      [1, 8],
      [2, 10],
      [4, 10],
      [5, 12],
      [6, 12],
    ]);
  });

  it('matches the batch hypervolume at each step in 2 and 3 objectives, with maximised objectives', () => {
    const rng = new Rng(5);
    for (const m of [2, 3]) {
      const directions: StudyDirection[] = Array.from({ length: m }, (_, k) => (k === 1 ? 'maximize' : 'minimize'));
      const ref = directions.map((d) => (d === 'maximize' ? -1 : 1));
      const trials = Array.from({ length: 120 }, (_, i) => trial(i, directions.map((d) => (d === 'maximize' ? -1 : 1) * rng.random() * 1.05)));
      const steps = hypervolumeHistory(trials, directions, ref);
      for (const i of [0, 1, 10, 60, 119]) {
        const asMin = trials.slice(0, i + 1).map((t) => t.values!.map((v, k) => (directions[k] === 'maximize' ? -v : v)));
        expect(steps[i].hypervolume, `m=${m} i=${i}`).toBeCloseTo(hypervolume(asMin, [1, 1, 1].slice(0, m)), 10);
      }
      for (let i = 1; i < steps.length; i++) expect(steps[i].hypervolume).toBeGreaterThanOrEqual(steps[i - 1].hypervolume);
    }
  });
});

describe('defaultReferencePoint', () => {
  it('is the nadir of the feasible COMPLETE values plus 10% of their range, outwards for maximised objectives', () => {
    const trials = [trial(0, [1, 10]), trial(1, [3, 20]), trial(2, [100, -100], 'COMPLETE', [2]), trial(3, null, 'FAIL')];
    expect(defaultReferencePoint(trials, ['minimize', 'maximize'])).toEqual([3 + 0.2, 10 - 1]);
    expect(defaultReferencePoint([trial(0, [2, 0])], ['minimize', 'minimize'])).toEqual([2.2, 1]);
    expect(defaultReferencePoint([trial(0, null, 'FAIL')], ['minimize', 'minimize'])).toBeNull();
  });
});
