import { describe, expect, it } from 'vitest';
import {
  categoricalDistribution,
  checkCompatible,
  containsInternal,
  distributionFromJson,
  distributionToJson,
  enumerateValues,
  floatDistribution,
  intDistribution,
  ordinalDistribution,
  toExternal,
  toInternal,
} from '../../src/distributions.js';
import { UsageError } from '../../src/errors.js';

describe('distribution validation', () => {
  it('rejects low > high with the invariant in the message', () => {
    expect(() => floatDistribution(3, 1, {}, 'x')).toThrow(/`low <= high` must hold, but got \(low=3, high=1\)/);
    expect(() => intDistribution(5, 2)).toThrow(UsageError);
  });

  it('rejects log with low <= 0', () => {
    expect(() => floatDistribution(0, 1, { log: true }, 'lr')).toThrow(/parameter 'lr'.*low > 0/);
    expect(() => intDistribution(0, 10, { log: true })).toThrow(/low >= 1/);
  });

  it('rejects a step that does not fit the range, and suggests a fix', () => {
    expect(() => floatDistribution(0, 1, { step: 0.3 }, 'x')).toThrow(/step 0.3 does not divide the range \[0, 1\]: use high=0.9/);
    expect(() => intDistribution(0, 10, { step: 3 })).toThrow(/does not divide/);
    expect(() => floatDistribution(0, 1, { step: 0 })).toThrow(/step > 0/);
    expect(floatDistribution(0.05, 0.25, { step: 0.05 }).step).toBe(0.05);
  });

  it('rejects step together with log', () => {
    expect(() => floatDistribution(1, 10, { log: true, step: 1 })).toThrow(/log distribution cannot have a step/);
    expect(() => intDistribution(1, 10, { log: true, step: 2 })).toThrow(/cannot have a step/);
  });

  it('rejects empty, duplicate or non-primitive choices', () => {
    expect(() => categoricalDistribution([], 'c')).toThrow(/non-empty/);
    expect(() => categoricalDistribution(['a', 'a'])).toThrow(/distinct/);
    expect(() => categoricalDistribution([{} as unknown as string])).toThrow(/strings, numbers, booleans or null/);
    expect(categoricalDistribution(['a', 1, true, null]).choices).toEqual(['a', 1, true, null]);
  });

  it('requires ordinal values to be strictly increasing numbers', () => {
    expect(() => ordinalDistribution([40, 60, 60])).toThrow(/strictly increasing/);
    expect(() => ordinalDistribution([])).toThrow(/non-empty/);
    expect(ordinalDistribution([40, 60, 90, 120]).values).toEqual([40, 60, 90, 120]);
  });
});

describe('internal representation', () => {
  it('uses the index for categorical and ordinal, the value for numbers', () => {
    const c = categoricalDistribution(['x', 'y', null]);
    expect(toInternal(c, null)).toBe(2);
    expect(toExternal(c, 1)).toBe('y');
    const o = ordinalDistribution([40, 60, 90]);
    expect(toInternal(o, 90)).toBe(2);
    expect(toExternal(o, 0)).toBe(40);
    expect(() => toInternal(o, 50, 'w')).toThrow(/50 is not one of the values/);
    expect(toInternal(intDistribution(1, 5), 3)).toBe(3);
  });

  it('knows which internal values a distribution contains', () => {
    expect(containsInternal(floatDistribution(0, 1, { step: 0.25 }), 0.5)).toBe(true);
    expect(containsInternal(floatDistribution(0, 1, { step: 0.25 }), 0.3)).toBe(false);
    expect(containsInternal(intDistribution(0, 10, { step: 2 }), 3)).toBe(false);
    expect(containsInternal(categoricalDistribution(['a', 'b']), 2)).toBe(false);
  });

  it('enumerates finite distributions exactly, continuous floats not at all', () => {
    expect(enumerateValues(floatDistribution(0, 0.2, { step: 0.05 }))).toEqual([0, 0.05, 0.1, 0.15, 0.2]);
    expect(enumerateValues(intDistribution(1, 7, { step: 3 }))).toEqual([1, 4, 7]);
    expect(() => enumerateValues(floatDistribution(0, 1), 'x')).toThrow(/give it a `step`/);
  });
});

describe('Optuna JSON form', () => {
  it('writes the attributes Optuna writes', () => {
    expect(distributionToJson(floatDistribution(0, 1, { log: false }))).toEqual({
      name: 'FloatDistribution',
      attributes: { step: null, low: 0, high: 1, log: false },
    });
    expect(distributionToJson(intDistribution(1, 64, { log: true }))).toEqual({
      name: 'IntDistribution',
      attributes: { log: true, step: 1, low: 1, high: 64 },
    });
  });

  it('round-trips every kind, ordinals as an ordered categorical', () => {
    for (const d of [
      floatDistribution(1e-3, 10, { log: true }),
      floatDistribution(0, 1, { step: 0.1 }),
      intDistribution(0, 20, { step: 2 }),
      categoricalDistribution(['a', 1, false, null]),
      ordinalDistribution([40, 60, 90]),
    ]) {
      expect(distributionFromJson(JSON.stringify(distributionToJson(d)))).toEqual(d);
    }
    expect(distributionToJson(ordinalDistribution([1, 2])).name).toBe('CategoricalDistribution');
  });

  it('reads the legacy class names', () => {
    expect(distributionFromJson({ name: 'LogUniformDistribution', attributes: { low: 1, high: 2 } })).toEqual(floatDistribution(1, 2, { log: true }));
    expect(distributionFromJson({ name: 'DiscreteUniformDistribution', attributes: { low: 0, high: 1, q: 0.5 } }).type).toBe('float');
  });
});

describe('compatibility within a study', () => {
  it('allows a changed range but not a changed kind, log flag or choice list', () => {
    expect(() => checkCompatible('x', floatDistribution(0, 1), floatDistribution(0, 2))).not.toThrow();
    expect(() => checkCompatible('x', floatDistribution(0, 1), intDistribution(0, 1))).toThrow(/two different distributions/);
    expect(() => checkCompatible('x', floatDistribution(1, 2), floatDistribution(1, 2, { log: true }))).toThrow(/two different/);
    expect(() => checkCompatible('c', categoricalDistribution(['a']), categoricalDistribution(['a', 'b']))).toThrow(/choices/);
  });
});
