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
  return new TreeVarianceMeter(domains).measure(tree);
}

/**
 * Decomposes trees over one set of domains, one after another, reusing its buffers from tree to
 * tree (a forest's thread measures dozens of trees of thousands of nodes each): the tree's split
 * points, then a depth-first walk that keeps the box of the node being visited and adds each leaf
 * to the marginals. Every per-parameter array is one flat typed array with an offset per
 * parameter, and the walk allocates nothing per node.
 */
export class TreeVarianceMeter {
  private readonly nFeatures: number;
  /** 1 for a numeric parameter. */
  private readonly numeric: Uint8Array;
  /** A numeric parameter's extent; a categorical one's number of categories. */
  private readonly width: Float64Array;
  /**
   * Per parameter, where its slots start in the flat arrays below: numeric, its split points (its
   * bounds and its thresholds in this tree, sorted, distinct); categorical, its categories.
   */
  private readonly offset: Int32Array;
  private readonly length: Int32Array;
  private breaks = new Float64Array(0);
  /** Per split node on a numeric parameter, the index of its threshold among that parameter's split points. */
  private breakIndex = new Int32Array(0);
  // The box of the node being visited: an interval of split-point indices per numeric parameter,
  // a set of categories per categorical one (`member`, flat, with its count), and its share of
  // each parameter's extent, kept up to date as the walk descends (only the split parameter's
  // changes at a node).
  private readonly lo: Int32Array;
  private readonly hi: Int32Array;
  private member = new Uint8Array(0);
  private readonly memberCount: Int32Array;
  private readonly share: Float64Array;
  /**
   * The categorical sets of the nodes above, saved while their children are visited: per depth a
   * row of every categorical parameter's categories, each at its `savedOffset`.
   */
  private saved: Uint8Array;
  private readonly savedOffset: Int32Array;
  private readonly savedRow: number;
  /**
   * Per parameter, the marginal prediction f_d: a difference array over its intervals (numeric)
   * or its value per category (categorical), flat at `offset`.
   */
  private marginal = new Float64Array(0);
  /** Products of the shares before each parameter (the share of the other parameters' space without dividing by a share that may be 0). */
  private readonly before: Float64Array;
  /** The leaves with a non-empty box, in walk order: value and share of the space. */
  private leafValue = new Float64Array(0);
  private leafShare = new Float64Array(0);
  private leaves = 0;
  /** The tree being measured. */
  private tree: RegressionTree | null = null;

  constructor(private readonly domains: readonly FeatureDomain[]) {
    for (const d of domains) {
      if (d.kind === 'numeric' && !(d.high > d.low)) throw new RangeError(`a numeric domain needs high > low, but got [${d.low}, ${d.high}]`);
      if (d.kind === 'categorical' && !(d.categories >= 1)) throw new RangeError(`a categorical domain needs at least one category, but got ${d.categories}`);
    }
    const F = (this.nFeatures = domains.length);
    this.numeric = Uint8Array.from(domains, (d) => (d.kind === 'numeric' ? 1 : 0));
    this.width = Float64Array.from(domains, (d) => (d.kind === 'numeric' ? d.high - d.low : d.categories));
    this.offset = new Int32Array(F);
    this.length = new Int32Array(F);
    this.lo = new Int32Array(F);
    this.hi = new Int32Array(F);
    this.memberCount = new Int32Array(F);
    this.share = new Float64Array(F);
    this.before = new Float64Array(F + 1);
    this.savedOffset = new Int32Array(F);
    let categories = 0;
    domains.forEach((d, f) => {
      this.savedOffset[f] = categories;
      if (d.kind === 'categorical') categories += d.categories;
    });
    this.savedRow = categories;
    this.saved = new Uint8Array(16 * categories);
  }

  /** The tree's total variance and each parameter's main-effect variance. */
  measure(tree: RegressionTree): TreeVariance {
    this.tree = tree;
    this.prepare(tree);
    this.leaves = 0;
    this.visit(0, 0);
    const result = this.decompose();
    this.tree = null;
    return result;
  }

  /** The tree's split points per numeric parameter, each split node's index among them, and the root's box. */
  private prepare(tree: RegressionTree): void {
    const { domains, numeric } = this;
    const F = this.nFeatures;
    const { nodeCount, feature, threshold } = tree;
    // Slots per parameter: numeric, 2 bounds + its split nodes (fewer once duplicates go); categorical, its categories.
    const slots = this.length;
    domains.forEach((d, f) => (slots[f] = d.kind === 'numeric' ? 2 : d.categories));
    for (let i = 0; i < nodeCount; i++) {
      const f = feature[i];
      if (f >= 0 && numeric[f]) slots[f]++;
    }
    let total = 0;
    for (let f = 0; f < F; f++) {
      this.offset[f] = total;
      total += slots[f];
    }
    if (this.breaks.length < total) {
      this.breaks = new Float64Array(total);
      this.member = new Uint8Array(total);
      this.marginal = new Float64Array(total);
    }
    if (this.breakIndex.length < nodeCount) {
      this.breakIndex = new Int32Array(nodeCount);
      this.leafValue = new Float64Array(nodeCount);
      this.leafShare = new Float64Array(nodeCount);
    }
    const { breaks, offset, breakIndex } = this;
    this.marginal.fill(0, 0, total);
    for (let f = 0; f < F; f++) {
      const d = domains[f];
      if (d.kind !== 'numeric') continue;
      breaks[offset[f]] = d.low;
      breaks[offset[f] + 1] = d.high;
      slots[f] = 2;
    }
    for (let i = 0; i < nodeCount; i++) {
      const f = feature[i];
      if (f >= 0 && numeric[f]) {
        const d = domains[f] as { low: number; high: number };
        breaks[offset[f] + slots[f]++] = clamp(threshold[i], d.low, d.high);
      }
    }
    for (let f = 0; f < F; f++) if (numeric[f]) slots[f] = sortUnique(breaks.subarray(offset[f], offset[f] + slots[f]));
    for (let i = 0; i < nodeCount; i++) {
      const f = feature[i];
      if (f >= 0 && numeric[f]) {
        const d = domains[f] as { low: number; high: number };
        breakIndex[i] = lowerBound(breaks, offset[f], offset[f] + slots[f], clamp(threshold[i], d.low, d.high)) - offset[f];
      }
    }
    for (let f = 0; f < F; f++) {
      this.lo[f] = 0;
      if (numeric[f]) this.hi[f] = slots[f] - 1;
      else {
        this.member.fill(1, offset[f], offset[f] + slots[f]);
        this.memberCount[f] = slots[f];
      }
      this.updateShare(f);
    }
  }

