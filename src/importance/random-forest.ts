/**
 * A random forest of CART regression trees (Breiman 2001, "Random Forests"; Breiman, Friedman,
 * Olshen & Stone 1984, "Classification and Regression Trees"), as fANOVA needs it: scikit-learn's
 * `RandomForestRegressor` defaults, which Optuna's fANOVA evaluator uses (bootstrap samples of
 * size n, every feature considered at every split, squared-error criterion, thresholds halfway
 * between neighbouring distinct values), and the fitted trees as flat arrays (split feature,
 * threshold, children, node value, weight) that the variance decomposition walks.
 *
 * Written here rather than taken from npm: the one maintained JavaScript forest (ml-random-forest
 * on ml-cart) sorts every node's samples again for every feature, has no categorical splits and
 * hides its nodes behind classes without sample counts; fANOVA at 10,000 trials needs presorted
 * columns (sorted once for the whole forest, then partitioned stably at each split) and native
 * categorical splits.
 *
 * Categorical features split into two sets of categories. For squared error the best such split is
 * among the "ordered" ones: sort the categories present by their mean response and cut the sorted
 * list once (Fisher 1958; Breiman et al. 1984, §9.4), so k categories need k − 1 candidates, not
 * 2^(k−1).
 */
import { Rng } from '../rng.js';

/** A numeric feature (ordered; splits `x <= threshold`), or a categorical one with values 0..k−1. */
export type FeatureKind = { readonly kind: 'numeric' } | { readonly kind: 'categorical'; readonly categories: number };

export interface RegressionData {
  /** One column per feature, each of length n (categorical: the category index). */
  readonly columns: readonly Float64Array[];
  readonly features: readonly FeatureKind[];
  /** The response, length n. */
  readonly y: Float64Array;
}

export interface RandomForestOptions {
  /** Trees in the forest (default 64, Optuna's fANOVA). */
  nTrees?: number;
  /** No node deeper than this splits (default 64). */
  maxDepth?: number;
  /** A node needs this many distinct samples to split (default 2). */
  minSamplesSplit?: number;
  /** Each child keeps at least this many distinct samples (default 1). */
  minSamplesLeaf?: number;
  /** Seeds the bootstrap draws and the feature order (default 0): the same seed, the same forest. */
  seed?: number;
  /** Fit each tree on a bootstrap sample (default true); false fits every tree on all samples. */
  bootstrap?: boolean;
}

/**
 * A fitted tree. Node 0 is the root; `feature[i] < 0` marks a leaf. A numeric split sends
 * `x <= threshold[i]` to `left[i]`; a categorical split sends the categories with
 * `leftCategories[i][c] === 1` to `left[i]`. `value` is the weighted mean response of the node's
 * samples and `weight` their number counted with bootstrap multiplicity.
 */
export interface RegressionTree {
  readonly nodeCount: number;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly leftCategories: readonly (Uint8Array | null)[];
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
  readonly weight: Float64Array;
}

/** Two values closer than this are one value to a split (scikit-learn's FEATURE_THRESHOLD). */
const FEATURE_THRESHOLD = 1e-7;

/** The tree's prediction at `x` (one value per feature). */
export function predictTree(tree: RegressionTree, x: ArrayLike<number>): number {
  let i = 0;
  while (tree.feature[i] >= 0) {
    const f = tree.feature[i];
    const cats = tree.leftCategories[i];
    const goLeft = cats ? cats[x[f]] === 1 : x[f] <= tree.threshold[i];
    i = goLeft ? tree.left[i] : tree.right[i];
  }
  return tree.value[i];
}

/** The forest's prediction: the mean of its trees'. */
export function predictForest(trees: readonly RegressionTree[], x: ArrayLike<number>): number {
  let s = 0;
  for (const t of trees) s += predictTree(t, x);
  return s / trees.length;
}

