/**
 * Optuna's default split size ("gamma") and observation weights for the TPE.
 */

/** How many of `n` observations form the "below" (good) group: min(⌈0.1 n⌉, 25) (Optuna's `default_gamma`). */
export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/**
 * The split size for several objectives: ⌈0.1 n⌉ without the cap of 25 (Optuna 5's
 * `default_gamma_multiobjective`): a front keeps growing with the trials, and a capped below
 * group would model an ever smaller share of it.
 */
export function defaultGammaMultiObjective(n: number): number {
  return Math.ceil(0.1 * n);
}

/** hyperopt's split size: min(⌈0.25 √n⌉, 25) (Optuna's `hyperopt_default_gamma`). */
export function hyperoptDefaultGamma(n: number): number {
  return Math.min(Math.ceil(0.25 * Math.sqrt(n)), 25);
}

/**
 * Weights of `n` observations in trial order (Optuna's `default_weights`): all 1 up to 25;
 * beyond, the 25 newest keep weight 1 and the older ones ramp linearly from 1/n up to 1, so
 * that old observations fade (Watanabe 2023, Sec. 3.3).
 */
export function defaultWeights(n: number, out?: Float64Array): Float64Array {
  const w = out ?? new Float64Array(n);
  if (n < 25) return w.fill(1);
  const nRamp = n - 25;
  // numpy.linspace(1/n, 1, num=nRamp)
  for (let i = 0; i < nRamp; i++) w[i] = nRamp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (nRamp - 1);
  w.fill(1, nRamp);
  return w;
}
