/**
 * The few dense linear-algebra routines the GP needs, on row-major Float64Arrays: a Cholesky
 * factorisation with jitter, triangular solves and the inverse from the factor.
 *
 * Hand-written rather than ml-matrix: the GP factorises an n × n matrix (n up to a few hundred)
 * dozens of times per trial while fitting its hyper-parameters, and flat typed arrays with the
 * inner loops over contiguous rows run several times faster than Matrix objects of row arrays.
 */

/**
 * In-place Cholesky factorisation A = L Lᵀ of a symmetric positive definite n × n matrix; the
 * lower triangle of `a` becomes L (the upper triangle is left as it was). Returns false if a
 * pivot is not positive.
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j];
    for (let k = 0; k < j; k++) d -= a[rj + k] * a[rj + k];
    if (!(d > 0) || !Number.isFinite(d)) return false;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      a[ri + j] = s * inv;
    }
  }
  return true;
}

/**
 * The Cholesky factor of `a` (not modified), adding jitter to the diagonal, ten times larger at
 * each failure, until it factorises: duplicate points and a vanishing noise make the kernel
 * matrix singular in floating point. Returns the factor and the jitter used.
 */
export function choleskyWithJitter(a: Float64Array, n: number, out: Float64Array = new Float64Array(n * n)): { l: Float64Array; jitter: number } {
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += a[i * n + i];
  meanDiag = n > 0 ? meanDiag / n : 1;
  let jitter = 0;
  for (let attempt = 0; attempt < 12; attempt++) {
    out.set(a);
    if (jitter > 0) for (let i = 0; i < n; i++) out[i * n + i] += jitter;
    if (choleskyInPlace(out, n)) return { l: out, jitter };
    jitter = jitter === 0 ? 1e-10 * Math.max(meanDiag, 1e-300) : jitter * 10;
  }
  throw new Error('Cholesky factorisation failed even with jitter: the kernel matrix is not positive definite');
}

/** Solves L x = b for lower-triangular L (row-major n × n); b is overwritten with x. */
export function solveLower(l: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[ri + k] * b[k];
    b[i] = s / l[ri + i];
  }
  return b;
}

/** Solves U x = b for upper-triangular U (row-major n × n, e.g. Lᵀ stored); b is overwritten with x. */
export function solveUpper(u: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= u[ri + k] * b[k];
    b[i] = s / u[ri + i];
  }
  return b;
}

/** Solves Lᵀ x = b for lower-triangular L (strided access; see solveUpper); b is overwritten with x. */
export function solveUpperT(l: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
  return b;
}

/** A⁻¹ = L⁻ᵀ L⁻¹ from the Cholesky factor L (full symmetric n × n result). */
export function inverseFromCholesky(l: Float64Array, n: number, out: Float64Array = new Float64Array(n * n)): Float64Array {
  // M = L⁻¹ (lower triangular) by forward substitution on the identity, stored transposed
  // (mt[j * n + i] = M[i][j]) so that every inner loop below runs over contiguous memory.
  const mt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const inv = 1 / l[ri + i];
    mt[ri + i] = inv;
    for (let j = 0; j < i; j++) {
      const rj = j * n;
      let s = 0;
      for (let k = j; k < i; k++) s -= l[ri + k] * mt[rj + k];
      mt[rj + i] = s * inv;
    }
  }
  // A⁻¹[i][j] = Σ_k M[k][i] M[k][j] over k >= max(i, j).
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = 0;
      for (let k = i; k < n; k++) s += mt[ri + k] * mt[rj + k];
      out[ri + j] = s;
      out[rj + i] = s;
    }
  }
  return out;
}