/** Fits `nTrees` regression trees, each on its own bootstrap sample. */
export function fitRandomForest(data: RegressionData, options: RandomForestOptions = {}): RegressionTree[] {
  const nTrees = options.nTrees ?? 64;
  const n = data.y.length;
  checkData(data, options);
  const rng = new Rng(options.seed ?? 0);
  const sorted = presort(data);
  // Centred responses keep the split criterion's sums of squares free of cancellation when the
  // values sit far from 0 (a Sharpe ratio near 1e3, say); the mean is added back to every node.
  let mean = 0;
  for (let i = 0; i < n; i++) mean += data.y[i];
  mean /= n;
  const centred: RegressionData = { ...data, y: data.y.map((v) => v - mean) };
  const trees: RegressionTree[] = [];
  const counts = new Float64Array(n);
  for (let t = 0; t < nTrees; t++) {
    if (options.bootstrap === false) counts.fill(1);
    else {
      counts.fill(0);
      for (let i = 0; i < n; i++) counts[rng.int(0, n - 1)] += 1;
    }
    const tree = new TreeBuilder(centred, sorted, counts, rng, options).build();
    for (let i = 0; i < tree.nodeCount; i++) tree.value[i] += mean;
    trees.push(tree);
  }
  return trees;
}

function checkData(data: RegressionData, options: RandomForestOptions): void {
  const n = data.y.length;
  if (n === 0) throw new RangeError('a random forest needs at least one sample');
  if (data.features.length === 0) throw new RangeError('a random forest needs at least one feature');
  if (data.columns.length !== data.features.length) throw new RangeError(`${data.columns.length} columns but ${data.features.length} feature kinds`);
  data.columns.forEach((c, f) => {
    if (c.length !== n) throw new RangeError(`column ${f} has ${c.length} values for ${n} samples`);
  });
  const positive = (v: number | undefined, name: string, min: number) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min)) throw new RangeError(`${name} must be an integer >= ${min}, but got ${v}`);
  };
  positive(options.nTrees, 'nTrees', 1);
  positive(options.maxDepth, 'maxDepth', 0);
  positive(options.minSamplesSplit, 'minSamplesSplit', 2);
  positive(options.minSamplesLeaf, 'minSamplesLeaf', 1);
}

/**
 * Each column's sample indices in ascending order of value (ties by index): done once per forest.
 * The values are sorted natively (a comparator sort of indices is several times slower), and each
 * sample is then placed at its value's first position plus the samples of that value before it.
 */
function presort(data: RegressionData): Uint32Array[] {
  const n = data.y.length;
  const taken = new Int32Array(n);
  return data.columns.map((col) => {
    const values = Float64Array.from(col).sort();
    const idx = new Uint32Array(n);
    taken.fill(0);
    for (let i = 0; i < n; i++) {
      const first = lowerBound(values, col[i]);
      idx[first + taken[first]++] = i;
    }
    return idx;
  });
}

/** The first index of sorted `a` whose value is >= x. */
export function lowerBound(a: Float64Array, x: number): number {
  let l = 0;
  let r = a.length;
  while (l < r) {
    const m = (l + r) >>> 1;
    if (a[m] < x) l = m + 1;
    else r = m;
  }
  return l;
}

/** Grows one tree depth-first over per-feature sample lists that every split partitions stably. */
class TreeBuilder {
  private readonly nFeatures: number;
  /** Per feature: the distinct samples in the tree, in the column's sorted order, grouped by node. */
  private readonly lists: Uint32Array[];
  /** Weight times response, per sample. */
  private readonly wy: Float64Array;
  private readonly goLeft: Uint8Array;
  private readonly scratch: Uint32Array;
  private readonly order: Int32Array;
  private readonly maxDepth: number;
  private readonly minSplit: number;
  private readonly minLeaf: number;
  // Category statistics of the node being searched (sized for the largest categorical feature).
  private readonly catWeight: Float64Array;
  private readonly catSum: Float64Array;
  private readonly catCount: Int32Array;
  private readonly catOrder: number[] = [];
  // The split findBestSplit found.
  private bestFeature = -1;
  private bestThreshold = Number.NaN;
  private bestCategories: Uint8Array | null = null;
  private bestLeftSum = 0;
  private bestLeftWeight = 0;

