/**
 * Hypervolume: the measure of the objective-space region that a set of points dominates and that
 * dominates a reference point (Zitzler & Thiele 1998, the "S metric"). It is the standard single
 * number for how good a multi-objective search's Pareto front is: larger is better, and it only
 * grows as trials are added.
 *
 * Everything here minimises. A point counts only when it is strictly better than the reference in
 * every objective (others add nothing; Optuna's `compute_hypervolume` drops them the same way).
 *
 * Algorithms, all exact:
 *  - 2 objectives: sort by the first and sweep the staircase, O(n log n).
 *  - 3 objectives: sweep along the third and keep the 2-D staircase of the points seen so far,
 *    adding each point's new area (the dimension-sweep of Beume et al. 2009, "On the complexity
 *    of computing the hypervolume indicator", IEEE TEC 13(5)); each point is inserted once and
 *    removed at most once.
 *  - 4 and more: WFG (While, Bradstreet & Barone 2012, "A fast way of calculating exact
 *    hypervolumes", IEEE TEC 16(1)): the sum of each point's exclusive volume, that volume being
 *    its box minus the hypervolume of the later points limited to its box; 3-D sets go to the sweep.
 *
 * The staircase keeps its points in a sorted array (binary search, then splice): the splices move
 * at most the front's length in memory and each point enters and leaves once, which for fronts of
 * thousands of points costs less than a balanced tree's allocations.
 */
import type { FrozenTrial, StudyDirection } from './frozen-trial.js';
import { isFeasible } from './frozen-trial.js';
import { dominates } from './pareto.js';

/** The non-dominated region of a 2-D point set below a reference point, kept as a staircase. */
export class Staircase2D {
  /** Front points sorted by x ascending (so y strictly descending). */
  private readonly xs: number[] = [];
  private readonly ys: number[] = [];
  private total = 0;

  constructor(
    private readonly refX: number,
    private readonly refY: number,
  ) {}

  /** The area dominated by the points added so far. */
  get area(): number {
    return this.total;
  }

