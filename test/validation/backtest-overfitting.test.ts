/**
 * The probability of backtest overfitting by CSCV (src/validation/backtest-overfitting.ts):
 * against a brute-force rendering of the paper's procedure, its count of combinations, its
 * verdicts on pure noise and on a real edge, its tie rule, and its usage errors. (Its speed is
 * not asserted here: no test asserts a wall-clock time, CONTRIBUTING.md.)
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { Rng } from '../../src/rng.js';
import { probabilityOfBacktestOverfitting } from '../../src/validation/backtest-overfitting.js';
import { sharpeRatio } from '../../src/validation/sharpe-ratio.js';

/** T×N standard normal returns plus a per-trial drift. */
function noise(seed: number, periods: number, trials: number, drift: (n: number) => number = () => 0): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: periods }, () => Array.from({ length: trials }, (_, n) => rng.normal() + drift(n)));
}

/**
 * Bailey, Borwein, López de Prado and Zhu's CSCV written out plainly: every S/2-subset of the
 * blocks as a bit mask, each half gathered row by row, Sharpe ratios by the textbook two-pass
 * formula, out-of-sample ranks by sorting (ties averaged), λ = ln(ω/(1 - ω)), PBO = share of λ <= 0.
 */
function bruteForce(matrix: number[][], blocks: number): { pbo: number; logits: number[]; pairs: [number, number][]; loss: number } {
  const periods = matrix.length;
  const trials = matrix[0].length;
  const blockOf = (t: number): number => {
    // Blocks of near-equal size, the first periods % blocks one longer.
    const base = Math.floor(periods / blocks);
    const extra = periods % blocks;
    return t < extra * (base + 1) ? Math.floor(t / (base + 1)) : extra + Math.floor((t - extra * (base + 1)) / base);
  };
  const sharpe = (xs: number[]): number => {
    const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
    const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
    return mean / Math.sqrt(variance);
  };
  const logits: number[] = [];
  const pairs: [number, number][] = [];
  let losses = 0;
  for (let mask = 0; mask < 1 << blocks; mask++) {
    let bits = 0;
    for (let s = 0; s < blocks; s++) bits += (mask >> s) & 1;
    if (bits !== blocks / 2) continue;
    const isRows = matrix.filter((_, t) => (mask >> blockOf(t)) & 1);
    const oosRows = matrix.filter((_, t) => !((mask >> blockOf(t)) & 1));
    const perfIs = Array.from({ length: trials }, (_, n) => sharpe(isRows.map((r) => r[n])));
    const perfOos = Array.from({ length: trials }, (_, n) => sharpe(oosRows.map((r) => r[n])));
    const best = perfIs.indexOf(Math.max(...perfIs));
    const sorted = [...perfOos].sort((a, b) => a - b);
    const first = sorted.indexOf(perfOos[best]) + 1;
    const last = sorted.lastIndexOf(perfOos[best]) + 1;
    const omega = (first + last) / 2 / (trials + 1);
    logits.push(Math.log(omega / (1 - omega)));
    pairs.push([perfIs[best], perfOos[best]]);
    if (perfOos[best] < 0) losses++;
  }
  return { pbo: logits.filter((l) => l <= 0).length / logits.length, logits, pairs, loss: losses / logits.length };
}

const sortedNumbers = (xs: ArrayLike<number>): number[] => Array.from(xs).sort((a, b) => a - b);

