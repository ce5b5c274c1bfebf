/**
 * A random forest of CART regression trees (Breiman 2001, "Random Forests"; Breiman, Friedman,
 * Olshen & Stone 1984, "Classification and Regression Trees"), as fANOVA needs it: scikit-learn's
 * `RandomForestRegressor` defaults, which Optuna's fANOVA evaluator uses (bootstrap samples of
 * size n, every feature considered at every split, squared-error criterion, thresholds halfway
 * between neighbouring distinct values), and the fitted trees as flat arrays (split feature,
 * threshold, children, node value, weight) that the variance decomposition walks.
 *
 * The split search is histogram-based (LightGBM, Ke et al. 2017, §2.1; scikit-learn's
 * `HistGradientBoostingRegressor`): each feature is binned once per forest (feature-bins.ts: one
 * bin per distinct value when there are at most `maxBins`, as every grid parameter has; quantile
 * bins otherwise), and each node gathers its samples' weight, weighted response sum and count per
 * bin of every feature in one pass, then scans the bins. A split between two bins puts its
 * threshold halfway between the largest value of the lower bin and the smallest of the upper one:
 * with exact bins that is the midpoint of neighbouring distinct values, as a sort-based CART finds;
 * with quantile bins a split can fall only at a bin edge, so a leaf may hold several distinct
 * values of such a feature.
 *
 * Written here rather than taken from npm: the one maintained JavaScript forest (ml-random-forest
 * on ml-cart) sorts every node's samples again for every feature, has no categorical splits and
 * hides its nodes behind classes without sample counts; fANOVA at 10,000 trials needs a split
 * search that does not sort and native categorical splits.
 *
 * Categorical features split into two sets of categories. For squared error the best such split is
 * among the "ordered" ones: sort the categories present by their mean response and cut the sorted
 * list once (Fisher 1958; Breiman et al. 1984, §9.4), so k categories need k − 1 candidates, not
 * 2^(k−1).
 */
import { type BinnedFeatures, type FeatureKind, MAX_BINS_LIMIT, binFeatures } from './feature-bins.js';
import { Rng } from '../rng.js';

export type { FeatureKind } from './feature-bins.js';

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
  /**
   * Bins per numeric feature (default 256, 2 to 65,536): a feature with at most this many distinct
   * values splits exactly between any two of them; one with more splits only at quantile edges.
   */
  maxBins?: number;
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
  const binned = binFeatures(data.columns, data.features, options.maxBins ?? 256);
  // Centred responses keep the split criterion's sums of squares free of cancellation when the
  // values sit far from 0 (a Sharpe ratio near 1e3, say); the mean is added back to every node.
  let mean = 0;
  for (let i = 0; i < n; i++) mean += data.y[i];
  mean /= n;
  const centred = data.y.map((v) => v - mean);
  const grower = new TreeGrower(binned, data.features, centred, options);
  const trees: RegressionTree[] = [];
  const counts = new Float64Array(n);
  for (let t = 0; t < nTrees; t++) {
    if (options.bootstrap === false) counts.fill(1);
    else {
      counts.fill(0);
      for (let i = 0; i < n; i++) counts[rng.int(0, n - 1)] += 1;
    }
    const tree = grower.grow(counts, rng);
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
  const positive = (v: number | undefined, name: string, min: number, max = Number.POSITIVE_INFINITY) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min && v <= max)) {
      throw new RangeError(`${name} must be an integer from ${min}${max < Number.POSITIVE_INFINITY ? ` to ${max}` : ' up'}, but got ${v}`);
    }
  };
  positive(options.nTrees, 'nTrees', 1);
  positive(options.maxDepth, 'maxDepth', 0);
  positive(options.minSamplesSplit, 'minSamplesSplit', 2);
  positive(options.minSamplesLeaf, 'minSamplesLeaf', 1);
  positive(options.maxBins, 'maxBins', 2, MAX_BINS_LIMIT);
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

/** Up to this many bins present in a node, a feature's bins are ordered by insertion sort; above, through a bitset. */
const FEW_BINS = 16;

/**
 * Grows trees depth first over one array of sample indices that each split partitions in place.
 * Its buffers are sized for n samples once per forest and reused by every tree and node.
 */
