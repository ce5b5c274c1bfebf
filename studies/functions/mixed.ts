/**
 * The mixed-type function of the Optuna reference runs (../shared/reference/optuna-results.md):
 * floats, a log float, an int, a log int and a categorical. Optimum 0 at x0=1.5, x1=-0.5, x2=1,
 * n0=7, n1=16, cat='c'.
 */
import { type TestFunction, defineTestFunction } from './test-function.js';

const CATEGORY_OFFSET: Record<string, number> = { a: 1.0, b: 0.5, c: 0.0, d: 2.0 };

export function mixed(): TestFunction {
  return defineTestFunction({
    name: 'mixed',
    description: 'mixed floats, log float, int, log int and a categorical',
    optimum: 0,
    space: {
      x0: { type: 'float', low: -5, high: 5, log: false, step: null },
      x1: { type: 'float', low: -5, high: 5, log: false, step: null },
      x2: { type: 'float', low: 1e-3, high: 10, log: true, step: null },
      n0: { type: 'int', low: 0, high: 20, log: false, step: 1 },
      n1: { type: 'int', low: 1, high: 64, log: true, step: 1 },
      cat: { type: 'categorical', choices: ['a', 'b', 'c', 'd'] },
    },
    evaluate: (p) => {
      const x0 = (p.x0 as number) - 1.5;
      const x1 = (p.x1 as number) + 0.5;
      return (
        x0 * x0 +
        x1 * x1 +
        0.3 * x0 * x1 +
        Math.log10(p.x2 as number) ** 2 +
        ((p.n0 as number) - 7) ** 2 / 10 +
        (Math.log2(p.n1 as number) - 4) ** 2 +
        CATEGORY_OFFSET[p.cat as string]
      );
    },
  });
}

/** The choices of `mixed_numeric`'s numeric categorical; 4 is best, each factor of 2 away costs more. */
const NUMERIC_CHOICES = [1, 2, 4, 8, 16];

/**
 * A mixed space of the kind traders tune: three plain floats, a log-scaled float (a rate), a
 * small integer, an integer with a large range (a window length in bars), and a numeric
 * categorical (choices 1, 2, 4, 8, 16 searched as unordered categories). Optimum 0 at x0=1.2,
 * x1=-0.7, x2=0.5, rate=1e-3, n0=4, n1=137, size=4. One step of n1 away from 137 costs 4e-4, so
 * a sampler that lands near but not on the integer optimum shows it.
 */
export function mixedNumeric(): TestFunction {
  return defineTestFunction({
    name: 'mixed_numeric',
    description: 'three floats, a log float, a small and a large-range int, a numeric categorical',
    optimum: 0,
    space: {
      x0: { type: 'float', low: -5, high: 5, log: false, step: null },
      x1: { type: 'float', low: -5, high: 5, log: false, step: null },
      x2: { type: 'float', low: -3, high: 3, log: false, step: null },
      rate: { type: 'float', low: 1e-5, high: 1, log: true, step: null },
      n0: { type: 'int', low: 1, high: 10, log: false, step: 1 },
      n1: { type: 'int', low: 0, high: 500, log: false, step: 1 },
      size: { type: 'categorical', choices: NUMERIC_CHOICES },
    },
    evaluate: (p) => {
      const x0 = (p.x0 as number) - 1.2;
      const x1 = (p.x1 as number) + 0.7;
      const x2 = (p.x2 as number) - 0.5;
      return (
        x0 * x0 +
        x1 * x1 +
        0.4 * x0 * x1 +
        x2 * x2 +
        0.5 * (Math.log10(p.rate as number) + 3) ** 2 +
        ((p.n0 as number) - 4) ** 2 / 5 +
        (((p.n1 as number) - 137) / 50) ** 2 +
        0.25 * (Math.log2(p.size as number) - 2) ** 2
      );
    },
  });
}
