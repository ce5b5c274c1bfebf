/**
 * A fitted CART regression tree as flat arrays (split feature, threshold or category set,
 * children, node value, weight), the form the variance decomposition (tree-variance.ts) walks,
 * and its prediction.
 */
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
