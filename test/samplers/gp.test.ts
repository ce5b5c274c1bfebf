/**
 * The GP sampler: the posterior against a hand-computed example, the gradients of the marginal
 * likelihood and of log EI against finite differences, log EI's stability, then the sampler:
 * same seed same parameters, better than random search on three functions over fixed seeds,
 * awkward histories (constant objective, duplicate points, all FAIL, one parameter), every kind
 * of parameter, infeasible trials, trials in flight, and the CLI registry entry.
 */
import { describe, expect, it } from 'vitest';
import { containsInternal, toInternal } from '../../src/distributions.js';
import { createStudy } from '../../src/study.js';
import type { Trial } from '../../src/trial.js';
import { RandomSampler } from '../../samplers/random.js';
import { GPRegressor, GPSampler, logEI, logH, registryEntry } from '../../samplers/gp/index.js';
import { mapLoss } from '../../samplers/gp/gp.js';
import { LogEI, maximizeAcquisition } from '../../samplers/gp/acquisition.js';
import { columnKind } from '../../samplers/gp/search-columns.js';
import { choleskyWithJitter } from '../../samplers/gp/linalg.js';
import { ndtr } from '../../src/normal-distribution.js';
import { getTestFunction } from '../../studies/functions/index.js';
import { runSamplerOnFunction } from '../../scripts/lib/sampler-bench.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

describe('GP regression', () => {
  it('matches a posterior computed by hand', () => {
    // X = [0, 0.5], y = [1, -0.5], θ = 4 (length scale 0.5), s = 1, σ²ₙ = 0.01. Expected values
    // from the closed form with the explicit 2 × 2 inverse, evaluated in plain Python:
    // k(0, 0.5) = (1 + √5 + 5/3) e^-√5 = 0.5239941088318203; then μ(x) = k_xᵀ C⁻¹ y and
    // σ²(x) = 1 - k_xᵀ C⁻¹ k_x at x = 0.1, 0.25, 0.9.
    const gp = new GPRegressor(Float64Array.from([0, 0.5]), Float64Array.from([1, -0.5]), 1, new Uint8Array(1), {
      invSquaredLengthscales: Float64Array.from([4]),
      kernelScale: 1,
      noiseVar: 0.01,
    });
    const expected: [number, number, number][] = [
      [0.1, 0.7620533009407147, 0.04486323596511621],
      [0.25, 0.270095281868183, 0.1047431052349932],
      [0.9, -0.5717353591250938, 0.5590703701103024],
    ];
    for (const [x, mean, variance] of expected) {
      const [m, v] = gp.posterior([x]);
      expect(m).toBeCloseTo(mean, 12);
      expect(v).toBeCloseTo(variance, 12);
    }
  });

  it('has exact gradients: marginal likelihood (by hyper-parameter) and posterior/log EI (by point)', () => {
    const d = 3;
    const n = 12;
    const x = Float64Array.from({ length: n * d }, (_, i) => ((i * 7919) % 97) / 97);
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(3 * x[i * d]) + x[i * d + 1] ** 2 - 0.5);
    const isCat = Uint8Array.from([0, 0, 1]);
    const { loss } = mapLoss(x, y, d, isCat, false);
    const raw = Float64Array.from([0.3, -0.4, 0.2, 0.1, -2]);
    const grad = new Float64Array(raw.length);
    loss(raw, grad);
    raw.forEach((_, k) => {
      const a = raw.slice();
      const b = raw.slice();
      a[k] += 1e-6;
      b[k] -= 1e-6;
      const numeric = (loss(a, new Float64Array(raw.length)) - loss(b, new Float64Array(raw.length))) / 2e-6;
      expect(grad[k]).toBeCloseTo(numeric, 5);
    });

    const gp = new GPRegressor(x, y, d, isCat, { invSquaredLengthscales: Float64Array.from([2, 5, 1]), kernelScale: 1.3, noiseVar: 1e-4 });
    const point = [0.31, 0.77, x[2]];
    const gm = new Float64Array(d);
    const gv = new Float64Array(d);
    gp.posteriorWithGradient(point, gm, gv);
    for (let k = 0; k < 2; k++) {
      const a = [...point];
      const b = [...point];
      a[k] += 1e-6;
      b[k] -= 1e-6;
      const [ma, va] = gp.posterior(a);
      const [mb, vb] = gp.posterior(b);
      expect(gm[k]).toBeCloseTo((ma - mb) / 2e-6, 5);
      expect(gv[k]).toBeCloseTo((va - vb) / 2e-6, 5);
    }
  });

  it('factorises singular kernel matrices (duplicate points) with jitter', () => {
    const a = Float64Array.from([1, 1, 1, 1]); // two identical points, no noise
    const { l, jitter } = choleskyWithJitter(a, 2);
    expect(jitter).toBeGreaterThan(0);
    expect(l.every(Number.isFinite)).toBe(true);
  });
});

