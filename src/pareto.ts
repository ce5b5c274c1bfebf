/** Pareto dominance for multi-objective studies. */
import type { FrozenTrial, StudyDirection } from './frozen-trial.js';

/** Does `a` dominate `b`: no worse in every objective and better in one? */
export function dominates(a: readonly number[], b: readonly number[], directions: readonly StudyDirection[]): boolean {
  let better = false;
  for (let i = 0; i < directions.length; i++) {
    const sign = directions[i] === 'maximize' ? -1 : 1;
    const da = sign * a[i];
    const db = sign * b[i];
    if (da > db) return false;
    if (da < db) better = true;
  }
  return better;
}

/** The non-dominated trials among `trials` (all with values), in number order. (Any objects with a trial's number and values will do.) */
export function paretoFront<T extends Pick<FrozenTrial, 'number' | 'values'>>(trials: readonly T[], directions: readonly StudyDirection[]): T[] {
  // Sort by the first objective so that a trial can only be dominated by one before it or equal in it.
  const sign = directions[0] === 'maximize' ? -1 : 1;
  const sorted = [...trials].sort((x, y) => sign * (x.values![0] - y.values![0]));
  const front: T[] = [];
  for (const t of sorted) {
    if (!front.some((f) => dominates(f.values!, t.values!, directions))) {
      for (let i = front.length - 1; i >= 0; i--) if (dominates(t.values!, front[i].values!, directions)) front.splice(i, 1);
      front.push(t);
    }
  }
  return front.sort((x, y) => x.number - y.number);
}
