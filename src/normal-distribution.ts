/**
 * The standard normal distribution in double precision: erfc, the CDF Φ and its logarithm, the
 * inverse CDF, the log mass of an interval, and truncated-normal draws. The TPE's Parzen
 * estimators, the GP's log expected improvement, CMA-ES with margin, the overfitting statistics
 * (src/validation/) and the Wilcoxon pruner's normal approximation all rest on these: one copy.
 *
 * erfc follows FreeBSD's msun `s_erf.c` (Sun's fdlibm, the same source Optuna's `_erf.py` ports):
 *
 *   Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
 *   Developed at SunPro, a Sun Microsystems, Inc. business.
 *   Permission to use, copy, modify, and distribute this software is freely granted, provided
 *   that this notice is preserved.
 *
 * It is accurate to a few ulp and keeps its relative accuracy in the upper tail (down to
 * erfc(27) ~ 5e-319), which is what log Φ(z) for very negative z needs.
 */
import type { Rng } from './rng.js';

const ERX = 8.45062911510467529297e-1;
// erf on [0, 0.84375]
const PP0 = 1.28379167095512558561e-1;
const PP1 = -3.25042107247001499370e-1;
const PP2 = -2.84817495755985104766e-2;
const PP3 = -5.77027029648944159157e-3;
const PP4 = -2.37630166566501626084e-5;
const QQ1 = 3.97917223959155352819e-1;
const QQ2 = 6.50222499887672944485e-2;
const QQ3 = 5.08130628187576562776e-3;
const QQ4 = 1.32494738004321644526e-4;
const QQ5 = -3.96022827877536812320e-6;
// erf on [0.84375, 1.25]
const PA0 = -2.36211856075265944077e-3;
const PA1 = 4.14856118683748331666e-1;
const PA2 = -3.72207876035701323847e-1;
const PA3 = 3.18346619901161753674e-1;
const PA4 = -1.10894694282396677476e-1;
const PA5 = 3.54783043256182359371e-2;
const PA6 = -2.16637559486879084300e-3;
const QA1 = 1.06420880400844228286e-1;
const QA2 = 5.40397917702171048937e-1;
const QA3 = 7.18286544141962662868e-2;
const QA4 = 1.26171219808761642112e-1;
const QA5 = 1.36370839120290507362e-2;
const QA6 = 1.19844998467991074170e-2;
// erfc on [1.25, 1/0.35]
const RA0 = -9.86494403484714822705e-3;
const RA1 = -6.93858572707181764372e-1;
const RA2 = -1.05586262253232909814e1;
const RA3 = -6.23753324503260060396e1;
const RA4 = -1.62396669462573470355e2;
const RA5 = -1.84605092906711035994e2;
const RA6 = -8.12874355063065934246e1;
const RA7 = -9.81432934416914548592e0;
const SA1 = 1.96512716674392571292e1;
const SA2 = 1.37657754143519042600e2;
const SA3 = 4.34565877475229228821e2;
const SA4 = 6.45387271733267880336e2;
const SA5 = 4.29008140027567833386e2;
const SA6 = 1.08635005541779435134e2;
const SA7 = 6.57024977031928170135e0;
const SA8 = -6.04244152148580987438e-2;
// erfc on [1/0.35, 28]
const RB0 = -9.86494292470009928597e-3;
const RB1 = -7.99283237680523006574e-1;
const RB2 = -1.77579549177547519889e1;
const RB3 = -1.60636384855821916062e2;
const RB4 = -6.37566443368389627722e2;
const RB5 = -1.02509513161107724954e3;
const RB6 = -4.83519191608651397019e2;
const SB1 = 3.03380607434824582924e1;
const SB2 = 3.25792512996573918826e2;
const SB3 = 1.53672958608443695994e3;
const SB4 = 3.19985821950859553908e3;
const SB5 = 2.55305040643316442583e3;
const SB6 = 4.74528541206955367215e2;
const SB7 = -2.24409524465858183362e1;

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const SQRT1_2 = Math.SQRT1_2;

/**
 * exp(-x*x - 0.5625 + rs) / x for x > 0. fdlibm splits x*x to keep its last bits; the rounding
 * error of x*x is below 1e-13 relative even at x = 27, far below what samplers can notice, so
 * one exp suffices.
 */
