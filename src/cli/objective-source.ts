/**
 * Where the CLI's objective comes from: a named test function today; the IB study and user
 * modules plug in here as they arrive. Resolved once into what the optimize command needs.
 */
import type { StudyDirection } from '../frozen-trial.js';
import type { Objective } from '../optimize.js';
import type { ConstraintsFunc } from '../study.js';
import type { GridSpec } from '../../samplers/grid.js';
import { getTestFunction } from '../../studies/functions/index.js';

export interface ObjectiveSource {
  /** A short name used in default study names and messages. */
  readonly name: string;
  readonly objective: Objective;
  readonly direction: StudyDirection;
  /** The grid the grid sampler walks, when the objective has one. */
  readonly grid?: GridSpec;
  readonly constraints?: ConstraintsFunc;
  /** Known optimum, for test functions. */
  readonly optimum?: number;
}

export function testFunctionSource(name: string): ObjectiveSource {
  const fn = getTestFunction(name);
  return { name: fn.name, objective: (trial) => fn.objective(trial), direction: 'minimize', optimum: fn.optimum };
}
