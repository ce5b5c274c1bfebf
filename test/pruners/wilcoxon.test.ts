/**
 * WilcoxonPruner and the signed-rank test under it. Expected p-values come from first principles
 * (the signed-rank null distribution enumerated over all sign patterns, the normal approximation
 * written out with an independent Φ) or from SciPy's documentation (the Darwin example of
 * `scipy.stats.wilcoxon`); decisions from Optuna's rules in `optuna/pruners/_wilcoxon.py`.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import type { FrozenTrial } from '../../src/frozen-trial.js';
import { WilcoxonPruner, type WilcoxonPrunerOptions } from '../../src/pruners/wilcoxon.js';
import { wilcoxonSignedRank } from '../../src/pruners/wilcoxon-signed-rank.js';
import { createStudy, type Study } from '../../src/study.js';
import { RandomSampler } from '../../samplers/random.js';

// ----- references, independent of the code under test -----

/** Average ranks of |d| (1-based), by counting: rank = #smaller + (#equal + 1) / 2. */
function ranksOfAbs(d: readonly number[]): number[] {
  const a = d.map(Math.abs);
  return a.map((x) => a.filter((y) => y < x).length + (a.filter((y) => y === x).length + 1) / 2);
}

/** R+ with zeros split: positive ranks plus half the zeros' ranks. */
function rPlusOf(d: readonly number[]): number {
  const r = ranksOfAbs(d);
  return d.reduce((s, x, i) => s + (x > 0 ? r[i] : x === 0 ? r[i] / 2 : 0), 0);
}

/** P(R+ >= observed) ('greater') or P(R+ <= observed) ('less') over all 2^n sign flips of d. */
function bruteForceP(d: readonly number[], alternative: 'less' | 'greater'): number {
  const observed = rPlusOf(d);
  const n = d.length;
  let hits = 0;
  for (let mask = 0; mask < 2 ** n; mask++) {
    const flipped = d.map((x, i) => (mask & (1 << i) ? -x : x));
    const r = rPlusOf(flipped);
    if (alternative === 'greater' ? r >= observed : r <= observed) hits++;
  }
  return hits / 2 ** n;
}

/** Φ(x) by the Maclaurin series of erf (fine for |x| < 4 to ~1e-13). */
function phi(x: number): number {
  const t = x / Math.SQRT2;
  let term = t;
  let sum = t;
  for (let k = 1; k < 200; k++) {
    term *= (-t * t) / k;
    sum += term / (2 * k + 1);
  }
  return 0.5 + sum / Math.sqrt(Math.PI);
}

/** The normal approximation written out: z = (R+ - n(n+1)/4) / sqrt((n(n+1)(2n+1) - Σ(t³-t)/2) / 24). */
function normalApproxP(d: readonly number[], alternative: 'less' | 'greater'): number {
  const n = d.length;
  const abs = d.map(Math.abs);
  const groups = new Map<number, number>();
  for (const x of abs) groups.set(x, (groups.get(x) ?? 0) + 1);
  let tie = 0;
  for (const t of groups.values()) tie += t ** 3 - t;
  const z = (rPlusOf(d) - (n * (n + 1)) / 4) / Math.sqrt((n * (n + 1) * (2 * n + 1) - tie / 2) / 24);
  return alternative === 'less' ? phi(z) : phi(-z);
}