  private readonly feature: number[] = [];
  private readonly threshold: number[] = [];
  private readonly leftCats: (Uint8Array | null)[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  private readonly value: number[] = [];
  private readonly weight: number[] = [];

  constructor(
    private readonly data: RegressionData,
    sorted: readonly Uint32Array[],
    private readonly w: Float64Array,
    private readonly rng: Rng,
    options: RandomForestOptions,
  ) {
    this.nFeatures = data.features.length;
    this.maxDepth = options.maxDepth ?? 64;
    this.minSplit = options.minSamplesSplit ?? 2;
    this.minLeaf = options.minSamplesLeaf ?? 1;
    let m = 0;
    for (let i = 0; i < w.length; i++) if (w[i] > 0) m++;
    this.lists = sorted.map((s) => {
      const list = new Uint32Array(m);
      let k = 0;
      for (let j = 0; j < s.length; j++) if (w[s[j]] > 0) list[k++] = s[j];
      return list;
    });
    this.wy = data.y.map((v, i) => v * w[i]);
    this.goLeft = new Uint8Array(w.length);
    this.scratch = new Uint32Array(m);
    this.order = new Int32Array(this.nFeatures);
    const maxK = Math.max(0, ...data.features.map((f) => (f.kind === 'categorical' ? f.categories : 0)));
    this.catWeight = new Float64Array(maxK);
    this.catSum = new Float64Array(maxK);
    this.catCount = new Int32Array(maxK);
  }

  build(): RegressionTree {
    const m = this.lists[0].length;
    const { y } = this.data;
    let rootSum = 0;
    let rootWeight = 0;
    for (let k = 0; k < m; k++) {
      const i = this.lists[0][k];
      rootSum += this.w[i] * y[i];
      rootWeight += this.w[i];
    }
    // Depth first with an explicit stack: [node id, start, end, depth].
    const stack: number[] = [this.addNode(rootSum, rootWeight), 0, m, 0];
    while (stack.length) {
      const depth = stack.pop()!;
      const end = stack.pop()!;
      const start = stack.pop()!;
      const node = stack.pop()!;
      if (depth >= this.maxDepth || end - start < this.minSplit || end - start < 2 * this.minLeaf) continue;
      if (!this.findBestSplit(start, end, this.value[node] * this.weight[node], this.weight[node])) continue;
      const mid = this.partition(start, end);
      this.feature[node] = this.bestFeature;
      this.threshold[node] = this.bestThreshold;
      this.leftCats[node] = this.bestCategories;
      const l = this.addNode(this.bestLeftSum, this.bestLeftWeight);
      const r = this.addNode(this.value[node] * this.weight[node] - this.bestLeftSum, this.weight[node] - this.bestLeftWeight);
      this.left[node] = l;
      this.right[node] = r;
      // Right pushed first, so the left subtree is grown first.
      stack.push(r, mid, end, depth + 1, l, start, mid, depth + 1);
    }
    return {
      nodeCount: this.value.length,
      feature: Int32Array.from(this.feature),
      threshold: Float64Array.from(this.threshold),
      leftCategories: this.leftCats,
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      value: Float64Array.from(this.value),
      weight: Float64Array.from(this.weight),
    };
  }

  /** A leaf for now, with the weighted sum of its responses and its weight. */
  private addNode(sum: number, weight: number): number {
    this.feature.push(-1);
    this.threshold.push(Number.NaN);
    this.leftCats.push(null);
    this.left.push(-1);
    this.right.push(-1);
    this.value.push(sum / weight);
    this.weight.push(weight);
    return this.value.length - 1;
  }

  /**
   * Finds the split that most lowers the weighted squared error into the `best…` fields; false
   * when there is none (all responses equal, or no feature varies). The criterion is
   * scikit-learn's proxy: maximise S_L²/W_L + S_R²/W_R (sums S and weights W of each side), which
   * differs from the decrease in squared error by a constant of the node (Breiman et al. 1984,
   * §8.3). Features are tried in a random order and only a strictly better split replaces the
   * best, so ties go to a feature chosen by the seed.
   */
  private findBestSplit(start: number, end: number, total: number, totalW: number): boolean {
    const { y, columns, features } = this.data;
    const w = this.w;
    const wy = this.wy;
    const list0 = this.lists[0];
    const y0 = y[list0[start]];
    let pure = true;
    for (let k = start + 1; k < end && pure; k++) pure = y[list0[k]] === y0;
    if (pure) return false;
    // Any valid split is taken, even one that lowers the error by nothing (as scikit-learn's
    // best splitter does): children are always smaller, so growth ends.
    let bestProxy = -Infinity;
    let bestF = -1;
    let bestAt = 0;
    let bestSum = 0;
    let bestW = 0;
    let bestThreshold = Number.NaN;
    const order = this.order;
    for (let f = 0; f < order.length; f++) order[f] = f;
    for (let f = order.length - 1; f > 0; f--) {
      const j = this.rng.int(0, f);
      const t = order[f];
      order[f] = order[j];
      order[j] = t;
    }
    const minLeaf = this.minLeaf;
    for (const f of order) {
      const col = columns[f];
      const kind = features[f];
      if (kind.kind === 'numeric') {
        const list = this.lists[f];
        if (col[list[end - 1]] - col[list[start]] <= FEATURE_THRESHOLD) continue;
        let sl = 0;
        let wl = 0;
        let next = col[list[start]];
        for (let k = start; k < end - 1; k++) {
          const i = list[k];
          sl += wy[i];
          wl += w[i];
          const here = next;
          next = col[list[k + 1]];
          if (next <= here + FEATURE_THRESHOLD) continue;
          const nLeft = k + 1 - start;
          if (nLeft < minLeaf || end - start - nLeft < minLeaf) continue;
          const sr = total - sl;
          const proxy = (sl * sl) / wl + (sr * sr) / (totalW - wl);
          if (proxy > bestProxy) {
            bestProxy = proxy;
            bestF = f;
            bestSum = sl;
            bestW = wl;
            bestThreshold = (here + next) / 2;
            if (bestThreshold === next) bestThreshold = here;
          }
        }
      } else {
        const present = this.categoryStatistics(f, start, end);
        if (present.length < 2) continue;
        const cw = this.catWeight;
        const cs = this.catSum;
        const cc = this.catCount;
        let sl = 0;
        let wl = 0;
        let nl = 0;
        for (let p = 0; p < present.length - 1; p++) {
          const c = present[p];
          sl += cs[c];
          wl += cw[c];
          nl += cc[c];
          if (nl < minLeaf || end - start - nl < minLeaf) continue;
          const sr = total - sl;
          const proxy = (sl * sl) / wl + (sr * sr) / (totalW - wl);
          if (proxy > bestProxy) {
            bestProxy = proxy;
            bestF = f;
            bestSum = sl;
            bestW = wl;
            bestAt = p;
            bestThreshold = Number.NaN;
          }
        }
      }
    }
    if (bestF < 0) return false;
    this.bestFeature = bestF;
    this.bestThreshold = bestThreshold;
    this.bestLeftSum = bestSum;
    this.bestLeftWeight = bestW;
    this.bestCategories = null;
    const kind = features[bestF];
    if (kind.kind === 'categorical') {
      // The categories of the winning cut, found again: the node's categories in the same order.
      this.categoryStatistics(bestF, start, end);
      const set = new Uint8Array(kind.categories);
      for (let q = 0; q <= bestAt; q++) set[this.catOrder[q]] = 1;
      this.bestCategories = set;
    }
    return true;
  }

  /** The weight, sum and count of each category of feature f at [start, end); the categories present, by mean response. */
  private categoryStatistics(f: number, start: number, end: number): number[] {
    const col = this.data.columns[f];
    const { y } = this.data;
    const w = this.w;
    const list0 = this.lists[0];
    const k = (this.data.features[f] as { categories: number }).categories;
    const cw = this.catWeight;
    const cs = this.catSum;
    const cc = this.catCount;
    cw.fill(0, 0, k);
    cs.fill(0, 0, k);
    cc.fill(0, 0, k);
    for (let q = start; q < end; q++) {
      const i = list0[q];
      const c = col[i];
      cw[c] += w[i];
      cs[c] += w[i] * y[i];
      cc[c] += 1;
    }
    const present = this.catOrder;
    present.length = 0;
    for (let c = 0; c < k; c++) if (cc[c] > 0) present.push(c);
    present.sort((a, b) => cs[a] / cw[a] - cs[b] / cw[b] || a - b);
    return present;
  }

  /** Moves each list's left-going samples of [start, end) ahead of the right-going ones, keeping their order. */
  private partition(start: number, end: number): number {
    const col = this.data.columns[this.bestFeature];
    const threshold = this.bestThreshold;
    const goLeft = this.goLeft;
    const list0 = this.lists[0];
    const cats = this.bestCategories;
    let nLeft = 0;
    for (let k = start; k < end; k++) {
      const i = list0[k];
      const l = cats ? cats[col[i]] : col[i] <= threshold ? 1 : 0;
      goLeft[i] = l;
      nLeft += l;
    }
    const scratch = this.scratch;
    for (let f = 0; f < this.lists.length; f++) {
      // The split feature's own list is in order of its value: already left then right.
      if (f === this.bestFeature && !cats) continue;
      const list = this.lists[f];
      let a = start;
      let b = 0;
      for (let k = start; k < end; k++) {
        const i = list[k];
        if (goLeft[i]) list[a++] = i;
        else scratch[b++] = i;
      }
      for (let k = 0; k < b; k++) list[a + k] = scratch[k];
    }
    return start + nLeft;
  }
}
