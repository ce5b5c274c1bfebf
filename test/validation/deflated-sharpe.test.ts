/**
 * The probabilistic and deflated Sharpe ratios (src/validation/deflated-sharpe.ts), the moments
 * they take (sharpe-ratio.ts) and the normal distribution under them (normal-distribution.ts).
 * Every expectation is computed here from first principles: Φ by Simpson's rule on the normal
 * density, Φ⁻¹ by bisection on that Φ, moments from raw power sums, and the published formulas
 * written out again, so that no expectation comes from the code under test.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { Rng } from '../../src/rng.js';
import {
  averagePairwiseCorrelation,
  deflatedSharpeRatio,
  effectiveNumberOfTrials,
  expectedMaxSharpe,
  probabilisticSharpeRatio,
} from '../../src/validation/deflated-sharpe.js';
import { ndtr as normalCdf, ndtri as normalQuantile } from '../../src/normal-distribution.js';
import { kurtosis, returnMoments, sharpeRatio, skewness } from '../../src/validation/sharpe-ratio.js';

const density = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

/** Φ(x) = 1/2 ± ∫_0^|x| φ, by composite Simpson's rule with steps of at most 1e-3 (error below 1e-13). */
function referenceCdf(x: number): number {
  const b = Math.abs(x);
  if (b === 0) return 0.5;
  const steps = 2 * Math.ceil(b / 2e-3);
  const h = b / steps;
  let sum = density(0) + density(b);
  for (let i = 1; i < steps; i++) sum += (i % 2 === 1 ? 4 : 2) * density(i * h);
  const integral = (sum * h) / 3;
  return x > 0 ? 0.5 + integral : 0.5 - integral;
}

/** Φ⁻¹(p) by bisection on referenceCdf. */
function referenceQuantile(p: number): number {
  let low = -12;
  let high = 12;
  for (let i = 0; i < 200 && high - low > 1e-15; i++) {
    const mid = 0.5 * (low + high);
    if (referenceCdf(mid) < p) low = mid;
    else high = mid;
  }
  return 0.5 * (low + high);
}

const EULER_GAMMA = 0.57721566490153286; // Euler-Mascheroni constant

/** Bailey and López de Prado (2012): PSR = Φ((SR - SR*)√(n-1) / √(1 - γ3 SR + (γ4-1)/4 SR²)). */
function referencePsr(sr: number, benchmark: number, n: number, g3: number, g4: number): number {
  return referenceCdf(((sr - benchmark) * Math.sqrt(n - 1)) / Math.sqrt(1 - g3 * sr + ((g4 - 1) / 4) * sr * sr));
}

/** Bailey and López de Prado (2014): SR0 = √V ((1-γ) Φ⁻¹(1 - 1/N) + γ Φ⁻¹(1 - 1/(N e))). */
function referenceSr0(variance: number, n: number): number {
  return Math.sqrt(variance) * ((1 - EULER_GAMMA) * referenceQuantile(1 - 1 / n) + EULER_GAMMA * referenceQuantile(1 - 1 / (n * Math.E)));
}

/** Mean, sample variance and the plain moment skewness and kurtosis from the raw power sums Σx^k. */
function rawMoments(xs: readonly number[]): { sharpe: number; skew: number; kurt: number } {
  const n = xs.length;
  const [s1, s2, s3, s4] = [1, 2, 3, 4].map((k) => xs.reduce((a, x) => a + x ** k, 0) / n);
  const mu = s1;
  const m2 = s2 - mu * mu;
  const m3 = s3 - 3 * mu * s2 + 2 * mu ** 3;
  const m4 = s4 - 4 * mu * s3 + 6 * mu * mu * s2 - 3 * mu ** 4;
  const sampleVariance = (m2 * n) / (n - 1);
  return { sharpe: mu / Math.sqrt(sampleVariance), skew: m3 / m2 ** 1.5, kurt: m4 / (m2 * m2) };
}

