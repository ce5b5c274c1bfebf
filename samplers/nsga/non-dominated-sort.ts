/**
 * Fast non-dominated sorting (Deb et al. 2002, NSGA-II, section III-A): the population split into
 * fronts F1, F2, ... where F1 is dominated by no one and F(k+1) only by members of F1..Fk. For each
 * member it counts who dominates it and lists whom it dominates, O(M N^2), then peels the fronts.
 * Domination is the constrained one (dominance.ts), so infeasible members come after every feasible
 * front, ordered by their violation.
 */
import { type Individual, constrainedDominates } from './dominance.js';

/** The fronts, each a list of indices into `population` in increasing index order. */
export function nonDominatedFronts(population: readonly Individual[]): number[][] {
  const n = population.length;
  const dominatedBy = new Int32Array(n);
  const dominating: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (constrainedDominates(population[i], population[j])) {
        dominating[i].push(j);
        dominatedBy[j]++;
      } else if (constrainedDominates(population[j], population[i])) {
        dominating[j].push(i);
        dominatedBy[i]++;
      }
    }
  }
  const fronts: number[][] = [];
  let current: number[] = [];
  for (let i = 0; i < n; i++) if (dominatedBy[i] === 0) current.push(i);
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const i of current) {
      for (const j of dominating[i]) if (--dominatedBy[j] === 0) next.push(j);
    }
    current = next.sort((a, b) => a - b);
  }
  return fronts;
}

/** Each member's front number (0 for the first front). */
export function nonDominationRanks(population: readonly Individual[]): number[] {
  const ranks = new Array<number>(population.length).fill(0);
  nonDominatedFronts(population).forEach((front, r) => {
    for (const i of front) ranks[i] = r;
  });
  return ranks;
}
