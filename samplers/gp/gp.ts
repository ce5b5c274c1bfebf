/**
 * Gaussian-process regression with a Matérn-5/2 ARD kernel, as Optuna's `_gp/gp.py`.
 *
 * Notation (shapes): X (n × d) inputs in the unit box, y (n) standardised outputs (to be
 * maximised), θ (d) inverse squared length scales, s the kernel scale, σ²ₙ the noise variance.
 *
 *   r²(x, x') = Σ_k θ_k Δ_k²,  Δ_k = x_k - x'_k for numeric and [x_k ≠ x'_k] for categorical
 *               dimensions (Hamming distance, as Optuna);
 *   k(x, x')  = s (1 + √5 r + 5/3 r²) exp(-√5 r)                      (Rasmussen & Williams 4.17)
 *   C         = K + σ²ₙ I,  α = C⁻¹ y
 *   μ(x)      = k_xᵀ α,      σ²(x) = s - k_xᵀ C⁻¹ k_x                     (R&W 2.25-2.26)
 *   log p(y)  = -½ yᵀα - Σ log Lᵢᵢ - n/2 log 2π,  C = L Lᵀ          (R&W 2.30, Algorithm 2.1)
 *   ∂ log p / ∂p = ½ tr((ααᵀ - C⁻¹) ∂C/∂p)                           (R&W 5.9)
 *
 * Hyper-parameters are fitted by maximising log p(y) plus Optuna's log prior (`_gp/prior.py`):
 * -Σ (0.1/θ_k + 0.1 θ_k) + Gamma(2, 1) on s + Gamma(1.1, 30) on σ²ₙ, over the logarithms of
 * θ, s and σ²ₙ - σ²_min with L-BFGS, warm-started from the previous fit.
 */
import { choleskyRows, choleskyWithJitter, inverseFromCholesky, solveLower, solveLower4, solveUpper, solveUpper4, solveUpperT } from './linalg.js';
import { minimizeLbfgs } from './lbfgs.js';

/** Optuna's minimum noise variance (`DEFAULT_MINIMUM_NOISE_VAR`). */
export const MINIMUM_NOISE = 1e-6;

export interface KernelParams {
  /** Inverse squared length scale per dimension. */
  readonly invSquaredLengthscales: Float64Array;
  readonly kernelScale: number;
  readonly noiseVar: number;
}

export function defaultKernelParams(d: number): KernelParams {
  return { invSquaredLengthscales: new Float64Array(d).fill(1), kernelScale: 1, noiseVar: 1 };
}

/** The derivative with respect to r² of the last `matern52` value (kept to avoid allocating pairs). */
let matern52Deriv = 0;

/** Matérn 5/2 of r² (scale 1); its derivative with respect to r² is left in `matern52Deriv`. */
function matern52(r2: number): number {
  const r = Math.sqrt(5 * r2);
  const e = Math.exp(-r);
  matern52Deriv = (-5 / 6) * (1 + r) * e;
  return e * (1 + r + (r * r) / 3);
}

/** Squared differences per pair (i < j, row by row) and dimension: the fitting loop reuses them. */
function pairDistances(x: Float64Array, n: number, d: number, isCat: Uint8Array): Float64Array {
  const out = new Float64Array(((n * (n - 1)) / 2) * d);
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      for (let k = 0; k < d; k++) {
        const diff = x[i * d + k] - x[j * d + k];
        out[p++] = isCat[k] ? (diff !== 0 ? 1 : 0) : diff * diff;
      }
    }
  }
  return out;
}

/**
 * One row of C = K + σ²ₙ I: k(xᵢ, xⱼ) for j < i into out[offset + j], and s + σ²ₙ into
 * out[offset + i] (the lower triangle, all the Cholesky factorisation reads).
 */
function kernelRow(x: Float64Array, d: number, isCat: Uint8Array, params: KernelParams, i: number, out: Float64Array, offset: number): void {
  const theta = params.invSquaredLengthscales;
  for (let j = 0; j < i; j++) {
    let r2 = 0;
    for (let k = 0; k < d; k++) {
      const diff = x[j * d + k] - x[i * d + k];
      r2 += theta[k] * (isCat[k] ? (diff !== 0 ? 1 : 0) : diff * diff);
    }
    out[offset + j] = params.kernelScale * matern52(r2);
  }
  out[offset + i] = params.kernelScale + params.noiseVar;
}

