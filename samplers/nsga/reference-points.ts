/**
 * NSGA-III's reference-point niching (Deb & Jain 2014, "An evolutionary many-objective
 * optimization algorithm using reference-point-based nondominated sorting approach, part I",
 * IEEE TEC 18(4), section IV), as Optuna's `NSGAIIISampler` does it:
 *  - reference points: Das & Dennis (1998) structured points, every way of putting p (the
 *    dividing parameter) units into M objectives (section IV-B);
 *  - normalisation: subtract the ideal point, find each axis's extreme point by the achievement
 *    scalarising function with weights 1 on the axis and 1e6 elsewhere, and divide by the
 *    intercepts of the hyperplane through the extreme points; when those are degenerate, by each
 *    objective's maximum (section IV-C);
 *  - association: each member to the reference line nearest in perpendicular distance (IV-D);
 *  - niche preservation: from the last front, repeatedly take a reference point with the fewest
 *    members already chosen; with none, its closest candidate, else a random one (IV-E).
 */
import type { Rng } from '../../src/rng.js';

/** Das-Dennis points: all vectors of M non-negative integers summing to p, divided by p. */
export function dasDennisPoints(nObjectives: number, divisions: number): number[][] {
  const out: number[][] = [];
  const current = new Array<number>(nObjectives).fill(0);
  const fill = (k: number, left: number): void => {
    if (k === nObjectives - 1) {
      current[k] = left;
      out.push(current.map((c) => c / divisions));
      return;
    }
    for (let c = left; c >= 0; c--) {
      current[k] = c;
      fill(k + 1, left - c);
    }
  };
  fill(0, divisions);
  return out;
}

/** Solves A x = b by Gaussian elimination with partial pivoting; null when A is singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    if (Math.abs(m[p][c]) < 1e-12) return null;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}

/**
 * The members' objective vectors (minimised) normalised as in section IV-C. Infinite values are
 * first clipped to 3 ranges beyond the finite ones (Optuna's `_filter_inf`).
 */
export function normalizeObjectives(values: readonly (readonly number[])[]): number[][] {
  const m = values[0].length;
  const lo = new Array<number>(m).fill(Infinity);
  const hi = new Array<number>(m).fill(-Infinity);
  for (const v of values) {
    for (let k = 0; k < m; k++) {
      if (!Number.isFinite(v[k])) continue;
      lo[k] = Math.min(lo[k], v[k]);
      hi[k] = Math.max(hi[k], v[k]);
    }
  }
  const f = values.map((v) =>
    v.map((x, k) => {
      if (!Number.isFinite(lo[k])) return 0;
      const margin = 3 * (hi[k] - lo[k]);
      return Math.min(Math.max(x, lo[k] - margin), hi[k] + margin);
    }),
  );
  const ideal = new Array<number>(m).fill(Infinity);
  for (const v of f) for (let k = 0; k < m; k++) ideal[k] = Math.min(ideal[k], v[k]);
  for (const v of f) for (let k = 0; k < m; k++) v[k] -= ideal[k];
  // Extreme point of axis j: the member minimising max_k f_k / w_k with w_j = 1, others 1e-6 (ASF).
  const extremes = Array.from({ length: m }, (_, j) => {
    let best = 0;
    let bestAsf = Infinity;
    f.forEach((v, i) => {
      let asf = -Infinity;
      for (let k = 0; k < m; k++) asf = Math.max(asf, k === j ? v[k] : v[k] * 1e6);
      if (asf < bestAsf) {
        bestAsf = asf;
        best = i;
      }
    });
    return f[best];
  });
  let inverse = solve(extremes, new Array<number>(m).fill(1));
  if (!inverse || inverse.some((x) => !Number.isFinite(x) || x <= 0)) {
    inverse = Array.from({ length: m }, (_, k) => {
      const max = Math.max(...f.map((v) => v[k]));
      return max > 0 ? 1 / max : 1;
    });
  }
  return f.map((v) => v.map((x, k) => x * inverse![k]));
}

/** For each normalised member, the nearest reference line (through the origin and a point) and the distance to it. */
export function associate(normalized: readonly (readonly number[])[], referencePoints: readonly (readonly number[])[]): { nearest: number[]; distance: number[] } {
  const nearest: number[] = [];
  const distance: number[] = [];
  const norms = referencePoints.map((r) => r.reduce((s, x) => s + x * x, 0));
  for (const v of normalized) {
    const vv = v.reduce((s, x) => s + x * x, 0);
    let best = 0;
    let bestD = Infinity;
    referencePoints.forEach((r, j) => {
      const p = r.reduce((s, x, k) => s + x * v[k], 0);
      // |v|^2 - (v.r)^2 / |r|^2 is the squared perpendicular distance.
      const d = Math.max(0, vv - (p * p) / norms[j]);
      if (d < bestD) {
        bestD = d;
        best = j;
      }
    });
    nearest.push(best);
    distance.push(Math.sqrt(bestD));
  }
  return { nearest, distance };
}

/**
 * Chooses `count` of the last front's members (indices `candidates`) by niche preservation, given
 * the association of every member and the members already chosen (`chosen`).
 */
export function nicheSelect(count: number, chosen: readonly number[], candidates: readonly number[], nearest: readonly number[], distance: readonly number[], rng: Rng): number[] {
  const nicheCount = new Map<number, number>();
  for (const i of chosen) nicheCount.set(nearest[i], (nicheCount.get(nearest[i]) ?? 0) + 1);
  const members = new Map<number, number[]>();
  for (const i of candidates) {
    const list = members.get(nearest[i]);
    if (list) list.push(i);
    else members.set(nearest[i], [i]);
  }
  const picked: number[] = [];
  while (picked.length < count && members.size > 0) {
    let fewest = Infinity;
    for (const ref of members.keys()) fewest = Math.min(fewest, nicheCount.get(ref) ?? 0);
    const tied = [...members.keys()].filter((ref) => (nicheCount.get(ref) ?? 0) === fewest);
    const ref = tied[rng.int(0, tied.length - 1)];
    const list = members.get(ref)!;
    let at = 0;
    if (fewest === 0) {
      for (let k = 1; k < list.length; k++) if (distance[list[k]] < distance[list[at]]) at = k;
    } else {
      at = rng.int(0, list.length - 1);
    }
    picked.push(list[at]);
    list.splice(at, 1);
    if (list.length === 0) members.delete(ref);
    nicheCount.set(ref, fewest + 1);
  }
  return picked;
}
