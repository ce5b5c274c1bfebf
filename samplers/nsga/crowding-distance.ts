/**
 * Crowding distance (Deb et al. 2002, NSGA-II, section III-B): per objective, sort the front;
 * the two boundary members get infinity, an inner member the gap between its two neighbours
 * divided by the objective's range; the distances add up over the objectives. An objective in
 * which the whole front is equal adds nothing (as Optuna's `_calc_crowding_distance`). Larger
 * means lonelier, which the selection prefers, so the front stays spread out.
 */

/** The crowding distance of each point of a front (rows: members, columns: objectives). */
export function crowdingDistances(values: readonly (readonly number[])[]): number[] {
  const n = values.length;
  const distance = new Array<number>(n).fill(0);
  if (n === 0) return distance;
  const m = values[0].length;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let k = 0; k < m; k++) {
    order.sort((a, b) => values[a][k] - values[b][k] || a - b);
    const low = values[order[0]][k];
    const high = values[order[n - 1]][k];
    if (low === high) continue;
    const width = Number.isFinite(high - low) ? high - low : 1;
    distance[order[0]] = Infinity;
    distance[order[n - 1]] = Infinity;
    for (let i = 1; i < n - 1; i++) {
      const gap = values[order[i + 1]][k] - values[order[i - 1]][k];
      // inf - inf is no gap.
      distance[order[i]] += Number.isNaN(gap) ? 0 : gap / width;
    }
  }
  return distance;
}