function tailTerm(x: number, rs: number): number {
  return Math.exp(-x * x - 0.5625 + rs) / x;
}

/** The complementary error function, 1 - erf(x). */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const ax = Math.abs(x);
  if (ax < 0.84375) {
    if (ax < 2 ** -56) return 1 - x;
    const z = x * x;
    const r = PP0 + z * (PP1 + z * (PP2 + z * (PP3 + z * PP4)));
    const s = 1 + z * (QQ1 + z * (QQ2 + z * (QQ3 + z * (QQ4 + z * QQ5))));
    const y = r / s;
    if (x < 0.25) return 1 - (x + x * y);
    return 0.5 - (x * y + (x - 0.5));
  }
  if (ax < 1.25) {
    const s = ax - 1;
    const p = PA0 + s * (PA1 + s * (PA2 + s * (PA3 + s * (PA4 + s * (PA5 + s * PA6)))));
    const q = 1 + s * (QA1 + s * (QA2 + s * (QA3 + s * (QA4 + s * (QA5 + s * QA6)))));
    return x >= 0 ? 1 - ERX - p / q : 1 + (ERX + p / q);
  }
  if (ax < 28) {
    if (x < -6) return 2;
    const s = 1 / (ax * ax);
    let r: number;
    let q: number;
    if (ax < 1 / 0.35) {
      r = RA0 + s * (RA1 + s * (RA2 + s * (RA3 + s * (RA4 + s * (RA5 + s * (RA6 + s * RA7))))));
      q = 1 + s * (SA1 + s * (SA2 + s * (SA3 + s * (SA4 + s * (SA5 + s * (SA6 + s * (SA7 + s * SA8)))))));
    } else {
      r = RB0 + s * (RB1 + s * (RB2 + s * (RB3 + s * (RB4 + s * (RB5 + s * RB6)))));
      q = 1 + s * (SB1 + s * (SB2 + s * (SB3 + s * (SB4 + s * (SB5 + s * (SB6 + s * SB7))))));
    }
    const t = tailTerm(ax, r / q);
    return x > 0 ? t : 2 - t;
  }
  return x > 0 ? 0 : 2;
}

/**
 * erfcx(x) = exp(x²) erfc(x) for x >= 0, without overflow: fdlibm's tail form of erfc is
 * exp(-x² - 0.5625 + R/S) / x, so the scaled function is that without the exp(-x²); beyond 28,
 * the asymptotic series 1/(x√π) (1 - 1/(2x²) + 3/(4x⁴) - 15/(8x⁶)).
 */
export function erfcx(x: number): number {
  if (x < 1.25) return Math.exp(x * x) * erfc(x);
  if (x < 28) {
    const s = 1 / (x * x);
    let r: number;
    let q: number;
    if (x < 1 / 0.35) {
      r = RA0 + s * (RA1 + s * (RA2 + s * (RA3 + s * (RA4 + s * (RA5 + s * (RA6 + s * RA7))))));
      q = 1 + s * (SA1 + s * (SA2 + s * (SA3 + s * (SA4 + s * (SA5 + s * (SA6 + s * (SA7 + s * SA8)))))));
    } else {
      r = RB0 + s * (RB1 + s * (RB2 + s * (RB3 + s * (RB4 + s * (RB5 + s * RB6)))));
      q = 1 + s * (SB1 + s * (SB2 + s * (SB3 + s * (SB4 + s * (SB5 + s * (SB6 + s * SB7))))));
    }
    return Math.exp(-0.5625 + r / q) / x;
  }
  const w = 1 / (x * x);
  return (1 - w * (0.5 - w * (0.75 - w * 1.875))) / (x * Math.sqrt(Math.PI));
}

/** Φ(z), the standard normal CDF. */
export function ndtr(z: number): number {
  return 0.5 * erfc(-z * SQRT1_2);
}

