import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decomposeTree } from '../../src/importance/tree-variance.js';
import { fitForestVariances, fitRandomForest } from '../../src/importance/random-forest.js';
import { Rng } from '../../src/rng.js';

/** The built modules: worker threads run only from dist/ (`npm test` builds first). */
async function built<T>(path: string): Promise<T> {
  const file = fileURLToPath(new URL(`../../dist/src/importance/${path}`, import.meta.url));
  expect(existsSync(file), 'run `npm run build` first').toBe(true);
  return (await import(file)) as T;
}

type Pool = typeof import('../../src/importance/forest-pool.js');
type Forest = typeof import('../../src/importance/random-forest.js');

function problem(n: number, seed: number) {
  const rng = new Rng(seed);
  const columns = [Float64Array.from({ length: n }, () => rng.random()), Float64Array.from({ length: n }, () => rng.int(0, 3)), Float64Array.from({ length: n }, () => rng.random())];
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(4 * columns[0][i]) + (columns[1][i] === 2 ? 1 : 0) + 0.2 * rng.normal());
  const data = { columns, features: [{ kind: 'numeric' as const }, { kind: 'categorical' as const, categories: 4 }, { kind: 'numeric' as const }], y };
  const domains = [{ kind: 'numeric' as const, low: 0, high: 1 }, { kind: 'categorical' as const, categories: 4 }, { kind: 'numeric' as const, low: 0, high: 1 }];
  return { data, domains };
}

describe('the pool of forest worker threads', () => {
  afterAll(async () => (await built<Pool>('forest-pool.js')).closeForestPool());

  it('starts its workers on the first threaded forest and lends the same ones to the next', async () => {
    const pool = await built<Pool>('forest-pool.js');
    const forest = await built<Forest>('random-forest.js');
    pool.closeForestPool();
    expect(pool.forestPoolSize()).toBe(0);
    const { data, domains } = problem(800, 1);
    forest.fitForestVariances(data, domains, { nTrees: 8, seed: 2, threads: 3 });
    expect(pool.forestPoolSize()).toBe(2);
    const [first] = pool.borrowWorkers(2);
    forest.fitForestVariances(data, domains, { nTrees: 8, seed: 2, threads: 3 });
    expect(pool.forestPoolSize()).toBe(2);
    expect(pool.borrowWorkers(2)[0].worker).toBe(first.worker);
    // One thread needs no worker; a larger call adds to the pool.
    forest.fitRandomForest(data, { nTrees: 4, seed: 2, threads: 1 });
    expect(pool.forestPoolSize()).toBe(2);
    forest.fitRandomForest(data, { nTrees: 8, seed: 2, threads: 4 });
    expect(pool.forestPoolSize()).toBe(3);
  });

  it('gives the same trees and variances on pooled workers, call after call, as on one thread', async () => {
    const forest = await built<Forest>('random-forest.js');
    const { data, domains } = problem(2000, 4);
    const options = { nTrees: 16, seed: 5 };
    const trees = fitRandomForest(data, { ...options, threads: 1 });
    const measured = trees.map((tree) => decomposeTree(tree, domains));
    expect(fitForestVariances(data, domains, { ...options, threads: 1 })).toEqual(measured);
    for (let call = 0; call < 3; call++) {
      expect(forest.fitForestVariances(data, domains, { ...options, threads: 3 })).toEqual(measured);
      expect(forest.fitRandomForest(data, { ...options, threads: 3 })).toEqual(trees);
    }
  });

  it('refuses domains that do not match the features', () => {
    const { data, domains } = problem(50, 1);
    expect(() => fitForestVariances(data, domains.slice(1), { nTrees: 2 })).toThrow(/2 domains but 3 features/);
  });
});
