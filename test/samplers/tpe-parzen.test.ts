/**
 * The TPE's numeric parts against independent references: the normal distribution helpers
 * against published values, Optuna's default gamma and weights, the Parzen estimators against a
 * direct transcription of Optuna's formulas (computed here with plain loops and Math.exp), the
 * bounded argmax against the plain one, and the below/above split.
 */
import { describe, expect, it } from 'vitest';
import type { FrozenTrial } from '../../src/frozen-trial.js';
import { Rng } from '../../src/rng.js';
import { defaultGamma, defaultWeights } from '../../samplers/tpe/defaults.js';
import { erfc, logGaussMass, logNdtr, ndtr, ndtri } from '../../src/normal-distribution.js';
import { SortedParzen1D } from '../../samplers/tpe/parzen-1d.js';
import { ParzenEstimator, type ParzenDim } from '../../samplers/tpe/parzen-estimator.js';
import { splitTrials } from '../../samplers/tpe/split.js';

describe('normal distribution helpers', () => {
  it('match published values (Abramowitz & Stegun tables; SciPy special.erfc / ndtri / log_ndtr)', () => {
    expect(erfc(0.5)).toBeCloseTo(0.4795001221869535, 15);
    expect(erfc(1) / 0.15729920705028513 - 1).toBeLessThan(1e-14);
    expect(Math.abs(erfc(2) / 0.004677734981047266 - 1)).toBeLessThan(1e-14);
    expect(Math.abs(erfc(5) / 1.5374597944280349e-12 - 1)).toBeLessThan(1e-13);
    expect(Math.abs(erfc(10) / 2.088487583762545e-45 - 1)).toBeLessThan(1e-13);
    expect(erfc(-1)).toBeCloseTo(1.8427007929497148, 15);
    expect(ndtr(-1.96)).toBeCloseTo(0.024997895148220435, 15);
    expect(ndtri(0.975)).toBeCloseTo(1.959963984540054, 13);
    expect(ndtri(1e-10)).toBeCloseTo(-6.361340902404056, 12);
    // log Φ(z): the tail series and log(Φ) agree where both are accurate.
    expect(Math.abs(logNdtr(-19.99) - Math.log(ndtr(-19.99)))).toBeLessThan(1e-10);
    expect(Math.abs(logNdtr(-20.01) - Math.log(ndtr(-20.01)))).toBeLessThan(1e-10);
    expect(Number.isFinite(logNdtr(-60))).toBe(true);
    for (let p = 0.001; p < 1; p += 0.0137) expect(Math.abs(ndtr(ndtri(p)) / p - 1)).toBeLessThan(1e-13);
    expect(logGaussMass(-1, 1)).toBeCloseTo(Math.log(0.6826894921370859), 14);
    expect(logGaussMass(10, 11)).toBeCloseTo(logGaussMass(-11, -10), 12);
  });
});

describe("Optuna's defaults", () => {
  it('gamma is min(ceil(0.1 n), 25)', () => {
    expect([0, 1, 9, 10, 11, 100, 249, 250, 1000].map(defaultGamma)).toEqual([0, 1, 1, 1, 2, 10, 25, 25, 25]);
  });

  it('weights are flat up to 25, then an old-to-new ramp from 1/n to 1 before 25 ones', () => {
    expect([...defaultWeights(3)]).toEqual([1, 1, 1]);
    const w = defaultWeights(30); // numpy.linspace(1/30, 1, 5) then 25 ones
    const ramp = [1 / 30, 1 / 30 + (29 / 30) / 4, 1 / 30 + (2 * 29) / 30 / 4, 1 / 30 + (3 * 29) / 30 / 4, 1];
    ramp.forEach((v, i) => expect(w[i]).toBeCloseTo(v, 14));
    expect([...w.slice(5)]).toEqual(Array(25).fill(1));
  });
});

