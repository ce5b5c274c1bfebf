/**
 * The GP's output warping (samplers/gp/output-warping.ts): the Yeo-Johnson transform and its
 * maximum-likelihood exponent against SciPy's, the properties the sampler relies on (monotone,
 * standardised, independent of the objective's offset and unit), and the small-budget gain it
 * was made for (branin at 25 trials, fixed seeds).
 */
import { describe, expect, it } from 'vitest';
import { GPSampler } from '../../samplers/gp/index.js';
import { fitYeoJohnsonLambda, standardise, warpScores, yeoJohnson, yeoJohnsonLogLikelihood } from '../../samplers/gp/output-warping.js';
import { getTestFunction } from '../../studies/functions/index.js';
import { median, runSamplerOnFunction } from '../../scripts/lib/sampler-bench.js';

/** A skewed sample with both signs; the expected figures below are SciPy 1.17's on it. */
const DATA = [0.3, -1.2, 2.5, 0.0, 7.1, -0.4, 1.1, 12.0, -2.2, 0.8];

function skewness(v: ArrayLike<number>): number {
  const z = standardise(v);
  let s = 0;
  for (const x of z) s += x ** 3;
  return s / z.length;
}

describe('Yeo-Johnson transform', () => {
  it('equals scipy.stats.yeojohnson(DATA, 0.5)', () => {
    const expected = [0.280350850198276, -1.5087515562147278, 1.7416573867739416, 0, 3.692099788303083, -0.4376682261785951, 0.8982753492378878, 5.211102550927978, -3.149556014932974, 0.6832815729997477];
    DATA.forEach((y, i) => expect(yeoJohnson(y, 0.5)).toBeCloseTo(expected[i], 12));
  });

  it('is the identity at λ = 1, log1p at λ = 0 (y ≥ 0) and -log1p(-y) at λ = 2 (y < 0), continuous around them', () => {
    for (const y of [-3, -0.5, 0, 0.5, 3]) expect(yeoJohnson(y, 1)).toBeCloseTo(y, 14);
    expect(yeoJohnson(2, 0)).toBeCloseTo(Math.log(3), 14);
    expect(yeoJohnson(-2, 2)).toBeCloseTo(-Math.log(3), 14);
    expect(yeoJohnson(2, 1e-7)).toBeCloseTo(Math.log(3), 6);
    expect(yeoJohnson(-2, 2 - 1e-7)).toBeCloseTo(-Math.log(3), 6);
  });

  it('has the profile log-likelihood and the maximum-likelihood λ of scipy.stats.yeojohnson_llf / yeojohnson_normmax', () => {
    expect(yeoJohnsonLogLikelihood(DATA, 0.5)).toBeCloseTo(-10.856670769324879, 10);
    expect(yeoJohnsonLogLikelihood(DATA, 1)).toBeCloseTo(-14.137751401568778, 10);
    // SciPy's Brent stops at a relative tolerance of about 1.5e-8 in λ.
    expect(fitYeoJohnsonLambda(DATA)).toBeCloseTo(0.373968452662893, 6);
  });
});

describe('warped scores', () => {
  it('keep the order, have mean 0 and standard deviation 1, and make a heavy tail less skewed', () => {
    // Minimising a function with rare very bad values (as branin's corners): scores = -value.
    const scores = [-0.5, -1, -2, -1.5, -3, -250, -0.8, -40, -2.5, -1.2, -120, -0.6];
    const w = warpScores(scores);
    const order = (v: ArrayLike<number>): number[] => Array.from(v, (_, i) => i).sort((a, b) => v[a] - v[b]);
    expect(order(w)).toEqual(order(scores));
    const mean = w.reduce((s, x) => s + x, 0) / w.length;
    const std = Math.sqrt(w.reduce((s, x) => s + (x - mean) ** 2, 0) / w.length);
    expect(mean).toBeCloseTo(0, 12);
    expect(std).toBeCloseTo(1, 12);
    // Skewness -2.19 before, -1.21 after (λ = 4.23: the long lower tail is pulled in).
    expect(Math.abs(skewness(scores))).toBeGreaterThan(2);
    expect(Math.abs(skewness(w))).toBeLessThan(0.6 * Math.abs(skewness(scores)));
  });

  it('do not depend on the objective offset or unit', () => {
    const scores = [0.1, 3.2, 0.4, 0.05, 1.7, 0.2, 0.9, 0.3];
    const a = warpScores(scores);
    const b = warpScores(scores.map((s) => 1000 + 37 * s));
    a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 6));
  });

  it('leave a constant objective at zero', () => {
    expect(Array.from(warpScores([2, 2, 2, 2]))).toEqual([0, 0, 0, 0]);
  });
});

describe('GP sampler with warped scores', () => {
  it('gets close to branin’s optimum within 25 trials (median regret over seeds 0..4 below 0.02; 0.06 when unwarped)', () => {
    const fn = getTestFunction('branin');
    const regrets = [0, 1, 2, 3, 4].map((seed) => runSamplerOnFunction((s) => new GPSampler({ seed: s }), fn, 25, seed).best - fn.optimum);
    expect(median(regrets)).toBeLessThan(0.02);
  });
});