/**
 * The Cholesky factor of C (row-major, rows `stride` apart: stride >= n leaves room to grow), its
 * transpose (the same), and the jitter its diagonal needed.
 */
interface CholeskyFactor {
  readonly l: Float64Array;
  readonly lt: Float64Array;
  readonly stride: number;
  readonly jitter: number;
}

/** Rows of room a grown factor gets beyond its size (10% and 8), so that the next trials fit in place. */
const headroom = (n: number): number => Math.ceil(n / 10) + 8;

/** A fitted GP: posterior mean and variance at new points, with gradients for the acquisition search. */
export class GPRegressor {
  readonly n: number;
  readonly d: number;
  readonly params: KernelParams;
  private readonly x: Float64Array;
  private readonly isCat: Uint8Array;
  /** Cholesky factor of C, and its transpose (row-major both, for contiguous solves; rows `stride` apart). */
  private readonly l: Float64Array;
  private readonly lt: Float64Array;
  private readonly stride: number;
  /**
   * Whether the factor's rows past n are still free: the first withRows writes its rows there
   * (this GP reads only its first n rows, so it stays valid); a second one copies.
   */
  private tailFree = true;
  /** Added to C's diagonal to factorise it (0 unless points repeat with a vanishing noise). */
  private readonly jitter: number;
  private readonly kStar: Float64Array;
  private readonly dR2: Float64Array;
  private readonly v: Float64Array;
  /** Four kernel vectors, interleaved, for the batched posteriors. */
  private block: Float64Array | null = null;
  /** Their derivatives with respect to r², for the batched gradients. */
  private slopes: Float64Array | null = null;
  /** α = C⁻¹ y. */
  readonly alpha: Float64Array;
  /** The targets. */
  private readonly y: Float64Array;