/** Optuna's univariate Parzen estimator written out directly, for reference. */
function referenceLogPdf(dim: ParzenDim, obs: number[], weights: number[], x: number): number {
  const continuous = dim.kind === 'continuous';
  const lower = continuous ? dim.low : dim.low - dim.step / 2;
  const upper = continuous ? dim.high : dim.high + dim.step / 2;
  const range = upper - lower;
  const prior = (lower + upper) / 2;
  // Kernel i < n is observation i, kernel n the prior; sorted stably by mean (as numpy's argsort
  // of Optuna's list with the prior appended last), each mean's bandwidth is its larger gap.
  const mus = [...obs, prior];
  const order = mus.map((_, i) => i).sort((a, b) => mus[a] - mus[b] || a - b);
  const ends = [lower, ...order.map((i) => mus[i]), upper];
  const sigmas = new Array<number>(mus.length);
  order.forEach((k, p) => {
    const i = p + 1;
    let s = Math.max(ends[i] - ends[i - 1], ends[i + 1] - ends[i]);
    if (i === 1) s = ends[2] - ends[1];
    if (i === mus.length) s = ends[i] - ends[i - 1];
    sigmas[k] = Math.min(range, Math.max(range / Math.min(100, 1 + mus.length), s));
  });
  sigmas[obs.length] = range;
  const w = [...weights, 1];
  const total = w.reduce((a, b) => a + b, 0);
  let p = 0;
  for (let k = 0; k < mus.length; k++) {
    const z = (v: number): number => (v - mus[k]) / sigmas[k];
    const norm = ndtr(z(upper)) - ndtr(z(lower));
    const value = continuous
      ? Math.exp(-0.5 * z(x) ** 2) / (sigmas[k] * Math.sqrt(2 * Math.PI))
      : ndtr(z(x + dim.step / 2)) - ndtr(z(x - dim.step / 2));
    p += (w[k] / total) * (value / norm);
  }
  return Math.log(p);
}

describe('Parzen estimators', () => {
  const continuous: ParzenDim = { kind: 'continuous', log: false, low: -2, high: 3, step: 0, nChoices: 0 };
  const discrete: ParzenDim = { kind: 'discrete', log: false, low: 0, high: 20, step: 2, nChoices: 0 };
  const options = { priorWeight: 1, considerEndpoints: false, multivariate: false };

  it("equal Optuna's formulas (bandwidths by neighbour gaps, magic clip, prior, truncation)", () => {
    const obs = [-1.5, 0.2, 0.25, 2.9, 1.0];
    const weights = [0.5, 1, 1, 1, 0.8];
    const est = new ParzenEstimator([continuous], [Float64Array.from(obs)], weights, options);
    const xs = [-2, -1.4, 0, 0.22, 1.7, 3];
    const got = est.logPdf([Float64Array.from(xs)]);
    xs.forEach((x, i) => expect(got[i]).toBeCloseTo(referenceLogPdf(continuous, obs, weights, x), 8));

    const dObs = [0, 4, 4, 10, 20, 12];
    const dWeights = [1, 1, 1, 1, 1, 1];
    const dEst = new ParzenEstimator([discrete], [Float64Array.from(dObs)], dWeights, options);
    const dXs = [0, 2, 4, 12, 20];
    const dGot = dEst.logPdf([Float64Array.from(dXs)]);
    dXs.forEach((x, i) => expect(dGot[i]).toBeCloseTo(referenceLogPdf(discrete, dObs, dWeights, x), 8));
    // A discrete estimator is a distribution over the grid.
    const grid = Float64Array.from({ length: 11 }, (_, i) => 2 * i);
    const total = dEst.logPdf([grid]).reduce((s, v) => s + Math.exp(v), 0);
    expect(total).toBeCloseTo(1, 9);
  });

  it('draws samples inside the range, on the grid for discrete parameters', () => {
    const rng = new Rng(3);
    const est = new ParzenEstimator([discrete], [Float64Array.from([2, 4, 18])], [1, 1, 1], options);
    for (const v of est.sample(rng, 200)[0]) {
      expect(v % 2).toBe(0);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(20);
    }
  });

  it('the bounded argmax of l/g picks what the plain argmax picks', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 40; trial++) {
      const n = 30 + Math.floor(rng.random() * 400);
      const obs = Float64Array.from({ length: n }, () => Math.min(3, Math.max(-2, 0.5 + rng.normal() * (0.2 + rng.random()))));
      obs.sort();
      const g = new SortedParzen1D(continuous, obs, new Float64Array(n).fill(1), options);
      const xs = Float64Array.from({ length: 24 }, () => -2 + 5 * rng.random());
      const logL = Float64Array.from({ length: 24 }, () => rng.normal());
      const logG = g.logPdf(xs);
      let best = 0;
      for (let c = 1; c < 24; c++) if (logL[c] - logG[c] > logL[best] - logG[best]) best = c;
      expect(g.argmaxRatio(xs, logL)).toBe(best);
    }
  });

  it('joint (multivariate) estimators multiply per-parameter kernels, with categorical ones', () => {
    const cat: ParzenDim = { kind: 'categorical', log: false, low: 0, high: 2, step: 0, nChoices: 3 };
    const est = new ParzenEstimator([continuous, cat], [Float64Array.from([0, 1]), Float64Array.from([2, 2])], [1, 1], { ...options, multivariate: true });
    const [a, b] = est.logPdf([Float64Array.from([0, 0]), Float64Array.from([2, 0])]);
    expect(a).toBeGreaterThan(b); // choice 2 was observed, choice 0 was not
    const total = [0, 1, 2].reduce((s, c) => {
      // Integrate the continuous part numerically for choice c.
      let acc = 0;
      for (let i = 0; i < 5000; i++) acc += Math.exp(est.logPdf([Float64Array.from([-2 + 0.001 * i + 0.0005]), Float64Array.from([c])])[0]) * 0.001;
      return s + acc;
    }, 0);
    expect(total).toBeCloseTo(1, 6);
  });
});

