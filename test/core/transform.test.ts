import { describe, expect, it } from 'vitest';
import type { SearchSpace } from '../../src/distributions.js';
import { Rng } from '../../src/rng.js';
import { SearchSpaceTransform } from '../../src/transform.js';
import { sampleUniform } from '../../src/sampling.js';

const SPACE: SearchSpace = {
  f: { type: 'float', low: -5, high: 5, log: false, step: null },
  lf: { type: 'float', low: 1e-3, high: 10, log: true, step: null },
  sf: { type: 'float', low: 0, high: 0.2, log: false, step: 0.05 },
  i: { type: 'int', low: 0, high: 20, log: false, step: 2 },
  li: { type: 'int', low: 1, high: 64, log: true, step: 1 },
  c: { type: 'categorical', choices: ['a', 'b', 'c'] },
  o: { type: 'ordinal', values: [40, 60, 90, 120] },
};

describe('SearchSpaceTransform', () => {
  it('round-trips random points of every kind (encode then decode is the identity)', () => {
    for (const categorical of ['onehot', 'index'] as const) {
      const t = new SearchSpaceTransform(SPACE, { categorical });
      const rng = new Rng(7);
      for (let n = 0; n < 500; n++) {
        const p = Object.fromEntries(Object.entries(SPACE).map(([k, d]) => [k, sampleUniform(rng, d)]));
        const back = t.decode(t.encode(p));
        for (const k of Object.keys(SPACE)) {
          if (k === 'f' || k === 'lf') expect(back[k]).toBeCloseTo(p[k] as number, 9);
          else expect(back[k]).toEqual(p[k]);
        }
      }
    }
  });

  it('keeps normalised coordinates in [0, 1] and decodes any point of the box to valid values', () => {
    const t = new SearchSpaceTransform(SPACE);
    expect(t.dim).toBe(6 + 3); // one-hot categorical takes three columns
    const rng = new Rng(3);
    for (let n = 0; n < 500; n++) {
      const x = Array.from({ length: t.dim }, () => rng.random());
      const p = t.decode(x);
      expect(p.sf === 0 || p.sf === 0.05 || p.sf === 0.1 || p.sf === 0.15 || p.sf === 0.2).toBe(true);
      expect(Number.isInteger(p.i) && (p.i as number) % 2 === 0).toBe(true);
      expect([40, 60, 90, 120]).toContain(p.o);
      expect(p.lf as number).toBeGreaterThanOrEqual(1e-3);
      const e = t.encode(p);
      for (const v of e) expect(v >= -1e-12 && v <= 1 + 1e-12).toBe(true);
    }
  });

  it('gives every step value an equal share of the box', () => {
    const t = new SearchSpaceTransform({ o: SPACE.o }, { categorical: 'index' });
    const counts = new Map<number, number>();
    for (let k = 0; k < 1000; k++) {
      const v = t.decode([(k + 0.5) / 1000]).o as number;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect([...counts.values()]).toEqual([250, 250, 250, 250]);
  });

  it('can leave categoricals out for an independent sampler', () => {
    const t = new SearchSpaceTransform(SPACE, { categorical: 'exclude' });
    expect(t.names).not.toContain('c');
    expect(t.dim).toBe(6);
  });
});
