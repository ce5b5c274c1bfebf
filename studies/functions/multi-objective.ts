/**
 * Multi-objective test problems (all objectives minimised) with known Pareto fronts, for the NSGA,
 * MO-TPE and random benchmark (scripts/bench-multi-objective.ts). The single-objective catalogue
 * (index.ts) returns one number per point, so these live in their own list.
 *
 * ZDT (Zitzler, Deb & Thiele 2000, "Comparison of multiobjective evolutionary algorithms:
 * empirical results", Evolutionary Computation 8(2)) with n = 10 variables, as the Optuna
 * reference runs (../shared/reference/optuna-mo-results.md); DTLZ (Deb, Thiele, Laumanns & Zitzler
 * 2005, "Scalable test problems for evolutionary multiobjective optimization") with M = 3
 * objectives and k = 5 distance variables (n = 7), as the reference's DTLZ2. Each problem has
 * a reference point for its hypervolume and, where it is known in closed form, the optimal
 * hypervolume there.
 */
import type { ParamValue, SearchSpace } from '../../src/distributions.js';
import { UsageError } from '../../src/errors.js';
import { type Trial, suggestFrom } from '../../src/trial.js';
import { box, vector } from './test-function.js';

export interface MultiObjectiveProblem {
  readonly name: string;
  /** One line: the front's shape and what makes it hard. */
  readonly description: string;
  readonly nObjectives: number;
  /** The search space, in suggestion order. */
  readonly space: SearchSpace;
  /** The hypervolume reference point used in the benchmark. */
  readonly referencePoint: readonly number[];
  /** The Pareto front's hypervolume at referencePoint, when known analytically; else null. */
  readonly optimalHypervolume: number | null;
  evaluate(params: Readonly<Record<string, ParamValue>>): number[];
  /** The define-by-run objective: suggests every parameter of `space`, then evaluates. */
  objective(trial: Trial): number[];
}

function defineProblem(def: Omit<MultiObjectiveProblem, 'objective'>): MultiObjectiveProblem {
  return {
    ...def,
    objective(trial: Trial): number[] {
      const params: Record<string, ParamValue> = {};
      for (const [name, d] of Object.entries(def.space)) params[name] = suggestFrom(trial, name, d);
      return def.evaluate(params);
    },
  };
}

const N_ZDT = 10;
/** ZDT's wide reference point: f1 <= 1 and f2 <= g <= 10 on ZDT1/2, so every point there counts (the reference's `hypervolume_wide`). */
const ZDT_REFERENCE = [1.1, 10];

/** g = 1 + 9 * mean(x2..xn) (ZDT1-3). */
function zdtG(x: readonly number[]): number {
  let s = 0;
  for (let i = 1; i < x.length; i++) s += x[i];
  return 1 + (9 * s) / (x.length - 1);
}

export function zdt1(): MultiObjectiveProblem {
  return defineProblem({
    name: 'zdt1',
    description: 'ZDT1: convex front f2 = 1 - sqrt(f1)',
    nObjectives: 2,
    space: box(N_ZDT, 0, 1),
    referencePoint: ZDT_REFERENCE,
    // 1.1 * 10 - int_0^1 (1 - sqrt t) dt
    optimalHypervolume: 11 - 1 / 3,
    evaluate: (p) => {
      const x = vector(p, N_ZDT);
      const g = zdtG(x);
      return [x[0], g * (1 - Math.sqrt(x[0] / g))];
    },
  });
}

export function zdt2(): MultiObjectiveProblem {
  return defineProblem({
    name: 'zdt2',
    description: 'ZDT2: concave front f2 = 1 - f1^2',
    nObjectives: 2,
    space: box(N_ZDT, 0, 1),
    referencePoint: ZDT_REFERENCE,
    optimalHypervolume: 11 - 2 / 3,
    evaluate: (p) => {
      const x = vector(p, N_ZDT);
      const g = zdtG(x);
      return [x[0], g * (1 - (x[0] / g) ** 2)];
    },
  });
}

export function zdt3(): MultiObjectiveProblem {
  return defineProblem({
    name: 'zdt3',
    description: 'ZDT3: a front of five disconnected pieces',
    nObjectives: 2,
    space: box(N_ZDT, 0, 1),
    referencePoint: ZDT_REFERENCE,
    optimalHypervolume: null,
    evaluate: (p) => {
      const x = vector(p, N_ZDT);
      const g = zdtG(x);
      const r = x[0] / g;
      return [x[0], g * (1 - Math.sqrt(r) - r * Math.sin(10 * Math.PI * x[0]))];
    },
  });
}