class TreeGrower {
  private readonly nFeatures: number;
  private readonly maxDepth: number;
  private readonly minSplit: number;
  private readonly minLeaf: number;
  // The tree's distinct samples, renumbered 0..m−1: bootstrap weight, centred response, weight
  // times response, and bins (row-major, nFeatures per sample).
  private readonly w: Float64Array;
  private readonly y: Float64Array;
  private readonly wy: Float64Array;
  private readonly rows: Uint8Array | Uint16Array;
  /** Sample indices, grouped by node: a node owns a range [start, end). */
  private readonly index: Uint32Array;
  // The node's histograms, per bin of every feature (flat, at binOffset[f] + bin): distinct
  // samples, and weight and weighted response sum interleaved (at 2·h and 2·h + 1). All zero
  // between nodes.
  private readonly histCount: Int32Array;
  private readonly hist: Float64Array;
  /** Per feature, the bins the node's samples fall in (at binOffset[f], nPresent[f] of them), in the order they are cut once ordered. */
  private readonly present: Uint16Array;
  private readonly nPresent: Int32Array;
  /** Per feature, a bit per bin (at wordOffset[f]), for putting many present bins in order. */
  private readonly occupied: Int32Array;
  private readonly wordOffset: Int32Array;
  // The split findBestSplit found.
  private bestFeature = -1;
  private bestThreshold = Number.NaN;
  /** Numeric: the last bin that goes left. */
  private bestBin = 0;
  /** Categorical: the categories that go left. */
  private bestCategories: Uint8Array | null = null;
  private bestLeftSum = 0;
  private bestLeftWeight = 0;
  // The tree being grown, with room for its largest possible size (2m − 1 nodes).
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly value: Float64Array;
  private readonly weight: Float64Array;
  private categorySplits: { node: number; set: Uint8Array }[] = [];
  private nodeCount = 0;

  constructor(
    private readonly bins: BinnedFeatures,
    private readonly features: readonly FeatureKind[],
    private readonly centred: Float64Array,
    options: RandomForestOptions,
  ) {
    const n = centred.length;
    const nFeatures = (this.nFeatures = features.length);
    this.maxDepth = options.maxDepth ?? 64;
    this.minSplit = options.minSamplesSplit ?? 2;
    this.minLeaf = options.minSamplesLeaf ?? 1;
    this.w = new Float64Array(n);
    this.y = new Float64Array(n);
    this.wy = new Float64Array(n);
    this.rows = bins.rows instanceof Uint8Array ? new Uint8Array(n * nFeatures) : new Uint16Array(n * nFeatures);
    this.index = new Uint32Array(n);
    const totalBins = bins.binLow.length;
    this.histCount = new Int32Array(totalBins);
    this.hist = new Float64Array(2 * totalBins);
    this.present = new Uint16Array(totalBins);
    this.nPresent = new Int32Array(nFeatures);
    this.wordOffset = new Int32Array(nFeatures);
    let words = 0;
    for (let f = 0; f < nFeatures; f++) {
      this.wordOffset[f] = words;
      words += (bins.binCount[f] + 31) >>> 5;
    }
    this.occupied = new Int32Array(words);
    const maxNodes = 2 * n - 1;
    this.feature = new Int32Array(maxNodes);
    this.threshold = new Float64Array(maxNodes);
    this.left = new Int32Array(maxNodes);
    this.right = new Int32Array(maxNodes);
    this.value = new Float64Array(maxNodes);
    this.weight = new Float64Array(maxNodes);
  }

