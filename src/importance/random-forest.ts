/**
 * A random forest of CART regression trees (Breiman 2001, "Random Forests"; Breiman, Friedman,
 * Olshen & Stone 1984, "Classification and Regression Trees"), as fANOVA needs it: scikit-learn's
 * `RandomForestRegressor` defaults, which Optuna's fANOVA evaluator uses (bootstrap samples of
 * size n, every feature considered at every split, squared-error criterion, thresholds halfway
 * between neighbouring distinct values), and the fitted trees as flat arrays (regression-tree.ts)
 * that the variance decomposition walks.
 *
 * Each feature is binned once per forest (feature-bins.ts: one bin per distinct value when there
 * are at most `maxBins`, as every grid parameter has; quantile bins otherwise) and the trees grow
 * by a histogram-based split search (tree-grower.ts). With exact bins a split falls at the
 * midpoint of neighbouring distinct values, as a sort-based CART's does; with quantile bins only
 * at a bin edge, so a leaf may hold several distinct values of such a feature. On a large problem
 * the trees grow on worker threads too (forest-threads.ts, on a pool kept for the next forest:
 * forest-pool.ts); each tree has its own seed, drawn from the forest's, so the forest does not
 * depend on how many threads grew it. fANOVA needs only each tree's variance decomposition, so
 * `fitForestVariances` measures each tree on the thread that grew it and moves no tree.
 *
 * Written here rather than taken from npm: the one maintained JavaScript forest (ml-random-forest
 * on ml-cart) sorts every node's samples again for every feature, has no categorical splits and
 * hides its nodes behind classes without sample counts.
 */
import { availableParallelism } from 'node:os';
import { type FeatureKind, MAX_BINS_LIMIT, binFeatures } from './feature-bins.js';
import type { ForestTask } from './forest-task.js';
import { growForest } from './forest-threads.js';
import type { RegressionTree } from './regression-tree.js';
import type { GrowthOptions } from './tree-grower.js';
import type { FeatureDomain, TreeVariance } from './tree-variance.js';
import { Rng } from '../rng.js';

export type { FeatureKind } from './feature-bins.js';
export { type RegressionTree, predictForest, predictTree } from './regression-tree.js';

export interface RegressionData {
  /** One column per feature, each of length n (categorical: the category index). */
  readonly columns: readonly Float64Array[];
  readonly features: readonly FeatureKind[];
  /** The response, length n. */
  readonly y: Float64Array;
}

export interface RandomForestOptions extends GrowthOptions {
  /** Trees in the forest (default 64, Optuna's fANOVA). */
  nTrees?: number;
  /** Seeds each tree's bootstrap draws and tie-breaks (default 0): the same seed, the same forest. */
  seed?: number;
  /**
   * Bins per numeric feature (default 256, 2 to 65,536): a feature with at most this many distinct
   * values splits exactly between any two of them; one with more splits only at quantile edges.
   */
  maxBins?: number;
  /**
   * Threads to grow the trees on, this one included (default: one per core, up to one per tree,
   * when the problem is large enough to repay handing it to workers; 1 grows them all in this
   * thread). Worker threads run the built code (dist/), and stay for the next forest; from the
   * TypeScript sources every tree grows in this thread. The forest is the same for any number.
   */
  threads?: number;
}

/**
 * Below this much work (samples × trees × features), handing trees to worker threads costs more
 * than it saves: about 400 trials of 10 parameters with 64 trees (some 40 ms of work on one
 * thread). Once the pool is up a worker costs only the data sent; the pool's start (tens of ms)
 * is paid once per process.
 */
const THREADED_WORK = 250_000;

/** Fits `nTrees` regression trees, each on its own bootstrap sample. */
export function fitRandomForest(data: RegressionData, options: RandomForestOptions = {}): RegressionTree[] {
  const { task, threads } = forestTask(data, options, null);
  return growForest(task, threads).map((grown) => grown.tree!);
}

/**
 * The variance decomposition over `domains` (tree-variance.ts) of each tree of the forest that
 * `fitRandomForest` fits with the same data and options, in tree order: each tree is measured on
 * the thread that grew it, and the trees themselves are not kept.
 */
export function fitForestVariances(data: RegressionData, domains: readonly FeatureDomain[], options: RandomForestOptions = {}): TreeVariance[] {
  if (domains.length !== data.features.length) throw new RangeError(`${domains.length} domains but ${data.features.length} features`);
  const { task, threads } = forestTask(data, options, domains);
  return growForest(task, threads).map((grown) => grown.variance!);
}

/** The forest's task (binned features, centred responses, one seed per tree) and the threads to grow it on. */
function forestTask(data: RegressionData, options: RandomForestOptions, domains: readonly FeatureDomain[] | null): { task: ForestTask; threads: number } {
  const nTrees = options.nTrees ?? 64;
  const n = data.y.length;
  checkData(data, options);
  const master = new Rng(options.seed ?? 0);
  const seeds = Array.from({ length: nTrees }, () => master.nextUint32());
  const bins = binFeatures(data.columns, data.features, options.maxBins ?? 256);
  // Centred responses keep the split criterion's sums of squares free of cancellation when the
  // values sit far from 0 (a Sharpe ratio near 1e3, say); the mean is added back to every node.
  let mean = 0;
  for (let i = 0; i < n; i++) mean += data.y[i];
  mean /= n;
  const centred = data.y.map((v) => v - mean);
  const growth: GrowthOptions = { maxDepth: options.maxDepth, minSamplesSplit: options.minSamplesSplit, minSamplesLeaf: options.minSamplesLeaf, bootstrap: options.bootstrap };
  const threads = Math.min(nTrees, options.threads ?? (n * nTrees * data.features.length >= THREADED_WORK ? availableParallelism() : 1));
  return { task: { bins, features: data.features, centred, mean, options: growth, seeds, domains, keepTrees: domains === null }, threads };
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
  positive(options.threads, 'threads', 1);
}