function trial(number: number, state: FrozenTrial['state'], values: number[] | null, extra: Partial<FrozenTrial> = {}): FrozenTrial {
  return {
    trialId: number + 1,
    number,
    state,
    values,
    datetimeStart: null,
    datetimeComplete: null,
    params: {},
    distributions: {},
    userAttrs: {},
    systemAttrs: {},
    intermediateValues: new Map(),
    ...extra,
  };
}

describe('below/above split', () => {
  it('ranks feasible complete trials, then pruned by step and value, then infeasible by violation; running go above', () => {
    const trials = [
      trial(0, 'COMPLETE', [5]),
      trial(1, 'COMPLETE', [1], { systemAttrs: { constraints: [2] } }),
      trial(2, 'COMPLETE', [3]),
      trial(3, 'PRUNED', null, { intermediateValues: new Map([[0, 9], [4, 7]]) }),
      trial(4, 'PRUNED', null, { intermediateValues: new Map([[2, 0.5]]) }),
      trial(5, 'COMPLETE', [0], { systemAttrs: { constraints: [0.5, -1] } }),
      trial(6, 'RUNNING', null),
    ];
    const numbers = (k: number) => splitTrials(trials, k, ['minimize']).below.map((t) => t.number);
    expect(numbers(1)).toEqual([2]);
    expect(numbers(2)).toEqual([0, 2]);
    expect(numbers(3)).toEqual([0, 2, 3]); // the pruned trial that got further first
    expect(numbers(4)).toEqual([0, 2, 3, 4]);
    expect(numbers(5)).toEqual([0, 2, 3, 4, 5]); // the smaller violation first
    const { above } = splitTrials(trials, 5, ['minimize']);
    expect(above.map((t) => t.number)).toEqual([1, 6]);
    expect(splitTrials(trials, 2, ['maximize']).below.map((t) => t.number)).toEqual([0, 2]);
  });

  it('splits several objectives by non-domination rank', () => {
    const trials = [trial(0, 'COMPLETE', [1, 5]), trial(1, 'COMPLETE', [2, 2]), trial(2, 'COMPLETE', [3, 3]), trial(3, 'COMPLETE', [5, 1]), trial(4, 'COMPLETE', [4, 4])];
    expect(splitTrials(trials, 3, ['minimize', 'minimize']).below.map((t) => t.number)).toEqual([0, 1, 3]);
    expect(splitTrials(trials, 4, ['minimize', 'minimize']).below.map((t) => t.number)).toEqual([0, 1, 2, 3]);
  });
});
