/**
 * The GP's fast paths for many trials, where they should be exact: the factor grown row by row
 * equals a fresh factorisation, a GP grown by new points equals one built on all of them, the
 * batched posteriors equal the one-point ones bit for bit, and up to 100 trials the refit
 * schedules propose the same parameters; then the refit schedule's decisions, and where the
 * search approximates (past 400 trials), that it still finds about the exact search's maximum.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { createStudy } from '../../src/study.js';
import type { FrozenTrial } from '../../src/frozen-trial.js';
import { GPSampler } from '../../samplers/gp/index.js';
import { GPRegressor, type KernelParams } from '../../samplers/gp/gp.js';
import { choleskyRows, choleskyWithJitter } from '../../samplers/gp/linalg.js';
import { LogEI, maximizeAcquisition } from '../../samplers/gp/acquisition.js';
import { columnKind } from '../../samplers/gp/search-columns.js';
import { GPModels, REFIT_EVERY_TRIAL_MAX } from '../../samplers/gp/model-cache.js';
import { Rng } from '../../src/rng.js';
import { getTestFunction } from '../../studies/functions/index.js';
import { runSamplerOnFunction } from '../../scripts/lib/sampler-bench.js';

const params: KernelParams = { invSquaredLengthscales: Float64Array.from([3, 0.5, 8, 1]), kernelScale: 1.4, noiseVar: 1e-5 };
const isCat = Uint8Array.from([0, 0, 0, 1]);
const d = 4;

/** n points of the unit box (the last column categorical, 3 choices), with a smooth target. */
function data(n: number, seed: number): { x: Float64Array; y: Float64Array } {
  const rng = new Rng(seed);
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) x[i * d + k] = rng.random();
    x[i * d + 3] = (Math.floor(rng.random() * 3) + 0.5) / 3;
  }
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(4 * x[i * d]) + x[i * d + 1] * x[i * d + 2] - x[i * d + 3]);
  return { x, y };
}

describe('GP: exact fast paths', () => {
  it('grows a Cholesky factor row by row to the same bits as a fresh factorisation', () => {
    const n = 37;
    const { x, y } = data(n, 1);
    const fresh = new GPRegressor(x, y, d, isCat, params);
    // The same kernel matrix, factorised in one go and in pieces of 1, 4 and 9 rows.
    const c = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) c[i * n + j] = fresh.kernelVector(x.subarray(i * d, (i + 1) * d), new Float64Array(n))[j];
      c[i * n + i] += params.noiseVar;
    }
    const whole = choleskyWithJitter(c, n).l;
    for (const pieces of [[1, 2, 3, 10, 37], [4, 8, 30, 37], [9, 18, 37]]) {
      const l = Float64Array.from(c);
      let from = 0;
      for (const to of pieces) {
        expect(choleskyRows(l, to, from, n)).toBe(true);
        from = to;
      }
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) expect(l[i * n + j]).toBe(whole[i * n + j]);
    }
  });

  it('extends a GP by new points (in place, then copied) to the posterior of one built on all of them, to 1e-10', () => {
    const n = 60;
    const { x, y } = data(n, 2);
    const full = new GPRegressor(x, y, d, isCat, params);
    const base = new GPRegressor(x.slice(0, 40 * d), y.slice(0, 40), d, isCat, params);
    // Different targets for the old points do not matter: only C must be the same.
    const grown = base.withRows(x.slice(40 * d, 50 * d), y.slice(0, 50)).withRows(x.slice(50 * d), y);
    // A second extension of the same base (its room taken by the first) copies; both stay valid.
    const again = base.withRows(x.slice(40 * d), y);
    const probe = data(25, 3).x;
    for (let p = 0; p < 25; p++) {
      const point = probe.subarray(p * d, (p + 1) * d);
      const [m, v] = full.posterior(point);
      for (const gp of [grown, again]) {
        const [mg, vg] = gp.posterior(point);
        expect(Math.abs(mg - m)).toBeLessThan(1e-10);
        expect(Math.abs(vg - v)).toBeLessThan(1e-10);
      }
      const [mb] = base.posterior(point);
      expect(mb).toBe(new GPRegressor(x.slice(0, 40 * d), y.slice(0, 40), d, isCat, params).posterior(point)[0]);
    }
  });

  it('computes batched posteriors and gradients with the same bits as one point at a time', () => {
    const { x, y } = data(50, 4);
    const gp = new GPRegressor(x, y, d, isCat, params);
    for (const m of [1, 2, 3, 4, 5, 8, 9]) {
      const points = data(m, 10 + m).x;
      const means = new Float64Array(m);
      const variances = new Float64Array(m);
      const gradMeans = new Float64Array(m * d);
      const gradVars = new Float64Array(m * d);
      gp.posteriors(points, m, means, variances, gradMeans, gradVars);
      const plainMeans = new Float64Array(m);
      const plainVariances = new Float64Array(m);
      gp.posteriors(points, m, plainMeans, plainVariances);
      for (let c = 0; c < m; c++) {
        const point = points.subarray(c * d, (c + 1) * d);
        const gm = new Float64Array(d);
        const gv = new Float64Array(d);
        const [mean, variance] = gp.posteriorWithGradient(point, gm, gv);
        expect([means[c], variances[c], plainMeans[c], plainVariances[c]]).toEqual([mean, variance, ...gp.posterior(point)]);
        expect(Array.from(gradMeans.subarray(c * d, (c + 1) * d))).toEqual(Array.from(gm));
        expect(Array.from(gradVars.subarray(c * d, (c + 1) * d))).toEqual(Array.from(gv));
      }
    }
  });

  it("proposes the same parameters with either refit schedule up to 100 trials (fixed seeds)", () => {
    const fn = getTestFunction('branin');
    for (const seed of [0, 1]) {
      const every = runSamplerOnFunction((s) => new GPSampler({ seed: s, refitSchedule: 'every-trial', acquisitionSearch: 'exact' }), fn, 30, seed);
      const growing = runSamplerOnFunction((s) => new GPSampler({ seed: s }), fn, 30, seed);
      expect(Array.from(growing.curve)).toEqual(Array.from(every.curve));
    }
  });
});