describe('GP on mixed spaces', () => {
  it('has a mixed_numeric test function with its optimum 0 at the stated minimiser', () => {
    const fn = getTestFunction('mixed_numeric');
    const best = { x0: 1.2, x1: -0.7, x2: 0.5, rate: 1e-3, n0: 4, n1: 137, size: 4 };
    expect(fn.evaluate(best)).toBeCloseTo(0, 12);
    for (const [name, value] of Object.entries({ x0: 1.25, rate: 2e-3, n0: 5, n1: 138, size: 8 })) {
      expect(fn.evaluate({ ...best, [name]: value }), name).toBeGreaterThan(3e-4);
    }
  });

  it('measures categorical dimensions by Hamming distance: any two different choices are one unit apart', () => {
    // Columns: a float and a categorical (index 0..3 at positions (i + 0.5) / 4).
    const isCat = Uint8Array.from([0, 1]);
    const theta = 0.7;
    const gp = new GPRegressor(Float64Array.from([0.2, 0.125]), Float64Array.from([1]), 2, isCat, {
      invSquaredLengthscales: Float64Array.from([3, theta]),
      kernelScale: 1.5,
      noiseVar: 1e-6,
    });
    const k = (point: number[]): number => gp.kernelVector(point, new Float64Array(1))[0];
    const r = Math.sqrt(5 * theta);
    const matern = 1.5 * (1 + r + (r * r) / 3) * Math.exp(-r); // Matérn 5/2 at r² = θ · 1
    expect(k([0.2, 0.125])).toBeCloseTo(1.5, 12); // same choice: distance 0
    expect(k([0.2, 0.375])).toBeCloseTo(matern, 12); // neighbouring index
    expect(k([0.2, 0.875])).toBeCloseTo(matern, 12); // three indices away: still one unit
  });

  it('lists the grid positions of discrete columns, and snaps to them', () => {
    const int = columnKind({ type: 'int', low: 0, high: 500, log: false, step: 1 });
    expect(int.count).toBe(501);
    expect(int.position(137)).toBeCloseTo(137.5 / 501, 12);
    expect(int.nearest(int.position(137) + 0.4 / 501)).toBe(137);
    const logInt = columnKind({ type: 'int', low: 1, high: 64, log: true, step: 1 });
    expect(logInt.snap(logInt.position(15) + 1e-4)).toBe(logInt.position(15));
    const cat = columnKind({ type: 'categorical', choices: [1, 2, 4, 8, 16] });
    expect([cat.categorical, cat.count, cat.position(2)]).toEqual([true, 5, 0.5]);
    expect(columnKind({ type: 'float', low: 0, high: 1, log: false, step: null }).count).toBe(0);
  });

  it('searches discrete columns on their grid and beats rounding the continuous maximiser', () => {
    // Observations on a ridge x ≈ 0.5 + 4 (n - 0.5): where n may only take the 20 grid positions
    // (i + 0.5) / 20 of an int 0..19, the best x depends on which n. Rounding n after a joint
    // continuous search keeps the x chosen for the unrounded n; the mixed search re-fits x.
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i <= 5; i++) {
      for (let j = 0; j <= 5; j++) {
        x.push(i / 5, j / 5);
        y.push(-20 * (i / 5 - 0.5 - 4 * (j / 5 - 0.5)) ** 2 - (i / 5 + j / 5 - 1.13) ** 2);
      }
    }
    const mean = y.reduce((a, v) => a + v, 0) / y.length;
    const sd = Math.sqrt(y.reduce((a, v) => a + (v - mean) ** 2, 0) / y.length);
    const ys = Float64Array.from(y, (v) => (v - mean) / sd);
    const gp = new GPRegressor(Float64Array.from(x), ys, 2, new Uint8Array(2), { invSquaredLengthscales: Float64Array.from([10, 10]), kernelScale: 1, noiseVar: 1e-6 });
    const acq = new LogEI(gp, Math.max(...ys));
    const float = columnKind({ type: 'float', low: 0, high: 1, log: false, step: null });
    const int = columnKind({ type: 'int', low: 0, high: 19, log: false, step: 1 });
    const options = { nPreliminary: 256, nLocalSearch: 5, seed: 1 };
    const continuous = maximizeAcquisition(acq, [float, float], [], options);
    const rounded = Float64Array.from([continuous.x[0], int.snap(continuous.x[1])]);
    const mixed = maximizeAcquisition(acq, [float, int], [], options);
    expect(mixed.x[1]).toBe(int.position(int.nearest(mixed.x[1])));
    expect(mixed.value).toBeCloseTo(acq.value(mixed.x), 12);
    expect(mixed.value).toBeGreaterThan(acq.value(rounded) + 1e-3);
  });

  it('reaches a low regret on the mixed test function in 100 trials (seed 4)', () => {
    // Measured (scripts/bench-gp-mixed.ts): regret 1.2e-5; before discrete columns kept to their
    // grid in the acquisition search, 4.3e-4, which fails this bound.
    const fn = getTestFunction('mixed');
    const regret = runSamplerOnFunction((s) => new GPSampler({ seed: s }), fn, 100, 4).best - fn.optimum;
    expect(regret).toBeLessThan(1e-4);
  }, 120_000);
});

