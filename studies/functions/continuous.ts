/**
 * Standard continuous test functions, with the search spaces of the Optuna reference runs
 * (../shared/reference/optuna-results.md) so that our figures compare with Optuna's.
 */
import { type TestFunction, box, defineTestFunction, vector } from './test-function.js';

export function branin(): TestFunction {
  const b = 5.1 / (4 * Math.PI * Math.PI);
  const c = 5 / Math.PI;
  const t = 1 / (8 * Math.PI);
  return defineTestFunction({
    name: 'branin',
    description: 'Branin-Hoo, 2-D, three global minima',
    optimum: 0.397887357729738,
    space: {
      x0: { type: 'float', low: -5, high: 10, log: false, step: null },
      x1: { type: 'float', low: 0, high: 15, log: false, step: null },
    },
    evaluate: (p) => {
      const x1 = p.x0 as number;
      const x2 = p.x1 as number;
      return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
    },
  });
}

const HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2];
const HARTMANN_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const HARTMANN_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((row) => row.map((v) => v * 1e-4));

export function hartmann6(): TestFunction {
  return defineTestFunction({
    name: 'hartmann6',
    description: 'Hartmann 6-D on [0, 1]^6, six local minima',
    optimum: -3.32236801141551,
    space: box(6, 0, 1),
    evaluate: (p) => {
      const x = vector(p, 6);
      let sum = 0;
      for (let i = 0; i < 4; i++) {
        let inner = 0;
        for (let j = 0; j < 6; j++) inner += HARTMANN_A[i][j] * (x[j] - HARTMANN_P[i][j]) ** 2;
        sum += HARTMANN_ALPHA[i] * Math.exp(-inner);
      }
      return -sum;
    },
  });
}

export function rosenbrock(dim: number): TestFunction {
  return defineTestFunction({
    name: `rosenbrock${dim}`,
    description: `Rosenbrock ${dim}-D on [-5, 10]^${dim}, a curved narrow valley`,
    optimum: 0,
    space: box(dim, -5, 10),
    evaluate: (p) => {
      const x = vector(p, dim);
      let s = 0;
      for (let i = 0; i < dim - 1; i++) s += 100 * (x[i + 1] - x[i] * x[i]) ** 2 + (1 - x[i]) ** 2;
      return s;
    },
  });
}

export function sphere(dim: number): TestFunction {
  return defineTestFunction({
    name: `sphere${dim}`,
    description: `sphere ${dim}-D on [-5, 5]^${dim}, the easiest convex function`,
    optimum: 0,
    space: box(dim, -5, 5),
    evaluate: (p) => vector(p, dim).reduce((s, v) => s + v * v, 0),
  });
}

export function ellipsoid(dim: number): TestFunction {
  return defineTestFunction({
    name: `ellipsoid${dim}`,
    description: `ellipsoid ${dim}-D on [-5, 5]^${dim}, axis scales 1 to 1000 (condition 1e6)`,
    optimum: 0,
    space: box(dim, -5, 5),
    evaluate: (p) => {
      const x = vector(p, dim);
      let s = 0;
      for (let i = 0; i < dim; i++) s += (1000 ** (dim > 1 ? i / (dim - 1) : 0) * x[i]) ** 2;
      return s;
    },
  });
}

export function ackley(dim: number): TestFunction {
  return defineTestFunction({
    name: `ackley${dim}`,
    description: `Ackley ${dim}-D on [-32.768, 32.768]^${dim}, a needle in a bumpy plateau`,
    optimum: 0,
    space: box(dim, -32.768, 32.768),
    evaluate: (p) => {
      const x = vector(p, dim);
      let sq = 0;
      let cs = 0;
      for (const v of x) {
        sq += v * v;
        cs += Math.cos(2 * Math.PI * v);
      }
      return -20 * Math.exp(-0.2 * Math.sqrt(sq / dim)) - Math.exp(cs / dim) + 20 + Math.E;
    },
  });
}

export function rastrigin(dim: number): TestFunction {
  return defineTestFunction({
    name: `rastrigin${dim}`,
    description: `Rastrigin ${dim}-D on [-5.12, 5.12]^${dim}, a regular grid of local minima`,
    optimum: 0,
    space: box(dim, -5.12, 5.12),
    evaluate: (p) => vector(p, dim).reduce((s, v) => s + v * v - 10 * Math.cos(2 * Math.PI * v), 10 * dim),
  });
}

export function styblinskiTang(dim: number): TestFunction {
  return defineTestFunction({
    name: `styblinski_tang${dim}`,
    description: `Styblinski-Tang ${dim}-D on [-5, 5]^${dim}, separable with a deceptive local minimum per axis`,
    optimum: -39.16616570377142 * dim,
    space: box(dim, -5, 5),
    evaluate: (p) => 0.5 * vector(p, dim).reduce((s, v) => s + v ** 4 - 16 * v * v + 5 * v, 0),
  });
}
