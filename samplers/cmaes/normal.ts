/**
 * What CMA-ES needs of the normal distribution beyond the core's Phi and Phi^-1
 * (src/normal-distribution.ts): the chi-squared quantile with one degree of freedom
 * (chi2_ppf(1 - 2p) = Phi^-1(1 - p)^2, for CMA-ES with margin), and batches of deviates.
 */
import { ndtri } from '../../src/normal-distribution.js';


/** The chi-squared quantile with one degree of freedom. */
export function chi2Ppf1(q: number): number {
  const z = ndtri((1 + q) / 2);
  return z * z;
}

/**
 * Fills `out` with standard normal deviates (Box-Muller on `rng.random()`, both values of each
 * pair used, the odd last one's partner dropped). Unlike `Rng.normal`, nothing is cached between
 * calls, so `rng.getState()` afterwards captures the stream exactly: an optimizer rebuilt from
 * JSON draws the same points.
 */
export function fillNormals(rng: { random(): number }, out: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i += 2) {
    let u = 0;
    while (u === 0) u = rng.random();
    const v = rng.random();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}