describe('GP: refit schedule', () => {
  const trial = (trialId: number): FrozenTrial => ({ trialId }) as FrozenTrial;
  const trials = (ids: number[]): FrozenTrial[] => ids.map(trial);
  const fit: KernelParams = { invSquaredLengthscales: Float64Array.from([1]), kernelScale: 1, noiseVar: 1e-3 };

  /** Fits (refit) or reuses the models for trials 0..n-1 (targets and points are not used by the schedule). */
  function step(models: GPModels, ids: number[]): boolean {
    const plan = models.plan('space', trials(ids), 1);
    const x = Float64Array.from(plan.trials, (t) => t.trialId / 1000);
    const y = Float64Array.from(plan.trials, (t) => Math.sin(t.trialId));
    models.models('space', plan, [plan.refit || !plan.previous ? fit : plan.previous[0]], x, [y], 1, new Uint8Array(1));
    return plan.refit;
  }

  it("'growing' refits at every trial up to 100, then once the trials have grown by 5%", () => {
    const models = new GPModels('growing');
    const refits: number[] = [];
    const ids: number[] = [];
    for (let n = 1; n <= 260; n++) {
      ids.push(n - 1);
      if (step(models, [...ids])) refits.push(n);
    }
    expect(refits.slice(0, REFIT_EVERY_TRIAL_MAX)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    // n >= 1.05 × the last fit's n: 100 → 105 → 111 (110.25) → 117 (116.55) → …
    expect(refits.slice(100)).toEqual([105, 111, 117, 123, 130, 137, 144, 152, 160, 168, 177, 186, 196, 206, 217, 228, 240, 252]);
    const every = new GPModels('every-trial');
    expect([150, 151, 152].map((n) => step(every, Array.from({ length: n }, (_, i) => i)))).toEqual([true, true, true]);
  });

  it('puts the kept trials first, in their order, when trials finish out of order, and refits for another space', () => {
    const models = new GPModels('growing');
    const ids = Array.from({ length: 120 }, (_, i) => i);
    step(models, ids.filter((i) => i !== 7)); // trial 7 still running
    const plan = models.plan('space', trials(ids), 1);
    expect(plan.refit).toBe(false);
    expect(plan.trials.map((t) => t.trialId)).toEqual([...ids.filter((i) => i !== 7), 7]);
    expect(models.plan('another space', trials(ids), 1).refit).toBe(true);
  });

  it('keeps proposing valid, reproducible points past 100 trials with trials in flight (the grown GPs and kriging believers)', () => {
    const fn = getTestFunction('branin');
    const proposals = (): number[][] => {
      const study = createStudy({ sampler: new GPSampler({ seed: 3, nStartupTrials: 104 }) });
      const suggest = (t: ReturnType<typeof study.ask>): number[] => Object.entries(fn.space).map(([name, dist]) => t.suggestFloat(name, (dist as { low: number }).low, (dist as { high: number }).high));
      const tell = (t: ReturnType<typeof study.ask>, p: number[]): void => {
        study.tell(t, fn.evaluate(Object.fromEntries(Object.keys(fn.space).map((name, k) => [name, p[k]]))));
      };
      for (let i = 0; i < 104; i++) {
        const t = study.ask();
        tell(t, suggest(t));
      }
      const out: number[][] = [];
      for (let round = 0; round < 3; round++) {
        const running = study.ask();
        const p = suggest(running);
        const next = study.ask(); // sees `running` as a kriging believer
        const q = suggest(next);
        tell(next, q); // finishes before the older trial: out of order
        tell(running, p);
        out.push(p, q);
      }
      return out;
    };
    const first = proposals();
    expect(proposals()).toEqual(first);
    const [[x0Low, x0High], [x1Low, x1High]] = Object.values(fn.space).map((dist) => [(dist as { low: number }).low, (dist as { high: number }).high]);
    for (const [a, b] of first) {
      expect(a).toBeGreaterThanOrEqual(x0Low);
      expect(a).toBeLessThanOrEqual(x0High);
      expect(b).toBeGreaterThanOrEqual(x1Low);
      expect(b).toBeLessThanOrEqual(x1High);
    }
    expect(new Set(first.map((p) => p.join())).size).toBe(first.length);
  });

  it('rejects an unknown schedule or search with a UsageError naming the option', () => {
    expect(() => new GPSampler({ refitSchedule: 'sometimes' as never })).toThrow(UsageError);
    expect(() => new GPSampler({ refitSchedule: 'sometimes' as never })).toThrow(/refitSchedule/);
    expect(() => new GPSampler({ acquisitionSearch: 'fast' as never })).toThrow(/acquisitionSearch/);
  });
});

describe('GP: the scaled acquisition search', () => {
  it('bounds log EI from above, and its local GPs never have a smaller variance', () => {
    const { x, y } = data(300, 5);
    const gp = new GPRegressor(x, y, d, isCat, params);
    const acq = new LogEI(gp, Math.max(...y));
    const m = 64;
    const points = data(m, 6).x;
    const values = new Float64Array(m);
    const bounds = new Float64Array(m);
    acq.values(points, m, values);
    acq.upperBounds(points, m, bounds);
    for (let c = 0; c < m; c++) expect(bounds[c]).toBeGreaterThanOrEqual(values[c] - 1e-12);
    const point = points.subarray(0, d);
    expect(gp.local(point, 400)).toBe(gp);
    expect(gp.local(point, 100).posterior(point)[1]).toBeGreaterThanOrEqual(gp.posterior(point)[1] - 1e-12);
  });

  it('finds nearly the exact search maximum of log EI with 600 trials (fixed seeds)', () => {
    const n = 600;
    const { x, y } = data(n, 7);
    const gp = new GPRegressor(x, y, d, isCat, params);
    const acq = new LogEI(gp, Math.max(...y));
    const columns = [0, 1, 2].map(() => columnKind({ type: 'float', low: 0, high: 1, log: false, step: null }));
    columns.push(columnKind({ type: 'categorical', choices: ['a', 'b', 'c'] }));
    for (const seed of [1, 2]) {
      const exact = maximizeAcquisition(acq, columns, [], { nPreliminary: 512, nLocalSearch: 5, seed });
      const scaled = maximizeAcquisition(acq, columns, [], { nPreliminary: 512, nLocalSearch: 5, seed, nExact: 128, localSize: 250 });
      expect(acq.value(scaled.x)).toBeCloseTo(scaled.value, 12); // judged on the full model
      expect(scaled.value).toBeGreaterThan(exact.value - 1e-3); // measured: within 3e-8
    }
  });
});
