/**
 * Grows CART regression trees for the random forest (random-forest.ts) on features binned once
 * per forest (feature-bins.ts): the histogram-based split search (LightGBM, Ke et al. 2017, §2.1;
 * scikit-learn's `HistGradientBoostingRegressor`). Each node gathers its samples' weight, weighted
 * response sum and count per bin of every feature in one pass, then scans the bins; the node's
 * samples are one range of an index array that each split partitions in place. A split between
 * two bins puts its threshold halfway between the largest value of the lower bin and the smallest
 * of the upper one.
 *
 * Categorical features split into two sets of categories. For squared error the best such split is
 * among the "ordered" ones: sort the categories present by their mean response and cut the sorted
 * list once (Fisher 1958; Breiman et al. 1984, §9.4), so k categories need k − 1 candidates, not
 * 2^(k−1).
 *
 * Each tree is grown from its own seed (its bootstrap draws and tie-breaks), so a forest is the
 * same whether its trees are grown in this thread or spread over worker threads.
 */
import type { BinnedFeatures, FeatureKind } from './feature-bins.js';
import type { RegressionTree } from './regression-tree.js';
import { Rng } from '../rng.js';
import { CutScan } from './cut-scan.js';

/** How deep trees grow: scikit-learn's (and Optuna's fANOVA's) stopping rules. */
export interface GrowthOptions {
  /** No node deeper than this splits (default 64). */
  maxDepth?: number;
  /** A node needs this many distinct samples to split (default 2). */
  minSamplesSplit?: number;
  /** Each child keeps at least this many distinct samples (default 1). */
  minSamplesLeaf?: number;
  /** Fit each tree on a bootstrap sample (default true); false fits every tree on all samples. */
  bootstrap?: boolean;
}

/** What a forest's trees are grown from: the binned features, their kinds, the centred responses, the growth rules. */
export interface ForestJob {
  readonly bins: BinnedFeatures;
  readonly features: readonly FeatureKind[];
  /** The responses less their mean: trees grow on these, and the mean is added back to every node's value. */
  readonly centred: Float64Array;
  /** The mean taken out of the responses. */
  readonly mean: number;
  readonly options: GrowthOptions;
}

/**
 * Grows trees of one job, one per seed: a tree's seed draws its bootstrap sample (n draws with
 * replacement) and breaks its ties, so a tree depends on its seed alone, not on which thread
 * grows it or what it grew before.
 */
export class ForestGrower {
  private readonly grower: TreeGrower;
  private readonly counts: Float64Array;

  constructor(private readonly job: ForestJob) {
    this.grower = new TreeGrower(job.bins, job.features, job.centred, job.mean, job.options);
    this.counts = new Float64Array(job.centred.length);
  }

  /**
   * The tree of this seed. With `own` false its arrays are views into this grower's buffers, valid
   * only until its next tree: for a caller that measures the tree and drops it, saving the copy.
   */
  tree(seed: number, own = true): RegressionTree {
    const { counts } = this;
    const n = counts.length;
    const rng = new Rng(seed);
    if (this.job.options.bootstrap === false) counts.fill(1);
    else {
      counts.fill(0);
      for (let i = 0; i < n; i++) counts[rng.int(0, n - 1)] += 1;
    }
    return this.grower.grow(counts, rng, own);
  }
}

/** Up to this many bins present in a node, a feature's bins are ordered by insertion sort; above, through a bitset. */
const FEW_BINS = 16;