export function zdt4(): MultiObjectiveProblem {
  const space: SearchSpace = { x0: { type: 'float', low: 0, high: 1, log: false, step: null } };
  for (let i = 1; i < N_ZDT; i++) space[`x${i}`] = { type: 'float', low: -5, high: 5, log: false, step: null };
  return defineProblem({
    name: 'zdt4',
    description: 'ZDT4: the ZDT1 front behind 21^9 local fronts (Rastrigin g)',
    nObjectives: 2,
    space,
    // g is about 166 for a random point (and up to 406): at [1.1, 10] no run of a few hundred
    // trials scores, so the reference is wide enough to rank the searches.
    referencePoint: [1.1, 250],
    optimalHypervolume: 1.1 * 250 - 1 / 3,
    evaluate: (p) => {
      const x = vector(p, N_ZDT);
      let g = 1 + 10 * (N_ZDT - 1);
      for (let i = 1; i < N_ZDT; i++) g += x[i] * x[i] - 10 * Math.cos(4 * Math.PI * x[i]);
      return [x[0], g * (1 - Math.sqrt(x[0] / g))];
    },
  });
}

export function zdt6(): MultiObjectiveProblem {
  return defineProblem({
    name: 'zdt6',
    description: 'ZDT6: concave front, points thin near f1 = 1 and g biased away from it',
    nObjectives: 2,
    space: box(N_ZDT, 0, 1),
    referencePoint: ZDT_REFERENCE,
    optimalHypervolume: null,
    evaluate: (p) => {
      const x = vector(p, N_ZDT);
      const f1 = 1 - Math.exp(-4 * x[0]) * Math.sin(6 * Math.PI * x[0]) ** 6;
      let s = 0;
      for (let i = 1; i < N_ZDT; i++) s += x[i];
      const g = 1 + 9 * (s / (N_ZDT - 1)) ** 0.25;
      return [f1, g * (1 - (f1 / g) ** 2)];
    },
  });
}

const M_DTLZ = 3;
const N_DTLZ = 7;

/** DTLZ1/3's multimodal g: 100 (k + sum (x - 0.5)^2 - cos(20 pi (x - 0.5))). */
function rastriginG(x: readonly number[]): number {
  const k = x.length - (M_DTLZ - 1);
  let s = k;
  for (let i = M_DTLZ - 1; i < x.length; i++) s += (x[i] - 0.5) ** 2 - Math.cos(20 * Math.PI * (x[i] - 0.5));
  return 100 * s;
}

/** DTLZ2/4's g: sum (x - 0.5)^2. */
function sphereG(x: readonly number[]): number {
  let s = 0;
  for (let i = M_DTLZ - 1; i < x.length; i++) s += (x[i] - 0.5) ** 2;
  return s;
}

/** The spherical front of DTLZ2-4: angles x1^alpha, x2^alpha times pi/2, radius 1 + g. */
function sphericalObjectives(x: readonly number[], g: number, alpha: number): number[] {
  const a = (x[0] ** alpha * Math.PI) / 2;
  const b = (x[1] ** alpha * Math.PI) / 2;
  return [(1 + g) * Math.cos(a) * Math.cos(b), (1 + g) * Math.cos(a) * Math.sin(b), (1 + g) * Math.sin(a)];
}

/** 1.1^3 - pi/6: the unit-sphere octant's complement in the reference box. */
const SPHERE_OPTIMUM = 1.1 ** 3 - Math.PI / 6;

export function dtlz1(): MultiObjectiveProblem {
  return defineProblem({
    name: 'dtlz1',
    description: 'DTLZ1: linear front f1 + f2 + f3 = 0.5 behind 11^5 - 1 local fronts',
    nObjectives: 3,
    space: box(N_DTLZ, 0, 1),
    // g is about 540 for a random point: a reference near the front scores 0 for every run of a
    // few hundred trials, so a wide one that ranks them.
    referencePoint: [400, 400, 400],
    // The box minus the corner below the plane f1 + f2 + f3 = 0.5 (volume 0.5^3 / 6).
    optimalHypervolume: 400 ** 3 - 0.125 / 6,
    evaluate: (p) => {
      const x = vector(p, N_DTLZ);
      const g = rastriginG(x);
      return [0.5 * x[0] * x[1] * (1 + g), 0.5 * x[0] * (1 - x[1]) * (1 + g), 0.5 * (1 - x[0]) * (1 + g)];
    },
  });
}