describe('log expected improvement', () => {
  it('equals log(φ(z) + zΦ(z)) where that is accurate, and stays finite and monotone far below', () => {
    for (const z of [-0.9, -0.5, 0, 0.7, 2, 5]) {
      const direct = Math.log(Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI) + z * ndtr(z));
      expect(logH(z)).toBeCloseTo(direct, 12);
    }
    // Below -1 the direct formula cancels; compare with a high-order asymptotic expansion at -30.
    const z = -30;
    const asymptotic = -0.5 * z * z - 0.5 * Math.log(2 * Math.PI) - 2 * Math.log(-z) + Math.log(1 - 3 / z ** 2 + 15 / z ** 4 - 105 / z ** 6 + 945 / z ** 8);
    expect(logH(z)).toBeCloseTo(asymptotic, 9);
    let last = -Infinity;
    for (let v = -1000; v <= 10; v += 0.37) {
      const h = logH(v);
      expect(Number.isFinite(h)).toBe(true);
      expect(h).toBeGreaterThan(last);
      last = h;
    }
  });

  it('has the gradients Φ(z)/(hσ) in the mean and φ(z)/(hσ) in σ', () => {
    for (const [m, v, f0] of [
      [0.2, 0.5, 1],
      [-3, 0.01, 2],
      [1, 2, 0],
    ]) {
      const { dMean, dSigma } = logEI(m, v, f0);
      const s = Math.sqrt(v);
      const numMean = (logEI(m + 1e-7, v, f0).value - logEI(m - 1e-7, v, f0).value) / 2e-7;
      const numSigma = (logEI(m, (s + 1e-7) ** 2, f0).value - logEI(m, (s - 1e-7) ** 2, f0).value) / 2e-7;
      expect(Math.abs(dMean / numMean - 1)).toBeLessThan(1e-6);
      expect(Math.abs(dSigma / numSigma - 1)).toBeLessThan(1e-6);
    }
  });
});