describe('wilcoxonSignedRank (SciPy 1.15+ method="auto", zero_method="zsplit")', () => {
  // The example of scipy.stats.wilcoxon's documentation: Darwin's height differences.
  const darwin = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];

  it("reproduces SciPy's documented Darwin example", () => {
    expect(wilcoxonSignedRank(darwin)).toEqual({ statistic: 24, pvalue: 0.041259765625, method: 'exact' });
    expect(wilcoxonSignedRank(darwin, { alternative: 'greater' })).toEqual({ statistic: 96, pvalue: 0.0206298828125, method: 'exact' });
    expect(wilcoxonSignedRank(darwin, { alternative: 'less' }).pvalue).toBe(bruteForceP(darwin, 'less'));
  });

  it('uses the exact null distribution up to 50 differences without ties or zeros', () => {
    const cases = [
      [0.5, -1.25, 2, 3.5, -0.1],
      [1, 2, 3, 4, 5, 6, 7, -8],
      [-3, 1.5, 2.5, -0.5, 4, 7, 6.5, 9, -11, 12, 13.5, 0.25, 14, -15, 16, 17],
    ];
    for (const d of cases) {
      for (const alt of ['less', 'greater'] as const) {
        const r = wilcoxonSignedRank(d, { alternative: alt });
        expect(r.method).toBe('exact');
        expect(r.pvalue).toBe(bruteForceP(d, alt));
      }
    }
    // All differences positive: R+ is its maximum, reached by one sign pattern in 2^n.
    for (let n = 2; n <= 20; n++) {
      const d = Array.from({ length: n }, (_, i) => i + 1);
      expect(wilcoxonSignedRank(d, { alternative: 'greater' }).pvalue).toBe(2 ** -n);
      expect(wilcoxonSignedRank(d, { alternative: 'less' }).pvalue).toBe(1);
    }
    expect(wilcoxonSignedRank(Array.from({ length: 50 }, (_, i) => i + 1)).method).toBe('exact');
  });

  it('enumerates all sign flips (the exhaustive permutation test) with ties or zeros up to 13', () => {
    const cases = [
      [1, 1, 2, -2, 3],
      [0, 0.5, -0.5, 1, 2, 2, 2],
      [0, 0, 0, 1, -1, 3, 4, 5, -6, 7, 7, 8, 9],
      [0, 0, 0],
      [2, 2],
    ];
    for (const d of cases) {
      for (const alt of ['less', 'greater'] as const) {
        const r = wilcoxonSignedRank(d, { alternative: alt });
        expect(r.method).toBe('permutation');
        expect(r.pvalue).toBe(bruteForceP(d, alt));
      }
    }
    expect(wilcoxonSignedRank([0, 0, 0], { alternative: 'greater' }).pvalue).toBe(1);
  });

  it('uses the normal approximation with the tie correction and no continuity correction otherwise', () => {
    // 14 differences with ties: past the permutation limit.
    const tied = [1, 1, 2, 2, 3, -3, 4, 5, 5, 6, 7, 8, 9, -10];
    // 60 distinct differences: past the exact limit.
    const big = Array.from({ length: 60 }, (_, i) => (i % 7 === 0 ? -(i + 1) : i + 1) * 0.5);
    // 20 with zeros.
    const zeros = [0, 0, 1, -2, 3, 4, 5, -6, 7, 8, 9, 10, -11, 12, 13, 14, 15, 16, 17, 18];
    for (const d of [tied, big, zeros]) {
      for (const alt of ['less', 'greater'] as const) {
        const r = wilcoxonSignedRank(d, { alternative: alt });
        expect(r.method).toBe('asymptotic');
        expect(r.pvalue).toBeCloseTo(normalApproxP(d, alt), 12);
      }
    }
    // Two-sided: twice the smaller tail.
    expect(wilcoxonSignedRank(big).pvalue).toBeCloseTo(2 * Math.min(normalApproxP(big, 'less'), normalApproxP(big, 'greater')), 12);
  });

  it('gives NaN for no differences or NaN among them (SciPy propagates)', () => {
    expect(wilcoxonSignedRank([]).pvalue).toBeNaN();
    expect(wilcoxonSignedRank([1, Number.NaN, 2]).pvalue).toBeNaN();
  });
});

// ----- the pruner on recorded sequences -----

function newStudy(direction: 'minimize' | 'maximize', options: WilcoxonPrunerOptions = {}) {
  const warnings: string[] = [];
  const pruner = new WilcoxonPruner({ ...options, onWarning: (m) => warnings.push(m) });
  const study = createStudy({ direction, pruner, sampler: new RandomSampler({ seed: 0 }) });
  return { study, warnings };
}

