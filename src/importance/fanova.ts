/**
 * fANOVA: functional analysis of variance over a random forest (Hutter, Hoos & Leyton-Brown,
 * "An Efficient Approach for Assessing Hyperparameter Importance", ICML 2014), as Optuna's
 * `FanovaImportanceEvaluator` computes it.
 *
 * Each tree's variance V and each parameter's main-effect variance V_d come from the tree's leaf
 * boxes (tree-variance.ts: the paper's Eq. 1–2, Theorem 2, Lemma 1); V_d / V is the fraction of
 * the tree's variance that d explains on its own (its main effect, Eq. 5), and the importance is
 * that fraction averaged over the trees with V > 0.
 */
import type { RegressionTree } from './regression-tree.js';
import { type FeatureDomain, type TreeVariance, decomposeTree } from './tree-variance.js';

export { type FeatureDomain, type TreeVariance, decomposeTree } from './tree-variance.js';

export interface FanovaResult {
  /** Per parameter: its main-effect variance as a fraction of the tree's, averaged over trees with V > 0. */
  readonly fractions: Float64Array;
  /** Per parameter: the standard deviation of that fraction over those trees. */
  readonly std: Float64Array;
  /** Trees with V > 0 (0 when the forest predicts one value everywhere). */
  readonly treesUsed: number;
}

/** Each parameter's variance fraction over a forest (Optuna's `_Fanova.get_importance`). */
export function fanovaFractions(trees: readonly RegressionTree[], domains: readonly FeatureDomain[]): FanovaResult {
  return varianceFractions(
    trees.map((tree) => decomposeTree(tree, domains)),
    domains.length,
  );
}

/** Each parameter's variance fraction, given every tree's decomposition (in tree order) over `nFeatures` parameters. */
export function varianceFractions(variances: readonly TreeVariance[], nFeatures: number): FanovaResult {
  const n = nFeatures;
  const sum = new Float64Array(n);
  const sumSq = new Float64Array(n);
  let used = 0;
  for (const { total, mainEffects } of variances) {
    if (!(total > 0)) continue;
    used++;
    for (let f = 0; f < n; f++) {
      const fraction = Math.max(0, mainEffects[f]) / total;
      sum[f] += fraction;
      sumSq[f] += fraction * fraction;
    }
  }
  const fractions = new Float64Array(n);
  const std = new Float64Array(n);
  if (used > 0) {
    for (let f = 0; f < n; f++) {
      fractions[f] = sum[f] / used;
      std[f] = Math.sqrt(Math.max(0, sumSq[f] / used - fractions[f] ** 2));
    }
  }
  return { fractions, std, treesUsed: used };
}
