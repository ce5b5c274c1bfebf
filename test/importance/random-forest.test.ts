import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type FeatureKind, type RegressionTree, fitRandomForest, predictForest, predictTree } from '../../src/importance/random-forest.js';
import { Rng } from '../../src/rng.js';

/** The samples (indices) that reach each node of the tree. */
function samplesAt(tree: RegressionTree, columns: readonly Float64Array[]): number[][] {
  const at: number[][] = Array.from({ length: tree.nodeCount }, () => []);
  for (let i = 0; i < columns[0].length; i++) {
    let node = 0;
    for (;;) {
      at[node].push(i);
      const f = tree.feature[node];
      if (f < 0) break;
      const cats = tree.leftCategories[node];
      node = (cats ? cats[columns[f][i]] === 1 : columns[f][i] <= tree.threshold[node]) ? tree.left[node] : tree.right[node];
    }
  }
  return at;
}

const sse = (ys: number[]): number => {
  const m = ys.reduce((a, b) => a + b, 0) / ys.length;
  return ys.reduce((a, v) => a + (v - m) ** 2, 0);
};

/**
 * The largest decrease in squared error of any split of `samples`, by brute force: every cut
 * between sorted distinct values of a numeric feature, every subset of a categorical one's
 * categories, each side with at least minLeaf distinct samples.
 */
function bestDecrease(samples: number[], columns: readonly Float64Array[], features: readonly FeatureKind[], y: Float64Array, minLeaf: number): number {
  const total = sse(samples.map((i) => y[i]));
  let best = -Infinity;
  const consider = (goesLeft: (i: number) => boolean) => {
    const l = samples.filter(goesLeft);
    const r = samples.filter((i) => !goesLeft(i));
    if (l.length >= minLeaf && r.length >= minLeaf) best = Math.max(best, total - sse(l.map((i) => y[i])) - sse(r.map((i) => y[i])));
  };
  features.forEach((kind, f) => {
    const col = columns[f];
    if (kind.kind === 'numeric') for (const v of new Set(samples.map((i) => col[i]))) consider((i) => col[i] <= v);
    else for (let mask = 1; mask < 2 ** kind.categories - 1; mask++) consider((i) => ((mask >> col[i]) & 1) === 1);
  });
  return best;
}

