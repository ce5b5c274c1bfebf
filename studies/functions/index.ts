/**
 * The test-function catalogue: `getTestFunction('rosenbrock10')` and friends. Functions of any
 * dimension take it as a numeric suffix (e.g. 'sphere10', 'rastrigin8', 'styblinski_tang8').
 */
import { UsageError } from '../../src/errors.js';
import { ackley, branin, ellipsoid, hartmann6, rastrigin, rosenbrock, sphere, styblinskiTang } from './continuous.js';
import { mixed, mixedNumeric } from './mixed.js';
import type { TestFunction } from './test-function.js';

export type { TestFunction } from './test-function.js';
export { ackley, branin, ellipsoid, hartmann6, mixed, mixedNumeric, rastrigin, rosenbrock, sphere, styblinskiTang };

const FIXED: Record<string, () => TestFunction> = { branin, hartmann6, mixed, mixed_numeric: mixedNumeric };
const BY_DIMENSION: Record<string, (dim: number) => TestFunction> = {
  rosenbrock,
  sphere,
  ellipsoid,
  ackley,
  rastrigin,
  styblinski_tang: styblinskiTang,
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