  /** `factor`: C's factor when the caller has it already (withRows); computed otherwise. */
  constructor(x: Float64Array, y: Float64Array, d: number, isCat: Uint8Array, params: KernelParams, factor?: CholeskyFactor) {
    const n = y.length;
    this.n = n;
    this.d = d;
    this.x = x;
    this.isCat = isCat;
    this.params = params;
    if (!factor) {
      const c = new Float64Array(n * n);
      for (let i = 0; i < n; i++) kernelRow(x, d, isCat, params, i, c, i * n);
      const { l, jitter } = choleskyWithJitter(c, n, c);
      const lt = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) lt[j * n + i] = l[i * n + j];
      factor = { l, lt, stride: n, jitter };
    }
    this.l = factor.l;
    this.lt = factor.lt;
    this.stride = factor.stride;
    this.jitter = factor.jitter;
    this.y = y;
    this.alpha = solveUpper(this.lt, n, solveLower(this.l, n, Float64Array.from(y), this.stride), this.stride);
    this.kStar = new Float64Array(n);
    this.dR2 = new Float64Array(n);
    this.v = new Float64Array(n);
  }

  /**
   * This GP (same hyper-parameters) with the points `xNew` (m × d) added after its own, fitted to
   * `y` (all n + m targets, which may differ from this GP's: only C must stay the same). C's
   * factor grows by the new rows (choleskyRows) at O(n²) each instead of a new O(n³)
   * factorisation, with the same jitter, and then equals a fresh factorisation's bit for bit
   * whenever that would need no more jitter; if a new pivot fails, the factor is computed afresh.
   */
  withRows(xNew: Float64Array, y: Float64Array): GPRegressor {
    const { d, isCat, params } = this;
    const n0 = this.n;
    const n = y.length;
    if (xNew.length !== (n - n0) * d) throw new Error(`GPRegressor.withRows: ${xNew.length / d} points for ${n - n0} new targets`);
    const x = new Float64Array(n * d);
    x.set(this.x);
    x.set(xNew, n0 * d);
    // In place when this factor has room and no other GP took it; else copied with room to grow.
    const inPlace = this.tailFree && n <= this.stride;
    const stride = inPlace ? this.stride : n + headroom(n);
    const l = inPlace ? this.l : new Float64Array(stride * stride);
    const lt = inPlace ? this.lt : new Float64Array(stride * stride);
    if (inPlace) this.tailFree = false;
    else {
      for (let i = 0; i < n0; i++) {
        l.set(this.l.subarray(i * this.stride, i * this.stride + i + 1), i * stride);
        lt.set(this.lt.subarray(i * this.stride + i, i * this.stride + n0), i * stride + i);
      }
    }
    for (let i = n0; i < n; i++) {
      kernelRow(x, d, isCat, params, i, l, i * stride);
      l[i * stride + i] += this.jitter;
    }
    if (!choleskyRows(l, n, n0, stride)) return new GPRegressor(x, y, d, isCat, params);
    for (let i = n0; i < n; i++) for (let j = 0; j <= i; j++) lt[j * stride + i] = l[i * stride + j];
    return new GPRegressor(x, y, d, isCat, params, { l, lt, stride, jitter: this.jitter });
  }

  /**
   * The GP (same hyper-parameters) on the `size` training points nearest to `point` in the
   * kernel's metric: a local approximate GP (Gramacy & Apley 2015, "Local Gaussian process
   * approximation for large computer experiments", JCGS 24(2)). Near `point` its posterior is
   * close to this GP's, the far points' kernel values being small, and it costs O(size²) per
   * posterior instead of O(n²); conditioned on fewer points, its variance is never smaller.
   */
  local(point: ArrayLike<number>, size: number): GPRegressor {
    const { n, d, x, isCat } = this;
    if (size >= n) return this;
    const theta = this.params.invSquaredLengthscales;
    const r2 = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let k = 0; k < d; k++) {
        const diff = point[k] - x[i * d + k];
        sum += theta[k] * (isCat[k] ? (diff !== 0 ? 1 : 0) : diff * diff);
      }
      r2[i] = sum;
    }
    const nearest = Array.from({ length: n }, (_, i) => i)
      .sort((a, b) => r2[a] - r2[b] || a - b)
      .slice(0, size)
      .sort((a, b) => a - b);
    const xs = new Float64Array(size * d);
    nearest.forEach((i, r) => xs.set(x.subarray(i * d, (i + 1) * d), r * d));
    return new GPRegressor(xs, Float64Array.from(nearest, (i) => this.y[i]), d, isCat, this.params);
  }

  /**
   * At m points (m × d), the posterior means and an upper bound of each posterior variance, at
   * O(n) per point: the variance given the nearest training point alone, s - k²/(s + σ²ₙ),
   * which conditioning on all the points can only lower.
   */
  posteriorBounds(points: Float64Array, m: number, means: Float64Array, varianceBounds: Float64Array): void {
    const { n, d } = this;
    const s = this.params.kernelScale;
    const k = this.kStar;
    for (let c = 0; c < m; c++) {
      this.kernelVector(points.subarray(c * d, (c + 1) * d), k);
      let mean = 0;
      let largest = 0;
      for (let i = 0; i < n; i++) {
        mean += k[i] * this.alpha[i];
        if (k[i] > largest) largest = k[i];
      }
      means[c] = mean;
      varianceBounds[c] = Math.max(s - (largest * largest) / (s + this.params.noiseVar + this.jitter), 0);
    }
  }

  /**
   * Posterior means and variances at m points (`points`, m × d row by row), the same numbers as
   * `posterior` at each; with `gradMeans` and `gradVars` (m × d), their gradients too, the same
   * numbers as `posteriorWithGradient`. Four points at a time share each pass over the factor
   * (solveLower4, solveUpper4), about twice as fast per point at n = 1,000.
   */
  posteriors(points: Float64Array, m: number, means: Float64Array, variances: Float64Array, gradMeans?: Float64Array, gradVars?: Float64Array): void {
    const { n, d, x, isCat } = this;
    const theta = this.params.invSquaredLengthscales;
    const s = this.params.kernelScale;
    const withGradient = gradMeans !== undefined && gradVars !== undefined;
    const block = this.block ?? (this.block = new Float64Array(4 * n));
    const slopes = withGradient ? (this.slopes ?? (this.slopes = new Float64Array(4 * n))) : null;
    for (let first = 0; first < m; first += 4) {
      const count = Math.min(4, m - first);
      if (count === 1) {
        // One point alone: the one-point routines (the same numbers, without three idle columns).
        const point = points.subarray(first * d, (first + 1) * d);
        const [mean, variance] =
          gradMeans && gradVars
            ? this.posteriorWithGradient(point, gradMeans.subarray(first * d, (first + 1) * d), gradVars.subarray(first * d, (first + 1) * d))
            : this.posterior(point);
        means[first] = mean;
        variances[first] = variance;
        continue;
      }
      // A short last block repeats its last point (computed, then ignored).
      for (let c = 0; c < 4; c++) {
        const p = (first + Math.min(c, count - 1)) * d;
        for (let i = 0; i < n; i++) {
          let r2 = 0;
          for (let k = 0; k < d; k++) {
            const diff = points[p + k] - x[i * d + k];
            r2 += theta[k] * (isCat[k] ? (diff !== 0 ? 1 : 0) : diff * diff);
          }
          block[4 * i + c] = s * matern52(r2);
          if (slopes) slopes[4 * i + c] = s * matern52Deriv;
        }
      }
      for (let c = 0; c < count; c++) {
        let mean = 0;
        for (let i = 0; i < n; i++) mean += block[4 * i + c] * this.alpha[i];
        means[first + c] = mean;
      }
      solveLower4(this.l, n, block, this.stride);
      for (let c = 0; c < count; c++) {
        let q = 0;
        for (let i = 0; i < n; i++) q += block[4 * i + c] * block[4 * i + c];
        variances[first + c] = Math.max(s - q, 0);
      }
      if (!slopes || !gradMeans || !gradVars) continue;
      solveUpper4(this.lt, n, block, this.stride); // now C⁻¹ k per point
      for (let c = 0; c < count; c++) {
        const p = (first + c) * d;
        for (let k = 0; k < d; k++) {
          gradMeans[p + k] = 0;
          gradVars[p + k] = 0;
        }
        for (let i = 0; i < n; i++) {
          const a = slopes[4 * i + c] * this.alpha[i];
          const b = slopes[4 * i + c] * block[4 * i + c];
          for (let k = 0; k < d; k++) {
            if (isCat[k]) continue;
            const g = 2 * theta[k] * (points[p + k] - x[i * d + k]);
            gradMeans[p + k] += a * g;
            gradVars[p + k] -= 2 * b * g;
          }
        }
      }
    }
  }

  /** k(x, X) for one point x (length d) into `out` (length n). */
  kernelVector(point: ArrayLike<number>, out: Float64Array, dR2?: Float64Array): Float64Array {
    const { n, d, x, isCat } = this;
    const theta = this.params.invSquaredLengthscales;
    const s = this.params.kernelScale;
    for (let i = 0; i < n; i++) {
      let r2 = 0;
      for (let k = 0; k < d; k++) {
        const diff = point[k] - x[i * d + k];
        r2 += theta[k] * (isCat[k] ? (diff !== 0 ? 1 : 0) : diff * diff);
      }
      out[i] = s * matern52(r2);
      if (dR2) dR2[i] = s * matern52Deriv;
    }
    return out;
  }

  /** Posterior mean and variance at one point. `work` must hold 2n numbers. */
  posterior(point: ArrayLike<number>, work: Float64Array = new Float64Array(2 * this.n)): [number, number] {
    const n = this.n;
    const kStar = this.kernelVector(point, work.subarray(0, n));
    let mean = 0;
    for (let i = 0; i < n; i++) mean += kStar[i] * this.alpha[i];
    const v = work.subarray(n, 2 * n);
    v.set(kStar);
    solveLower(this.l, n, v, this.stride);
    let q = 0;
    for (let i = 0; i < n; i++) q += v[i] * v[i];
    return [mean, Math.max(this.params.kernelScale - q, 0)];
  }

  /**
   * Posterior mean and variance at one point with their gradients with respect to the point's
   * numeric coordinates (categorical coordinates get 0): ∂μ/∂x = (∂k_x/∂x)ᵀ α and
   * ∂σ²/∂x = -2 (∂k_x/∂x)ᵀ C⁻¹ k_x, with ∂k_xᵢ/∂x_k = k'(r²) 2 θ_k (x_k - Xᵢₖ).
   */
  posteriorWithGradient(point: ArrayLike<number>, gradMean: Float64Array, gradVar: Float64Array): [number, number] {
    const { n, d, x, isCat } = this;
    const theta = this.params.invSquaredLengthscales;
    const { kStar, dR2, v } = this;
    this.kernelVector(point, kStar, dR2);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += kStar[i] * this.alpha[i];
    v.set(kStar);
    solveLower(this.l, n, v, this.stride);
    let q = 0;
    for (let i = 0; i < n; i++) q += v[i] * v[i];
    const cInvK = solveUpper(this.lt, n, v, this.stride);
    gradMean.fill(0);
    gradVar.fill(0);
    for (let i = 0; i < n; i++) {
      const a = dR2[i] * this.alpha[i];
      const b = dR2[i] * cInvK[i];
      for (let k = 0; k < d; k++) {
        if (isCat[k]) continue;
        const g = 2 * theta[k] * (point[k] - x[i * d + k]);
        gradMean[k] += a * g;
        gradVar[k] -= 2 * b * g;
      }
    }
    return [mean, Math.max(this.params.kernelScale - q, 0)];
  }
}

