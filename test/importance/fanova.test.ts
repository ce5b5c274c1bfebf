import { describe, expect, it } from 'vitest';
import { type Distribution, categoricalDistribution, floatDistribution, intDistribution, ordinalDistribution } from '../../src/distributions.js';
import { FanovaEvaluator, type FanovaImportance } from '../../src/importance/fanova-evaluator.js';
import { decomposeTree, fanovaFractions } from '../../src/importance/fanova.js';
import type { Observation } from '../../src/importance/observations.js';
import type { RegressionTree } from '../../src/importance/random-forest.js';
import { Rng } from '../../src/rng.js';

/** A tree from its nodes, listed as [feature, threshold or left categories, left, right, value]; feature -1 is a leaf. */
function tree(nodes: [number, number | number[], number, number, number][], categories: Record<number, number> = {}): RegressionTree {
  return {
    nodeCount: nodes.length,
    feature: Int32Array.from(nodes, (n) => n[0]),
    threshold: Float64Array.from(nodes, (n) => (typeof n[1] === 'number' ? n[1] : Number.NaN)),
    leftCategories: nodes.map((n) => {
      if (typeof n[1] === 'number') return null;
      const set = new Uint8Array(categories[n[0]]);
      for (const c of n[1]) set[c] = 1;
      return set;
    }),
    left: Int32Array.from(nodes, (n) => n[2]),
    right: Int32Array.from(nodes, (n) => n[3]),
    value: Float64Array.from(nodes, (n) => n[4]),
    weight: Float64Array.from(nodes, () => 1),
  };
}

function sample(n: number, seed: number, space: Record<string, Distribution>, f: (p: Record<string, number>, rng: Rng) => number): Observation[] {
  const rng = new Rng(seed);
  const out: Observation[] = [];
  for (let t = 0; t < n; t++) {
    const params: Record<string, number> = {};
    for (const [name, d] of Object.entries(space)) {
      if (d.type === 'float') params[name] = d.log ? Math.exp(rng.uniform(Math.log(d.low), Math.log(d.high))) : rng.uniform(d.low, d.high);
      else if (d.type === 'int') params[name] = rng.int(d.low, d.high);
      else if (d.type === 'categorical') params[name] = rng.int(0, d.choices.length - 1);
      else params[name] = rng.int(0, d.values.length - 1);
    }
    out.push({ value: f(params, rng), params });
  }
  return out;
}

const byName = (imp: readonly FanovaImportance[]) => Object.fromEntries(imp.map((p) => [p.name, p]));