/** log φ(z), the standard normal log density. */
export function logPhi(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

/**
 * log Φ(z), accurate for very negative z (where Φ underflows) by the asymptotic series
 * Φ(z) ~ φ(z)/(-z) (1 - 1/z² + 3/z⁴ - 15/z⁶ + 105/z⁸ - 945/z¹⁰ + 10395/z¹²) (Abramowitz &
 * Stegun 26.2.12; relative error below 1e-13 for z <= -20).
 */
export function logNdtr(z: number): number {
  if (z > 6) return -ndtr(-z); // log(1 - ε) ≈ -ε
  if (z > -20) return Math.log(ndtr(z));
  const w = 1 / (z * z);
  const series = 1 - w * (1 - w * (3 - w * (15 - w * (105 - w * (945 - w * 10395)))));
  return logPhi(z) - Math.log(-z) + Math.log(series);
}

// Acklam's rational approximation to the inverse normal CDF (relative error < 1.2e-9),
// refined by one Halley step on the accurate erfc above.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

/**
 * Φ⁻¹(p) for p in [0, 1] (±Infinity at the ends). Without `refine`, Acklam's approximation
 * alone (relative error 1.2e-9), enough for drawing samples.
 */
export function ndtri(p: number, refine = true): number {
  if (!(p > 0)) return p === 0 ? -Infinity : Number.NaN;
  if (!(p < 1)) return p === 1 ? Infinity : Number.NaN;
  let x: number;
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  } else if (p <= 1 - P_LOW) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  }
  if (!refine) return x;
  // Halley step: e = Φ(x) - p, u = e / φ(x); using the tail that keeps precision.
  const e = x < 0 ? ndtr(x) - p : 1 - p - ndtr(-x);
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp(0.5 * x * x);
  if (Number.isFinite(u)) x = x - u / (1 + 0.5 * x * u);
  return x;
}

/**
 * log(Φ(b) - Φ(a)) for a <= b: the log probability that a standard normal lies in [a, b],
 * computed on the side of zero where the subtraction does not cancel.
 */
export function logGaussMass(a: number, b: number): number {
  if (a >= b) return -Infinity;
  if (a > 0) return logGaussMass(-b, -a);
  if (b < 0) {
    // Both below zero: log Φ(b) + log(1 - Φ(a)/Φ(b)).
    const lb = logNdtr(b);
    const la = logNdtr(a);
    return lb + Math.log1p(-Math.exp(la - lb));
  }
  // a <= 0 <= b: 1 - Φ(a) - Φ(-b) has no cancellation.
  return Math.log1p(-ndtr(a) - ndtr(-b));
}

/** Φ(b) - Φ(a) for a <= b, on the side of zero where the subtraction does not cancel. */
export function gaussMass(a: number, b: number): number {
  if (a >= b) return 0;
  // One tail below 1e-19 of the mass: one erfc instead of two.
  if (a < -9 && b > 0) return 1 - 0.5 * erfc(b * SQRT1_2);
  if (b > 9 && a < 0) return 1 - 0.5 * erfc(-a * SQRT1_2);
  if (a > 0) return 0.5 * (erfc(a * SQRT1_2) - erfc(b * SQRT1_2));
  if (b < 0) return 0.5 * (erfc(-b * SQRT1_2) - erfc(-a * SQRT1_2));
  return 1 - 0.5 * (erfc(-a * SQRT1_2) + erfc(b * SQRT1_2));
}

/**
 * One draw of a normal N(mu, sigma²) truncated to [low, high], by inverting the CDF on the
 * side of zero where Φ keeps its precision.
 */
export function sampleTruncNormal(rng: Rng, mu: number, sigma: number, low: number, high: number): number {
  const a = (low - mu) / sigma;
  const b = (high - mu) / sigma;
  const u = rng.random();
  let z: number;
  // Tails beyond 9 standard deviations (below 1e-19) are taken as empty.
  if (a > 0) {
    const pb = b > 9 ? 0 : ndtr(-b);
    const pa = ndtr(-a);
    z = -ndtri(pb + u * (pa - pb), false);
  } else {
    const pa = a < -9 ? 0 : ndtr(a);
    const pb = b > 9 ? 1 : ndtr(b);
    z = ndtri(pa + u * (pb - pa), false);
  }
  const x = mu + sigma * z;
  return x < low ? low : x > high ? high : Number.isFinite(x) ? x : 0.5 * (low + high);
}