export function dtlz2(): MultiObjectiveProblem {
  return defineProblem({
    name: 'dtlz2',
    description: 'DTLZ2: the unit-sphere octant',
    nObjectives: 3,
    space: box(N_DTLZ, 0, 1),
    referencePoint: [1.1, 1.1, 1.1],
    optimalHypervolume: SPHERE_OPTIMUM,
    evaluate: (p) => {
      const x = vector(p, N_DTLZ);
      return sphericalObjectives(x, sphereG(x), 1);
    },
  });
}

export function dtlz3(): MultiObjectiveProblem {
  return defineProblem({
    name: 'dtlz3',
    description: "DTLZ3: DTLZ2's sphere behind DTLZ1's multimodal g",
    nObjectives: 3,
    space: box(N_DTLZ, 0, 1),
    // As DTLZ1: a wide reference (f reaches 1 + g, about 540 for a random point).
    referencePoint: [800, 800, 800],
    optimalHypervolume: 800 ** 3 - Math.PI / 6,
    evaluate: (p) => {
      const x = vector(p, N_DTLZ);
      return sphericalObjectives(x, rastriginG(x), 1);
    },
  });
}

export function dtlz4(): MultiObjectiveProblem {
  return defineProblem({
    name: 'dtlz4',
    description: 'DTLZ4: the sphere with angles x^100, so points crowd onto its edges',
    nObjectives: 3,
    space: box(N_DTLZ, 0, 1),
    referencePoint: [1.1, 1.1, 1.1],
    optimalHypervolume: SPHERE_OPTIMUM,
    evaluate: (p) => {
      const x = vector(p, N_DTLZ);
      return sphericalObjectives(x, sphereG(x), 100);
    },
  });
}

const MODE_OFFSET: Record<string, number> = { trend: 0, revert: 0.3, breakout: 0.6 };

/**
 * A mixed space of the kind traders tune, with ZDT1's front: a log-scaled float (`threshold`,
 * 0.1..10) sets f1 by its position on the log scale; a log-scaled int (`lookback`, 5..200 bars),
 * an int (`steps`, 0..20) and a categorical (`mode`) make g, which is 1 only at lookback 40,
 * steps 7 and mode 'trend'; f2 = g (1 - sqrt(f1 / g)). The front is f2 = 1 - sqrt(f1), and g is at
 * most 1 + 1 + 1.69 + 0.6, so the reference point [1.1, 5] counts every point.
 */
export function mixedTwoObjective(): MultiObjectiveProblem {
  return defineProblem({
    name: 'mixed2',
    description: 'mixed space (log float, log int, int, categorical) with a ZDT1 front',
    nObjectives: 2,
    space: {
      threshold: { type: 'float', low: 0.1, high: 10, log: true, step: null },
      lookback: { type: 'int', low: 5, high: 200, log: true, step: 1 },
      steps: { type: 'int', low: 0, high: 20, log: false, step: 1 },
      mode: { type: 'categorical', choices: ['trend', 'revert', 'breakout'] },
    },
    referencePoint: [1.1, 5],
    optimalHypervolume: 5.5 - 1 / 3,
    evaluate: (p) => {
      const f1 = (Math.log(p.threshold as number) - Math.log(0.1)) / (Math.log(10) - Math.log(0.1));
      const h = (Math.log2(p.lookback as number) - Math.log2(40)) ** 2 / Math.log2(40) ** 2;
      const g = 1 + Math.min(1, h) + ((p.steps as number) - 7) ** 2 / 100 + MODE_OFFSET[p.mode as string];
      return [f1, g * (1 - Math.sqrt(Math.max(0, f1) / g))];
    },
  });
}

const PROBLEMS: Record<string, () => MultiObjectiveProblem> = { zdt1, zdt2, zdt3, zdt4, zdt6, dtlz1, dtlz2, dtlz3, dtlz4, mixed2: mixedTwoObjective };

export function multiObjectiveProblemNames(): string[] {
  return Object.keys(PROBLEMS);
}

/** The problem named `name` (e.g. 'zdt1', 'dtlz2', 'mixed2'). */
export function getMultiObjectiveProblem(name: string): MultiObjectiveProblem {
  const make = PROBLEMS[name.toLowerCase()];
  if (!make) throw new UsageError(`unknown multi-objective problem '${name}': choose one of ${multiObjectiveProblemNames().join(', ')}`);
  return make();
}
