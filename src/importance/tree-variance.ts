/**
 * One regression tree's variance and its parameters' main-effect variances: the per-tree step of
 * fANOVA (Hutter, Hoos & Leyton-Brown, "An Efficient Approach for Assessing Hyperparameter
 * Importance", ICML 2014; fanova.ts averages it over a forest). It runs wherever the tree grew
 * (forest-threads.ts), so a forest's trees are measured in parallel too.
 *
 * A regression tree is piecewise constant over a partition of the search space into boxes (its
 * leaves). Under the uniform measure on the space, the tree's mean is μ = Σ_l P_l v_l and its
 * variance V = Σ_l P_l (v_l − μ)², with P_l the share of the space in leaf l's box and v_l its
 * value (the paper's Eq. 1–2 and Theorem 2). The marginal prediction of one parameter d,
 * f_d(x_d) = E[tree(x) | x_d], averages the tree over every other parameter: a leaf whose box
 * holds x_d adds v_l times the share of the other parameters' space in its box,
 * Π_{j≠d} |B_l,j| / |S_j|. f_d is constant between neighbouring split points on d (Lemma 1), so
 * its variance V_d = Var[f_d(x_d)] is a sum over those intervals (for a categorical parameter,
 * over its categories, each with weight 1/k). V_d / V is the fraction of the tree's variance that
 * d explains on its own (its main effect, Eq. 5). The sums are computed in one pass over the
 * tree's leaves (a difference array per parameter), which gives the same numbers as Optuna's walk
 * from every midpoint.
 */
import type { RegressionTree } from './regression-tree.js';

/** A parameter's extent: an interval of a numeric parameter, or the k categories of a categorical one. */
export type FeatureDomain = { readonly kind: 'numeric'; readonly low: number; readonly high: number } | { readonly kind: 'categorical'; readonly categories: number };

export interface TreeVariance {
  /** V: the tree's variance over the whole space. */
  readonly total: number;
  /** V_d for each parameter d: the variance of its marginal prediction. */
  readonly mainEffects: Float64Array;
}