  /** One tree on the samples with `counts[i] > 0`, each weighted by its count. */
  grow(counts: Float64Array, rng: Rng): RegressionTree {
    const F = this.nFeatures;
    const source = this.bins.rows;
    const { w, y, wy, rows, index, centred } = this;
    let m = 0;
    let rootSum = 0;
    let rootWeight = 0;
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i];
      if (c <= 0) continue;
      w[m] = c;
      y[m] = centred[i];
      wy[m] = c * centred[i];
      for (let f = 0; f < F; f++) rows[m * F + f] = source[i * F + f];
      index[m] = m;
      rootSum += wy[m];
      rootWeight += c;
      m++;
    }
    this.nodeCount = 0;
    this.categorySplits = [];
    // Depth first with an explicit stack of [node id, start, end, depth]: at most one pending
    // right sibling per level.
    const stack = new Int32Array(4 * (Math.min(this.maxDepth, m) + 2));
    let top = 0;
    stack[top++] = this.addNode(rootSum, rootWeight);
    stack[top++] = 0;
    stack[top++] = m;
    stack[top++] = 0;
    while (top > 0) {
      const depth = stack[--top];
      const end = stack[--top];
      const start = stack[--top];
      const node = stack[--top];
      if (depth >= this.maxDepth || end - start < this.minSplit || end - start < 2 * this.minLeaf) continue;
      const nodeSum = this.value[node] * this.weight[node];
      if (!this.findBestSplit(start, end, nodeSum, this.weight[node], rng)) continue;
      const mid = this.partition(start, end);
      this.feature[node] = this.bestFeature;
      this.threshold[node] = this.bestThreshold;
      if (this.bestCategories) this.categorySplits.push({ node, set: this.bestCategories });
      const l = this.addNode(this.bestLeftSum, this.bestLeftWeight);
      const r = this.addNode(nodeSum - this.bestLeftSum, this.weight[node] - this.bestLeftWeight);
      this.left[node] = l;
      this.right[node] = r;
      // Right pushed first, so the left subtree is grown first.
      stack[top++] = r;
      stack[top++] = mid;
      stack[top++] = end;
      stack[top++] = depth + 1;
      stack[top++] = l;
      stack[top++] = start;
      stack[top++] = mid;
      stack[top++] = depth + 1;
    }
    const nodeCount = this.nodeCount;
    const leftCategories: (Uint8Array | null)[] = new Array<Uint8Array | null>(nodeCount).fill(null);
    for (const { node, set } of this.categorySplits) leftCategories[node] = set;
    return {
      nodeCount,
      feature: this.feature.slice(0, nodeCount),
      threshold: this.threshold.slice(0, nodeCount),
      leftCategories,
      left: this.left.slice(0, nodeCount),
      right: this.right.slice(0, nodeCount),
      value: this.value.slice(0, nodeCount),
      weight: this.weight.slice(0, nodeCount),
    };
  }

  /** A leaf for now, with the weighted sum of its responses and its weight. */
  private addNode(sum: number, weight: number): number {
    const i = this.nodeCount++;
    this.feature[i] = -1;
    this.threshold[i] = Number.NaN;
    this.left[i] = -1;
    this.right[i] = -1;
    this.value[i] = sum / weight;
    this.weight[i] = weight;
    return i;
  }

  /**
   * Finds the split that most lowers the weighted squared error into the `best…` fields; false
   * when there is none (all responses equal, or no feature varies). The criterion is
   * scikit-learn's proxy: maximise S_L²/W_L + S_R²/W_R (sums S and weights W of each side), which
   * differs from the decrease in squared error by a constant of the node (Breiman et al. 1984,
   * §8.3); it is compared as the fraction (S_L²·W_R + S_R²·W_L) / (W_L·W_R) by cross-multiplying,
   * so the scan over a node's bins divides nothing. Within a feature the first of equally good
   * cuts counts; between features, ties go to one drawn uniformly at random (reservoir sampling
   * over the tied features, as scikit-learn's random feature order gives, with a draw only when
   * there is a tie).
   */
  private findBestSplit(start: number, end: number, total: number, totalW: number, rng: Rng): boolean {
    const { y, index } = this;
    const y0 = y[index[start]];
    let pure = true;
    for (let k = start + 1; k < end && pure; k++) pure = y[index[k]] === y0;
    if (pure) return false;
    this.accumulate(start, end);
    const { histCount, hist, present, nPresent } = this;
    const { binOffset, binLow, binHigh } = this.bins;
    const minLeaf = this.minLeaf;
    const nNode = end - start;
    // Any valid split is taken, even one that lowers the error by nothing (as scikit-learn's
    // best splitter does): children are always smaller, so growth ends.
    let bestNum = -1;
    let bestDen = 0;
    let bestF = -1;
    /** Features whose best cut ties the best so far. */
    let ties = 0;
    for (let f = 0; f < this.nFeatures; f++) {
      const offset = binOffset[f];
      const np = nPresent[f];
      if (np >= 2) {
        const categorical = this.features[f].kind === 'categorical';
        if (categorical) this.orderByMean(offset, np);
        else this.orderByBin(f, offset, np);
        let sl = 0;
        let wl = 0;
        let nl = 0;
        // This feature's best cut (the first of equals): its criterion's numerator and denominator.
        let featureNum = -1;
        let featureDen = 0;
        let featureAt = -1;
        let featureSum = 0;
        let featureWeight = 0;
        for (let p = offset; p < offset + np - 1; p++) {
          const h = offset + present[p];
          wl += hist[2 * h];
          sl += hist[2 * h + 1];
          nl += histCount[h];
          if (nl < minLeaf || nNode - nl < minLeaf) continue;
          const sr = total - sl;
          const wr = totalW - wl;
          const num = sl * sl * wr + sr * sr * wl;
          const den = wl * wr;
          if (featureAt < 0 || num * featureDen > featureNum * den) {
            featureNum = num;
            featureDen = den;
            featureAt = p - offset;
            featureSum = sl;
            featureWeight = wl;
          }
        }
        // A better cut replaces the best; one exactly as good replaces it with probability
        // 1/(features tied so far), so ties go to a feature drawn uniformly by the seed.
        let replace = false;
        if (featureAt >= 0) {
          const ahead = bestF < 0 ? 1 : featureNum * bestDen - bestNum * featureDen;
          if (ahead > 0) {
            replace = true;
            ties = 1;
          } else if (ahead === 0) {
            ties++;
            replace = rng.int(0, ties - 1) === 0;
          }
        }
        if (replace) {
          const bestAt = featureAt;
          bestNum = featureNum;
          bestDen = featureDen;
          bestF = f;
          this.bestLeftSum = featureSum;
          this.bestLeftWeight = featureWeight;
          // The winning cut, kept before this feature's histogram is cleared.
          this.bestFeature = f;
          if (categorical) {
            const set = new Uint8Array((this.features[f] as { categories: number }).categories);
            for (let p = 0; p <= bestAt; p++) set[present[offset + p]] = 1;
            this.bestCategories = set;
            this.bestThreshold = Number.NaN;
          } else {
            const below = present[offset + bestAt];
            const here = binHigh[offset + below];
            const next = binLow[offset + present[offset + bestAt + 1]];
            let threshold = (here + next) / 2;
            if (threshold === next) threshold = here;
            this.bestBin = below;
            this.bestThreshold = threshold;
            this.bestCategories = null;
          }
        }
      }
      for (let p = offset; p < offset + np; p++) {
        const h = offset + present[p];
        histCount[h] = 0;
        hist[2 * h] = 0;
        hist[2 * h + 1] = 0;
      }
      nPresent[f] = 0;
    }
    return bestF >= 0;
  }

  /** Fills every feature's histogram and list of present bins from the samples at [start, end), in one pass over them. */
  private accumulate(start: number, end: number): void {
    const F = this.nFeatures;
    const { index, w, wy, rows, histCount, hist, present, nPresent } = this;
    const binOffset = this.bins.binOffset;
    for (let k = start; k < end; k++) {
      const i = index[k];
      const wi = w[i];
      const si = wy[i];
      const r = i * F;
      for (let f = 0; f < F; f++) {
        const b = rows[r + f];
        const h = binOffset[f] + b;
        if (histCount[h]++ === 0) present[binOffset[f] + nPresent[f]++] = b;
        hist[2 * h] += wi;
        hist[2 * h + 1] += si;
      }
    }
  }

  /** Puts the np present bins of numeric feature f (listed at `offset`) in ascending order. */
  private orderByBin(f: number, offset: number, np: number): void {
    const present = this.present;
    if (np <= FEW_BINS) {
      for (let p = offset + 1; p < offset + np; p++) {
        const b = present[p];
        let q = p - 1;
        while (q >= offset && present[q] > b) {
          present[q + 1] = present[q];
          q--;
        }
        present[q + 1] = b;
      }
      return;
    }
    // Many bins: mark each in a bitset, then read the set bits back in order (and clear them).
    const occupied = this.occupied;
    const first = this.wordOffset[f];
    for (let p = offset; p < offset + np; p++) {
      const b = present[p];
      occupied[first + (b >>> 5)] |= 1 << (b & 31);
    }
    const last = first + ((this.bins.binCount[f] + 31) >>> 5);
    let p = offset;
    for (let word = first; word < last; word++) {
      let bits = occupied[word];
      if (bits === 0) continue;
      occupied[word] = 0;
      const base = (word - first) << 5;
      while (bits !== 0) {
        const lowest = bits & -bits;
        present[p++] = base + 31 - Math.clz32(lowest);
        bits ^= lowest;
      }
    }
  }

  /** Puts the np present categories of the categorical feature at `offset` in ascending order of mean response (ties by category). */
  private orderByMean(offset: number, np: number): void {
    const { present, hist } = this;
    // Insertion sort: a node has few categories, and this needs no comparator closure per node.
    for (let p = offset + 1; p < offset + np; p++) {
      const c = present[p];
      const key = hist[2 * (offset + c) + 1] / hist[2 * (offset + c)];
      let q = p - 1;
      while (q >= offset) {
        const d = present[q];
        const other = hist[2 * (offset + d) + 1] / hist[2 * (offset + d)];
        if (other < key || (other === key && d < c)) break;
        present[q + 1] = d;
        q--;
      }
      present[q + 1] = c;
    }
  }

  /** Moves the samples of [start, end) that go left ahead of those that go right (in place, unstably); returns where the right ones start. */
  private partition(start: number, end: number): number {
    const F = this.nFeatures;
    const f = this.bestFeature;
    const { index, rows } = this;
    const cats = this.bestCategories;
    const lastLeft = this.bestBin;
    let a = start;
    let b = end - 1;
    while (a <= b) {
      const bin = rows[index[a] * F + f];
      if (cats ? cats[bin] === 1 : bin <= lastLeft) a++;
      else {
        const t = index[a];
        index[a] = index[b];
        index[b] = t;
        b--;
      }
    }
    return a;
  }
}
