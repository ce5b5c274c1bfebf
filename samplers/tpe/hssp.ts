/**
 * The hypervolume subset selection problem (HSSP): k of n mutually non-dominated loss vectors
 * whose hypervolume is largest. The TPE uses it to cut the last non-domination rank that does
 * not fit whole into the "below" group (Optuna's `_solve_hssp`).
 *
 * Greedy, which reaches 1 - 1/e of the optimum because hypervolume is a monotone submodular set
 * function (Guerreiro, Fonseca & Paquete 2016, "Greedy Hypervolume Subset Selection in Low
 * Dimensions", Evolutionary Computation 24(3)); and lazy (Minoux 1978, "Accelerated greedy
 * algorithms for maximizing submodular set functions"): by submodularity a point's gain can only
 * shrink as the subset grows, so its last computed gain bounds its next one, and a step stops
 * recomputing gains once the best exact gain is at least every other point's bound. Each gain is
 * one exact hypervolume (src/hypervolume.ts: a sweep for 2 and 3 objectives).
 */
import { hypervolume } from '../../src/hypervolume.js';

/**
 * Indices (into `points`) of a greedy subset of `k` points with large hypervolume against
 * `reference` (minimisation), in the order chosen; ties go to the lower index. A reference that is
 * not finite makes every gain infinite, so the first `k` points are taken, as Optuna does.
 */
export function greedyHypervolumeSubset(points: readonly (readonly number[])[], k: number, reference: readonly number[]): number[] {
  const n = points.length;
  if (k >= n) return points.map((_, i) => i);
  if (k <= 0) return [];
  if (!reference.every(Number.isFinite)) return Array.from({ length: k }, (_, i) => i);
  // Upper bounds of each point's gain: first its box's volume, its exact gain with no subset.
  const bound = new Float64Array(n);
  for (let i = 0; i < n; i++) bound[i] = hypervolume([points[i]], reference);
  const taken = new Uint8Array(n);
  const subset: (readonly number[])[] = [];
  const chosen: number[] = [];
  let volume = 0;
  // `fresh[i]` is the step at which bound[i] was last computed exactly.
  const fresh = new Int32Array(n).fill(0);
  for (let step = 0; step < k; step++) {
    for (;;) {
      // The open point with the largest bound (lowest index on ties).
      let best = -1;
      for (let i = 0; i < n; i++) if (!taken[i] && (best < 0 || bound[i] > bound[best])) best = i;
      // Its bound is exact for this step: no other point can gain more.
      if (fresh[best] === step) {
        taken[best] = 1;
        chosen.push(best);
        subset.push(points[best]);
        volume += bound[best];
        break;
      }
      bound[best] = Math.max(0, hypervolume([...subset, points[best]], reference) - volume);
      fresh[best] = step;
    }
  }
  return chosen;
}