/** Log prior of the kernel parameters and its gradient with respect to the raw (log) parameters. */
function logPrior(theta: Float64Array, scale: number, noise: number, rawNoise: number, grad: Float64Array, deterministic: boolean): number {
  const d = theta.length;
  let lp = 0;
  for (let k = 0; k < d; k++) {
    lp -= 0.1 / theta[k] + 0.1 * theta[k];
    grad[k] += 0.1 / theta[k] - 0.1 * theta[k];
  }
  // Gamma(2, 1) on s: (2 - 1) log s - s.
  lp += Math.log(scale) - scale;
  grad[d] += 1 - scale;
  // Gamma(1.1, 30) on σ²ₙ: 0.1 log σ²ₙ - 30 σ²ₙ.
  lp += 0.1 * Math.log(noise) - 30 * noise;
  if (!deterministic) grad[d + 1] += (0.1 / noise - 30) * Math.exp(rawNoise);
  return lp;
}

export interface FitOptions {
  /** Fix σ²ₙ at the minimum (a deterministic objective). Default false, as Optuna. */
  deterministic?: boolean;
  /** Start from these parameters (the previous fit); default all ones. */
  initial?: KernelParams;
  /** L-BFGS iteration cap. */
  maxIterations?: number;
  /** Stop when the largest gradient component is below this (Optuna: gtol = 1e-2). */
  gtol?: number;
}