describe('the standard normal distribution', () => {
  it('Φ agrees with Simpson integration of the density to 1e-13, and stays accurate in the lower tail', () => {
    for (let x = -7; x <= 7; x += 0.25) expect(Math.abs(normalCdf(x) - referenceCdf(x))).toBeLessThan(1e-13);
    // Far tail: Φ(-x) ~ φ(x)/x (1 - 1/x² + 3/x⁴ - 15/x⁶ + 105/x⁸), relative error ~ 945/x¹⁰.
    for (const x of [20, 30]) {
      const w = 1 / (x * x);
      const asymptotic = (density(x) / x) * (1 - w * (1 - w * (3 - w * (15 - w * 105))));
      expect(Math.abs(normalCdf(-x) / asymptotic - 1)).toBeLessThan(1e-10);
    }
  });

  it('Φ⁻¹ inverts the reference Φ to 1e-10, keeps its relative accuracy in the far tail, and maps 0 and 1 to ∓Infinity', () => {
    // The reference Φ has an absolute error near 1e-16, so its bisection is good to about
    // 1e-16/φ(x): enough down to p = 1e-6; beyond, the round trip through Φ checks the tail.
    for (const p of [1e-6, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999, 1 - 1e-6]) {
      expect(Math.abs(normalQuantile(p) - referenceQuantile(p))).toBeLessThan(1e-10);
    }
    for (const p of [1e-9, 1e-20, 1e-100]) expect(Math.abs(normalCdf(normalQuantile(p)) / p - 1)).toBeLessThan(1e-12);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(1.5)).toBeNaN();
  });
});

describe('Sharpe ratio, skewness and kurtosis of a return series', () => {
  it('match the moments computed from raw power sums', () => {
    const rng = new Rng(3);
    // A skewed, fat-tailed series: mostly small gains, rare large losses.
    const xs = Array.from({ length: 500 }, () => (rng.random() < 0.05 ? -0.05 * (1 + rng.random()) : 0.004 + 0.01 * rng.normal()));
    const expected = rawMoments(xs);
    const got = returnMoments(xs);
    expect(got.sharpe).toBeCloseTo(expected.sharpe, 12);
    expect(got.skewness).toBeCloseTo(expected.skew, 9);
    expect(got.kurtosis).toBeCloseTo(expected.kurt, 9);
    expect(sharpeRatio(xs)).toBeCloseTo(expected.sharpe, 12);
    expect(skewness(xs)).toBe(got.skewness);
    expect(kurtosis(xs)).toBe(got.kurtosis);
    expect(got.skewness).toBeLessThan(-1);
    expect(got.kurtosis).toBeGreaterThan(3);
  });

  it('a hand example: ±1 alternating has skewness 0 and kurtosis 1; [1, 2, 3, 4] has Sharpe 2.5/√(5/3)', () => {
    expect(skewness([-1, 1, -1, 1])).toBe(0);
    expect(kurtosis([-1, 1, -1, 1])).toBe(1);
    expect(sharpeRatio([1, 2, 3, 4])).toBeCloseTo(2.5 / Math.sqrt(5 / 3), 14);
  });

  it('a flat series has Sharpe 0 (or ±Infinity with a non-zero mean), and fewer than 2 periods is a usage error', () => {
    expect(sharpeRatio([0, 0, 0])).toBe(0);
    expect(sharpeRatio([0.001, 0.001, 0.001])).toBe(Infinity);
    expect(sharpeRatio([-0.1, -0.1])).toBe(-Infinity);
    expect(() => sharpeRatio([1])).toThrow(UsageError);
  });
});

