/**
 * Mutation of the NSGA samplers' numeric parameters. Optuna's (and our default, 'uniform') leaves
 * a mutated parameter to the independent random sampler: a uniform draw over its whole range.
 * 'polynomial' is the original NSGA-II's operator (Deb & Goyal 1996; the bounded form of
 * Deb & Deb 2014, "Analysing mutation schemes for real-parameter genetic algorithms", eqs. 4-5, as
 * in Deb's NSGA-II code): a draw around the parent's value whose spread shrinks as the
 * distribution index eta grows, cut at the box so the child stays in it.
 */
import { UsageError } from '../../src/errors.js';
import type { Rng } from '../../src/rng.js';

export const MUTATION_NAMES = ['uniform', 'polynomial'] as const;
export type MutationName = (typeof MUTATION_NAMES)[number];

/** Deb's default distribution index for polynomial mutation. */
export const POLYNOMIAL_MUTATION_ETA = 20;

/** One coordinate `y` in [lower, upper] mutated polynomially with index `eta`. */
export function polynomialMutation(y: number, lower: number, upper: number, rng: Rng, eta = POLYNOMIAL_MUTATION_ETA): number {
  const range = upper - lower;
  if (!(range > 0)) return y;
  const delta1 = (y - lower) / range;
  const delta2 = (upper - y) / range;
  const power = 1 / (eta + 1);
  const r = rng.random();
  let deltaQ: number;
  if (r < 0.5) {
    const v = 2 * r + (1 - 2 * r) * (1 - delta1) ** (eta + 1);
    deltaQ = v ** power - 1;
  } else {
    const v = 2 * (1 - r) + 2 * (r - 0.5) * (1 - delta2) ** (eta + 1);
    deltaQ = 1 - v ** power;
  }
  return Math.min(upper, Math.max(lower, y + deltaQ * range));
}

export function checkMutationName(name: string): MutationName {
  if (!(MUTATION_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`NSGA sampler option 'mutation' must be one of ${MUTATION_NAMES.join(', ')}, but got ${JSON.stringify(name)}`);
  }
  return name as MutationName;
}
