/**
 * The test-function catalogue: `getTestFunction('rosenbrock10')` and friends. Functions of any
 * dimension take it as a numeric suffix (e.g. 'sphere10', 'rastrigin8', 'styblinski_tang8').
 */
import { UsageError } from '../../src/errors.js';
import { ackley, branin, ellipsoid, hartmann6, rastrigin, rosenbrock, sphere, styblinskiTang } from './continuous.js';
import { conditional } from './conditional.js';
import { griewank, levy, zakharov } from './high-dimensional.js';
import { mixed, mixedNumeric } from './mixed.js';
import { isNoisy, withNoise } from './noisy.js';
import type { TestFunction } from './test-function.js';

export type { TestFunction } from './test-function.js';
export type { NoisyTestFunction } from './noisy.js';
export { ackley, branin, conditional, ellipsoid, griewank, hartmann6, isNoisy, levy, mixed, mixedNumeric, rastrigin, rosenbrock, sphere, styblinskiTang, withNoise, zakharov };

const FIXED: Record<string, () => TestFunction> = {
  branin,
  hartmann6,
  mixed,
  mixed_numeric: mixedNumeric,
  conditional,
  // Noise of about a tenth of the gap between Optuna TPE's median best at 100 trials and the optimum.
  noisy_hartmann6: () => withNoise(hartmann6(), 0.03),
  noisy_mixed: () => withNoise(mixed(), 0.1),
  noisy_styblinski_tang8: () => withNoise(styblinskiTang(8), 8),
};
const BY_DIMENSION: Record<string, (dim: number) => TestFunction> = {
  rosenbrock,
  sphere,
  ellipsoid,
  ackley,
  rastrigin,
  styblinski_tang: styblinskiTang,
  levy,
  griewank,
  zakharov,
};
const MAX_DIMENSION = 1000;

/** Names for help texts: the fixed functions and the dimensional ones with a placeholder. */
export function testFunctionNames(): string[] {
  return [...Object.keys(FIXED), ...Object.keys(BY_DIMENSION).map((n) => `${n}<dim>`)];
}

/** The function named `name`, e.g. 'branin', 'rosenbrock10', 'styblinski-tang8' ('-' and '_' alike). */
export function getTestFunction(name: string): TestFunction {
  const key = name.toLowerCase().replace(/-/g, '_');
  if (FIXED[key]) return FIXED[key]();
  const m = /^([a-z_]+?)_?(\d+)$/.exec(key);
  if (m && BY_DIMENSION[m[1]]) {
    const dim = Number(m[2]);
    const min = m[1] === 'rosenbrock' ? 2 : 1;
    if (dim < min || dim > MAX_DIMENSION) throw new UsageError(`test function '${name}': dimension must be between ${min} and ${MAX_DIMENSION}`);
    return BY_DIMENSION[m[1]](dim);
  }
  if (BY_DIMENSION[key]) throw new UsageError(`test function '${name}' needs a dimension, e.g. '${key}10'`);
  throw new UsageError(`unknown objective '${name}': choose one of ${testFunctionNames().join(', ')}`);
}

export function isTestFunctionName(name: string): boolean {
  try {
    getTestFunction(name);
    return true;
  } catch {
    return false;
  }
}