describe('the CART random forest', () => {
  it('without bootstrap, a full-depth tree reproduces every training value', () => {
    const rng = new Rng(1);
    const n = 200;
    const columns = [Float64Array.from({ length: n }, () => rng.random()), Float64Array.from({ length: n }, () => rng.int(0, 4))];
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(7 * columns[0][i]) + columns[1][i] + rng.normal());
    const [tree] = fitRandomForest({ columns, features: [{ kind: 'numeric' }, { kind: 'categorical', categories: 5 }], y }, { nTrees: 1, bootstrap: false });
    for (let i = 0; i < n; i++) expect(predictTree(tree, [columns[0][i], columns[1][i]])).toBeCloseTo(y[i], 9);
    // Each leaf holds one sample: n leaves, n − 1 splits.
    expect(tree.nodeCount).toBe(2 * n - 1);
    expect(tree.weight[0]).toBe(n);
  });

  it('splits a categorical feature into the two groups of categories that differ', () => {
    // Categories 0 and 3 give 10, categories 1 and 2 give 0: one split separates them exactly.
    const cat = Float64Array.from({ length: 40 }, (_, i) => i % 4);
    const y = Float64Array.from(cat, (c) => (c === 0 || c === 3 ? 10 : 0));
    const [tree] = fitRandomForest({ columns: [cat], features: [{ kind: 'categorical', categories: 4 }], y }, { nTrees: 1, bootstrap: false });
    expect(tree.nodeCount).toBe(3);
    const left = Array.from(tree.leftCategories[0]!);
    expect([left, left.map((v) => 1 - v)]).toContainEqual([0, 1, 1, 0]);
  });

  it('stops at maxDepth and at minSamplesLeaf', () => {
    const x = Float64Array.from({ length: 64 }, (_, i) => i);
    const y = Float64Array.from(x, (v) => v * v);
    const [shallow] = fitRandomForest({ columns: [x], features: [{ kind: 'numeric' }], y }, { nTrees: 1, bootstrap: false, maxDepth: 2 });
    expect(shallow.nodeCount).toBe(7);
    const [coarse] = fitRandomForest({ columns: [x], features: [{ kind: 'numeric' }], y }, { nTrees: 1, bootstrap: false, minSamplesLeaf: 8 });
    for (let i = 0; i < coarse.nodeCount; i++) if (coarse.feature[i] < 0) expect(coarse.weight[i]).toBeGreaterThanOrEqual(8);
  });

  it('is the same forest at the same seed, and predicts the mean of its trees', () => {
    const rng = new Rng(2);
    const columns = [Float64Array.from({ length: 100 }, () => rng.random())];
    const y = Float64Array.from(columns[0], (v) => 3 * v + 0.2 * rng.normal());
    const a = fitRandomForest({ columns, features: [{ kind: 'numeric' }], y }, { nTrees: 8, seed: 5 });
    const b = fitRandomForest({ columns, features: [{ kind: 'numeric' }], y }, { nTrees: 8, seed: 5 });
    expect(b).toEqual(a);
    const mean = a.reduce((s, t) => s + predictTree(t, [0.3]), 0) / a.length;
    expect(predictForest(a, [0.3])).toBeCloseTo(mean, 12);
    expect(predictForest(a, [0.3])).toBeCloseTo(0.9, 0);
  });

  it('chooses at every node, large or small, the split a brute-force search finds best', () => {
    // 150 samples and no bootstrap: nodes of every size, from the histogram search at the top to
    // the small-node search at the bottom, with values exactly binned (fewer than 256 distinct).
    const rng = new Rng(11);
    const n = 150;
    const columns = [
      Float64Array.from({ length: n }, () => rng.random()),
      Float64Array.from({ length: n }, () => rng.int(1, 30)),
      Float64Array.from({ length: n }, () => rng.int(0, 3)),
    ];
    const features: FeatureKind[] = [{ kind: 'numeric' }, { kind: 'numeric' }, { kind: 'categorical', categories: 4 }];
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(6 * columns[0][i]) + 0.05 * columns[1][i] + (columns[2][i] === 1 ? 1 : 0) + 0.3 * rng.normal());
    for (const minSamplesLeaf of [1, 4]) {
      const [tree] = fitRandomForest({ columns, features, y }, { nTrees: 1, bootstrap: false, minSamplesLeaf, seed: 2 });
      const at = samplesAt(tree, columns);
      let checked = 0;
      for (let node = 0; node < tree.nodeCount; node++) {
        if (tree.feature[node] < 0) continue;
        const l = at[tree.left[node]].map((i) => y[i]);
        const r = at[tree.right[node]].map((i) => y[i]);
        const chosen = sse(at[node].map((i) => y[i])) - sse(l) - sse(r);
        expect(chosen).toBeCloseTo(bestDecrease(at[node], columns, features, y, minSamplesLeaf), 9);
        expect(Math.min(l.length, r.length)).toBeGreaterThanOrEqual(minSamplesLeaf);
        checked++;
      }
      expect(checked).toBeGreaterThan(minSamplesLeaf === 1 ? 100 : 20);
    }
  });

  it('splits a feature with more distinct values than bins only at bin edges', () => {
    const rng = new Rng(4);
    const x = Float64Array.from({ length: 400 }, () => rng.random());
    const y = Float64Array.from(x, (v) => v);
    const [tree] = fitRandomForest({ columns: [x], features: [{ kind: 'numeric' }], y }, { nTrees: 1, bootstrap: false, maxBins: 8 });
    // 8 quantile bins: 7 splits, 8 leaves of about 50 samples each, each predicting its samples' mean.
    expect(tree.nodeCount).toBe(15);
    const at = samplesAt(tree, [x]);
    for (let node = 0; node < tree.nodeCount; node++) {
      if (tree.feature[node] >= 0) continue;
      expect(at[node].length).toBeGreaterThan(30);
      expect(tree.value[node]).toBeCloseTo(at[node].reduce((s, i) => s + y[i], 0) / at[node].length, 12);
    }
  });

  it('breaks a tie between features uniformly at random', () => {
    // Two copies of one feature: every split ties between them, and the seed chooses.
    const rng = new Rng(6);
    const x = Float64Array.from({ length: 60 }, () => rng.random());
    const y = Float64Array.from(x, (v) => (v > 0.5 ? 1 : 0) + 0.1 * rng.normal());
    const trees = fitRandomForest({ columns: [x, Float64Array.from(x)], features: [{ kind: 'numeric' }, { kind: 'numeric' }], y }, { nTrees: 400, seed: 1 });
    const first = trees.filter((t) => t.feature[0] === 0).length;
    // Binomial(400, 1/2): mean 200, standard deviation 10.
    expect(first).toBeGreaterThan(160);
    expect(first).toBeLessThan(240);
  });

  it('grows the same forest on worker threads as on this one (the built code: `npm test` builds first)', async () => {
    const built = fileURLToPath(new URL('../../dist/src/importance/random-forest.js', import.meta.url));
    expect(existsSync(built), 'run `npm run build` first').toBe(true);
    const dist = (await import(built)) as typeof import('../../src/importance/random-forest.js');
    const rng = new Rng(9);
    const n = 3000;
    const columns = [Float64Array.from({ length: n }, () => rng.random()), Float64Array.from({ length: n }, () => rng.int(0, 2))];
    const y = Float64Array.from({ length: n }, (_, i) => columns[0][i] ** 2 + columns[1][i] + 0.1 * rng.normal());
    const data = { columns, features: [{ kind: 'numeric' as const }, { kind: 'categorical' as const, categories: 3 }], y };
    const one = dist.fitRandomForest(data, { nTrees: 12, seed: 3, threads: 1 });
    const three = dist.fitRandomForest(data, { nTrees: 12, seed: 3, threads: 3 });
    expect(three).toEqual(one);
    // And the sources' single thread agrees with the build.
    expect(fitRandomForest(data, { nTrees: 12, seed: 3, threads: 1 })).toEqual(one);
  });

  it('refuses options and data it cannot use', () => {
    const columns = [Float64Array.of(1, 2)];
    const y = Float64Array.of(1, 2);
    expect(() => fitRandomForest({ columns, features: [{ kind: 'numeric' }], y }, { nTrees: 0 })).toThrow(/nTrees/);
    expect(() => fitRandomForest({ columns, features: [{ kind: 'numeric' }], y }, { minSamplesSplit: 1 })).toThrow(/minSamplesSplit/);
    expect(() => fitRandomForest({ columns: [Float64Array.of(1)], features: [{ kind: 'numeric' }], y }, {})).toThrow(/column 0/);
    expect(() => fitRandomForest({ columns, features: [{ kind: 'numeric' }], y }, { maxBins: 1 })).toThrow(/maxBins/);
    expect(() => fitRandomForest({ columns, features: [{ kind: 'numeric' }], y }, { threads: 0 })).toThrow(/threads/);
  });
});
