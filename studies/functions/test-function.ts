import type { ParamValue, SearchSpace } from '../../src/distributions.js';
import { type Trial, suggestFrom } from '../../src/trial.js';

/** A standard benchmark function with a known optimum, minimised over `space`. */
export interface TestFunction {
  readonly name: string;
  /** One line: what the function is and why it is hard. */
  readonly description: string;
  /** The known global minimum. */
  readonly optimum: number;
  /** The search space, in suggestion order (the one used in the Optuna reference runs). */
  readonly space: SearchSpace;
  evaluate(params: Readonly<Record<string, ParamValue>>): number;
  /** The define-by-run objective: suggests every parameter of `space`, then evaluates. */
  objective(trial: Trial): number;
}

/** Builds a TestFunction whose objective suggests the space in order. */
export function defineTestFunction(def: Omit<TestFunction, 'objective'>): TestFunction {
  return {
    ...def,
    objective(trial: Trial): number {
      const params: Record<string, ParamValue> = {};
      for (const [name, d] of Object.entries(def.space)) params[name] = suggestFrom(trial, name, d);
      return def.evaluate(params);
    },
  };
}

/** A box of `dim` float parameters x0..x{dim-1}, each in [low, high]. */
export function box(dim: number, low: number, high: number): SearchSpace {
  const space: SearchSpace = {};
  for (let i = 0; i < dim; i++) space[`x${i}`] = { type: 'float', low, high, log: false, step: null };
  return space;
}

/** The vector x0..x{dim-1} of a point. */
export function vector(params: Readonly<Record<string, ParamValue>>, dim: number): number[] {
  const x = new Array<number>(dim);
  for (let i = 0; i < dim; i++) x[i] = params[`x${i}`] as number;
  return x;
}
