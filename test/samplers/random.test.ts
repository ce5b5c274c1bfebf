import { describe, expect, it } from 'vitest';
import type { Distribution } from '../../src/distributions.js';
import { Rng } from '../../src/rng.js';
import { createStudy } from '../../src/study.js';
import { RandomSampler } from '../../samplers/random.js';
import { sampleUniform } from '../../src/sampling.js';

/** Pearson chi-square statistic of observed counts against equal expected counts. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}

describe('RandomSampler', () => {
  it('draws uniform floats (chi-square over 10 bins below the 99.9% point, 27.88)', () => {
    const rng = new Rng(11);
    const d: Distribution = { type: 'float', low: -2, high: 3, log: false, step: null };
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 20000; i++) {
      const v = sampleUniform(rng, d) as number;
      expect(v >= -2 && v < 3).toBe(true);
      counts[Math.floor((v + 2) / 0.5)]++;
    }
    expect(chiSquare(counts)).toBeLessThan(27.88);
  });

  it('draws log floats uniformly in log space', () => {
    const rng = new Rng(12);
    const d: Distribution = { type: 'float', low: 1e-3, high: 10, log: true, step: null };
    const counts = new Array(4).fill(0); // decades 1e-3..1e-2..1e-1..1..10
    for (let i = 0; i < 8000; i++) counts[Math.min(3, Math.floor(Math.log10(sampleUniform(rng, d) as number) + 3))]++;
    expect(chiSquare(counts)).toBeLessThan(16.27); // 3 degrees of freedom, 99.9%
  });

  it('draws every int, step and ordinal value, equally often', () => {
    const rng = new Rng(13);
    const cases: [Distribution, number[]][] = [
      [{ type: 'int', low: 0, high: 20, log: false, step: 5 }, [0, 5, 10, 15, 20]],
      [{ type: 'float', low: 0.05, high: 0.25, log: false, step: 0.05 }, [0.05, 0.1, 0.15, 0.2, 0.25]],
      [{ type: 'ordinal', values: [40, 60, 90, 120] }, [40, 60, 90, 120]],
    ];
    for (const [d, values] of cases) {
      const counts = new Map<number, number>();
      for (let i = 0; i < 5000; i++) {
        const v = sampleUniform(rng, d) as number;
        counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      expect([...counts.keys()].sort((a, b) => a - b)).toEqual(values);
      expect(chiSquare([...counts.values()])).toBeLessThan(18.47); // <= 4 dof, 99.9%
    }
  });

  it('keeps log ints inside the range and covers both ends', () => {
    const rng = new Rng(14);
    const d: Distribution = { type: 'int', low: 1, high: 64, log: true, step: 1 };
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) seen.add(sampleUniform(rng, d) as number);
    expect(Math.min(...seen)).toBe(1);
    expect(Math.max(...seen)).toBe(64);
  });

  it('draws categorical choices of every type', () => {
    const rng = new Rng(15);
    const seen = new Set();
    for (let i = 0; i < 200; i++) seen.add(sampleUniform(rng, { type: 'categorical', choices: ['a', 1, true, null] }));
    expect(seen).toEqual(new Set(['a', 1, true, null]));
  });

  it('gives the same parameters for the same seed, other parameters for another seed', async () => {
    const run = async (seed: number) => {
      const study = createStudy({ sampler: new RandomSampler({ seed }) });
      await study.optimize((t) => t.suggestFloat('x', 0, 1) + t.suggestInt('n', 0, 9) + (t.suggestCategorical('c', ['a', 'b']) === 'a' ? 0 : 1), { nTrials: 20 });
      return study.trials.map((t) => t.params);
    };
    expect(await run(5)).toEqual(await run(5));
    expect(await run(5)).not.toEqual(await run(6));
  });
});

describe('RandomSampler across runs', () => {
  it('does not repeat the first run when a seeded study is resumed', async () => {
    const { InMemoryStorage } = await import('../../src/storage/in-memory.js');
    const storage = new InMemoryStorage();
    const run = async () => {
      const study = createStudy({ studyName: 's', storage, loadIfExists: true, sampler: new RandomSampler({ seed: 9 }) });
      await study.optimize((t) => t.suggestFloat('x', 0, 1), { nTrials: 5 });
      return study;
    };
    await run();
    const study = await run();
    const xs = study.trials.map((t) => t.params.x);
    expect(new Set(xs).size).toBe(10);
  });

  it('gives a trial the same parameters whatever order trials are asked in', () => {
    const a = createStudy({ sampler: new RandomSampler({ seed: 4 }) });
    const b = createStudy({ sampler: new RandomSampler({ seed: 4 }) });
    const ta = [a.ask(), a.ask(), a.ask()];
    const tb = [b.ask(), b.ask(), b.ask()];
    const va = ta.map((t) => t.suggestFloat('x', 0, 1));
    const vb = [tb[2], tb[0], tb[1]].map((t) => t.suggestFloat('x', 0, 1));
    expect(va).toEqual([vb[1], vb[2], vb[0]]);
  });
});