/** The tree's total variance and each parameter's main-effect variance over `domains`. */
export function decomposeTree(tree: RegressionTree, domains: readonly FeatureDomain[]): TreeVariance {
  const nFeatures = domains.length;
  for (const d of domains) {
    if (d.kind === 'numeric' && !(d.high > d.low)) throw new RangeError(`a numeric domain needs high > low, but got [${d.low}, ${d.high}]`);
    if (d.kind === 'categorical' && !(d.categories >= 1)) throw new RangeError(`a categorical domain needs at least one category, but got ${d.categories}`);
  }
  // Split points of each numeric parameter: its bounds and its thresholds in this tree, sorted;
  // each split node keeps the index of its threshold among them.
  const numeric = Uint8Array.from(domains, (d) => (d.kind === 'numeric' ? 1 : 0));
  const points: number[][] = domains.map((d) => (d.kind === 'numeric' ? [d.low, d.high] : []));
  for (let i = 0; i < tree.nodeCount; i++) {
    const f = tree.feature[i];
    if (f >= 0 && numeric[f]) {
      const d = domains[f] as { low: number; high: number };
      points[f].push(clamp(tree.threshold[i], d.low, d.high));
    }
  }
  const breaks: Float64Array[] = points.map(uniqueSorted);
  const breakIndex = new Int32Array(tree.nodeCount);
  for (let i = 0; i < tree.nodeCount; i++) {
    const f = tree.feature[i];
    if (f >= 0 && numeric[f]) {
      const d = domains[f] as { low: number; high: number };
      breakIndex[i] = lowerBound(breaks[f], clamp(tree.threshold[i], d.low, d.high));
    }
  }
  const width = Float64Array.from(domains, (d) => (d.kind === 'numeric' ? d.high - d.low : d.categories));

  // The box of the node being visited: an interval of break indices per numeric parameter, a set
  // of categories per categorical one; and its share of each parameter's extent, kept up to date
  // as the walk descends (only the split parameter's changes at a node).
  const lo = new Int32Array(nFeatures);
  const hi = new Int32Array(nFeatures);
  const member: (Uint8Array | null)[] = domains.map((d) => (d.kind === 'categorical' ? new Uint8Array(d.categories).fill(1) : null));
  const memberCount = Int32Array.from(domains, (d) => (d.kind === 'categorical' ? d.categories : 0));
  domains.forEach((d, f) => {
    hi[f] = d.kind === 'numeric' ? breaks[f].length - 1 : 0;
  });
  const share = new Float64Array(nFeatures);
  const updateShare = (f: number): void => {
    share[f] = numeric[f] ? (breaks[f][hi[f]] - breaks[f][lo[f]]) / width[f] : memberCount[f] / width[f];
  };
  for (let f = 0; f < nFeatures; f++) updateShare(f);
  // Per parameter, the marginal prediction f_d as a difference array over its intervals (numeric)
  // or its value per category (categorical).
  const marginal: Float64Array[] = domains.map((d, f) => new Float64Array(d.kind === 'numeric' ? breaks[f].length : d.categories));
  const leafValue: number[] = [];
  const leafShare: number[] = [];
  const before = new Float64Array(nFeatures + 1);

  const visitLeaf = (node: number): void => {
    // Products of the shares before and after each parameter: the share of the other parameters'
    // space without dividing by a share that may be 0.
    before[0] = 1;
    for (let f = 0; f < nFeatures; f++) before[f + 1] = before[f] * share[f];
    const p = before[nFeatures];
    if (p === 0) return;
    const v = tree.value[node];
    leafValue.push(v);
    leafShare.push(p);
    let after = 1;
    for (let f = nFeatures - 1; f >= 0; f--) {
      const contribution = v * before[f] * after;
      after *= share[f];
      const row = marginal[f];
      if (numeric[f]) {
        row[lo[f]] += contribution;
        row[hi[f]] -= contribution;
      } else {
        const m = member[f]!;
        for (let k = 0; k < m.length; k++) if (m[k]) row[k] += contribution;
      }
    }
  };

  const visit = (node: number): void => {
    const f = tree.feature[node];
    if (f < 0) {
      visitLeaf(node);
      return;
    }
    const cats = tree.leftCategories[node];
    if (cats) {
      const m = member[f]!;
      const saved = m.slice();
      const savedCount = memberCount[f];
      let c = 0;
      for (let k = 0; k < m.length; k++) c += m[k] = saved[k] & cats[k];
      memberCount[f] = c;
      updateShare(f);
      visit(tree.left[node]);
      c = 0;
      for (let k = 0; k < m.length; k++) c += m[k] = saved[k] & (cats[k] ^ 1);
      memberCount[f] = c;
      updateShare(f);
      visit(tree.right[node]);
      m.set(saved);
      memberCount[f] = savedCount;
    } else {
      const b = breakIndex[node];
      const savedHi = hi[f];
      const savedLo = lo[f];
      // A threshold outside the box (possible only for one clamped to the bounds) leaves a child empty.
      hi[f] = Math.max(savedLo, Math.min(savedHi, b));
      updateShare(f);
      visit(tree.left[node]);
      hi[f] = savedHi;
      lo[f] = Math.min(savedHi, Math.max(savedLo, b));
      updateShare(f);
      visit(tree.right[node]);
      lo[f] = savedLo;
    }
    updateShare(f);
  };
  visit(0);

  let mean = 0;
  for (let l = 0; l < leafValue.length; l++) mean += leafShare[l] * leafValue[l];
  let total = 0;
  for (let l = 0; l < leafValue.length; l++) total += leafShare[l] * (leafValue[l] - mean) ** 2;
  const mainEffects = new Float64Array(nFeatures);
  domains.forEach((d, f) => {
    const row = marginal[f];
    let s = 0;
    if (d.kind === 'numeric') {
      const b = breaks[f];
      let level = 0;
      for (let j = 0; j < b.length - 1; j++) {
        level += row[j];
        s += (b[j + 1] - b[j]) * (level - mean) ** 2;
      }
      s /= d.high - d.low;
    } else {
      for (let k = 0; k < d.categories; k++) s += (row[k] - mean) ** 2;
      s /= d.categories;
    }
    mainEffects[f] = s;
  });
  return { total, mainEffects };
}

function clamp(x: number, low: number, high: number): number {
  return x < low ? low : x > high ? high : x;
}

function uniqueSorted(points: number[]): Float64Array {
  const sorted = Float64Array.from(points).sort();
  let k = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[k - 1]) sorted[k++] = sorted[i];
  return sorted.slice(0, k);
}

/** The first index of sorted `a` whose value is >= x. */
function lowerBound(a: Float64Array, x: number): number {
  let l = 0;
  let r = a.length;
  while (l < r) {
    const m = (l + r) >>> 1;
    if (a[m] < x) l = m + 1;
    else r = m;
  }
  return l;
}
