/**
 * How the TPE models one parameter, and the multivariate bandwidth rule: shared by the joint
 * Parzen estimator and the fast one-dimensional one.
 */
import type { Distribution } from '../../src/distributions.js';

/** Scott's-rule factor of the multivariate bandwidth (Optuna's SIGMA0_MAGNITUDE). */
const SIGMA0_MAGNITUDE = 0.2;

export type ParzenDimKind = 'continuous' | 'discrete' | 'categorical';
export type MultivariateBandwidth = 'scott' | 'optuna';

/** How one parameter is modelled, in internal representation. */
export interface ParzenDim {
  readonly kind: ParzenDimKind;
  /** Kernels live in log space (log floats and log ints). */
  readonly log: boolean;
  /** The range of internal values (the grid's ends for discrete parameters). */
  readonly low: number;
  readonly high: number;
  /** Grid step of discrete parameters (1 for ints and ordinals); 0 otherwise. */
  readonly step: number;
  /** Number of choices of a categorical parameter; 0 otherwise. */
  readonly nChoices: number;
}

/** The Parzen model of a distribution; ordinals are ordered grids over their index. */
export function parzenDim(d: Distribution): ParzenDim {
  switch (d.type) {
    case 'float':
      if (d.step !== null) return { kind: 'discrete', log: false, low: d.low, high: d.high, step: d.step, nChoices: 0 };
      return { kind: 'continuous', log: d.log, low: d.low, high: d.high, step: 0, nChoices: 0 };
    case 'int':
      return { kind: 'discrete', log: d.log, low: d.low, high: d.high, step: d.step, nChoices: 0 };
    case 'ordinal':
      return { kind: 'discrete', log: false, low: 0, high: d.values.length - 1, step: 1, nChoices: 0 };
    case 'categorical':
      return { kind: 'categorical', log: false, low: 0, high: d.choices.length - 1, step: 0, nChoices: d.choices.length };
  }
}

/**
 * The bandwidth of every kernel of a multivariate estimator in one dimension (means in mu[0..n-1]).
 * Optuna uses Scott's rule with 0.2 R standing in for the spread (Watanabe 2023, eq. 13), which
 * keeps kernels a fixed fraction of the range however concentrated the good trials are; Scott's
 * rule proper (Scott 1992, eq. 6.42) scales with the observations' standard deviation σ̂. With
 * 'scott' the bandwidth is the smaller of the two: it narrows as the below group contracts, which
 * is what lets joint kernels follow a curved valley (rosenbrock) or interacting parameters.
 */
export function multivariateSigma(mu: ArrayLike<number>, n: number, nDims: number, range: number, rule: MultivariateBandwidth): number {
  const shrink = Math.max(n, 1) ** (-1 / (nDims + 4));
  const optuna = SIGMA0_MAGNITUDE * shrink * range;
  if (rule === 'optuna' || n < 2) return optuna;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += mu[i];
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (mu[i] - mean) * (mu[i] - mean);
  return Math.min(optuna, Math.sqrt(v / n) * shrink);
}
