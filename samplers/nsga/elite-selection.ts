/**
 * Survivor selection: the next parent population from the previous parents and their offspring.
 * Both NSGA variants fill it front by front (non-dominated sorting) and differ in how they cut the
 * front that does not fit whole: NSGA-II keeps its least crowded members (Deb et al. 2002, the
 * crowded-comparison operator), NSGA-III its members in the emptiest niches of reference points
 * (Deb & Jain 2014).
 */
import type { Rng } from '../../src/rng.js';
import { crowdingDistances } from './crowding-distance.js';
import type { Individual } from './dominance.js';
import { nonDominatedFronts } from './non-dominated-sort.js';
import { associate, nicheSelect, normalizeObjectives } from './reference-points.js';

/** How the last, partial front is cut: indices of `front` to keep, `count` of them. */
type CutFront = (population: readonly Individual[], chosen: readonly number[], front: readonly number[], count: number) => number[];

function selectByFronts(population: readonly Individual[], size: number, cut: CutFront): number[] {
  const chosen: number[] = [];
  for (const front of nonDominatedFronts(population)) {
    if (chosen.length + front.length <= size) {
      chosen.push(...front);
      if (chosen.length === size) break;
      continue;
    }
    chosen.push(...cut(population, chosen, front, size - chosen.length));
    break;
  }
  return chosen;
}

/** NSGA-II: indices of the `size` survivors (all of them when the population is not larger). */
export function selectNsga2(population: readonly Individual[], size: number): number[] {
  return selectByFronts(population, size, (pop, _chosen, front, count) => {
    const distance = crowdingDistances(front.map((i) => pop[i].values));
    // Stable: equal distances keep the lower index (the earlier trial).
    const order = front.map((_, k) => k).sort((a, b) => distance[b] - distance[a] || a - b);
    return order.slice(0, count).map((k) => front[k]);
  });
}

/** NSGA-III: indices of the `size` survivors, niching on `referencePoints` (in the objectives' count). */
export function selectNsga3(population: readonly Individual[], size: number, referencePoints: readonly (readonly number[])[], rng: Rng): number[] {
  return selectByFronts(population, size, (pop, chosen, front, count) => {
    const members = [...chosen, ...front];
    const normalized = normalizeObjectives(members.map((i) => pop[i].values));
    const { nearest, distance } = associate(normalized, referencePoints);
    // Positions in `members`: the chosen first, then the front.
    const picked = nicheSelect(
      count,
      chosen.map((_, k) => k),
      front.map((_, k) => chosen.length + k),
      nearest,
      distance,
      rng,
    );
    return picked.map((k) => members[k]);
  });
}
