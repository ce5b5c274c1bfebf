import { describe, expect, it } from 'vitest';
import { hypervolume } from '../../src/hypervolume.js';
import { Rng } from '../../src/rng.js';
import { defaultGamma, defaultGammaMultiObjective } from '../../samplers/tpe/defaults.js';
import { greedyHypervolumeSubset } from '../../samplers/tpe/hssp.js';
import { splitTrials } from '../../samplers/tpe/split.js';
import type { FrozenTrial } from '../../src/frozen-trial.js';

/** Plain greedy: every step recomputes every open point's gain. */
function plainGreedy(points: number[][], k: number, ref: number[]): number[] {
  const chosen: number[] = [];
  for (let step = 0; step < k; step++) {
    const base = hypervolume(chosen.map((i) => points[i]), ref);
    let best = -1;
    let bestGain = -Infinity;
    for (let i = 0; i < points.length; i++) {
      if (chosen.includes(i)) continue;
      const gain = hypervolume([...chosen.map((j) => points[j]), points[i]], ref) - base;
      if (gain > bestGain + 1e-12) {
        bestGain = gain;
        best = i;
      }
    }
    chosen.push(best);
  }
  return chosen;
}

/** Mutually non-dominated points on the unit sphere's positive part (minimisation). */
function spherePoints(rng: Rng, n: number, m: number): number[][] {
  return Array.from({ length: n }, () => {
    const v = Array.from({ length: m }, () => Math.abs(rng.normal()) + 1e-3);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

function trial(number: number, values: number[]): FrozenTrial {
  return { number, trialId: number, state: 'COMPLETE', values, params: {}, distributions: {}, intermediateValues: new Map(), userAttrs: {}, systemAttrs: {} } as unknown as FrozenTrial;
}

describe('greedy hypervolume subset selection', () => {
  it('picks the point with the largest box first, then the largest gain', () => {
    // Boxes against (2, 2): 2, 2.25, 2; after (0.5, 0.5) both others add 0.5.
    expect(greedyHypervolumeSubset([[0, 1], [0.5, 0.5], [1, 0]], 2, [2, 2])).toEqual([1, 0]);
  });

  it('the lazy greedy chooses what the plain greedy chooses (2 and 3 objectives, fixed seeds)', () => {
    for (const m of [2, 3]) {
      for (let seed = 0; seed < 5; seed++) {
        const points = spherePoints(new Rng(seed), 40, m);
        const ref = points[0].map((_, k) => 1.1 * Math.max(...points.map((p) => p[k])));
        const lazy = greedyHypervolumeSubset(points, 12, ref);
        expect(lazy).toEqual(plainGreedy(points, 12, ref));
        expect(new Set(lazy).size).toBe(12);
      }
    }
  });

  it('takes every point when k covers them, none for k = 0, and the first k under an infinite reference', () => {
    const points = [[0, 1], [1, 0]];
    expect(greedyHypervolumeSubset(points, 5, [2, 2])).toEqual([0, 1]);
    expect(greedyHypervolumeSubset(points, 0, [2, 2])).toEqual([]);
    expect(greedyHypervolumeSubset([[0, 1], [1, 0], [0.5, 0.5]], 2, [2, Infinity])).toEqual([0, 1]);
  });
});

describe('multi-objective split', () => {
  it('has no cap of 25 on the below group with several objectives (Optuna 5), and keeps it with one', () => {
    expect(defaultGammaMultiObjective(300)).toBe(30);
    expect(defaultGamma(300)).toBe(25);
  });

  it('cuts the last rank by hypervolume: the knee of three front points before an extreme one', () => {
    const trials = [trial(0, [0, 1]), trial(1, [0.5, 0.5]), trial(2, [1, 0]), trial(3, [2, 2])];
    // Rank 0 is {0, 1, 2}; one below: the point with the largest box against 1.1 x the worst.
    expect(splitTrials(trials, 1, ['minimize', 'minimize']).below.map((t) => t.number)).toEqual([1]);
    expect(splitTrials(trials, 3, ['minimize', 'minimize']).below.map((t) => t.number)).toEqual([0, 1, 2]);
  });
});
