/**
 * The non-dominated region of a Pareto front as disjoint boxes (minimisation): the part of
 * {z : z < reference} that no point of the front weakly dominates, the region where a new point
 * adds hypervolume. Expected hypervolume improvement integrates over these boxes (Daulton et al.
 * 2020, "Differentiable Expected Hypervolume Improvement", eq. 1; Optuna's
 * `_hypervolume/box_decomposition.py` computes the same region with Lacour et al. 2017's
 * local upper bounds).
 *
 * Here the decomposition is a dimension sweep, exact for any number of objectives:
 *  - 2 objectives: the front sorted by the first objective (p₁ … pₙ, the second then descending) is
 *    a staircase, and the region below it is n + 1 columns: (-∞, p₁⁰) × (-∞, r¹), then
 *    [pᵢ⁰, pᵢ₊₁⁰) × (-∞, pᵢ¹), and [pₙ⁰, r⁰) × (-∞, pₙ¹).
 *  - m > 2 objectives: sweep the last objective upwards. Between two consecutive values t_j and
 *    t_{j+1} of it, a point is dominated exactly when its first m - 1 coordinates are dominated
 *    by the projection of a front point whose last value is at most t_j, so the slab's cross
 *    section is the (m - 1)-objective region of those projections (recursively). A box of the
 *    cross section that the next front point leaves unchanged continues into the next slab, so
 *    each box is emitted once, spanning all the slabs it lives through (the same idea as the
 *    hypervolume sweep of Beume et al. 2009 in src/hypervolume.ts). In 3-D a new point changes
 *    only the staircase boxes it touches, so the count stays O(n) boxes, as Lacour et al.'s.
 *
 * Lower bounds may be -∞ (the region is unbounded below); upper bounds are finite (at most the
 * reference). Points not strictly below the reference in every objective add nothing and are
 * dropped, as in the hypervolume.
 */
import { UsageError } from '../../src/errors.js';
import { belowReference, nonDominated } from '../../src/hypervolume.js';

/** Disjoint boxes [lower, upper) in m objectives, row-major: box b's bounds at b * m .. b * m + m - 1. */
export interface BoxSet {
  /** Number of objectives. */
  readonly m: number;
  /** Number of boxes. */
  readonly count: number;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

interface Box {
  readonly lower: number[];
  readonly upper: number[];
}

/**
 * The boxes of the region (below `reference`) that no point of `points` dominates, for a
 * minimisation problem of two or more objectives. `points` need not be a front: dominated and
 * repeated points are ignored.
 */
export function nonDominatedBoxes(points: readonly (readonly number[])[], reference: readonly number[]): BoxSet {
  const m = reference.length;
  if (m < 2) throw new UsageError(`nonDominatedBoxes: the box decomposition needs two or more objectives, but the reference point has ${m}`);
  if (!reference.every(Number.isFinite)) throw new UsageError(`nonDominatedBoxes: the reference point must be finite, got ${JSON.stringify(reference)}`);
  const boxes = decompose(nonDominated(belowReference(points, reference)), reference);
  const lower = new Float64Array(boxes.length * m);
  const upper = new Float64Array(boxes.length * m);
  boxes.forEach((b, i) => {
    lower.set(b.lower, i * m);
    upper.set(b.upper, i * m);
  });
  return { m, count: boxes.length, lower, upper };
}

/** The boxes for a set of mutually non-dominated points, all below `reference`. */
function decompose(front: readonly number[][], reference: readonly number[]): Box[] {
  return reference.length === 2 ? staircase(front, reference) : sweep(front, reference);
}

/** Two objectives: the columns under the staircase (`front` non-dominated, any order). */
function staircase(front: readonly number[][], reference: readonly number[]): Box[] {
  const sorted = [...front].sort((a, b) => a[0] - b[0]);
  const boxes: Box[] = [];
  let left = -Infinity;
  let top = reference[1];
  for (const p of sorted) {
    boxes.push({ lower: [left, -Infinity], upper: [p[0], top] });
    left = p[0];
    top = p[1];
  }
  boxes.push({ lower: [left, -Infinity], upper: [reference[0], top] });
  return boxes;
}

/** m > 2 objectives: the sweep along the last one, boxes continued across unchanged slabs. */
function sweep(front: readonly number[][], reference: readonly number[]): Box[] {
  const m = reference.length;
  const last = m - 1;
  const crossReference = reference.slice(0, last);
  const sorted = [...front].sort((a, b) => a[last] - b[last]);
  const boxes: Box[] = [];
  const key = (b: Box): string => `${b.lower.join(',')}|${b.upper.join(',')}`;
  // The cross section's boxes now, each with the height where it began.
  let open = new Map<string, { box: Box; start: number }>();
  const whole: Box = { lower: crossReference.map(() => -Infinity), upper: crossReference };
  open.set(key(whole), { box: whole, start: -Infinity });
  const close = (entry: { box: Box; start: number }, end: number): void => {
    if (end > entry.start) boxes.push({ lower: [...entry.box.lower, entry.start], upper: [...entry.box.upper, end] });
  };
  const projected: number[][] = [];
  for (let i = 0; i < sorted.length; ) {
    const height = sorted[i][last];
    // Every point at this height joins the cross section at once.
    for (; i < sorted.length && sorted[i][last] === height; i++) projected.push(sorted[i].slice(0, last));
    const next = new Map<string, { box: Box; start: number }>();
    for (const box of decompose(nonDominated(projected), crossReference)) {
      const k = key(box);
      next.set(k, open.get(k) ?? { box, start: height });
    }
    for (const [k, entry] of open) if (!next.has(k)) close(entry, height);
    open = next;
  }
  for (const entry of open.values()) close(entry, reference[last]);
  return boxes;
}
