/**
 * The test functions as an objective module (docs/parallel.md), so that they run on a worker
 * pool like any objective: `moduleOptions: { name: 'rosenbrock10' }`.
 */
import type { Trial } from '../../src/trial.js';
import { getTestFunction, type TestFunction } from './index.js';

export const direction = 'minimize';

let fn: TestFunction | null = null;

export function setup(options: { name: string }): void {
  fn = getTestFunction(options.name);
}

export function objective(trial: Trial): number {
  if (!fn) throw new Error('the test-function module was not set up: give moduleOptions { name }');
  return fn.objective(trial);
}

/** Every test function declares its space, so executors can pre-sample from the first trial. */
export function space(options: { name: string }): TestFunction['space'] {
  return getTestFunction(options.name).space;
}
