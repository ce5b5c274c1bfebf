/**
 * Test functions for high-dimensional spaces (20-D, 50-D), from the standard suites
 * (Surjanovic & Bingham's Virtual Library of Simulation Experiments; Jamil & Yang 2013, "A
 * literature survey of benchmark functions for global optimization problems"), on their usual
 * domains. The public functions stop at 10-D; these show how each sampler scales with the
 * dimension: a separable multimodal one (Levy), a product-coupled one with many shallow minima
 * (Griewank), and a unimodal one whose variables all interact (Zakharov).
 */
import { type TestFunction, box, defineTestFunction, vector } from './test-function.js';

/** Levy's w_i = 1 + (x_i - 1) / 4 (Laguna & Martí 2005, as the Virtual Library states it). */
function levyW(x: number): number {
  return 1 + (x - 1) / 4;
}

export function levy(dim: number): TestFunction {
  return defineTestFunction({
    name: `levy${dim}`,
    description: `Levy ${dim}-D on [-10, 10]^${dim}, optimum 0 at x = 1, many local minima along each axis`,
    optimum: 0,
    space: box(dim, -10, 10),
    evaluate: (p) => {
      const x = vector(p, dim);
      const w1 = levyW(x[0]);
      const wd = levyW(x[dim - 1]);
      let s = Math.sin(Math.PI * w1) ** 2;
      for (let i = 0; i < dim - 1; i++) {
        const w = levyW(x[i]);
        s += (w - 1) ** 2 * (1 + 10 * Math.sin(Math.PI * w + 1) ** 2);
      }
      return s + (wd - 1) ** 2 * (1 + Math.sin(2 * Math.PI * wd) ** 2);
    },
  });
}

export function griewank(dim: number): TestFunction {
  return defineTestFunction({
    name: `griewank${dim}`,
    description: `Griewank ${dim}-D on [-600, 600]^${dim}, optimum 0 at x = 0, a bowl with a product of cosines coupling the axes`,
    optimum: 0,
    space: box(dim, -600, 600),
    evaluate: (p) => {
      const x = vector(p, dim);
      let sum = 0;
      let prod = 1;
      for (let i = 0; i < dim; i++) {
        sum += x[i] * x[i];
        prod *= Math.cos(x[i] / Math.sqrt(i + 1));
      }
      return sum / 4000 - prod + 1;
    },
  });
}

export function zakharov(dim: number): TestFunction {
  return defineTestFunction({
    name: `zakharov${dim}`,
    description: `Zakharov ${dim}-D on [-5, 10]^${dim}, optimum 0 at x = 0, unimodal with every pair of variables interacting`,
    optimum: 0,
    space: box(dim, -5, 10),
    evaluate: (p) => {
      const x = vector(p, dim);
      let sq = 0;
      let lin = 0;
      for (let i = 0; i < dim; i++) {
        sq += x[i] * x[i];
        lin += 0.5 * (i + 1) * x[i];
      }
      return sq + lin * lin + lin ** 4;
    },
  });
}