/**
 * Fits θ, s and σ²ₙ by maximum a posteriori (log marginal likelihood + log prior), starting from
 * `initial`; if that fails, from the default parameters; if that fails too, returns the defaults.
 */
/**
 * The negative log posterior of the kernel parameters, -(log p(y) + log prior), and its gradient,
 * as a function of the raw parameters (log θ, log s, log(σ²ₙ - σ²_min)).
 */
export function mapLoss(x: Float64Array, y: Float64Array, d: number, isCat: Uint8Array, deterministic: boolean): {
  /** With `grad` null only the value (no O(n³) inverse): what the slice sampler needs. */
  loss: (raw: Float64Array, grad: Float64Array | null) => number;
  decode: (raw: Float64Array) => KernelParams;
} {
  const n = y.length;
  const pairs = pairDistances(x, n, d, isCat);
  const c = new Float64Array(n * n);
  const kPair = new Float64Array(pairs.length / Math.max(d, 1));
  const gPair = new Float64Array(kPair.length);

  const decode = (raw: Float64Array): KernelParams => ({
    invSquaredLengthscales: raw.slice(0, d).map(Math.exp),
    kernelScale: Math.exp(raw[d]),
    noiseVar: deterministic ? MINIMUM_NOISE : MINIMUM_NOISE + Math.exp(raw[d + 1]),
  });

  // Loss = -(log p(y) + log prior), gradient with respect to the raw parameters.
  const loss = (raw: Float64Array, grad: Float64Array | null): number => {
    const { invSquaredLengthscales: theta, kernelScale: s, noiseVar: noise } = decode(raw);
    let p = 0;
    for (let i = 0; i < n; i++) {
      c[i * n + i] = s + noise;
      for (let j = i + 1; j < n; j++, p++) {
        let r2 = 0;
        const base = p * d;
        for (let k = 0; k < d; k++) r2 += theta[k] * pairs[base + k];
        kPair[p] = s * matern52(r2);
        gPair[p] = s * matern52Deriv;
        c[i * n + j] = kPair[p];
        c[j * n + i] = kPair[p];
      }
    }
    const { l } = choleskyWithJitter(c, n, c);
    const alpha = solveUpperT(l, n, solveLower(l, n, Float64Array.from(y)));
    let logDet = 0;
    for (let i = 0; i < n; i++) logDet += Math.log(l[i * n + i]);
    let quad = 0;
    for (let i = 0; i < n; i++) quad += y[i] * alpha[i];
    const logLik = -0.5 * quad - logDet - 0.5 * n * Math.log(2 * Math.PI);
    if (grad === null) return -(logLik + logPrior(theta, s, noise, raw[d + 1], new Float64Array(d + 2), deterministic));
    const cInv = inverseFromCholesky(l, n);
    // ½ tr(W ∂C/∂p) with W = ααᵀ - C⁻¹, summing pairs twice (symmetry) and the diagonal once.
    grad.fill(0);
    let diagW = 0;
    for (let i = 0; i < n; i++) diagW += alpha[i] * alpha[i] - cInv[i * n + i];
    p = 0;
    let offScale = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++, p++) {
        const w = alpha[i] * alpha[j] - cInv[i * n + j];
        offScale += w * kPair[p];
        const wg = w * gPair[p];
        const base = p * d;
        for (let k = 0; k < d; k++) grad[k] += wg * pairs[base + k];
      }
    }
    for (let k = 0; k < d; k++) grad[k] *= theta[k]; // ∂/∂ log θ_k, pairs counted twice × ½
    grad[d] = offScale + 0.5 * diagW * s;
    grad[d + 1] = deterministic ? 0 : 0.5 * diagW * Math.exp(raw[d + 1]);
    const lp = logPrior(theta, s, noise, raw[d + 1], grad, deterministic);
    for (let k = 0; k < grad.length; k++) grad[k] = -grad[k];
    return -(logLik + lp);
  };
  return { loss, decode };
}

