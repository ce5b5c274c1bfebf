/**
 * Dividing the history into the "below" (good) and "above" (bad) groups that the TPE's two
 * Parzen estimators model, as Optuna 4's `_split_trials`:
 *
 * 1. feasible COMPLETE trials, best first (by value; for several objectives by non-domination
 *    rank, the last rank cut by greedy hypervolume contribution);
 * 2. then PRUNED trials, those that got further first, then by their last intermediate value;
 * 3. then infeasible trials, the smallest total violation first;
 * and RUNNING trials (constant liar) always go above. The first `nBelow` of this order are below.
 * Both groups are returned in trial-number order, which the default weights rely on.
 */
import type { FrozenTrial, StudyDirection } from '../../src/frozen-trial.js';
import { dominates } from '../../src/pareto.js';
import { greedyHypervolumeSubset } from './hssp.js';

export interface TrialSplit {
  readonly below: FrozenTrial[];
  readonly above: FrozenTrial[];
}

/** Total positive constraint violation; 0 for feasible trials and trials without constraints. */
export function violation(trial: FrozenTrial): number {
  const c = trial.systemAttrs.constraints;
  if (!Array.isArray(c)) return 0;
  let v = 0;
  for (const x of c) if (typeof x === 'number' && x > 0) v += x;
  return v;
}

export function splitTrials(trials: readonly FrozenTrial[], nBelow: number, directions: readonly StudyDirection[]): TrialSplit {
  const complete: FrozenTrial[] = [];
  const pruned: FrozenTrial[] = [];
  const infeasible: FrozenTrial[] = [];
  const multi = directions.length > 1;
  for (const t of trials) {
    if (t.state === 'RUNNING') continue;
    if ((t.state === 'COMPLETE' || t.state === 'PRUNED') && violation(t) > 0) infeasible.push(t);
    else if (t.state === 'COMPLETE' && t.values && t.values.length === directions.length) complete.push(t);
    else if (t.state === 'PRUNED' && !multi) pruned.push(t);
    else if (t.state === 'PRUNED' || t.state === 'COMPLETE') infeasible.push(t); // no usable value: rank last
  }
  let maxNumber = 0;
  for (const t of trials) if (t.number > maxNumber) maxNumber = t.number;
  const chosen = new Uint8Array(maxNumber + 1);
  let left = nBelow;
  const take = (best: readonly FrozenTrial[]): void => {
    for (const t of best) chosen[t.number] = 1;
    left -= best.length;
  };
  if (multi) take(rankMultiObjective(complete, directions, left).slice(0, Math.max(0, left)));
  else take(bestByValue(complete, directions[0] === 'maximize' ? -1 : 1, left));
  if (left > 0) take(pruned.slice().sort((a, b) => comparePruned(a, b, directions[0])).slice(0, left));
  if (left > 0) take(infeasible.slice().sort((a, b) => violationKey(a) - violationKey(b) || a.number - b.number).slice(0, left));
  const below: FrozenTrial[] = [];
  const above: FrozenTrial[] = [];
  for (const t of trials) (chosen[t.number] === 1 ? below : above).push(t);
  // Trial-number order, which the default weights rely on (storages list trials that way).
  if (!inNumberOrder(below)) below.sort(byNumber);
  if (!inNumberOrder(above)) above.sort(byNumber);
  return { below, above };
}

/**
 * The `k` best trials by value (ties by number): a native sort of the values finds the k-th
 * value, then one pass collects the trials at or better than it. Linear apart from the sort of
 * plain numbers, which matters with a thousand trials on every ask.
 */
function bestByValue(trials: readonly FrozenTrial[], sign: number, k: number): FrozenTrial[] {
  if (k <= 0) return [];
  if (k >= trials.length) return [...trials];
  const values = new Float64Array(trials.length);
  for (let i = 0; i < trials.length; i++) values[i] = sign * trials[i].values![0];
  const threshold = kthSmallest(values.slice(), k - 1);
  const out: FrozenTrial[] = [];
  for (let i = 0; i < trials.length; i++) if (values[i] < threshold) out.push(trials[i]);
  const ties = trials.filter((_, i) => values[i] === threshold).sort(byNumber);
  for (const t of ties) if (out.length < k) out.push(t);
  return out;
}

