/**
 * Optuna's reference medians (../shared/reference/optuna-results.md: Optuna 4.9.0, cmaes 0.13.1,
 * SciPy 1.17.1; seeds 0..9, GPSampler over 8 seeds) and the regret ratio the benchmarks compare
 * with them. Copied as constants so that the benchmarks run from a fresh clone without ../shared.
 */
import type { TestFunction } from '../../studies/functions/index.js';

/** Median best value by function name and budget. */
export type Ref = Record<string, Record<number, number>>;

/** `TPESampler(seed)`: Optuna's defaults (independent, 10 startup trials, 24 EI candidates). */
export const REF_TPE: Ref = {
  branin: { 100: 0.4436, 300: 0.3999 },
  hartmann6: { 100: -3.016, 300: -3.268 },
  rosenbrock10: { 100: 10007.92, 300: 1485.64 },
  styblinski_tang8: { 100: -225.39, 300: -256.76 },
  ackley5: { 100: 10.99, 300: 4.885 },
  rastrigin8: { 100: 69.4, 300: 37.73 },
  mixed: { 100: 1.232, 300: 0.1024 },
};
/** `TPESampler(seed, multivariate=True)`. */
export const REF_TPE_MV: Ref = {
  branin: { 100: 0.5163, 300: 0.414 },
  hartmann6: { 100: -3.004, 300: -3.198 },
  rosenbrock10: { 100: 12533.67, 300: 3777.91 },
  styblinski_tang8: { 100: -211.94, 300: -238.37 },
  ackley5: { 100: 9.909, 300: 6.632 },
  rastrigin8: { 100: 62.53, 300: 55.84 },
  mixed: { 100: 0.648, 300: 0.2047 },
};
/** `GPSampler(seed)`, 8 seeds. */
export const REF_GP: Ref = {
  branin: { 25: 0.43812, 50: 0.39793, 100: 0.39791 },
  hartmann6: { 25: -2.7639, 50: -3.3199, 100: -3.3215 },
  styblinski_tang8: { 25: -204.6, 50: -219.45, 100: -224.43 },
  mixed: { 25: 1.0802, 50: 0.00077773, 100: 0.0001943 },
  ackley5: { 25: 10.89, 50: 6.6268, 100: 5.5085 },
};
/** `CmaEsSampler(seed)` (not run on `mixed`). */
export const REF_CMAES: Ref = {
  branin: { 100: 0.4112, 300: 0.3979, 1000: 0.3979 },
  hartmann6: { 100: -3.077, 300: -3.316, 1000: -3.322 },
  rosenbrock10: { 100: 2803.15, 300: 92.08, 1000: 7.769 },
  styblinski_tang8: { 100: -193.38, 300: -272.24, 1000: -285.06 },
  ackley5: { 100: 6.204, 300: 0.6989, 1000: 1.474e-5 },
  rastrigin8: { 100: 46.31, 300: 36.36, 1000: 8.396 },
};
/** SciPy's `differential_evolution` (best1bin, Latin-hypercube init; see the reference's Method). */
export const REF_DE: Ref = {
  branin: { 100: 0.4351, 300: 0.4008, 1000: 0.3979 },
  hartmann6: { 100: -2.985, 300: -3.141, 1000: -3.174 },
  rosenbrock10: { 100: 16647.73, 300: 4927.03, 1000: 2045.29 },
  styblinski_tang8: { 100: -225.75, 300: -255.86, 1000: -265.26 },
  ackley5: { 100: 10.21, 300: 7.649, 1000: 4.358 },
  rastrigin8: { 100: 51.44, 300: 47.99, 1000: 42.06 },
  mixed: { 100: 0.4642, 300: 0.129, 1000: 0.2021 },
};
/** `QMCSampler(qmc_type='sobol', scramble=True, seed)`. */
export const REF_QMC: Ref = {
  branin: { 100: 0.635, 300: 0.4798 },
  hartmann6: { 100: -1.934, 300: -2.51 },
  rosenbrock10: { 100: 86962.65, 300: 49887.16 },
  styblinski_tang8: { 100: -201.53, 300: -219.53 },
  ackley5: { 100: 16.7, 300: 15.86 },
  rastrigin8: { 100: 78.75, 300: 73.63 },
  mixed: { 100: 4.608, 300: 2.922 },
};
/** `RandomSampler(seed)`. */
export const REF_RANDOM: Ref = {
  branin: { 100: 0.5963, 300: 0.47, 1000: 0.4425 },
  hartmann6: { 100: -2.037, 300: -2.2, 1000: -2.637 },
  rosenbrock10: { 100: 82651.14, 300: 56696.98, 1000: 41175.37 },
  styblinski_tang8: { 100: -192.2, 300: -205.5, 1000: -228.04 },
  ackley5: { 100: 17.11, 300: 15.82, 1000: 14.72 },
  rastrigin8: { 100: 79.07, 300: 75.97, 1000: 68.77 },
  mixed: { 100: 4.091, 300: 2.562, 1000: 2.026 },
};

/** A number with `digits` significant digits, exponent form for very large or small ones. */
export function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e5 || a < 1e-3 ? x.toExponential(digits - 1) : Number(x.toPrecision(digits)).toString();
}

/**
 * Half a unit of the last printed digit of a reference value: the reference prints 4 significant
 * digits (6 for values of 1,000 and more, printed with two decimals), so a regret below that cannot
 * be told apart from 0 in it.
 */
export function regretFloor(ref: number, fn: TestFunction): number {
  const digits = Math.abs(ref) >= 1e3 ? 6 : 4;
  const scale = Math.abs(ref) > 0 ? 10 ** (Math.floor(Math.log10(Math.abs(ref))) - (digits - 1)) : 1e-9;
  return Math.max(scale / 2, 1e-12 * Math.max(1, Math.abs(fn.optimum)));
}

/** Our regret over the reference's at the same budget, both floored at the reference's precision: below 1 we are better. */
export function regretRatio(ours: number, ref: number, fn: TestFunction): number {
  const floor = regretFloor(ref, fn);
  return Math.max(ours - fn.optimum, floor) / Math.max(ref - fn.optimum, floor);
}
