import { describe, expect, it } from 'vitest';
import { Reference, trialsToReach } from '../../src/apps/bench/reference.js';

// A hand-checked grid: values 1..200 (maximise), optionally with 50 infeasible points.
const values = Array.from({ length: 200 }, (_, i) => i + 1);

describe('Reference (grid ground truth)', () => {
  it('percentile: the share of points a value is at least as good as', () => {
    const ref = new Reference('grid', 'maximize', values);
    expect(ref.optimum).toBe(200);
    expect(ref.percentile(200)).toBe(100);
    expect(ref.percentile(199)).toBe(99.5); // better than or equal to 199 of 200
    expect(ref.percentile(100)).toBe(50);
    expect(ref.percentile(100.5)).toBe(50);
    expect(ref.percentile(0)).toBe(0);
    expect(ref.percentile(null)).toBe(0);
  });

  it('top 1%: the ceil(1% of size)-th best value', () => {
    expect(new Reference('grid', 'maximize', values).topThreshold(0.01)).toBe(199); // 2nd best
    // 250 points with the infeasible ones: ceil(2.5) = 3rd best.
    const withInfeasible = new Reference('grid', 'maximize', values, 50);
    expect(withInfeasible.size).toBe(250);
    expect(withInfeasible.topThreshold(0.01)).toBe(198);
    // Infeasible points rank below every feasible one.
    expect(withInfeasible.percentile(1)).toBeCloseTo((100 * 51) / 250, 12);
    expect(withInfeasible.percentile(200)).toBe(100);
  });

  it('minimisation ranks low values first', () => {
    const ref = new Reference('grid', 'minimize', values);
    expect(ref.optimum).toBe(1);
    expect(ref.topThreshold(0.01)).toBe(2);
    expect(ref.percentile(1)).toBe(100);
    expect(ref.percentile(2)).toBe(99.5);
    expect(ref.percentile(200)).toBe(0.5);
  });

  it('% of the optimum for either sign and direction', () => {
    expect(new Reference('grid', 'maximize', [2, 1]).percentOfOptimum(1.5)).toBe(75);
    expect(new Reference('uniform-sample', 'minimize', [5], 0, 0.5).percentOfOptimum(1)).toBe(50);
    expect(new Reference('uniform-sample', 'minimize', [0], 0, -4).percentOfOptimum(-3)).toBe(75);
    expect(new Reference('uniform-sample', 'minimize', [1], 0, 0).percentOfOptimum(0.1)).toBeNull();
  });

  it('trials to reach a threshold: the first trial whose best-so-far gets there', () => {
    const curve = [Number.NaN, 3, 198, 199, 200];
    expect(trialsToReach(curve, 198, 'maximize')).toBe(3);
    expect(trialsToReach(curve, 200, 'maximize')).toBe(5);
    expect(trialsToReach(curve, 200, 'maximize', 4)).toBeNull();
    expect(trialsToReach([9, 7, 5], 6, 'minimize')).toBe(3);
    expect(trialsToReach([Number.NaN, Number.NaN], 0, 'maximize')).toBeNull();
  });
});