/** The k-th smallest (0-based) of `a`, by quickselect (Hoare 1961); reorders `a`. */
function kthSmallest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function inNumberOrder(trials: readonly FrozenTrial[]): boolean {
  for (let i = 1; i < trials.length; i++) if (trials[i].number < trials[i - 1].number) return false;
  return true;
}

function byNumber(a: FrozenTrial, b: FrozenTrial): number {
  return a.number - b.number;
}

function violationKey(t: FrozenTrial): number {
  const v = violation(t);
  return v > 0 ? v : Infinity; // feasible trials here have no usable value
}

/** Optuna's `_get_pruned_trial_score`: (-last step, last value), trials without reports last. */
function prunedKey(t: FrozenTrial, direction: StudyDirection): [number, number] {
  if (t.intermediateValues.size === 0) return [1, 0];
  let step = -Infinity;
  for (const s of t.intermediateValues.keys()) if (s > step) step = s;
  const v = t.intermediateValues.get(step)!;
  if (Number.isNaN(v)) return [-step, Infinity];
  return [-step, direction === 'maximize' ? -v : v];
}

function comparePruned(a: FrozenTrial, b: FrozenTrial, direction: StudyDirection): number {
  const ka = prunedKey(a, direction);
  const kb = prunedKey(b, direction);
  return ka[0] - kb[0] || ka[1] - kb[1] || a.number - b.number;
}

/** Objective vectors turned into losses (maximised objectives negated). */
export function lossVectors(trials: readonly FrozenTrial[], directions: readonly StudyDirection[]): number[][] {
  return trials.map((t) => directions.map((d, i) => (d === 'maximize' ? -t.values![i] : t.values![i])));
}

/** Non-domination rank of each loss vector (0 = Pareto front), computing ranks until `enough` are ranked. */
export function nondominationRanks(losses: readonly number[][], enough = losses.length): Int32Array {
  const n = losses.length;
  const ranks = new Int32Array(n).fill(-1);
  const minimize: StudyDirection[] = n > 0 ? losses[0].map(() => 'minimize') : [];
  let ranked = 0;
  for (let rank = 0; ranked < Math.min(enough, n); rank++) {
    const front: number[] = [];
    for (let i = 0; i < n; i++) {
      if (ranks[i] !== -1) continue;
      let dominated = false;
      for (let j = 0; j < n && !dominated; j++) if (j !== i && ranks[j] === -1 && dominates(losses[j], losses[i], minimize)) dominated = true;
      if (!dominated) front.push(i);
    }
    for (const i of front) ranks[i] = rank;
    ranked += front.length;
  }
  return ranks;
}

/** Complete trials ordered for the split: by rank, and within the cut rank by greedy hypervolume contribution. */
function rankMultiObjective(trials: FrozenTrial[], directions: readonly StudyDirection[], nBelow: number): FrozenTrial[] {
  if (trials.length === 0 || nBelow <= 0) return trials;
  const losses = lossVectors(trials, directions);
  const ranks = nondominationRanks(losses, nBelow);
  const order: number[] = [];
  for (let r = 0; order.length < nBelow; r++) {
    const front: number[] = [];
    for (let i = 0; i < trials.length; i++) if (ranks[i] === r) front.push(i);
    if (front.length === 0) break;
    if (order.length + front.length <= nBelow) order.push(...front);
    else {
      const points = front.map((i) => losses[i]);
      order.push(...greedyHypervolumeSubset(points, nBelow - order.length, referencePoint(points)).map((j) => front[j]));
    }
  }
  const chosen = new Set(order);
  const rest = trials.map((_, i) => i).filter((i) => !chosen.has(i));
  return [...order, ...rest].map((i) => trials[i]);
}

/** Optuna's reference point: max(1.1 w, 0.9 w) of the worst point w, zeros moved to 1e-12. */
export function referencePoint(points: readonly number[][]): number[] {
  const m = points[0].length;
  const ref: number[] = [];
  for (let k = 0; k < m; k++) {
    let worst = -Infinity;
    for (const p of points) if (p[k] > worst) worst = p[k];
    const r = Math.max(1.1 * worst, 0.9 * worst);
    ref.push(r === 0 ? 1e-12 : r);
  }
  return ref;
}