describe('the variance decomposition of one tree', () => {
  it('matches a small numeric tree computed by hand', () => {
    // x0, x1 on [0, 1]. Root: x0 <= 0.5 → leaf 0; else x1 <= 0.25 → leaf 4, else leaf 8.
    // Leaves (share of the space P, value v): A (0.5, 0), B (0.5·0.25 = 0.125, 4), C (0.5·0.75 = 0.375, 8).
    // Mean μ = 0.125·4 + 0.375·8 = 3.5. V = 0.5·3.5² + 0.125·0.5² + 0.375·4.5² = 6.125 + 0.03125 + 7.59375 = 13.75.
    // f_x0 = 0 on [0, 0.5), 0.25·4 + 0.75·8 = 7 on (0.5, 1]: V_x0 = 0.5·3.5² + 0.5·3.5² = 12.25.
    // f_x1 = 0.5·0 + 0.5·4 = 2 on [0, 0.25), 0.5·0 + 0.5·8 = 4 on (0.25, 1]: V_x1 = 0.25·1.5² + 0.75·0.5² = 0.75.
    // The rest, 13.75 − 12.25 − 0.75 = 0.75, is the x0·x1 interaction.
    const t = tree([
      [0, 0.5, 1, 2, 0],
      [-1, 0, -1, -1, 0],
      [1, 0.25, 3, 4, 0],
      [-1, 0, -1, -1, 4],
      [-1, 0, -1, -1, 8],
    ]);
    const domains = [
      { kind: 'numeric' as const, low: 0, high: 1 },
      { kind: 'numeric' as const, low: 0, high: 1 },
    ];
    const { total, mainEffects } = decomposeTree(t, domains);
    expect(total).toBeCloseTo(13.75, 12);
    expect(mainEffects[0]).toBeCloseTo(12.25, 12);
    expect(mainEffects[1]).toBeCloseTo(0.75, 12);
    const forest = fanovaFractions([t, t], domains);
    expect(forest.fractions[0]).toBeCloseTo(12.25 / 13.75, 12);
    expect(forest.fractions[1]).toBeCloseTo(0.75 / 13.75, 12);
    expect(forest.std[0]).toBeCloseTo(0, 12);
  });

  it('matches a small tree with a categorical split computed by hand', () => {
    // c: 3 categories; x on [0, 2]. Root: c ∈ {0} → leaf 1; else x <= 1.5 → leaf 3, else leaf 7.
    // Leaves: A (P = 1/3, v = 1), B (2/3·3/4 = 1/2, 3), C (2/3·1/4 = 1/6, 7).
    // μ = 1/3 + 3/2 + 7/6 = 3. V = 1/3·2² + 1/2·0² + 1/6·4² = 4/3 + 8/3 = 4.
    // f_c = 1 for c = 0, 3·3/4 + 7·1/4 = 4 for c = 1, 2: V_c = 1/3·2² + 2/3·1² = 2 (half of V).
    // f_x = 1/3·1 + 2/3·3 = 7/3 below 1.5, 1/3·1 + 2/3·7 = 5 above: V_x = 3/4·(2/3)² + 1/4·2² = 4/3.
    const t = tree(
      [
        [0, [0], 1, 2, 0],
        [-1, 0, -1, -1, 1],
        [1, 1.5, 3, 4, 0],
        [-1, 0, -1, -1, 3],
        [-1, 0, -1, -1, 7],
      ],
      { 0: 3 },
    );
    const { total, mainEffects } = decomposeTree(t, [
      { kind: 'categorical', categories: 3 },
      { kind: 'numeric', low: 0, high: 2 },
    ]);
    expect(total).toBeCloseTo(4, 12);
    expect(mainEffects[0]).toBeCloseTo(2, 12);
    expect(mainEffects[1]).toBeCloseTo(4 / 3, 12);
  });

  it('a tree with one leaf has no variance, and the forest of it no fractions', () => {
    const t = tree([[-1, 0, -1, -1, 5]]);
    const domains = [{ kind: 'numeric' as const, low: 0, high: 1 }];
    expect(decomposeTree(t, domains).total).toBe(0);
    const r = fanovaFractions([t], domains);
    expect(r.treesUsed).toBe(0);
    expect(r.fractions[0]).toBe(0);
  });
});