  /** V and each V_d from the leaves and the marginals the walk gathered. */
  private decompose(): TreeVariance {
    const { leafValue, leafShare, leaves, domains, marginal, breaks, offset } = this;
    let mean = 0;
    for (let l = 0; l < leaves; l++) mean += leafShare[l] * leafValue[l];
    let total = 0;
    for (let l = 0; l < leaves; l++) total += leafShare[l] * (leafValue[l] - mean) ** 2;
    const mainEffects = new Float64Array(this.nFeatures);
    domains.forEach((d, f) => {
      const o = offset[f];
      let s = 0;
      if (d.kind === 'numeric') {
        let level = 0;
        for (let j = 0; j < this.length[f] - 1; j++) {
          level += marginal[o + j];
          s += (breaks[o + j + 1] - breaks[o + j]) * (level - mean) ** 2;
        }
        s /= d.high - d.low;
      } else {
        for (let k = 0; k < d.categories; k++) s += (marginal[o + k] - mean) ** 2;
        s /= d.categories;
      }
      mainEffects[f] = s;
    });
    return { total, mainEffects };
  }

  private updateShare(f: number): void {
    const o = this.offset[f];
    this.share[f] = this.numeric[f] ? (this.breaks[o + this.hi[f]] - this.breaks[o + this.lo[f]]) / this.width[f] : this.memberCount[f] / this.width[f];
  }

  private visit(node: number, depth: number): void {
    const tree = this.tree!;
    const f = tree.feature[node];
    if (f < 0) {
      this.visitLeaf(node);
      return;
    }
    const cats = tree.leftCategories[node];
    if (cats) {
      const { member, offset, length } = this;
      const o = offset[f];
      const k = length[f];
      const row = depth * this.savedRow + this.savedOffset[f];
      if (this.saved.length < row + k) {
        const grown = new Uint8Array(2 * (depth + 1) * this.savedRow);
        grown.set(this.saved);
        this.saved = grown;
      }
      const saved = this.saved;
      const savedCount = this.memberCount[f];
      let c = 0;
      for (let j = 0; j < k; j++) {
        saved[row + j] = member[o + j];
        c += member[o + j] = saved[row + j] & cats[j];
      }
      this.memberCount[f] = c;
      this.updateShare(f);
      this.visit(tree.left[node], depth + 1);
      c = 0;
      for (let j = 0; j < k; j++) c += member[o + j] = saved[row + j] & (cats[j] ^ 1);
      this.memberCount[f] = c;
      this.updateShare(f);
      this.visit(tree.right[node], depth + 1);
      for (let j = 0; j < k; j++) member[o + j] = saved[row + j];
      this.memberCount[f] = savedCount;
    } else {
      const { lo, hi } = this;
      const b = this.breakIndex[node];
      const savedHi = hi[f];
      const savedLo = lo[f];
      // A threshold outside the box (possible only for one clamped to the bounds) leaves a child empty.
      hi[f] = Math.max(savedLo, Math.min(savedHi, b));
      this.updateShare(f);
      this.visit(tree.left[node], depth + 1);
      hi[f] = savedHi;
      lo[f] = Math.min(savedHi, Math.max(savedLo, b));
      this.updateShare(f);
      this.visit(tree.right[node], depth + 1);
      lo[f] = savedLo;
    }
    this.updateShare(f);
  }

  private visitLeaf(node: number): void {
    const { before, share, numeric, marginal, offset, lo, hi, member, length } = this;
    const F = this.nFeatures;
    before[0] = 1;
    for (let f = 0; f < F; f++) before[f + 1] = before[f] * share[f];
    const p = before[F];
    if (p === 0) return;
    const v = this.tree!.value[node];
    this.leafValue[this.leaves] = v;
    this.leafShare[this.leaves] = p;
    this.leaves++;
    let after = 1;
    for (let f = F - 1; f >= 0; f--) {
      const contribution = v * before[f] * after;
      after *= share[f];
      const o = offset[f];
      if (numeric[f]) {
        marginal[o + lo[f]] += contribution;
        marginal[o + hi[f]] -= contribution;
      } else {
        for (let k = 0; k < length[f]; k++) if (member[o + k]) marginal[o + k] += contribution;
      }
    }
  }
}

function clamp(x: number, low: number, high: number): number {
  return x < low ? low : x > high ? high : x;
}

/** Sorts `a` in place and moves its distinct values to its front; returns how many. */
function sortUnique(a: Float64Array): number {
  a.sort();
  let k = 0;
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[k - 1]) a[k++] = a[i];
  return k;
}

/** The first index in [from, to) of sorted `a` whose value is >= x (`to` if none). */
function lowerBound(a: Float64Array, from: number, to: number, x: number): number {
  let l = from;
  let r = to;
  while (l < r) {
    const m = (l + r) >>> 1;
    if (a[m] < x) l = m + 1;
    else r = m;
  }
  return l;
}
