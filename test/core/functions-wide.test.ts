import { describe, expect, it } from 'vitest';
import { RandomSampler } from '../../samplers/random.js';
import { createStudy } from '../../src/study.js';
import { conditionalParamNames } from '../../studies/functions/conditional.js';
import { getTestFunction, isNoisy } from '../../studies/functions/index.js';
import { noiseDeviate } from '../../studies/functions/noisy.js';

const all = (dim: number, v: number): Record<string, number> => Object.fromEntries(Array.from({ length: dim }, (_, i) => [`x${i}`, v]));

describe('high-dimensional test functions', () => {
  it('levy takes 0 at x = 1 and 2 + 10 sin²(1) at x = (-3, -3)', () => {
    // At x = -3, w = 1 + (x - 1)/4 = 0: sin²(πw) = 0, (w-1)² = 1, sin(πw + 1) = sin 1, sin(2πw) = 0.
    expect(getTestFunction('levy20').evaluate(all(20, 1))).toBeCloseTo(0, 12);
    expect(getTestFunction('levy50').evaluate(all(50, 1))).toBeCloseTo(0, 12);
    expect(getTestFunction('levy2').evaluate({ x0: -3, x1: -3 })).toBeCloseTo(2 + 10 * Math.sin(1) ** 2, 12);
  });

  it('griewank takes 0 at x = 0 and 1 + (π/2)²/4000 at (π/2, 0), where the cosine product vanishes', () => {
    expect(getTestFunction('griewank50').evaluate(all(50, 0))).toBeCloseTo(0, 12);
    expect(getTestFunction('griewank2').evaluate({ x0: Math.PI / 2, x1: 0 })).toBeCloseTo(1 + (Math.PI / 2) ** 2 / 4000, 12);
  });

  it('zakharov takes 0 at x = 0 and 2 + 1.5² + 1.5⁴ = 9.3125 at (1, 1)', () => {
    expect(getTestFunction('zakharov20').evaluate(all(20, 0))).toBe(0);
    expect(getTestFunction('zakharov2').evaluate({ x0: 1, x1: 1 })).toBe(9.3125);
  });

  it('is worse than the optimum at the corner of the box', () => {
    for (const name of ['levy20', 'griewank20', 'zakharov20']) {
      const fn = getTestFunction(name);
      const corner = Object.fromEntries(Object.entries(fn.space).map(([k, d]) => [k, d.type === 'float' ? d.low : 0]));
      expect(fn.evaluate(corner)).toBeGreaterThan(fn.optimum + 1);
    }
  });
});

describe('conditional test function', () => {
  const fn = getTestFunction('conditional');
  const best = { model: 'net', net_layers: 3, net_width0: 128, net_width1: 64, net_width2: 32, net_lr: 1e-3, net_dropout: 0.2 };

  it('takes 0 at its optimum, 1 at the linear family best and a hand-computed tree value', () => {
    expect(fn.evaluate(best)).toBeCloseTo(0, 12);
    expect(fn.evaluate({ model: 'linear', lin_alpha: 1e-3, lin_l1: 0.3 })).toBeCloseTo(1, 12);
    // 0.5 + (8-6)²/20 + (log10 0.01 + 1)² + (log2 4 - 4)²/8 = 0.5 + 0.2 + 1 + 0.5
    expect(fn.evaluate({ model: 'tree', tree_depth: 8, tree_rate: 0.01, tree_leaf: 4 })).toBeCloseTo(2.2, 12);
  });

  it('suggests only the chosen family parameters, and one width per layer', () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 3 }) });
    study.enqueueTrial(best);
    const first = study.ask();
    expect(fn.objective(first)).toBeCloseTo(0, 12);
    expect(Object.keys(first.params)).toEqual(conditionalParamNames('net', 3));
    study.tell(first, 0);
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const trial = study.ask();
      const value = fn.objective(trial);
      const model = trial.params.model as string;
      seen.add(model);
      expect(Object.keys(trial.params)).toEqual(conditionalParamNames(model, (trial.params.net_layers as number | undefined) ?? 0));
      expect(value).toBeGreaterThanOrEqual(model === 'linear' ? 1 : model === 'tree' ? 0.5 : 0);
      study.tell(trial, value);
    }
    expect([...seen].sort()).toEqual(['linear', 'net', 'tree']);
  });
});

describe('noisy test functions', () => {
  it('evaluate without noise; the objective adds sd × the trial stream deviate', () => {
    const fn = getTestFunction('noisy_hartmann6');
    expect(isNoisy(fn)).toBe(true);
    if (!isNoisy(fn)) return;
    const x = { x0: 0.20169, x1: 0.150011, x2: 0.476874, x3: 0.275332, x4: 0.311652, x5: 0.6573 };
    expect(fn.evaluate(x)).toBeCloseTo(fn.optimum, 4);
    expect(fn.observe(x, 5)).toBeCloseTo(fn.evaluate(x) + 0.03 * noiseDeviate(0, 5), 12);

    const study = createStudy({ sampler: new RandomSampler({ seed: 1 }) });
    study.enqueueTrial(x);
    const trial = study.ask();
    expect(fn.objective(trial)).toBeCloseTo(fn.observe(x, trial.number), 12);
    // another noise stream changes the draw, not the noiseless value
    const other = fn.withNoiseSeed(7);
    expect(other.evaluate(x)).toBe(fn.evaluate(x));
    expect(other.observe(x, 5)).not.toBe(fn.observe(x, 5));
  });

  it('draws standard normal deviates per (seed, trial number)', () => {
    const n = 4000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const z = noiseDeviate(11, i);
      sum += z;
      sq += z * z;
    }
    const mean = sum / n;
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.sqrt(sq / n - mean * mean)).toBeGreaterThan(0.95);
    expect(Math.sqrt(sq / n - mean * mean)).toBeLessThan(1.05);
    expect(noiseDeviate(11, 3)).toBe(noiseDeviate(11, 3));
  });

  it('lists the new functions in the catalogue', () => {
    for (const name of ['levy20', 'griewank50', 'zakharov20', 'conditional', 'noisy_mixed', 'noisy_styblinski_tang8']) expect(getTestFunction(name).name).toBe(name);
  });
});
