import { describe, expect, it } from 'vitest';
import { getTestFunction, testFunctionNames } from '../../studies/functions/index.js';

// Known minimisers from the literature (Surjanovic & Bingham's Virtual Library of Simulation
// Experiments) and, for `mixed`, from its definition in the Optuna reference results.
const MINIMISERS: Record<string, Record<string, number | string>> = {
  branin: { x0: Math.PI, x1: 2.275 },
  hartmann6: { x0: 0.20169, x1: 0.150011, x2: 0.476874, x3: 0.275332, x4: 0.311652, x5: 0.6573 },
  rosenbrock10: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`x${i}`, 1])),
  sphere10: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`x${i}`, 0])),
  ellipsoid10: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`x${i}`, 0])),
  ackley5: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`x${i}`, 0])),
  rastrigin8: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`x${i}`, 0])),
  styblinski_tang8: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`x${i}`, -2.903534])),
  mixed: { x0: 1.5, x1: -0.5, x2: 1, n0: 7, n1: 16, cat: 'c' },
};

describe('test functions', () => {
  for (const [name, x] of Object.entries(MINIMISERS)) {
    it(`${name} takes its known optimum at its known minimiser`, () => {
      const fn = getTestFunction(name);
      expect(fn.evaluate(x)).toBeCloseTo(fn.optimum, 4);
      // and every parameter of the minimiser lies in the declared space
      expect(Object.keys(fn.space).sort()).toEqual(Object.keys(x).sort());
    });
  }

  it('is worse than the optimum away from the minimiser', () => {
    for (const name of Object.keys(MINIMISERS)) {
      const fn = getTestFunction(name);
      const p = Object.fromEntries(Object.entries(fn.space).map(([k, d]) => [k, d.type === 'categorical' ? d.choices[0] : d.type === 'ordinal' ? d.values[0] : d.low]));
      expect(fn.evaluate(p)).toBeGreaterThan(fn.optimum + 1e-3);
    }
  });

  it('accepts dimensions as a suffix and rejects unknown names with the list', () => {
    expect(getTestFunction('styblinski-tang4').optimum).toBeCloseTo(-39.16617 * 4, 3);
    expect(Object.keys(getTestFunction('rosenbrock3').space)).toEqual(['x0', 'x1', 'x2']);
    expect(() => getTestFunction('rosenbrock')).toThrow(/needs a dimension, e.g. 'rosenbrock10'/);
    expect(() => getTestFunction('banana')).toThrow(/unknown objective 'banana'/);
    expect(testFunctionNames()).toContain('branin');
  });
});