describe('fANOVA importances', () => {
  const space = { x0: floatDistribution(0, 1), x1: floatDistribution(0, 1), x2: floatDistribution(0, 1) };

  it('ranks the dominant parameter first with most of the importance (f = 10·x0 + 0.1·x1)', () => {
    const obs = sample(400, 1, space, (p) => 10 * p.x0 + 0.1 * p.x1);
    const imp = new FanovaEvaluator({ seed: 3 }).evaluate({ observations: obs, distributions: space, direction: 'minimize' });
    expect(imp.map((p) => p.name)).toEqual(['x0', 'x1', 'x2']);
    expect(imp[0].importance).toBeGreaterThan(0.95);
    expect(imp.reduce((s, p) => s + p.importance, 0)).toBeCloseTo(1, 12);
    // Var(10·x0) = 100/12 against Var(0.1·x1) = 0.01/12: x0's share of the variance is 0.9999.
    expect(imp[0].fraction).toBeGreaterThan(0.95);
  });

  it('finds the main effects of a product, and nothing for a pure interaction', () => {
    // f = x0·x1 on [0, 1]²: E[f | x0] = x0/2, so V_x0 = V_x1 = 1/48; V = 1/9 − 1/16 = 7/144, and
    // each main effect is 3/7 of it (the x0·x1 interaction the remaining 1/7).
    const product = sample(1500, 2, space, (p) => p.x0 * p.x1);
    const a = byName(new FanovaEvaluator({ seed: 1 }).evaluate({ observations: product, distributions: space, direction: 'minimize' }));
    expect(a.x0.fraction).toBeCloseTo(3 / 7, 1);
    expect(a.x1.fraction).toBeCloseTo(3 / 7, 1);
    expect(a.x2.fraction).toBeLessThan(0.02);
    // f = (x0 − ½)(x1 − ½): every conditional mean is 0, so neither parameter has a main effect,
    // though together they explain everything; fANOVA's single-parameter shares stay small.
    const interaction = sample(1500, 3, space, (p) => (p.x0 - 0.5) * (p.x1 - 0.5));
    const b = byName(new FanovaEvaluator({ seed: 1 }).evaluate({ observations: interaction, distributions: space, direction: 'minimize' }));
    expect(b.x0.fraction + b.x1.fraction + b.x2.fraction).toBeLessThan(0.15);
  });

  it('is deterministic at a seed', () => {
    const obs = sample(300, 4, space, (p, rng) => Math.sin(5 * p.x0) + p.x1 ** 2 + 0.1 * rng.normal());
    const input = { observations: obs, distributions: space, direction: 'minimize' as const };
    const a = new FanovaEvaluator({ seed: 7 }).evaluate(input);
    const b = new FanovaEvaluator({ seed: 7 }).evaluate(input);
    expect(b).toEqual(a);
    const c = new FanovaEvaluator({ seed: 8 }).evaluate(input);
    expect(c.map((p) => p.name)).toEqual(a.map((p) => p.name));
    expect(c.map((p) => p.fraction)).not.toEqual(a.map((p) => p.fraction));
  });

  it('judges a log-scaled parameter on its log scale', () => {
    // A step at lr = 1e-3: 40% of the log axis from 1e-5 to 1 lies below it, but only 0.1% of the
    // linear one. On the log scale the step explains 0.4·0.6·10² = 24 against Var(x0) = 1/12.
    const logSpace = { lr: floatDistribution(1e-5, 1, { log: true }), x0: floatDistribution(0, 1) };
    const obs = sample(500, 5, logSpace, (p) => (p.lr < 1e-3 ? 10 : 0) + p.x0);
    const imp = new FanovaEvaluator().evaluate({ observations: obs, distributions: logSpace, direction: 'minimize' });
    expect(imp[0].name).toBe('lr');
    expect(imp[0].importance).toBeGreaterThan(0.95);
  });

  it('judges categorical, int and ordinal parameters, and a single-valued one as 0', () => {
    const mixed = {
      kind: categoricalDistribution(['sma', 'ema', 'wma', 'hma']),
      window: ordinalDistribution([40, 60, 90, 120]),
      n: intDistribution(1, 10),
      fixed: categoricalDistribution(['only']),
    };
    // kind: ema adds 6 (Var ≈ 6.75); window: +1 per step (Var 1.25); n: none.
    const obs = sample(600, 6, mixed, (p, rng) => (p.kind === 1 ? 6 : 0) + p.window + 0.1 * rng.normal());
    const imp = byName(new FanovaEvaluator().evaluate({ observations: obs, distributions: mixed, direction: 'maximize' }));
    expect(imp.kind.importance).toBeGreaterThan(0.7);
    expect(imp.window.importance).toBeGreaterThan(imp.n.importance);
    expect(imp.window.importance).toBeGreaterThan(0.1);
    expect(imp.n.importance).toBeLessThan(0.02);
    expect(imp.fixed.importance).toBe(0);
  });

  it('leaves out a parameter that only some trials set, and subsamples on request', () => {
    const obs = sample(200, 7, space, (p) => p.x0).map((o, i) => (i % 2 ? o : { ...o, params: { ...o.params, extra: 0.5 } }));
    const withExtra = { ...space, extra: floatDistribution(0, 1) };
    const imp = new FanovaEvaluator().evaluate({ observations: obs, distributions: withExtra, direction: 'minimize' });
    expect(imp.map((p) => p.name).sort()).toEqual(['x0', 'x1', 'x2']);
    const sub = new FanovaEvaluator({ maxObservations: 50 }).evaluate({ observations: obs, distributions: space, direction: 'minimize' });
    expect(sub[0].name).toBe('x0');
    expect(sub).not.toEqual(new FanovaEvaluator().evaluate({ observations: obs, distributions: space, direction: 'minimize' }));
  });

  it('gives equal shares when the objective is constant (as Optuna normalises)', () => {
    const obs = sample(20, 8, space, () => 1);
    const imp = new FanovaEvaluator().evaluate({ observations: obs, distributions: space, direction: 'minimize' });
    expect(imp.map((p) => p.importance)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(imp.every((p) => p.fraction === 0)).toBe(true);
  });
});