  /** Adds a point; returns the area it adds (0 when a point already there dominates or equals it, or it is not below the reference). */
  add(x: number, y: number): number {
    const { xs, ys, refX, refY } = this;
    if (!(x < refX && y < refY)) return 0;
    // i: the first front point with xs[i] >= x.
    let lo = 0;
    let hi = xs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (xs[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    const i = lo;
    if (i > 0 && ys[i - 1] <= y) return 0;
    if (i < xs.length && xs[i] === x && ys[i] <= y) return 0;
    const yAbove = i > 0 ? ys[i - 1] : refY;
    // The new point covers [x, refX] x [y, yAbove] beyond what its left neighbours cover; the old
    // front covered part of that strip: the points it now dominates (removed) and the first one
    // it does not (lower, to the right).
    let covered = 0;
    let top = yAbove;
    let j = i;
    while (j < xs.length && ys[j] >= y) {
      covered += (refX - xs[j]) * (top - ys[j]);
      top = ys[j];
      j++;
    }
    if (j < xs.length) covered += (refX - xs[j]) * (top - y);
    const added = (refX - x) * (yAbove - y) - covered;
    xs.splice(i, j - i, x);
    ys.splice(i, j - i, y);
    this.total += added;
    return added;
  }
}

/** Points strictly better than the reference in every objective. */
export function belowReference(points: readonly (readonly number[])[], reference: readonly number[]): number[][] {
  const out: number[][] = [];
  for (const p of points) {
    if (p.length !== reference.length) throw new RangeError(`hypervolume: a point has ${p.length} objectives but the reference point has ${reference.length}`);
    let inside = true;
    for (let k = 0; k < p.length; k++) if (!(p[k] < reference[k])) inside = false;
    if (inside) out.push([...p]);
  }
  return out;
}

function hypervolume2d(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let volume = 0;
  let lowestY = reference[1];
  for (const p of sorted) {
    if (p[1] < lowestY) {
      volume += (reference[0] - p[0]) * (lowestY - p[1]);
      lowestY = p[1];
    }
  }
  return volume;
}

function hypervolume3d(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const sorted = [...points].sort((a, b) => a[2] - b[2]);
  const stairs = new Staircase2D(reference[0], reference[1]);
  let volume = 0;
  for (let k = 0; k < sorted.length; k++) {
    stairs.add(sorted[k][0], sorted[k][1]);
    const nextZ = k + 1 < sorted.length ? sorted[k + 1][2] : reference[2];
    volume += stairs.area * (nextZ - sorted[k][2]);
  }
  return volume;
}

function boxVolume(p: readonly number[], reference: readonly number[]): number {
  let v = 1;
  for (let k = 0; k < p.length; k++) v *= reference[k] - p[k];
  return v;
}

const minimizeAll = (m: number): StudyDirection[] => Array.from({ length: m }, () => 'minimize');

/** The points no other point dominates, one of each set of equal points (minimisation). */
export function nonDominated(points: readonly number[][]): number[][] {
  const directions = minimizeAll(points[0]?.length ?? 0);
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  const front: number[][] = [];
  for (const p of sorted) {
    if (front.some((f) => dominates(f, p, directions) || f.every((v, k) => v === p[k]))) continue;
    for (let i = front.length - 1; i >= 0; i--) if (dominates(p, front[i], directions)) front.splice(i, 1);
    front.push(p);
  }
  return front;
}

/** Exact hypervolume of points all below the reference (any dimension >= 2). */
function hypervolumeInside(points: number[][], reference: readonly number[]): number {
  if (points.length === 0) return 0;
  if (points.length === 1) return boxVolume(points[0], reference);
  const m = reference.length;
  if (m === 2) return hypervolume2d(points, reference);
  if (m === 3) return hypervolume3d(points, reference);
  // WFG: sorted so that the limit sets (later points, each clipped to the current point's box)
  // shrink quickly; each point's exclusive volume is its box minus the limit set's hypervolume.
  const front = nonDominated(points).sort((a, b) => b[m - 1] - a[m - 1]);
  let volume = 0;
  for (let i = 0; i < front.length; i++) volume += exclusiveVolume(front[i], front.slice(i + 1), reference);
  return volume;
}

/** The volume that `p` dominates and none of `others` does. */
function exclusiveVolume(p: readonly number[], others: readonly number[][], reference: readonly number[]): number {
  const limited = others.map((q) => q.map((v, k) => Math.max(v, p[k])));
  return boxVolume(p, reference) - hypervolumeInside(limited.length > 1 ? nonDominated(limited) : limited, reference);
}

/**
 * The hypervolume of `points` (minimisation) against `reference`: the volume dominated by the
 * points and bounded by the reference. Points not strictly better than the reference in every
 * objective are dropped. One objective gives the length reference - min.
 */
export function hypervolume(points: readonly (readonly number[])[], reference: readonly number[]): number {
  if (reference.length === 0) throw new RangeError('hypervolume: the reference point has no objectives');
  if (!reference.every(Number.isFinite)) throw new RangeError(`hypervolume: the reference point must be finite, got ${JSON.stringify(reference)}`);
  const inside = belowReference(points, reference);
  if (reference.length === 1) return inside.reduce((best, p) => Math.max(best, reference[0] - p[0]), 0);
  return hypervolumeInside(inside, reference);
}

/** The values of a trial turned to minimisation (maximised objectives negated). */
function minimizedValues(values: readonly number[], directions: readonly StudyDirection[]): number[] {
  return values.map((v, k) => (directions[k] === 'maximize' ? -v : v));
}

/** The trials whose values count for the hypervolume: COMPLETE, feasible, with one finite value per objective. */
function countedValues(t: FrozenTrial, m: number): readonly number[] | null {
  if (t.state !== 'COMPLETE' || !t.values || t.values.length !== m || !isFeasible(t)) return null;
  return t.values.every(Number.isFinite) ? t.values : null;
}

export interface HypervolumeStep {
  /** The trial's number. */
  readonly number: number;
  /** The hypervolume of the COMPLETE feasible trials up to and including this one. */
  readonly hypervolume: number;
}

/**
 * The hypervolume after each finished trial (COMPLETE, PRUNED or FAIL; running and waiting ones
 * are skipped), in the order given (number order for a study's trials). Only COMPLETE, feasible
 * trials add to it. `reference` is in the study's own units: for a maximised objective a point
 * counts when it is above the reference.
 *
 * Incremental: for 2 objectives each trial updates a staircase (O(log n) search, amortised O(1)
 * removals); for 3 or more a trial adds its exclusive volume against the current front (WFG's
 * step), and a dominated trial costs one dominance scan.
 */
export function hypervolumeHistory(trials: readonly FrozenTrial[], directions: readonly StudyDirection[], reference: readonly number[]): HypervolumeStep[] {
  const m = directions.length;
  if (reference.length !== m) throw new RangeError(`hypervolumeHistory: ${m} objectives but a reference point of ${reference.length}`);
  const ref = minimizedValues(reference, directions);
  const steps: HypervolumeStep[] = [];
  let total = 0;
  const stairs = m === 2 ? new Staircase2D(ref[0], ref[1]) : null;
  let front: number[][] = [];
  const minimize = minimizeAll(m);
  for (const t of trials) {
    if (t.state === 'RUNNING' || t.state === 'WAITING') continue;
    const values = countedValues(t, m);
    if (values) {
      const p = minimizedValues(values, directions);
      if (stairs) total = stairs.add(p[0], p[1]) + total;
      else if (p.every((v, k) => v < ref[k]) && !front.some((f) => dominates(f, p, minimize) || f.every((v, k) => v === p[k]))) {
        if (m === 1) total = Math.max(total, ref[0] - p[0]);
        else total += exclusiveVolume(p, front, ref);
        front = front.filter((f) => !dominates(p, f, minimize));
        front.push(p);
      }
    }
    steps.push({ number: t.number, hypervolume: total });
  }
  return steps;
}

/**
 * A default reference point from the trials: per objective, the worst value among the COMPLETE
 * feasible trials (the nadir of the observed values) moved outwards by 10% of the observed range
 * (by 10% of its magnitude, or 1, when all values are equal), so that the extreme points of the
 * front add volume too. In the study's own units (larger for minimised objectives, smaller for
 * maximised ones). Null when no trial counts. Hypervolumes are only comparable at one reference
 * point: pass a fixed one to compare studies.
 */
export function defaultReferencePoint(trials: readonly FrozenTrial[], directions: readonly StudyDirection[]): number[] | null {
  const m = directions.length;
  const worst = new Array<number>(m).fill(-Infinity);
  const best = new Array<number>(m).fill(Infinity);
  let any = false;
  for (const t of trials) {
    const values = countedValues(t, m);
    if (!values) continue;
    any = true;
    const p = minimizedValues(values, directions);
    for (let k = 0; k < m; k++) {
      worst[k] = Math.max(worst[k], p[k]);
      best[k] = Math.min(best[k], p[k]);
    }
  }
  if (!any) return null;
  return worst.map((w, k) => {
    const range = w - best[k];
    const margin = range > 0 ? 0.1 * range : Math.abs(w) > 0 ? 0.1 * Math.abs(w) : 1;
    const ref = w + margin;
    return directions[k] === 'maximize' ? -ref : ref;
  });
}
