import { describe, expect, it } from 'vitest';
import { binFeatures } from '../../src/importance/feature-bins.js';
import { Rng } from '../../src/rng.js';

describe('feature binning', () => {
  it('gives each distinct value its own bin when there are few, in ascending order', () => {
    const col = Float64Array.of(40, 90, 60, 40, 120, 90);
    const b = binFeatures([col], [{ kind: 'numeric' }], 256);
    expect(b.binCount[0]).toBe(4);
    expect(Array.from(b.binLow)).toEqual([40, 60, 90, 120]);
    expect(Array.from(b.binHigh)).toEqual([40, 60, 90, 120]);
    expect(Array.from(b.rows)).toEqual([0, 2, 1, 0, 3, 2]);
    expect(b.rows).toBeInstanceOf(Uint8Array);
  });

  it('treats values closer than 1e-7 as one value', () => {
    const b = binFeatures([Float64Array.of(1, 1 + 5e-8, 2, 1 - 5e-8)], [{ kind: 'numeric' }], 256);
    expect(b.binCount[0]).toBe(2);
    expect(Array.from(b.rows)).toEqual([0, 0, 1, 0]);
    expect(b.binLow[0]).toBe(1 - 5e-8);
    expect(b.binHigh[0]).toBe(1 + 5e-8);
  });

  it('cuts many distinct values at quantiles: at most maxBins bins of about n/maxBins samples, in order, ties together', () => {
    const rng = new Rng(3);
    const n = 5000;
    // Half the samples share one value (0.5): it takes one bin, and the others still spread.
    const col = Float64Array.from({ length: n }, (_, i) => (i % 2 ? 0.5 : rng.random()));
    const b = binFeatures([col], [{ kind: 'numeric' }], 64);
    const k = b.binCount[0];
    expect(k).toBeLessThanOrEqual(64);
    expect(k).toBeGreaterThan(32);
    for (let j = 0; j < k; j++) expect(b.binLow[j]).toBeLessThanOrEqual(b.binHigh[j]);
    for (let j = 1; j < k; j++) expect(b.binLow[j]).toBeGreaterThan(b.binHigh[j - 1]);
    const sizes = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) {
      const j = b.rows[i];
      expect(col[i]).toBeGreaterThanOrEqual(b.binLow[j]);
      expect(col[i]).toBeLessThanOrEqual(b.binHigh[j]);
      sizes[j]++;
    }
    // The shared value's bin holds all its samples (and perhaps a few neighbours that rank with it).
    const half = b.rows[1];
    for (let i = 1; i < n; i += 2) expect(b.rows[i]).toBe(half);
    expect(sizes[half]).toBeLessThan(n / 2 + (2.5 * n) / 64);
    // Apart from the shared value's bin, no bin holds more than about twice its share.
    expect(Math.max(...sizes.filter((_, j) => j !== half))).toBeLessThan((2.5 * n) / 64);
  });

  it('bins categories as themselves, wider rows when a feature has more than 256 bins, and refuses bad values', () => {
    const b = binFeatures([Float64Array.of(2, 0, 1), Float64Array.of(0.1, 0.2, 0.3)], [{ kind: 'categorical', categories: 3 }, { kind: 'numeric' }], 256);
    expect(Array.from(b.binOffset)).toEqual([0, 3]);
    expect(Array.from(b.rows)).toEqual([2, 0, 0, 1, 1, 2]);
    const wide = binFeatures([Float64Array.from({ length: 300 }, (_, i) => i)], [{ kind: 'numeric' }], 1000);
    expect(wide.rows).toBeInstanceOf(Uint16Array);
    expect(wide.binCount[0]).toBe(300);
    expect(() => binFeatures([Float64Array.of(0, 3)], [{ kind: 'categorical', categories: 3 }], 256)).toThrow(/sample 1 has 3/);
    expect(() => binFeatures([Float64Array.of(0, Number.NaN)], [{ kind: 'numeric' }], 256)).toThrow(/NaN/);
  });
});