/** Up to this many samples, a node is searched by sorting its samples rather than through histograms. */
const SMALL_NODE = 16;

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
  // The feature being searched: its node's distinct bins ("groups") in cut order, each with its
  // bin, weight, weighted response sum and distinct samples.
  private readonly groupBin: Int32Array;
  private readonly groupWeight: Float64Array;
  private readonly groupSum: Float64Array;
  private readonly groupCount: Int32Array;
  /** Small nodes: the samples sorted by bin. */
  private readonly sortBin: Int32Array;
  private readonly sortSample: Int32Array;
  /** 1 for a categorical feature. */
  private readonly categorical: Uint8Array;
  /** scanGroups' best cut: criterion numerator and denominator, left sum and weight. */
  private readonly cut = new Float64Array(4);
  /** The running best cut of the scan in progress. */
  private readonly scan = new CutScan();
  // The features whose best cuts tie for the node's best (nTies of them): criterion, and per
  // tied feature its cut.
  private nTies = 0;
  private tieNum = 0;
  private tieDen = 0;
  private readonly tieFeature: Int32Array;
  private readonly tieSum: Float64Array;
  private readonly tieWeight: Float64Array;
  private readonly tieBin: Int32Array;
  private readonly tieThreshold: Float64Array;
  /** Per tied categorical cut, the categories that go left: a row of `maxCategories` per tie, copied out only for the cut chosen. */
  private readonly tieSets: Uint8Array;
  private readonly maxCategories: number;
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
    private readonly mean: number,
    options: GrowthOptions,
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
    const maxGroups = Math.max(SMALL_NODE, ...bins.binCount);
    this.groupBin = new Int32Array(maxGroups);
    this.groupWeight = new Float64Array(maxGroups);
    this.groupSum = new Float64Array(maxGroups);
    this.groupCount = new Int32Array(maxGroups);
    this.categorical = Uint8Array.from(features, (k) => (k.kind === 'categorical' ? 1 : 0));
    this.sortBin = new Int32Array(SMALL_NODE);
    this.sortSample = new Int32Array(SMALL_NODE);
    this.tieFeature = new Int32Array(nFeatures);
    this.tieSum = new Float64Array(nFeatures);
    this.tieWeight = new Float64Array(nFeatures);
    this.tieBin = new Int32Array(nFeatures);
    this.tieThreshold = new Float64Array(nFeatures);
    this.maxCategories = Math.max(0, ...features.map((k) => (k.kind === 'categorical' ? k.categories : 0)));
    this.tieSets = new Uint8Array(nFeatures * this.maxCategories);
    const maxNodes = 2 * n - 1;
    this.feature = new Int32Array(maxNodes);
    this.threshold = new Float64Array(maxNodes);
    this.left = new Int32Array(maxNodes);
    this.right = new Int32Array(maxNodes);
    this.value = new Float64Array(maxNodes);
    this.weight = new Float64Array(maxNodes);
  }

  /** One tree on the samples with `counts[i] > 0`, each weighted by its count; its arrays copied (`own`) or views into the buffers. */
  grow(counts: Float64Array, rng: Rng, own: boolean): RegressionTree {
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
    // The buffers' values are the centred ones until the tree is handed out (split search reads them).
    const take = <T extends Int32Array | Float64Array>(a: T): T => (own ? a.slice(0, nodeCount) : a.subarray(0, nodeCount)) as T;
    const value = take(this.value);
    for (let i = 0; i < nodeCount; i++) value[i] += this.mean;
    return {
      nodeCount,
      feature: take(this.feature),
      threshold: take(this.threshold),
      leftCategories,
      left: take(this.left),
      right: take(this.right),
      value,
      weight: take(this.weight),
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
   * cuts counts; between features, a tie goes to one drawn uniformly by the seed (as
   * scikit-learn's random feature order gives), with one draw and only when there is a tie.
   *
   * A node of at most SMALL_NODE samples skips the histograms: it sorts its few samples by bin
   * per feature instead, which costs less than filling, ordering and clearing every feature's
   * histogram, and sums each bin's samples in the same order, so it finds the same split.
   */
  private findBestSplit(start: number, end: number, total: number, totalW: number, rng: Rng): boolean {
    const { y, index } = this;
    const y0 = y[index[start]];
    let pure = true;
    for (let k = start + 1; k < end && pure; k++) pure = y[index[k]] === y0;
    if (pure) return false;
    const nNode = end - start;
    const small = nNode <= SMALL_NODE;
    if (!small) this.accumulate(start, end);
    this.nTies = 0;
    const categorical = this.categorical;
    for (let f = 0; f < this.nFeatures; f++) {
      if (!categorical[f]) {
        if (!small) this.searchHistogram(f, total, totalW, nNode);
        else if (nNode === 2) this.searchPair(f, start, total, totalW);
        else this.searchFewSamples(f, start, end, total, totalW);
        continue;
      }
      const ng = small ? this.groupSamples(f, start, end) : this.groupHistogram(f);
      if (ng < 2) continue;
      this.orderGroupsByMean(ng);
      const at = this.scanGroups(ng, total, totalW, nNode);
      if (at >= 0) this.offer(f, at, true);
    }
    if (this.nTies === 0) return false;
    const pick = this.nTies > 1 ? rng.int(0, this.nTies - 1) : 0;
    this.bestFeature = this.tieFeature[pick];
    this.bestLeftSum = this.tieSum[pick];
    this.bestLeftWeight = this.tieWeight[pick];
    this.bestBin = this.tieBin[pick];
    this.bestThreshold = this.tieThreshold[pick];
    const k = (this.features[this.bestFeature] as { categories?: number }).categories;
    this.bestCategories = k === undefined ? null : this.tieSets.slice(pick * this.maxCategories, pick * this.maxCategories + k);
    return true;
  }

  /**
   * A numeric feature's best cut of a node searched through its histogram: scanGroups' search
   * over its present bins in bin order (the same sums in the same order), in one pass that also
   * clears them, without copying them into the group arrays first.
   */
  private searchHistogram(f: number, total: number, totalW: number, nNode: number): void {
    const offset = this.bins.binOffset[f];
    const np = this.nPresent[f];
    const { present, histCount, hist } = this;
    this.nPresent[f] = 0;
    if (np >= 2) this.orderByBin(f, offset, np);
    const minLeaf = this.minLeaf;
    const scan = this.scan;
    scan.reset();
    let sl = 0;
    let wl = 0;
    let nl = 0;
    let below = -1;
    let above = -1;
    for (let g = 0; g < np; g++) {
      const b = present[offset + g];
      const h = offset + b;
      const count = histCount[h];
      const weight = hist[2 * h];
      const sum = hist[2 * h + 1];
      histCount[h] = 0;
      hist[2 * h] = 0;
      hist[2 * h + 1] = 0;
      if (g === np - 1) break;
      wl += weight;
      sl += sum;
      nl += count;
      if (nl < minLeaf || nNode - nl < minLeaf) continue;
      if (scan.consider(sl, wl, total, totalW)) {
        below = b;
        above = present[offset + g + 1];
      }
    }
    if (!scan.found) return;
    this.offerNumeric(f, scan.num, scan.den, scan.sum, scan.weight, below, above);
  }

  /**
   * A numeric feature's best cut of a small node, as groupSamples and scanGroups would find it, in one
   * pass without filling the group arrays (a node this small is searched for every feature, and
   * the calls and copies cost more than the search).
   */
  private searchFewSamples(f: number, start: number, end: number, total: number, totalW: number): void {
    const { w, wy, sortBin, sortSample } = this;
    const s = end - start;
    this.sortByBin(f, start, end);
    if (sortBin[0] === sortBin[s - 1]) return;
    const minLeaf = this.minLeaf;
    const scan = this.scan;
    scan.reset();
    let sl = 0;
    let wl = 0;
    let nl = 0;
    let below = -1;
    let above = -1;
    for (let k = 0; ; ) {
      const b = sortBin[k];
      let gw = 0;
      let gs = 0;
      for (; k < s && sortBin[k] === b; k++) {
        gw += w[sortSample[k]];
        gs += wy[sortSample[k]];
        nl++;
      }
      if (k === s) break;
      wl += gw;
      sl += gs;
      if (nl < minLeaf || s - nl < minLeaf) continue;
      if (scan.consider(sl, wl, total, totalW)) {
        below = b;
        above = sortBin[k];
      }
    }
    if (!scan.found) return;
    this.offerNumeric(f, scan.num, scan.den, scan.sum, scan.weight, below, above);
  }

  /** A numeric feature's cut of a node of two samples: the one between them, if their bins differ. */
  private searchPair(f: number, start: number, total: number, totalW: number): void {
    const F = this.nFeatures;
    const i = this.index[start];
    const j = this.index[start + 1];
    const bi = this.rows[i * F + f];
    const bj = this.rows[j * F + f];
    if (bi === bj) return;
    const lower = bi < bj ? i : j;
    // The same sums as a scan of two groups: 0 + the lower sample's.
    const scan = this.scan;
    scan.reset();
    scan.consider(0 + this.wy[lower], 0 + this.w[lower], total, totalW);
    this.offerNumeric(f, scan.num, scan.den, scan.sum, scan.weight, Math.min(bi, bj), Math.max(bi, bj));
  }

  /** offer for a numeric cut given directly: criterion, left sums, and the bins either side of it. */
  private offerNumeric(f: number, num: number, den: number, sl: number, wl: number, below: number, above: number): void {
    const { cut, groupBin } = this;
    cut[0] = num;
    cut[1] = den;
    cut[2] = sl;
    cut[3] = wl;
    groupBin[0] = below;
    groupBin[1] = above;
    this.offer(f, 0, false);
  }

  /**
   * The best cut of the ng groups (bins in cut order), the first of equals, respecting
   * minSamplesLeaf: its index (the last group that goes left), with its criterion and left
   * sums in `cut`; −1 when no cut is allowed.
   */
  private scanGroups(ng: number, total: number, totalW: number, nNode: number): number {
    const { groupWeight, groupSum, groupCount, cut } = this;
    const minLeaf = this.minLeaf;
    const scan = this.scan;
    scan.reset();
    let sl = 0;
    let wl = 0;
    let nl = 0;
    let at = -1;
    for (let g = 0; g < ng - 1; g++) {
      wl += groupWeight[g];
      sl += groupSum[g];
      nl += groupCount[g];
      if (nl < minLeaf || nNode - nl < minLeaf) continue;
      if (scan.consider(sl, wl, total, totalW)) at = g;
    }
    cut[0] = scan.num;
    cut[1] = scan.den;
    if (at >= 0) {
      cut[2] = scan.sum;
      cut[3] = scan.weight;
    }
    return at;
  }

  /** Compares feature f's best cut (in `cut`, at group `at`) with the best so far: it replaces them if better, joins them if equal. */
  private offer(f: number, at: number, categorical: boolean): void {
    const { cut } = this;
    let slot: number;
    const ahead = this.nTies === 0 ? 1 : cut[0] * this.tieDen - this.tieNum * cut[1];
    if (ahead > 0) {
      this.tieNum = cut[0];
      this.tieDen = cut[1];
      slot = 0;
      this.nTies = 1;
    } else if (ahead === 0) slot = this.nTies++;
    else return;
    const { groupBin } = this;
    this.tieFeature[slot] = f;
    this.tieSum[slot] = cut[2];
    this.tieWeight[slot] = cut[3];
    if (categorical) {
      const { tieSets } = this;
      const row = slot * this.maxCategories;
      tieSets.fill(0, row, row + (this.features[f] as { categories: number }).categories);
      for (let g = 0; g <= at; g++) tieSets[row + groupBin[g]] = 1;
      this.tieThreshold[slot] = Number.NaN;
    } else {
      const offset = this.bins.binOffset[f];
      const here = this.bins.binHigh[offset + groupBin[at]];
      const next = this.bins.binLow[offset + groupBin[at + 1]];
      const threshold = (here + next) / 2;
      this.tieBin[slot] = groupBin[at];
      this.tieThreshold[slot] = threshold === next ? here : threshold;
    }
  }

  /** Categorical feature f's histogram as groups (in the order its categories turned up: orderGroupsByMean orders them), clearing it; returns how many. */
  private groupHistogram(f: number): number {
    const offset = this.bins.binOffset[f];
    const np = this.nPresent[f];
    const { present, histCount, hist, groupBin, groupWeight, groupSum, groupCount } = this;
    for (let g = 0; g < np; g++) {
      const b = present[offset + g];
      const h = offset + b;
      groupBin[g] = b;
      groupCount[g] = histCount[h];
      groupWeight[g] = hist[2 * h];
      groupSum[g] = hist[2 * h + 1];
      histCount[h] = 0;
      hist[2 * h] = 0;
      hist[2 * h + 1] = 0;
    }
    this.nPresent[f] = 0;
    return np;
  }

  /**
   * The samples at [start, end) into sortBin/sortSample by their bin of feature f: a stable
   * insertion sort (small nodes only), so equal bins keep node order.
   */
  private sortByBin(f: number, start: number, end: number): void {
    const F = this.nFeatures;
    const { index, rows, sortBin, sortSample } = this;
    const s = end - start;
    for (let k = 0; k < s; k++) {
      const i = index[start + k];
      const b = rows[i * F + f];
      let q = k - 1;
      while (q >= 0 && sortBin[q] > b) {
        sortBin[q + 1] = sortBin[q];
        sortSample[q + 1] = sortSample[q];
        q--;
      }
      sortBin[q + 1] = b;
      sortSample[q + 1] = i;
    }
  }

  /**
   * The samples at [start, end) grouped by their bin of feature f, in bin order (a stable
   * insertion sort, so each group sums its samples in node order, as the histogram does); returns
   * how many groups.
   */
  private groupSamples(f: number, start: number, end: number): number {
    const { w, wy, sortBin, sortSample, groupBin, groupWeight, groupSum, groupCount } = this;
    const s = end - start;
    this.sortByBin(f, start, end);
    let ng = 0;
    for (let k = 0; k < s; ) {
      const b = sortBin[k];
      let gw = 0;
      let gs = 0;
      let c = 0;
      for (; k < s && sortBin[k] === b; k++) {
        gw += w[sortSample[k]];
        gs += wy[sortSample[k]];
        c++;
      }
      groupBin[ng] = b;
      groupWeight[ng] = gw;
      groupSum[ng] = gs;
      groupCount[ng] = c;
      ng++;
    }
    return ng;
  }

  /** Puts the ng groups of a categorical feature in ascending order of mean response (ties by category): Fisher's ordering. */
  private orderGroupsByMean(ng: number): void {
    const { groupBin, groupWeight, groupSum, groupCount } = this;
    // Insertion sort: a node has few categories, and this needs no comparator closure per node.
    for (let g = 1; g < ng; g++) {
      const b = groupBin[g];
      const gw = groupWeight[g];
      const gs = groupSum[g];
      const c = groupCount[g];
      const key = gs / gw;
      let q = g - 1;
      while (q >= 0) {
        const other = groupSum[q] / groupWeight[q];
        if (other < key || (other === key && groupBin[q] < b)) break;
        groupBin[q + 1] = groupBin[q];
        groupWeight[q + 1] = groupWeight[q];
        groupSum[q + 1] = groupSum[q];
        groupCount[q + 1] = groupCount[q];
        q--;
      }
      groupBin[q + 1] = b;
      groupWeight[q + 1] = gw;
      groupSum[q + 1] = gs;
      groupCount[q + 1] = c;
    }
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