/** A finished trial with these intermediate values (step = index, or the given steps). */
function complete(study: Study, values: readonly number[], final: number, steps?: readonly number[]): void {
  const t = study.ask();
  values.forEach((v, i) => t.report(v, steps ? steps[i] : i));
  study.tell(t, final);
}

/** Reports values one step at a time and returns shouldPrune() after each. */
function decisions(study: Study, values: readonly number[], steps?: readonly number[]): boolean[] {
  const t = study.ask();
  return values.map((v, i) => {
    t.report(v, steps ? steps[i] : i);
    return t.shouldPrune();
  });
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('WilcoxonPruner', () => {
  it("has Optuna's defaults: pThreshold 0.1, nStartupSteps 2", () => {
    const p = new WilcoxonPruner();
    expect([p.pThreshold, p.nStartupSteps]).toEqual([0.1, 2]);
  });

  it('refuses out-of-range options', () => {
    expect(() => new WilcoxonPruner({ pThreshold: 1.5 })).toThrow(UsageError);
    expect(() => new WilcoxonPruner({ pThreshold: -0.1 })).toThrow(UsageError);
    expect(() => new WilcoxonPruner({ nStartupSteps: -1 })).toThrow(UsageError);
    expect(() => new WilcoxonPruner({ nStartupSteps: 1.5 })).toThrow(UsageError);
  });

  it('prunes a trial worse at every step once 2^-k < pThreshold (minimize)', () => {
    const { study } = newStudy('minimize');
    const best = [5, 3, 8, 1, 4, 7, 2, 6];
    complete(study, best, mean(best));
    // Worse (higher) at each step: after k steps all k differences are positive, p = 2^-k
    // (0.5, 0.25, 0.125, 0.0625): below 0.1 first at k = 4.
    expect(decisions(study, best.map((v, i) => v + 0.5 + i))).toEqual([false, false, false, true, true, true, true, true]);
  });

  it('prunes with alternative "less" when maximizing', () => {
    const { study } = newStudy('maximize');
    const best = [5, 3, 8, 1, 4, 7];
    complete(study, best, mean(best));
    expect(decisions(study, best.map((v, i) => v - 1 - i))).toEqual([false, false, false, true, true, true]);
    // Better at every step: never pruned.
    expect(decisions(study, best.map((v) => v + 1))).toEqual([false, false, false, false, false, false]);
  });

  it('compares only the steps both trials have (steps are instance ids, in any order)', () => {
    const { study, warnings } = newStudy('minimize', { pThreshold: 0.2 });
    complete(study, [10, 20, 30, 40], 25, [3, 1, 4, 0]);
    // Steps 1, 0, 4 are common, step 2 is not: three positive differences, p = 1/8 < 0.2.
    const t = study.ask();
    for (const [step, v] of [[1, 21], [2, -1000], [0, 41], [4, 31]]) t.report(v, step);
    // The mean of this trial (-226.75) is better than the best trial's (25): the safety net holds.
    expect(t.shouldPrune()).toBe(false);
    expect(warnings.some((w) => /does not exist in the best trial/.test(w))).toBe(true);
    const u = study.ask();
    for (const [step, v] of [[1, 21], [2, 1000], [0, 41], [4, 31]]) u.report(v, step);
    expect(u.shouldPrune()).toBe(true);
  });

  it('waits for max(2, nStartupSteps) common steps', () => {
    // pThreshold 1 prunes on any p < 1: only the step count holds it back.
    const { study } = newStudy('minimize', { pThreshold: 1, nStartupSteps: 0 });
    complete(study, [1, 1, 1, 1, 1, 1], 1);
    expect(decisions(study, [2, 2, 2])).toEqual([false, true, true]);
    const five = newStudy('minimize', { pThreshold: 1, nStartupSteps: 5 });
    complete(five.study, [1, 1, 1, 1, 1, 1], 1);
    expect(decisions(five.study, [2, 2, 2, 2, 2, 2])).toEqual([false, false, false, false, true, true]);
  });

  it('does not prune when the test says worse but the average is at least as good', () => {
    const { study } = newStudy('minimize');
    complete(study, new Array(8).fill(0), 0);
    // Differences 1..7 and one of -100: R+ = 28 of 36; P(R+ >= 28) for n = 8 by enumeration.
    const d = [1, 2, 3, 4, 5, 6, 7, -100];
    const p = bruteForceP(d, 'greater');
    expect(p).toBe(25 / 256);
    expect(p).toBeLessThan(0.1);
    const t = study.ask();
    d.forEach((v, i) => t.report(v, i));
    expect(mean(d)).toBeLessThan(0); // better than the best trial's average of 0
    expect(t.shouldPrune()).toBe(false);
    // The same ranks with a -7.5 instead: p is the same, the average (2.5625) is worse: pruned.
    const u = study.ask();
    [1, 2, 3, 4, 5, 6, 7, -7.5].forEach((v, i) => u.report(v, i));
    expect(u.shouldPrune()).toBe(true);
  });

  it('uses the exhaustive sign-flip p-value when differences tie or vanish (Optuna uses zsplit)', () => {
    const { study } = newStudy('minimize', { pThreshold: 0.05 });
    const best = [1, 2, 3, 4, 5, 6, 7, 8];
    complete(study, best, mean(best));
    const current = [1, 3, 4, 5, 6, 7, 8, 9.5]; // differences 0, 1, 1, 1, 1, 1, 1, 1.5
    const d = current.map((v, i) => v - best[i]);
    const p = bruteForceP(d, 'greater');
    expect(p).toBeLessThan(0.05);
    const t = study.ask();
    current.forEach((v, i) => t.report(v, i));
    expect(t.shouldPrune()).toBe(true);
    // Only zero differences: p = 1, never pruned.
    const u = study.ask();
    best.forEach((v, i) => u.report(v, i));
    expect(u.shouldPrune()).toBe(false);
  });

  it('does not prune without a best trial or without intermediate values', () => {
    const { study, warnings } = newStudy('minimize', { pThreshold: 1 });
    expect(decisions(study, [5, 5, 5])).toEqual([false, false, false]);
    const t = study.ask();
    expect(t.shouldPrune()).toBe(false); // nothing reported
    study.tell(t, 0); // best trial, with no intermediate values
    expect(decisions(study, [5, 5, 5])).toEqual([false, false, false]);
    expect(warnings.some((w) => /best trial has no intermediate values/.test(w))).toBe(true);
  });

  it('does not prune a trial with NaN or infinite values, nor against a best trial with them', () => {
    const { study, warnings } = newStudy('minimize', { pThreshold: 1 });
    complete(study, [0, 0, 0, 0], 0);
    expect(decisions(study, [1, Number.NaN, 1, 1])).toEqual([false, false, false, false]);
    expect(warnings.some((w) => /current trial \(trial 1\) contain infinity\/NaNs/.test(w))).toBe(true);
    const other = newStudy('minimize', { pThreshold: 1 });
    complete(other.study, [0, Infinity, 0, 0], 0);
    expect(decisions(other.study, [1, 1, 1, 1])).toEqual([false, false, false, false]);
    expect(other.warnings.some((w) => /best trial \(trial 0\) contain infinity\/NaNs/.test(w))).toBe(true);
  });

  it('refuses a multi-objective study', () => {
    const pruner = new WilcoxonPruner();
    const study = createStudy({ directions: ['minimize', 'maximize'], pruner });
    const t = study.ask();
    const frozen: FrozenTrial = { ...t.snapshot(), intermediateValues: new Map([[0, 1]]) };
    expect(() => pruner.prune(study, frozen)).toThrow(UsageError);
    expect(pruner.prune(study, t.snapshot())).toBe(false); // nothing reported: Optuna returns first
  });
});
