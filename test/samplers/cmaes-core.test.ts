import { describe, expect, it } from 'vitest';
import { evalsToTarget } from '../../scripts/lib/sampler-bench.js';
import { CMA } from '../../samplers/cmaes/cma.js';
import { CMAwM } from '../../samplers/cmaes/cma-with-margin.js';
import { ndtr as normCdf, ndtri as normPpf } from '../../src/normal-distribution.js';
import { chi2Ppf1 } from '../../samplers/cmaes/normal.js';
import { SepCMA } from '../../samplers/cmaes/sep-cma.js';

const sphere = (x: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] ** 2;
  return s;
};
const ellipsoid = (x: ArrayLike<number>): number => {
  let s = 0;
  const n = x.length;
  for (let i = 0; i < n; i++) s += 1e6 ** (i / (n - 1)) * x[i] ** 2;
  return s;
};
const rosenbrock = (x: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < x.length - 1; i++) s += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2;
  return s;
};


describe('normal distribution helpers', () => {
  // Values from SciPy 1.17.1: scipy.stats.norm.cdf / norm.ppf / chi2.ppf(q, df=1).
  it('match SciPy', () => {
    const xs = [-5, -1.3, -0.2, 0, 0.3, 2.5, 6];
    const cdf = [2.866515718791933e-7, 0.09680048458561036, 0.42074029056089696, 0.5, 0.6179114221889526, 0.9937903346742238, 0.9999999990134123];
    xs.forEach((x, i) => expect(normCdf(x)).toBeCloseTo(cdf[i], 14));
    const ps = [1e-10, 0.01, 0.3, 0.5, 0.8, 0.999];
    const ppf = [-6.361340902404056, -2.3263478740408408, -0.5244005127080409, 0, 0.8416212335729143, 3.090232306167813];
    ps.forEach((p, i) => expect(normPpf(p)).toBeCloseTo(ppf[i], 12));
    expect(chi2Ppf1(0.1)).toBeCloseTo(0.01579077409343122, 12);
    expect(chi2Ppf1(0.99)).toBeCloseTo(6.6348966010212145, 11);
  });
});

describe('CMA core', () => {
  it('solves 10-D sphere, ellipsoid and rosenbrock', () => {
    const n = 10;
    const s = evalsToTarget(new CMA({ mean: new Array(n).fill(3), sigma: 2, seed: 1 }), sphere, 1e-8, 5000);
    const e = evalsToTarget(new CMA({ mean: new Array(n).fill(3), sigma: 2, seed: 1 }), ellipsoid, 1e-8, 20000);
    const r = evalsToTarget(new CMA({ mean: new Array(n).fill(0), sigma: 0.5, seed: 0 }), rosenbrock, 1e-6, 30000);
    console.log({ sphere: s, ellipsoid: e, rosenbrock: r });
    expect(s).toBeLessThan(3000);
    expect(e).toBeLessThan(12000);
    expect(r).toBeLessThan(20000);
  });

  it('sep-CMA solves 10-D sphere and ellipsoid; lrAdapt solves sphere', () => {
    const n = 10;
    const s = evalsToTarget(new SepCMA({ mean: new Array(n).fill(3), sigma: 2, seed: 1 }), sphere, 1e-8, 5000);
    const e = evalsToTarget(new SepCMA({ mean: new Array(n).fill(3), sigma: 2, seed: 1 }), ellipsoid, 1e-8, 20000);
    const l = evalsToTarget(new CMA({ mean: new Array(n).fill(3), sigma: 2, seed: 1, lrAdapt: true }), sphere, 1e-8, 20000);
    console.log({ sepSphere: s, sepEllipsoid: e, lrSphere: l });
    expect(s).toBeLessThan(3000);
    expect(e).toBeLessThan(8000);
    expect(l).toBeLessThan(10000);
  });

  it('is reproducible and round-trips its state through JSON', () => {
    const a = new CMA({ mean: [1, 2, 3], sigma: 0.5, seed: 5, lrAdapt: true });
    const b = new CMA({ mean: [1, 2, 3], sigma: 0.5, seed: 5, lrAdapt: true });
    for (let g = 0; g < 5; g++) {
      const xs = Array.from({ length: a.populationSize }, () => a.ask());
      const ys = Array.from({ length: b.populationSize }, () => b.ask());
      expect(xs).toEqual(ys);
      a.tell(xs.map((x) => ({ x, value: sphere(x) })));
      b.tell(ys.map((x) => ({ x, value: sphere(x) })));
    }
    const c = CMA.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    for (let k = 0; k < 3; k++) expect(c.ask()).toEqual(a.ask());
    const xs = Array.from({ length: a.populationSize }, () => a.ask());
    expect(Array.from({ length: c.populationSize }, () => c.ask())).toEqual(xs);
    a.tell(xs.map((x) => ({ x, value: sphere(x) })));
    c.tell(xs.map((x) => ({ x, value: sphere(x) })));
    expect(c.toJSON()).toEqual(a.toJSON());
  });
});

describe('CMA-ES with margin', () => {
  it('gives the same points as plain CMA-ES without discrete coordinates', () => {
    const bounds = { lower: [-5, -5, -5, -5], upper: [5, 5, 5, 5] };
    const plain = new CMA({ mean: [1, 1, 1, 1], sigma: 2, seed: 1, bounds });
    const margin = new CMAwM({ mean: [1, 1, 1, 1], sigma: 2, seed: 1, bounds, steps: [0, 0, 0, 0] });
    for (let g = 0; g < 20; g++) {
      const sols = [];
      for (let k = 0; k < plain.populationSize; k++) {
        const x = plain.ask();
        const raw = margin.ask();
        expect(margin.encode(raw)).toEqual(x);
        expect(raw).toEqual(x);
        sols.push({ x, value: sphere(x) });
      }
      plain.tell(sols);
      margin.tell(sols);
      expect(margin.mean).toEqual(plain.mean);
    }
  });

  it('keeps moving on an integer problem where sigma would collapse', () => {
    // 5 integer coordinates in [-10, 10] plus 5 continuous: minimum 0 at the origin.
    const n = 10;
    const steps = Array.from({ length: n }, (_, i) => (i < 5 ? 1 : 0));
    const bounds = { lower: new Array(n).fill(-10), upper: new Array(n).fill(10) };
    let solved = 0;
    for (let seed = 0; seed < 5; seed++) {
      const wm = new CMAwM({ mean: new Array(n).fill(6), sigma: 3, seed, bounds, steps });
      if (evalsToTarget(wm, (x) => sphere(x), 1e-8, 8000) < Infinity) solved++;
    }
    expect(solved).toBe(5);
  });

  it('round-trips its state through JSON', () => {
    const steps = [1, 0, 0.5];
    const bounds = { lower: [0, -1, 0], upper: [10, 1, 3] };
    const a = new CMAwM({ mean: [5, 0, 1], sigma: 1, seed: 3, bounds, steps });
    for (let g = 0; g < 3; g++) {
      const xs = Array.from({ length: a.populationSize }, () => a.ask());
      a.tell(xs.map((x) => ({ x, value: sphere(a.encode(x)) })));
    }
    const b = CMAwM.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    const x = a.ask();
    expect(b.ask()).toEqual(x);
    expect(b.encode(x)).toEqual(a.encode(x));
  });
});
