/**
 * The scores the GP is fitted to. Optuna standardises the objective values; we also warp them
 * with the Yeo-Johnson power transform (Yeo & Johnson 2000, "A new family
 * of power transformations to improve normality or symmetry", Biometrika 87(4)), with its
 * exponent λ fitted by maximum likelihood, applied to the standardised scores before the GP sees
 * them, as HEBO does (Cowen-Rivers et al. 2022, "HEBO: Pushing the limits of sample-efficient
 * hyper-parameter optimisation", JAIR 74, section 4.1: output warping was among its most useful
 * components).
 *
 * Why: objectives are rarely Gaussian. Most points of a test function or a backtest are
 * mediocre and a few are far better (hartmann6's wells) or far worse (branin's corners, 300 times
 * its optimum); standardising alone leaves that tail in the data, the GP's stationary kernel
 * then needs short length scales to fit it, and its prior mean (the average) sits away from the
 * bulk, so expected improvement wastes trials on the box's corners. A monotone transform keeps
 * the ranking, hence the incumbent, and makes the scores closer to normal.
 *
 *   ψ(λ, y) = ((y + 1)^λ - 1) / λ              y ≥ 0, λ ≠ 0      (log(1 + y) at λ = 0)
 *           = -((1 - y)^(2-λ) - 1) / (2 - λ)    y < 0, λ ≠ 2      (-log(1 - y) at λ = 2)
 *
 * λ maximises the profile log-likelihood of a normal fit to ψ(λ, y) (Yeo & Johnson 2000, section 3):
 *
 *   ℓ(λ) = -n/2 log σ̂²(λ) + (λ - 1) Σ sign(yᵢ) log(1 + |yᵢ|)
 *
 * with σ̂² the variance of the transformed values. The input is standardised first, so the
 * result does not depend on the objective's offset or unit (ψ itself is not shift-invariant),
 * and the output is standardised again for the GP.
 */

/** The search range of λ: wider than the exponents seen in practice (HEBO's data: about -1..3). */
const LAMBDA_LOW = -3;
const LAMBDA_HIGH = 5;
/** Golden-section steps: the bracket shrinks to 8 × 0.618^60 ≈ 2e-12. */
const LAMBDA_STEPS = 60;

/** ψ(λ, y), the Yeo-Johnson transform of one value. */
export function yeoJohnson(y: number, lambda: number): number {
  if (y >= 0) return Math.abs(lambda) < 1e-12 ? Math.log1p(y) : ((y + 1) ** lambda - 1) / lambda;
  return Math.abs(lambda - 2) < 1e-12 ? -Math.log1p(-y) : -((1 - y) ** (2 - lambda) - 1) / (2 - lambda);
}

/** ℓ(λ): the profile log-likelihood of the transformed values (constants dropped). */
export function yeoJohnsonLogLikelihood(v: ArrayLike<number>, lambda: number): number {
  const n = v.length;
  let mean = 0;
  let logJacobian = 0;
  for (let i = 0; i < n; i++) {
    mean += yeoJohnson(v[i], lambda);
    logJacobian += Math.sign(v[i]) * Math.log1p(Math.abs(v[i]));
  }
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (yeoJohnson(v[i], lambda) - mean) ** 2;
  return -0.5 * n * Math.log(Math.max(variance / n, 1e-300)) + (lambda - 1) * logJacobian;
}

/** The λ of largest ℓ(λ) in [LAMBDA_LOW, LAMBDA_HIGH], by golden-section search (Kiefer 1953). */
export function fitYeoJohnsonLambda(v: ArrayLike<number>): number {
  const ratio = (Math.sqrt(5) - 1) / 2;
  let a = LAMBDA_LOW;
  let b = LAMBDA_HIGH;
  let c = b - ratio * (b - a);
  let d = a + ratio * (b - a);
  let fc = yeoJohnsonLogLikelihood(v, c);
  let fd = yeoJohnsonLogLikelihood(v, d);
  for (let step = 0; step < LAMBDA_STEPS; step++) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - ratio * (b - a);
      fc = yeoJohnsonLogLikelihood(v, c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + ratio * (b - a);
      fd = yeoJohnsonLogLikelihood(v, d);
    }
  }
  return (a + b) / 2;
}

/** (v - mean) / max(std, 1e-10), as Optuna's `_standardize_values`. */
export function standardise(v: ArrayLike<number>): Float64Array {
  const n = v.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += v[i];
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (v[i] - mean) ** 2;
  const std = Math.max(Math.sqrt(variance / n), 1e-10);
  return Float64Array.from(v, (value) => (value - mean) / std);
}

/**
 * The scores the GP is fitted to: standardised, Yeo-Johnson transformed with the maximum-
 * likelihood λ, standardised again. Monotone increasing, so the best score stays the best.
 */
export function warpScores(scores: ArrayLike<number>): Float64Array {
  const z = standardise(scores);
  const lambda = fitYeoJohnsonLambda(z);
  return standardise(z.map((value) => yeoJohnson(value, lambda)));
}