describe('probability of backtest overfitting (CSCV)', () => {
  it('enumerates all C(S, S/2) combinations exactly: 12,870 for 16 blocks', () => {
    const matrix = noise(1, 64, 5);
    for (const [blocks, count] of [
      [16, 12_870],
      [8, 70],
      [4, 6],
      [2, 2],
    ]) {
      const result = probabilityOfBacktestOverfitting(matrix, { blocks });
      expect(result.combinations).toBe(count);
      expect(result.blocks).toBe(blocks);
      expect(result.logits.length).toBe(count);
      expect(result.selected.length).toBe(count);
      expect(result.degradation.inSample.length).toBe(count);
    }
    expect(probabilityOfBacktestOverfitting(matrix).combinations).toBe(12_870);
  });

  it('matches a brute-force rendering of the paper, with blocks of equal and of unequal length', () => {
    for (const [seed, periods, trials, blocks] of [
      [2, 60, 7, 6],
      [3, 63, 9, 6],
      [4, 101, 12, 8],
    ]) {
      const matrix = noise(seed, periods, trials, (n) => 0.03 * n);
      const expected = bruteForce(matrix, blocks);
      const got = probabilityOfBacktestOverfitting(matrix, { blocks });
      expect(got.pbo).toBe(expected.pbo);
      expect(got.probabilityOfLoss).toBe(expected.loss);
      const logits = sortedNumbers(got.logits);
      sortedNumbers(expected.logits).forEach((l, i) => expect(logits[i]).toBeCloseTo(l, 12));
      const inSample = sortedNumbers(got.degradation.inSample);
      sortedNumbers(expected.pairs.map((p) => p[0])).forEach((v, i) => expect(inSample[i]).toBeCloseTo(v, 12));
      const outOfSample = sortedNumbers(got.degradation.outOfSample);
      sortedNumbers(expected.pairs.map((p) => p[1])).forEach((v, i) => expect(outOfSample[i]).toBeCloseTo(v, 12));
    }
  });

  it('the fast Sharpe path equals the general one given sharpeRatio as the performance measure', () => {
    const matrix = noise(5, 250, 20, (n) => 0.01 * (n % 4));
    const fast = probabilityOfBacktestOverfitting(matrix, { blocks: 10 });
    const general = probabilityOfBacktestOverfitting(matrix, { blocks: 10, performance: sharpeRatio });
    expect(general.pbo).toBe(fast.pbo);
    expect(Array.from(general.selected)).toEqual(Array.from(fast.selected));
    fast.logits.forEach((l, c) => expect(general.logits[c]).toBeCloseTo(l, 12));
    fast.degradation.outOfSample.forEach((v, c) => expect(general.degradation.outOfSample[c]).toBeCloseTo(v, 12));
    expect(general.degradation.slope).toBeCloseTo(fast.degradation.slope, 10);
  });

  it('is about 0.5 for trials that are pure noise (average over 100 seeds)', () => {
    let sum = 0;
    const seeds = 100;
    for (let seed = 1; seed <= seeds; seed++) sum += probabilityOfBacktestOverfitting(noise(1000 + seed, 200, 10), { blocks: 8 }).pbo;
    // One seed's PBO spreads with a standard deviation near 0.23; the mean of 100 near 0.023.
    expect(Math.abs(sum / seeds - 0.5)).toBeLessThan(0.08);
  });

  it('is near 0 when one trial has a real edge among noise, which is then picked and rarely loses out of sample', () => {
    const edge = 7;
    const result = probabilityOfBacktestOverfitting(noise(42, 500, 20, (n) => (n === edge ? 0.3 : 0)));
    // A per-day Sharpe ratio of 0.3 against 19 noise trials: over seeds 40-49 the PBO stays at or below 0.01.
    expect(result.pbo).toBeLessThan(0.03);
    expect(result.probabilityOfLoss).toBeLessThan(0.03);
    expect(Array.from(result.selected).filter((n) => n === edge).length / result.combinations).toBeGreaterThan(0.95);
  });

  it('picks the in-sample best and ranks it out of sample: with a custom measure, the trial that earns most in every period never overfits', () => {
    const matrix = noise(6, 40, 4).map((row) => row.map((x, n) => (n === 2 ? 10 + Math.abs(x) : x)));
    const total = (xs: Float64Array): number => xs.reduce((a, x) => a + x, 0);
    const result = probabilityOfBacktestOverfitting(matrix, { blocks: 4, performance: total });
    expect(Array.from(result.selected)).toEqual([2, 2, 2, 2, 2, 2]);
    // Best of N = 4 out of sample: ω = 4/5, λ = ln 4.
    result.logits.forEach((l) => expect(l).toBeCloseTo(Math.log(4), 14));
    expect(result.pbo).toBe(0);
  });

  it('ties: identical trials put the pick at the median rank (λ = 0), which counts as overfit', () => {
    const rng = new Rng(8);
    const matrix = Array.from({ length: 32 }, () => {
      const x = rng.normal();
      return [x, x, x];
    });
    const result = probabilityOfBacktestOverfitting(matrix, { blocks: 4 });
    expect(Array.from(result.selected)).toEqual([0, 0, 0, 0, 0, 0]);
    result.logits.forEach((l) => expect(l).toBe(0));
    expect(result.pbo).toBe(1);
  });

  it('a trial that never trades (all zeros) has Sharpe 0 in both halves and takes part in the ranks', () => {
    const matrix = noise(9, 80, 5).map((row) => [...row, 0]);
    const result = probabilityOfBacktestOverfitting(matrix, { blocks: 8 });
    expect(result.logits.every(Number.isFinite)).toBe(true);
  });

  it('bad input is a usage error that names the input and the fix', () => {
    const matrix = noise(11, 50, 4);
    expect(() => probabilityOfBacktestOverfitting(matrix, { blocks: 7 })).toThrow(UsageError);
    expect(() => probabilityOfBacktestOverfitting(matrix, { blocks: 7 })).toThrow(/blocks.*even whole number/);
    expect(() => probabilityOfBacktestOverfitting(matrix, { blocks: 0 })).toThrow(/blocks.*even/);
    expect(() => probabilityOfBacktestOverfitting(matrix, { blocks: 52 })).toThrow(/blocks/);
    expect(() => probabilityOfBacktestOverfitting(noise(11, 10, 4), { blocks: 12 })).toThrow(/blocks: 12 blocks need at least 12 periods.*use fewer blocks/);
    expect(() => probabilityOfBacktestOverfitting(noise(11, 50, 1), { blocks: 4 })).toThrow(/at least 2 trials/);
    expect(() => probabilityOfBacktestOverfitting([], { blocks: 4 })).toThrow(/at least 2 trials/);
    const ragged = noise(12, 20, 3);
    ragged[5] = [0.1, 0.2];
    expect(() => probabilityOfBacktestOverfitting(ragged, { blocks: 4 })).toThrow(/period 5 has 2/);
    const gap = noise(13, 20, 3);
    gap[3][1] = Number.NaN;
    expect(() => probabilityOfBacktestOverfitting(gap, { blocks: 4 })).toThrow(/period 3 of trial 1 is NaN/);
    expect(() => probabilityOfBacktestOverfitting(noise(14, 3, 3), { blocks: 2 })).toThrow(/at least 2 periods in each half/);
  });
});
