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
  return choleskyRows(a, n, 0);
}

/**
 * Row-oriented ("bordered") Cholesky: rows 0..from-1 of `a` already hold L, rows from..n-1 hold
 * the lower triangle (diagonal included) of A; those rows become L, in place:
 *
 *   L_ij = (A_ij - Σ_{k<j} L_ik L_jk) / L_jj  (j < i),   L_ii = √(A_ii - Σ_{k<i} L_ik²),
 *
 * each sum taken in increasing k, so the factor is bit for bit the same whether the rows come
 * all at once or a few at a time (the GP extends its factor by the new trials' rows at O(n²)
 * each instead of refactorising at O(n³), Golub & Van Loan 2013, section 4.2.8, and gets the
 * same numbers). Four rows go through each earlier row together: the four sums are independent,
 * which lets the processor overlap them (one sum alone is bound by the latency of its additions)
 * and reads each earlier row once per four. Returns false if a pivot is not positive.
 */
export function choleskyRows(a: Float64Array, n: number, from: number, stride = n): boolean {
  const inverse = new Float64Array(n);
  for (let j = 0; j < from; j++) inverse[j] = 1 / a[j * stride + j];
  let i = from;
  for (; i + 3 < n; i += 4) {
    const r0 = i * stride;
    const r1 = r0 + stride;
    const r2 = r1 + stride;
    const r3 = r2 + stride;
    // Columns left of the block: four independent sums per column.
    for (let j = 0; j < i; j++) {
      const rj = j * stride;
      let s0 = a[r0 + j];
      let s1 = a[r1 + j];
      let s2 = a[r2 + j];
      let s3 = a[r3 + j];
      for (let k = 0; k < j; k++) {
        const ljk = a[rj + k];
        s0 -= a[r0 + k] * ljk;
        s1 -= a[r1 + k] * ljk;
        s2 -= a[r2 + k] * ljk;
        s3 -= a[r3 + k] * ljk;
      }
      const inv = inverse[j];
      a[r0 + j] = s0 * inv;
      a[r1 + j] = s1 * inv;
      a[r2 + j] = s2 * inv;
      a[r3 + j] = s3 * inv;
    }
    // The block's own triangle, row by row.
    for (let r = i; r < i + 4; r++) if (!finishRow(a, stride, r, i, inverse)) return false;
  }
  for (; i < n; i++) if (!finishRow(a, stride, i, 0, inverse)) return false;
  return true;
}

/** Row r of L from column `from` on (the columns before are done), and 1/L_rr into `inverse`. */
function finishRow(a: Float64Array, stride: number, r: number, from: number, inverse: Float64Array): boolean {
  const rr = r * stride;
  for (let j = from; j < r; j++) {
    const rj = j * stride;
    let s = a[rr + j];
    for (let k = 0; k < j; k++) s -= a[rr + k] * a[rj + k];
    a[rr + j] = s * inverse[j];
  }
  let d = a[rr + r];
  for (let k = 0; k < r; k++) d -= a[rr + k] * a[rr + k];
  if (!(d > 0) || !Number.isFinite(d)) return false;
  const lrr = Math.sqrt(d);
  a[rr + r] = lrr;
  inverse[r] = 1 / lrr;
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
  // Each attempt starts again from A: keep a copy when the factor is to overwrite it.
  const source = out === a ? Float64Array.from(a) : a;
  let jitter = 0;
  for (let attempt = 0; attempt < 12; attempt++) {
    out.set(source);
    if (jitter > 0) for (let i = 0; i < n; i++) out[i * n + i] += jitter;
    if (choleskyInPlace(out, n)) return { l: out, jitter };
    jitter = jitter === 0 ? 1e-10 * Math.max(meanDiag, 1e-300) : jitter * 10;
  }
  throw new Error('Cholesky factorisation failed even with jitter: the kernel matrix is not positive definite');
}

/** Solves L x = b for lower-triangular L (row-major n × n, rows `stride` apart); b is overwritten with x. */
export function solveLower(l: Float64Array, n: number, b: Float64Array, stride = n): Float64Array {
  for (let i = 0; i < n; i++) {
    const ri = i * stride;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[ri + k] * b[k];
    b[i] = s / l[ri + i];
  }
  return b;
}

/**
 * Solves L X = B for four right-hand sides at once, stored interleaved (B[4i + c] is row i of
 * column c), overwritten with X. Each column's sums run in the same order as solveLower's, so
 * the results are the same bits; the four independent sums share each load of L and overlap in
 * the processor, about twice as fast per column at n = 1,000.
 */
export function solveLower4(l: Float64Array, n: number, b: Float64Array, stride = n): Float64Array {
  for (let i = 0; i < n; i++) {
    const ri = i * stride;
    const o = 4 * i;
    let s0 = b[o];
    let s1 = b[o + 1];
    let s2 = b[o + 2];
    let s3 = b[o + 3];
    for (let k = 0; k < i; k++) {
      const lik = l[ri + k];
      const q = 4 * k;
      s0 -= lik * b[q];
      s1 -= lik * b[q + 1];
      s2 -= lik * b[q + 2];
      s3 -= lik * b[q + 3];
    }
    const lii = l[ri + i];
    b[o] = s0 / lii;
    b[o + 1] = s1 / lii;
    b[o + 2] = s2 / lii;
    b[o + 3] = s3 / lii;
  }
  return b;
}

/** Solves U x = b for upper-triangular U (row-major n × n, rows `stride` apart, e.g. Lᵀ stored); b is overwritten with x. */
export function solveUpper(u: Float64Array, n: number, b: Float64Array, stride = n): Float64Array {
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * stride;
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= u[ri + k] * b[k];
    b[i] = s / u[ri + i];
  }
  return b;
}

/** solveUpper for four right-hand sides at once, interleaved as in solveLower4 (the same bits per column). */
export function solveUpper4(u: Float64Array, n: number, b: Float64Array, stride = n): Float64Array {
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * stride;
    const o = 4 * i;
    let s0 = b[o];
    let s1 = b[o + 1];
    let s2 = b[o + 2];
    let s3 = b[o + 3];
    for (let k = i + 1; k < n; k++) {
      const uik = u[ri + k];
      const q = 4 * k;
      s0 -= uik * b[q];
      s1 -= uik * b[q + 1];
      s2 -= uik * b[q + 2];
      s3 -= uik * b[q + 3];
    }
    const uii = u[ri + i];
    b[o] = s0 / uii;
    b[o + 1] = s1 / uii;
    b[o + 2] = s2 / uii;
    b[o + 3] = s3 / uii;
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
