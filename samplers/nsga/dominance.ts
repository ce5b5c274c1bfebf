/**
 * Constrained domination (Deb, Pratap, Agarwal & Meyarivan 2002, "A fast and elitist
 * multiobjective genetic algorithm: NSGA-II", IEEE TEC 6(2), section VI-A): a feasible solution
 * beats an infeasible one; of two infeasible ones, the smaller total violation wins; two feasible
 * ones compare by Pareto dominance.
 *
 * A trial's constraints are the `constraints` system attribute the study stores (Optuna's
 * convention: feasible when every value is <= 0); its violation is the sum of the positive values.
 */
import type { FrozenTrial, StudyDirection } from '../../src/frozen-trial.js';
import { dominates } from '../../src/pareto.js';

/** A member of a population as the selection sees it. */
export interface Individual {
  /** Objective values turned to minimisation (maximised objectives negated). */
  readonly values: readonly number[];
  /** Total constraint violation: 0 when feasible (or unconstrained). */
  readonly violation: number;
}

/** The sum of a trial's positive constraint values; 0 when it has none. NaN is refused. */
export function constraintViolation(t: FrozenTrial): number {
  const c = t.systemAttrs.constraints;
  if (!Array.isArray(c)) return 0;
  let total = 0;
  for (const v of c) {
    if (typeof v !== 'number' || Number.isNaN(v)) throw new RangeError(`trial ${t.number}: a constraint value is ${JSON.stringify(v)}; constraints must be numbers`);
    if (v > 0) total += v;
  }
  return total;
}

/** A COMPLETE trial as an Individual of a study with these directions. */
export function individualOf(t: FrozenTrial, directions: readonly StudyDirection[]): Individual {
  return { values: t.values!.map((v, k) => (directions[k] === 'maximize' ? -v : v)), violation: constraintViolation(t) };
}

const minimizeCache: StudyDirection[][] = [];
function minimizeAll(m: number): StudyDirection[] {
  return (minimizeCache[m] ??= Array.from({ length: m }, () => 'minimize' as const));
}

/** Does `a` constrained-dominate `b`? */
export function constrainedDominates(a: Individual, b: Individual): boolean {
  if (a.violation > 0 || b.violation > 0) {
    if (a.violation === 0) return true;
    if (b.violation === 0) return false;
    return a.violation < b.violation;
  }
  return dominates(a.values, b.values, minimizeAll(a.values.length));
}
