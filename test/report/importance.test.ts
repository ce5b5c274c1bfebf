import { describe, expect, it } from 'vitest';
import { floatDistribution, categoricalDistribution, intDistribution } from '../../src/distributions.js';
import { type Observation, pearsonDivergence, pedAnovaImportances } from '../../src/apps/report/importance.js';
import { Rng } from '../../src/rng.js';

describe('PED-ANOVA importances', () => {
  it('the Pearson divergence of a density with itself is 0, and grows with the difference', () => {
    const p = [0.25, 0.25, 0.25, 0.25];
    expect(pearsonDivergence(p, p)).toBeCloseTo(0, 9);
    const near = pearsonDivergence([0.3, 0.3, 0.2, 0.2], p);
    const far = pearsonDivergence([0.7, 0.1, 0.1, 0.1], p);
    expect(near).toBeGreaterThan(0);
    expect(far).toBeGreaterThan(near);
    // Hand-computed: Σ p (q/p − 1)² = 0.25·(1.8² + 0.6²·3) = 0.25·(3.24 + 1.08) = 1.08.
    expect(far).toBeCloseTo(1.08, 9);
  });

  it('ranks the dominant parameter first (numeric, minimise)', () => {
    const rng = new Rng(7);
    const obs: Observation[] = [];
    for (let i = 0; i < 400; i++) {
      const x = rng.uniform(-5, 5);
      const y = rng.uniform(-5, 5);
      const n = 1 + Math.floor(rng.random() * 10);
      obs.push({ value: 10 * (x - 1.5) ** 2 + 0.3 * y + 0.01 * n, params: { x, y, n } });
    }
    const imp = pedAnovaImportances(obs, { x: floatDistribution(-5, 5), y: floatDistribution(-5, 5), n: intDistribution(1, 10) }, 'minimize');
    expect(imp.map((p) => p.name)[0]).toBe('x');
    expect(imp[0].importance).toBeGreaterThan(0.6);
    expect(imp.reduce((s, p) => s + p.importance, 0)).toBeCloseTo(1, 9);
  });

  it('ranks a dominant categorical first (maximise), and a parameter with no effect near 0', () => {
    const rng = new Rng(3);
    const obs: Observation[] = [];
    for (let i = 0; i < 300; i++) {
      const kind = Math.floor(rng.random() * 3); // internal index of ['sma', 'ema', 'wma']
      const noise = rng.uniform(0, 1);
      const w = rng.uniform(0, 1);
      obs.push({ value: (kind === 1 ? 10 : 0) + 2 * w, params: { kind, noise, w } });
    }
    const imp = pedAnovaImportances(
      obs,
      { kind: categoricalDistribution(['sma', 'ema', 'wma']), noise: floatDistribution(0, 1), w: floatDistribution(0, 1) },
      'maximize',
    );
    expect(imp[0].name).toBe('kind');
    expect(imp.find((p) => p.name === 'noise')!.importance).toBeLessThan(imp.find((p) => p.name === 'w')!.importance);
  });

  it('a conditional parameter is judged on the trials that have it', () => {
    const rng = new Rng(11);
    const obs: Observation[] = [];
    for (let i = 0; i < 200; i++) {
      const on = rng.random() < 0.5 ? 1 : 0;
      const x = rng.uniform(0, 1);
      obs.push({ value: x, params: on ? { on, x, extra: rng.uniform(0, 1) } : { on, x } });
    }
    const imp = pedAnovaImportances(obs, { on: categoricalDistribution([false, true]), x: floatDistribution(0, 1), extra: floatDistribution(0, 1) }, 'maximize');
    expect(imp[0].name).toBe('x');
    expect(imp.every((p) => Number.isFinite(p.importance))).toBe(true);
  });
});
