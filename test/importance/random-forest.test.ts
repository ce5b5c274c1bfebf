import { describe, expect, it } from 'vitest';
import { fitRandomForest, predictForest, predictTree } from '../../src/importance/random-forest.js';
import { Rng } from '../../src/rng.js';

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

  it('refuses options and data it cannot use', () => {
    const columns = [Float64Array.of(1, 2)];
    const y = Float64Array.of(1, 2);
    expect(() => fitRandomForest({ columns, features: [{ kind: 'numeric' }], y }, { nTrees: 0 })).toThrow(/nTrees/);
    expect(() => fitRandomForest({ columns, features: [{ kind: 'numeric' }], y }, { minSamplesSplit: 1 })).toThrow(/minSamplesSplit/);
    expect(() => fitRandomForest({ columns: [Float64Array.of(1)], features: [{ kind: 'numeric' }], y }, {})).toThrow(/column 0/);
  });
});