describe('probabilistic Sharpe ratio (Bailey and López de Prado 2012)', () => {
  const fixtures: [number, number, number, number, number][] = [
    // sr, benchmark, n, skewness, kurtosis
    [0.1, 0, 252, 0, 3],
    [0.1, 0.05, 252, -0.8, 6.5],
    [0.05, 0.1, 1000, 0.4, 4],
    [0.3, 0.12, 60, -2.2, 12],
    [-0.02, 0, 500, 1.1, 3.3],
  ];
  it('equals Φ((SR - SR*)√(n-1)/√(1 - γ3 SR + (γ4-1)/4 SR²)) to 1e-9', () => {
    for (const [sr, bench, n, g3, g4] of fixtures) {
      expect(Math.abs(probabilisticSharpeRatio(sr, bench, n, g3, g4) - referencePsr(sr, bench, n, g3, g4))).toBeLessThan(1e-9);
    }
  });

  it('is 1/2 at the benchmark and falls with negative skewness and fat tails', () => {
    expect(probabilisticSharpeRatio(0.1, 0.1, 100, -1, 8)).toBe(0.5);
    const normal = probabilisticSharpeRatio(0.1, 0, 252, 0, 3);
    expect(probabilisticSharpeRatio(0.1, 0, 252, -1, 3)).toBeLessThan(normal);
    expect(probabilisticSharpeRatio(0.1, 0, 252, 0, 10)).toBeLessThan(normal);
  });

  it('an impossible kurtosis (an excess kurtosis passed as the plain one) or too few periods is a usage error', () => {
    expect(() => probabilisticSharpeRatio(3, 0, 100, 0, 0)).toThrow(/kurtosis.*not the excess kurtosis/);
    expect(() => probabilisticSharpeRatio(0.1, 0, 1, 0, 3)).toThrow(UsageError);
    expect(() => probabilisticSharpeRatio(Number.NaN, 0, 100, 0, 3)).toThrow(UsageError);
  });
});

describe('expected maximum Sharpe ratio and the deflated Sharpe ratio (Bailey and López de Prado 2014)', () => {
  it('SR0 equals √V((1-γ)Φ⁻¹(1 - 1/N) + γΦ⁻¹(1 - 1/(Ne))) to 1e-9', () => {
    for (const [v, n] of [
      [0.002, 100],
      [1, 10],
      [0.0004, 2],
      [0.01, 1e4],
      [0.003, 37.5],
    ]) {
      expect(Math.abs(expectedMaxSharpe(v, n) - referenceSr0(v, n))).toBeLessThan(1e-9);
    }
  });

  it('SR0 approximates the exact expected maximum of N standard normals, ∫ x N φ(x) Φ(x)^(N-1) dx, within 3%', () => {
    for (const n of [10, 100, 1000]) {
      // Φ accumulated along the grid by Simpson's rule on each step, from Φ(-10) ≈ 8e-24 ≈ 0.
      const h = 1e-3;
      let cdf = 0;
      let exact = 0;
      for (let i = 0; i < 20_000; i++) {
        const x = -10 + i * h;
        exact += x * n * density(x) * cdf ** (n - 1) * h;
        cdf += (h / 6) * (density(x) + 4 * density(x + h / 2) + density(x + h));
      }
      expect(Math.abs(expectedMaxSharpe(1, n) / exact - 1)).toBeLessThan(0.03);
    }
  });

  it('one trial means no selection: SR0 = 0 and the DSR is the PSR against 0; SR0 grows with N', () => {
    expect(expectedMaxSharpe(0.5, 1)).toBe(0);
    const d = deflatedSharpeRatio({ sharpe: 0.08, sharpeVariance: 0.002, nTrials: 1, nObservations: 250, skewness: -0.5, kurtosis: 5 });
    expect(d.sr0).toBe(0);
    expect(d.dsr).toBe(d.psr);
    let previous = 0;
    for (const n of [2, 5, 10, 100, 1000, 1e5]) {
      const sr0 = expectedMaxSharpe(1, n);
      expect(sr0).toBeGreaterThan(previous);
      previous = sr0;
    }
  });

  it('DSR = PSR(SR0) with its pieces, to 1e-9 of the formulas written out', () => {
    const fixtures = [
      { sharpe: 0.12, sharpeVariance: 0.0015, nTrials: 50, nObservations: 750, skewness: -0.4, kurtosis: 5.5 },
      { sharpe: 0.05, sharpeVariance: 0.004, nTrials: 500, nObservations: 250, skewness: 0.2, kurtosis: 3.1 },
      { sharpe: 0.2, sharpeVariance: 0.0008, nTrials: 12.3, nObservations: 2000, skewness: -1.5, kurtosis: 9 },
    ];
    for (const f of fixtures) {
      const sr0 = referenceSr0(f.sharpeVariance, f.nTrials);
      const d = deflatedSharpeRatio(f);
      expect(Math.abs(d.sr0 - sr0)).toBeLessThan(1e-9);
      expect(Math.abs(d.dsr - referencePsr(f.sharpe, sr0, f.nObservations, f.skewness, f.kurtosis))).toBeLessThan(1e-9);
      expect(Math.abs(d.psr - referencePsr(f.sharpe, 0, f.nObservations, f.skewness, f.kurtosis))).toBeLessThan(1e-9);
      expect(d.dsr).toBeCloseTo(normalCdf(d.zScore), 15);
    }
  });

  it("the paper's numerical example: annualized SR 2.5 after N = 100 trials with annualized V = 1/2, T = 1250 days, γ3 = -3, γ4 = 10 gives SR0 ≈ 0.1132 per day and DSR ≈ 0.9004", () => {
    const days = 250;
    const d = deflatedSharpeRatio({ sharpe: 2.5 / Math.sqrt(days), sharpeVariance: 0.5 / days, nTrials: 100, nObservations: 1250, skewness: -3, kurtosis: 10 });
    expect(Math.abs(d.sr0 - 0.1132)).toBeLessThan(5e-5);
    expect(Math.abs(d.dsr - 0.9004)).toBeLessThan(5e-5);
    expect(d.psr).toBeGreaterThan(0.9999);
  });

  it('bad inputs are usage errors that name the input', () => {
    expect(() => expectedMaxSharpe(-1, 10)).toThrow(/Sharpe variance/);
    expect(() => expectedMaxSharpe(1, 0.5)).toThrow(/number of trials/);
    expect(() => deflatedSharpeRatio({ sharpe: 0.1, sharpeVariance: 0.001, nTrials: 10, nObservations: 1, skewness: 0, kurtosis: 3 })).toThrow(
      /number of observations/,
    );
  });
});

