import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { centeredL2Discrepancy } from '../../samplers/qmc/discrepancy.js';
import { HaltonSequence } from '../../samplers/qmc/halton.js';
import { SOBOL_MAX_DIM, SobolSequence } from '../../samplers/qmc/sobol.js';

// Reference values: SciPy 1.17.1, `scipy.stats.qmc.Sobol(d, scramble=False)` / `qmc.Halton(d,
// scramble=False)`, `.fast_forward(i)` then `.random(1)`, printed with Python's repr.
describe('Sobol sequence', () => {
  it('matches SciPy unscrambled first points', () => {
    const s = new SobolSequence(5);
    const expected = [
      [0.0, 0.0, 0.0, 0.0, 0.0],
      [0.5, 0.5, 0.5, 0.5, 0.5],
      [0.75, 0.25, 0.25, 0.25, 0.75],
      [0.25, 0.75, 0.75, 0.75, 0.25],
      [0.375, 0.375, 0.625, 0.875, 0.375],
      [0.875, 0.875, 0.125, 0.375, 0.875],
      [0.625, 0.125, 0.875, 0.625, 0.625],
      [0.125, 0.625, 0.375, 0.125, 0.125],
    ];
    expect(s.sample(8).map((p) => [...p])).toEqual(expected);
  });

  it('matches SciPy far into the sequence and in high dimensions', () => {
    const s = new SobolSequence(200);
    const dims = [0, 1, 2, 3, 9, 63, 64, 199];
    const at1000 = s.point(1000);
    expect(dims.map((d) => at1000[d])).toEqual([
      0.2197265625, 0.0966796875, 0.5185546875, 0.6767578125, 0.0693359375, 0.4462890625, 0.1298828125, 0.8427734375,
    ]);
    const at123457 = s.point(123457);
    expect(dims.map((d) => at123457[d])).toEqual([
      0.5264968872070312, 0.6827468872070312, 0.8072586059570312, 0.9503097534179688, 0.7490615844726562,
      0.45214080810546875, 0.5003433227539062, 0.18445587158203125,
    ]);
    const last = new SobolSequence(SOBOL_MAX_DIM);
    expect(Array.from({ length: 8 }, (_, i) => last.point(i + 8)[SOBOL_MAX_DIM - 1])).toEqual([
      0.0625, 0.5625, 0.8125, 0.3125, 0.9375, 0.4375, 0.1875, 0.6875,
    ]);
  });

  it('has SciPy centered L2 discrepancy on 32 points in 3-D', () => {
    expect(centeredL2Discrepancy(new SobolSequence(3).sample(32))).toBeCloseTo(0.0021201514906281638, 12);
  });

  it('scrambles reproducibly, stays in [0, 1) and beats random points on discrepancy', () => {
    const a = new SobolSequence(6, { scramble: true, seed: 7 }).sample(256);
    const b = new SobolSequence(6, { scramble: true, seed: 7 }).sample(256);
    const c = new SobolSequence(6, { scramble: true, seed: 8 }).sample(256);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const p of a) for (const x of p) expect(x >= 0 && x < 1).toBe(true);
    // Each coordinate of 256 = 2^8 points of a scrambled (t, s)-net hits every 1/256 cell once.
    for (let j = 0; j < 6; j++) {
      const cells = new Set(a.map((p) => Math.floor(p[j] * 256)));
      expect(cells.size).toBe(256);
    }
    const rng = new Rng(1);
    const random = Array.from({ length: 256 }, () => Float64Array.from({ length: 6 }, () => rng.random()));
    expect(centeredL2Discrepancy(a)).toBeLessThan(centeredL2Discrepancy(random) / 3);
  });

  it('random access equals the running sequence', () => {
    const s = new SobolSequence(4, { scramble: true, seed: 3 });
    const run = s.sample(20);
    expect(s.point(17)).toEqual(run[17]);
  });
});

describe('Halton sequence', () => {
  it('matches SciPy unscrambled first points', () => {
    const h = new HaltonSequence(4);
    const expected = [
      [0.0, 0.0, 0.0, 0.0],
      [0.5, 0.3333333333333333, 0.2, 0.14285714285714285],
      [0.25, 0.6666666666666666, 0.4, 0.2857142857142857],
      [0.75, 0.1111111111111111, 0.6000000000000001, 0.42857142857142855],
      [0.125, 0.4444444444444444, 0.8, 0.5714285714285714],
      [0.625, 0.7777777777777777, 0.04, 0.7142857142857142],
    ];
    const got = h.sample(6);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 4; j++) expect(got[i][j]).toBeCloseTo(expected[i][j], 14);
  });

  it('scrambles reproducibly and beats random points on discrepancy', () => {
    const a = new HaltonSequence(5, { scramble: true, seed: 11 }).sample(300);
    expect(a).toEqual(new HaltonSequence(5, { scramble: true, seed: 11 }).sample(300));
    for (const p of a) for (const x of p) expect(x >= 0 && x < 1).toBe(true);
    const rng = new Rng(2);
    const random = Array.from({ length: 300 }, () => Float64Array.from({ length: 5 }, () => rng.random()));
    expect(centeredL2Discrepancy(a)).toBeLessThan(centeredL2Discrepancy(random) / 2);
  });
});