describe('GPSampler', () => {
  const objective = (t: Trial): number => {
    const x = t.suggestFloat('x', -3, 3);
    const lr = t.suggestFloat('lr', 1e-4, 1, { log: true });
    const n = t.suggestInt('n', 0, 10, { step: 2 });
    const big = t.suggestInt('big', 1, 1000, { log: true });
    const q = t.suggestFloat('q', 0, 1, { step: 0.25 });
    const kind = t.suggestCategorical('kind', ['a', 'b', 'c']);
    const w = t.suggestOrdinal('w', [40, 60, 90, 120]);
    return (x - 1) ** 2 + (Math.log10(lr) + 2) ** 2 + (n - 4) ** 2 / 10 + Math.log10(big) + q + (kind === 'b' ? 0 : 1) + Math.abs(w - 90) / 30;
  };

  it('gives the same parameters for the same seed, valid values of every kind, and finds the mixed optimum region', async () => {
    const run = async (seed: number) => {
      const study = createStudy({ sampler: new GPSampler({ seed }) });
      await study.optimize(objective, { nTrials: 25 });
      return study;
    };
    const a = await run(3);
    const b = await run(3);
    const c = await run(4);
    expect(b.trials.map((t) => t.params)).toEqual(a.trials.map((t) => t.params));
    expect(c.trials.map((t) => t.params)).not.toEqual(a.trials.map((t) => t.params));
    for (const t of a.trials) for (const [p, d] of Object.entries(t.distributions)) expect(containsInternal(d, toInternal(d, t.params[p]))).toBe(true);
    expect(a.bestValue).toBeLessThan(2.5);
  });

  it('beats random search on branin, hartmann6 and a 4-D sphere over fixed seeds', () => {
    // Budget 30, seeds 0-3; measured GP/random median regret ratios are far below the 0.3 asked.
    for (const name of ['branin', 'hartmann6', 'sphere4']) {
      const fn = getTestFunction(name);
      const gp: number[] = [];
      const rnd: number[] = [];
      for (let seed = 0; seed < 4; seed++) {
        gp.push(runSamplerOnFunction((s) => new GPSampler({ seed: s }), fn, 30, seed).best - fn.optimum);
        rnd.push(runSamplerOnFunction((s) => new RandomSampler({ seed: s }), fn, 30, seed).best - fn.optimum);
      }
      expect(median(gp), name).toBeLessThan(0.3 * median(rnd));
      expect(gp.filter((v, i) => v < rnd[i]).length, name).toBeGreaterThanOrEqual(3);
    }
  });

  it('copes with a constant objective, duplicate points, an all-FAIL history and a single parameter', async () => {
    const constant = createStudy({ sampler: new GPSampler({ seed: 1 }) });
    await constant.optimize((t) => (t.suggestFloat('x', 0, 1), t.suggestFloat('y', 0, 1), 3), { nTrials: 20 });
    expect(constant.getTrials({ states: ['COMPLETE'] })).toHaveLength(20);

    const dup = createStudy({ sampler: new GPSampler({ seed: 2 }) });
    await dup.optimize((t) => t.suggestInt('b', 0, 1) + t.suggestCategorical('c', ['u', 'v']).length, { nTrials: 20 });
    expect(dup.getTrials({ states: ['COMPLETE'] })).toHaveLength(20);

    const failing = createStudy({ sampler: new GPSampler({ seed: 3 }) });
    await failing.optimize(
      (t) => {
        t.suggestFloat('x', 0, 1);
        throw new Error('boom');
      },
      { nTrials: 12, catch: 'all' },
    );
    const x = failing.ask().suggestFloat('x', 0, 1);
    expect(x >= 0 && x <= 1).toBe(true);

    const one = createStudy({ sampler: new GPSampler({ seed: 4 }) });
    await one.optimize((t) => (t.suggestFloat('x', -10, 10) - 3) ** 2, { nTrials: 20 });
    expect(Math.abs((one.bestParams.x as number) - 3)).toBeLessThan(0.05);
  });

  it('models infeasible trials as bad: they are never the incumbent and the search moves away', async () => {
    const study = createStudy({ sampler: new GPSampler({ seed: 5 }), constraints: (t) => [(t.params.x as number) - 0.6] });
    await study.optimize((t) => (t.suggestFloat('x', 0, 2) - 1) ** 2 + 0.1 * t.suggestFloat('y', -1, 1) ** 2, { nTrials: 30 });
    expect(study.bestParams.x as number).toBeLessThanOrEqual(0.6);
    expect(study.bestValue).toBeLessThan(0.3); // the feasible optimum is 0.16
    const late = study.trials.slice(15);
    expect(late.filter((t) => (t.params.x as number) > 0.9).length).toBeLessThanOrEqual(3);
  });

  it('spreads trials in flight (kriging believer): asks without tells propose different points', () => {
    const study = createStudy({ sampler: new GPSampler({ seed: 6 }) });
    for (let i = 0; i < 15; i++) {
      const t = study.ask();
      study.tell(t, (t.suggestFloat('x', -5, 5) - 1) ** 2 + t.suggestFloat('y', -5, 5) ** 2);
    }
    const pending = Array.from({ length: 4 }, () => {
      const t = study.ask();
      return [t.suggestFloat('x', -5, 5), t.suggestFloat('y', -5, 5)];
    });
    // After 15 trials the model is sure of the optimum (1, 0), so the believer spreads the four
    // proposals only a little: at least 8e-4 apart with seed 6; without it they coincide (the
    // acquisition's maximiser found four times, at most 3e-6 apart).
    for (let i = 0; i < 4; i++) for (let j = 0; j < i; j++) expect(Math.hypot(pending[i][0] - pending[j][0], pending[i][1] - pending[j][1])).toBeGreaterThan(1e-4);
  });

  it('lets a batching executor run the start-up phase in parallel, then one trial ahead', () => {
    const sampler = new GPSampler({ nStartupTrials: 8 });
    expect(sampler.pendingLimit(0)).toBe(8);
    expect(sampler.pendingLimit(8)).toBe(1);
    expect(sampler.pendingLimit(300)).toBe(1);
  });

  it('exposes a registry entry for the CLI', () => {
    expect(Object.keys(registryEntry.options)).toEqual(expect.arrayContaining(['seed', 'nStartupTrials']));
    expect(registryEntry.create({ seed: 1 }, {}).name).toBe('gp');
    expect(() => new GPSampler({ nStartupTrials: -1 })).toThrow(/nStartupTrials/);
  });
});
