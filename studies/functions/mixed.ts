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
