/**
 * The standard normal CDF Φ and its inverse Φ⁻¹ in double precision, for the overfitting
 * statistics (the probabilistic and deflated Sharpe ratios need both to far better than the
 * 1e-9 their tests check).
 *
 * Why here and not imported: the samplers carry the same two functions (samplers/cmaes/normal.ts:
 * normCdf, normPpf; samplers/tpe/normal.ts: ndtr, ndtri), but the core must not import a plug-in
 * (.dependency-cruiser.cjs, rule core-imports-only-core), and no package in package.json has
 * them. Moving them down into the core, where the samplers could import them, is a change for
 * the owners of samplers/.
 *
 *   erfc   W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp.
 *          23 (1969): relative error below 1e-15 everywhere; the upper tail keeps its relative
 *          accuracy, so Φ(x) = erfc(-x/√2)/2 is accurate for very negative x too.
 *   Φ⁻¹    M. J. Wichura, "Algorithm AS 241: The percentage points of the normal distribution",
 *          Appl. Statist. 37 (1988), PPND16: about 1e-16 relative accuracy.
 */

const ERFC_SMALL_P = [0.185777706184603153, 3.16112374387056560, 113.864154151050156, 377.485237685302021, 3209.37758913846947];
const ERFC_SMALL_Q = [1, 23.6012909523441209, 244.024637934444173, 1282.61652607737228, 2844.23683343917062];
const ERFC_MID_P = [
  2.15311535474403846e-8, 0.564188496988670089, 8.88314979438837594, 66.1191906371416295, 298.635138197400131, 881.952221241769090, 1712.04761263407058,
  2051.07837782607147, 1230.33935479799725,
];
const ERFC_MID_Q = [
  1, 15.7449261107098347, 117.693950891312499, 537.181101862009858, 1621.38957456669019, 3290.79923573345963, 4362.61909014324716, 3439.36767414372164,
  1230.33935480374942,
];
const ERFC_TAIL_P = [0.0163153871373020978, 0.305326634961232344, 0.360344899949804439, 0.125781726111229246, 0.0160837851487422766, 6.58749161529837803e-4];
const ERFC_TAIL_Q = [1, 2.56852019228982242, 1.87295284992346725, 0.527905102951428412, 0.0605183413124413191, 2.33520497626869185e-3];
const ONE_OVER_SQRT_PI = 0.564189583547756287;

/** c[0] x^(n-1) + ... + c[n-1], by Horner's rule. */
function polynomial(c: readonly number[], x: number): number {
  let y = c[0];
  for (let i = 1; i < c.length; i++) y = y * x + c[i];
  return y;
}

/** The complementary error function erfc(x) = 1 - erf(x) (Cody 1969, three ranges of |x|). */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const t = x * x;
    return 1 - (x * polynomial(ERFC_SMALL_P, t)) / polynomial(ERFC_SMALL_Q, t);
  }
  // exp(-x²) as Cody computes it, from x rounded to 1/16 and the rest, so that the rounding of
  // x*x does not cost relative accuracy in the far tail.
  const rounded = Math.trunc(ax * 16) / 16;
  const gauss = Math.exp(-rounded * rounded) * Math.exp(-(ax - rounded) * (ax + rounded));
  let tail: number;
  if (ax < 4) {
    tail = (gauss * polynomial(ERFC_MID_P, ax)) / polynomial(ERFC_MID_Q, ax);
  } else {
    const z = 1 / (ax * ax);
    tail = (gauss / ax) * (ONE_OVER_SQRT_PI - (z * polynomial(ERFC_TAIL_P, z)) / polynomial(ERFC_TAIL_Q, z));
  }
  return x < 0 ? 2 - tail : tail;
}

/** Φ(x) = P(Z <= x) for a standard normal Z. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * Math.SQRT1_2);
}

// AS 241 (PPND16) coefficients: the central range |p - 0.5| <= 0.425, then r = √(-ln min(p, 1-p))
// up to 5 and beyond.
const CENTRAL_P = [
  2509.0809287301226727, 33430.575583588128105, 67265.770927008700853, 45921.953931549871457, 13731.693765509461125, 1971.5909503065514427, 133.14166789178437745,
  3.387132872796366608,
];
const CENTRAL_Q = [
  5226.495278852545925, 28729.085735721942674, 39307.89580009271061, 21213.794301586595867, 5394.1960214247511077, 687.1870074920579083, 42.313330701600911252, 1,
];
const NEAR_P = [
  7.7454501427834140764e-4, 0.0227238449892691845833, 0.24178072517745061177, 1.27045825245236838258, 3.64784832476320460504, 5.7694972214606914055,
  4.6303378461565452959, 1.42343711074968357734,
];
const NEAR_Q = [
  1.05075007164441684324e-9, 5.475938084995344946e-4, 0.0151986665636164571966, 0.14810397642748007459, 0.68976733498510000455, 1.6763848301838038494,
  2.05319162663775882187, 1,
];
const FAR_P = [
  2.01033439929228813265e-7, 2.71155556874348757815e-5, 0.0012426609473880784386, 0.026532189526576123093, 0.29656057182850489123, 1.7848265399172913358,
  5.4637849111641143699, 6.6579046435011037772,
];
const FAR_Q = [
  2.04426310338993978564e-15, 1.4215117583164458887e-7, 1.8463183175100546818e-5, 7.868691311456132591e-4, 0.0148753612908506148525, 0.13692988092273580531,
  0.59983220655588793769, 1,
];

/** Φ⁻¹(p), the standard normal quantile, for p in [0, 1] (-Infinity at 0, Infinity at 1, NaN outside). */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * polynomial(CENTRAL_P, r)) / polynomial(CENTRAL_Q, r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    x = polynomial(NEAR_P, r) / polynomial(NEAR_Q, r);
  } else {
    r -= 5;
    x = polynomial(FAR_P, r) / polynomial(FAR_Q, r);
  }
  return q < 0 ? -x : x;
}