describe('effective number of independent trials', () => {
  it('N̂ = ρ̄ + (1 - ρ̄)M: M for uncorrelated trials, 1 for identical ones, linear between; ρ̄ < 0 counts as 0', () => {
    expect(effectiveNumberOfTrials(11, 0)).toBe(11);
    expect(effectiveNumberOfTrials(11, 1)).toBe(1);
    expect(effectiveNumberOfTrials(11, 0.5)).toBe(6);
    expect(effectiveNumberOfTrials(11, -0.05)).toBe(11);
    expect(() => effectiveNumberOfTrials(0, 0.2)).toThrow(UsageError);
    expect(() => effectiveNumberOfTrials(10, 1.2)).toThrow(/average correlation/);
  });

  it('the average pairwise correlation equals the mean of the Pearson correlations over all pairs; flat trials are left out', () => {
    const rng = new Rng(11);
    const periods = 120;
    const trials = 6;
    const market = Array.from({ length: periods }, () => rng.normal());
    const matrix = market.map((m) => Array.from({ length: trials }, (_, n) => (n === 5 ? 0 : (n / 5) * m + rng.normal())));
    const column = (n: number): number[] => matrix.map((row) => row[n]);
    const pearson = (a: number[], b: number[]): number => {
      const ma = a.reduce((s, x) => s + x, 0) / a.length;
      const mb = b.reduce((s, x) => s + x, 0) / b.length;
      let ab = 0;
      let aa = 0;
      let bb = 0;
      for (let i = 0; i < a.length; i++) {
        ab += (a[i] - ma) * (b[i] - mb);
        aa += (a[i] - ma) ** 2;
        bb += (b[i] - mb) ** 2;
      }
      return ab / Math.sqrt(aa * bb);
    };
    let sum = 0;
    let pairs = 0;
    for (let i = 0; i < 5; i++) {
      for (let j = i + 1; j < 5; j++) {
        sum += pearson(column(i), column(j));
        pairs++;
      }
    }
    expect(averagePairwiseCorrelation(matrix)).toBeCloseTo(sum / pairs, 12);
    // Scaled copies of one series are perfectly correlated: one effective trial.
    const copies = market.map((m) => [m, 2 * m, 0.5 * m + 1]);
    expect(averagePairwiseCorrelation(copies)).toBeCloseTo(1, 12);
    expect(effectiveNumberOfTrials(3, averagePairwiseCorrelation(copies))).toBeCloseTo(1, 10);
    expect(() => averagePairwiseCorrelation(market.map((m) => [m, 0]))).toThrow(/2 trials whose returns vary/);
  });
});