/**
 * The raw parameters (mapLoss's coordinates: log θ, log s, log(σ²ₙ - σ²_min)) of `params`; as
 * Optuna, the noise is put slightly above its floor for stability.
 */
export function encodeKernelParams(params: KernelParams): Float64Array {
  const d = params.invSquaredLengthscales.length;
  const raw = new Float64Array(d + 2);
  for (let k = 0; k < d; k++) raw[k] = Math.log(params.invSquaredLengthscales[k]);
  raw[d] = Math.log(params.kernelScale);
  raw[d + 1] = Math.log(Math.max(params.noiseVar - 0.99 * MINIMUM_NOISE, 1e-300));
  return raw;
}

export function fitKernelParams(x: Float64Array, y: Float64Array, d: number, isCat: Uint8Array, options: FitOptions = {}): KernelParams {
  const deterministic = options.deterministic ?? false;
  const { loss, decode } = mapLoss(x, y, d, isCat, deterministic);
  const encode = (params: KernelParams): Float64Array => encodeKernelParams(params);

  const starts = [options.initial ?? defaultKernelParams(d), defaultKernelParams(d)];
  for (const start of starts) {
    try {
      const result = minimizeLbfgs(loss, encode(start), { maxIterations: options.maxIterations ?? 200, gtol: options.gtol ?? 1e-2 });
      if (result.x.every(Number.isFinite) && Number.isFinite(result.f)) return decode(result.x);
    } catch {
      // Try the next start (the kernel matrix may not factorise far from sensible parameters).
    }
  }
  return defaultKernelParams(d);
}
