/**
 * CMA-ES, the covariance matrix adaptation evolution strategy, as a plain ask/tell optimizer that
 * knows nothing about studies.
 *
 * Equation numbers refer to N. Hansen, "The CMA Evolution Strategy: A Tutorial" (arXiv:1604.00772,
 * 2016), whose default parameters (with negative weights, "active CMA") this follows, as the
 * `cmaes` Python library's `CMA` class does. Learning-rate adaptation (`lrAdapt`) is Nomura,
 * Akimoto & Ono, "CMA-ES with Learning Rate Adaptation: Can CMA-ES with Default Population Size
 * Solve Multimodal and Noisy Problems?" (GECCO 2023, arXiv:2304.03473).
 *
 * Bounds are handled by resampling (up to `nMaxResampling` draws) and then clipping the last draw.
 * All state is plain numbers and arrays, so `toJSON()` / `CMA.fromJSON()` round-trip it exactly,
 * RNG included.
 *
 * Notation: n = dim, lambda = populationSize, mu = lambda / 2 parents, C = B diag(D^2) B^T.
 * Matrices are row-major Float64Arrays of n * n.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { UsageError } from '../../src/errors.js';
import { Rng, type RngState } from '../../src/rng.js';
import { fillNormals } from './normal.js';

const EPS = 1e-8;
const MEAN_MAX = 1e32;
const SIGMA_MAX = 1e32;

export interface Solution {
  /** The point as `ask` returned it (for CMA-ES with margin: the raw point, not the encoded one). */
  readonly x: ArrayLike<number>;
  /** The objective value (minimised). */
  readonly value: number;
}

export interface CmaOptions {
  mean: ArrayLike<number>;
  sigma: number;
  /** Lower and upper bound per coordinate; default unbounded. */
  bounds?: { lower: ArrayLike<number>; upper: ArrayLike<number> } | null;
  /** Draws before an infeasible point is clipped into the bounds (default 100). */
  nMaxResampling?: number;
  seed?: number;
  /** Default 4 + floor(3 ln n) (eq. 48). */
  populationSize?: number;
  /** Initial covariance matrix (row-major n * n); default the identity. */
  cov?: ArrayLike<number>;
  lrAdapt?: boolean;
}

/** What every CMA-ES variant here offers (the `cmaes` library's surface). */
export interface AskTellOptimizer {
  readonly dim: number;
  readonly populationSize: number;
  readonly generation: number;
  readonly mean: Float64Array;
  ask(rng?: Rng): Float64Array;
  /** The point to evaluate for a point from `ask` (identity except for CMA-ES with margin). */
  encode(x: ArrayLike<number>): Float64Array;
  tell(solutions: Solution[]): void;
  shouldStop(): boolean;
  reseedRng(seed?: number): void;
  toJSON(): unknown;
}

/** Learning-rate adaptation state (Nomura et al. 2023, Algorithm 1). */
interface LrState {
  eMean: number[];
  eSigma: number[];
  vMean: number;
  vSigma: number;
  etaMean: number;
  etaSigma: number;
}

export interface CmaState {
  readonly kind: 'cma';
  dim: number;
  populationSize: number;
  mean: number[];
  sigma: number;
  /** Upper triangle of C, row by row. */
  cov: number[];
  pSigma: number[];
  pc: number[];
  generation: number;
  bounds: { lower: number[]; upper: number[] } | null;
  nMaxResampling: number;
  tolx: number;
  funhist: (number | null)[];
  lr: LrState | null;
  rng: RngState;
}

export function defaultPopulationSize(dim: number): number {
  return 4 + Math.floor(3 * Math.log(dim)); // (eq. 48)
}

export function checkBounds(dim: number, bounds: CmaOptions['bounds'], mean: ArrayLike<number>): void {
  if (!bounds) return;
  if (bounds.lower.length !== dim || bounds.upper.length !== dim) {
    throw new UsageError(`bounds must give ${dim} lower and upper values, but got ${bounds.lower.length} and ${bounds.upper.length}`);
  }
  for (let i = 0; i < dim; i++) {
    if (!(bounds.lower[i] <= mean[i] && mean[i] <= bounds.upper[i])) {
      throw new UsageError(`\`lower <= mean <= upper\` must hold in coordinate ${i}, but got (lower=${bounds.lower[i]}, mean=${mean[i]}, upper=${bounds.upper[i]})`);
    }
  }
}

export class CMA implements AskTellOptimizer {
  readonly dim: number;
  readonly populationSize: number;
  readonly mu: number;
  readonly muEff: number;
  readonly weights: Float64Array;
  private readonly cc: number;
  private readonly c1: number;
  private readonly cmu: number;
  private readonly cSigma: number;
  private readonly dSigma: number;
  private readonly cm: number;
  private readonly chiN: number;
  private readonly weightSum: number;

  mean: Float64Array;
  sigma: number;
  /** C, row-major. */
  C: Float64Array;
  pSigma: Float64Array;
  pc: Float64Array;
  private g = 0;
  bounds: { lower: Float64Array; upper: Float64Array } | null;
  readonly nMaxResampling: number;
  private rng: Rng;
  private tolx: number;
  private readonly tolxup = 1e4;
  private readonly tolfun = 1e-12;
  private readonly tolconditioncov = 1e14;
  private readonly funhistTerm: number;
  private funhist: Float64Array;
  private lr: LrState | null;
  // Cached eigendecomposition of C (null after each tell): columns of B are eigenvectors.
  private B: Float64Array | null = null;
  private D: Float64Array | null = null;

  constructor(options: CmaOptions) {
    const n = options.mean.length;
    if (n < 1) throw new UsageError('CMA-ES needs at least one dimension');
    if (!(options.sigma > 0) || !Number.isFinite(options.sigma)) throw new UsageError(`\`sigma > 0\` must hold, but got sigma=${options.sigma}`);
    const lambda = options.populationSize ?? defaultPopulationSize(n);
    if (!Number.isInteger(lambda) || lambda < 2) throw new UsageError(`population size must be an integer >= 2, but got ${lambda}`);
    checkBounds(n, options.bounds, options.mean);
    this.dim = n;
    this.populationSize = lambda;
    const mu = Math.floor(lambda / 2);
    this.mu = mu;

    // (eq. 49): preliminary weights w'_i = ln((lambda + 1) / 2) - ln i.
    const wPrime = new Float64Array(lambda);
    for (let i = 0; i < lambda; i++) wPrime[i] = Math.log((lambda + 1) / 2) - Math.log(i + 1);
    let sPos = 0;
    let sPos2 = 0;
    let sNeg = 0;
    let sNeg2 = 0;
    for (let i = 0; i < lambda; i++) {
      if (i < mu) {
        sPos += wPrime[i];
        sPos2 += wPrime[i] * wPrime[i];
      } else {
        sNeg += wPrime[i];
        sNeg2 += wPrime[i] * wPrime[i];
      }
    }
    const muEff = (sPos * sPos) / sPos2;
    const muEffMinus = (sNeg * sNeg) / sNeg2;
    this.muEff = muEff;

    // Learning rates for the rank-one and rank-mu updates (eq. 57, 58).
    const alphaCov = 2;
    const c1 = alphaCov / ((n + 1.3) ** 2 + muEff);
    const cmu = Math.min(1 - c1 - 1e-8, (alphaCov * (muEff - 2 + 1 / muEff)) / ((n + 2) ** 2 + (alphaCov * muEff) / 2));
    if (!(c1 <= 1 - cmu && cmu <= 1 - c1)) throw new Error('invalid learning rates of the covariance update');

    // Negative weights scaled so that the total update stays positive definite (eq. 50-53).
    const minAlpha = Math.min(1 + c1 / cmu, 1 + (2 * muEffMinus) / (muEff + 2), (1 - c1 - cmu) / (n * cmu));
    let positiveSum = 0;
    let negativeSum = 0;
    for (const w of wPrime) {
      if (w > 0) positiveSum += w;
      else negativeSum += -w;
    }
    this.weights = new Float64Array(lambda);
    let weightSum = 0;
    for (let i = 0; i < lambda; i++) {
      this.weights[i] = wPrime[i] >= 0 ? wPrime[i] / positiveSum : (minAlpha * wPrime[i]) / negativeSum;
      weightSum += this.weights[i];
    }
    this.weightSum = weightSum;
    this.cm = 1; // (eq. 54)

    // Step-size control (eq. 55) and the cumulation for the rank-one update (eq. 56).
    this.cSigma = (muEff + 2) / (n + muEff + 5);
    this.dSigma = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + this.cSigma;
    this.cc = (4 + muEff / n) / (n + 4 + (2 * muEff) / n);
    this.c1 = c1;
    this.cmu = cmu;
    // E||N(0, I)|| (p. 28)
    this.chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));

    this.mean = Float64Array.from(options.mean);
    this.sigma = options.sigma;
    this.C = new Float64Array(n * n);
    if (options.cov) {
      if (options.cov.length !== n * n) throw new UsageError(`cov must have ${n * n} entries (n * n), but got ${options.cov.length}`);
      this.C.set(options.cov);
    } else {
      for (let i = 0; i < n; i++) this.C[i * n + i] = 1;
    }
    this.pSigma = new Float64Array(n);
    this.pc = new Float64Array(n);
    this.bounds = options.bounds ? { lower: Float64Array.from(options.bounds.lower), upper: Float64Array.from(options.bounds.upper) } : null;
    this.nMaxResampling = options.nMaxResampling ?? 100;
    this.rng = new Rng(options.seed);

    this.tolx = 1e-12 * options.sigma;
    this.funhistTerm = 10 + Math.ceil((30 * n) / lambda);
    this.funhist = new Float64Array(this.funhistTerm * 2).fill(Number.NaN);
    this.lr = options.lrAdapt
      ? { eMean: new Array(n).fill(0), eSigma: new Array(n * n).fill(0), vMean: 0, vSigma: 0, etaMean: 1, etaSigma: 1 }
      : null;
  }

  get generation(): number {
    return this.g;
  }

  get lrAdapt(): boolean {
    return this.lr !== null;
  }

  reseedRng(seed?: number): void {
    this.rng.reseed(seed);
  }

  setBounds(bounds: CmaOptions['bounds']): void {
    checkBounds(this.dim, bounds, this.mean);
    this.bounds = bounds ? { lower: Float64Array.from(bounds.lower), upper: Float64Array.from(bounds.upper) } : null;
  }

  /** A candidate ~ N(m, sigma^2 C) inside the bounds (drawn from `rng`, default the optimizer's own). */
  ask(rng: Rng = this.rng): Float64Array {
    for (let i = 0; i < this.nMaxResampling; i++) {
      const x = this.sampleSolution(rng);
      if (this.isFeasible(x)) return x;
    }
    return this.repair(this.sampleSolution(rng));
  }

  encode(x: ArrayLike<number>): Float64Array {
    return Float64Array.from(x);
  }

  /** x = m + sigma B D z with z ~ N(0, I): one draw from N(m, sigma^2 C), ignoring the bounds. */
  sampleSolution(rng: Rng = this.rng): Float64Array {
    const n = this.dim;
    const [B, D] = this.eigen();
    const dz = fillNormals(rng, new Float64Array(n)); // z ~ N(0, I)
    for (let j = 0; j < n; j++) dz[j] *= D[j]; // D z
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let y = 0; // y = B D z ~ N(0, C)
      const row = i * n;
      for (let j = 0; j < n; j++) y += B[row + j] * dz[j];
      x[i] = this.mean[i] + this.sigma * y;
    }
    return x;
  }

  isFeasible(x: ArrayLike<number>): boolean {
    if (!this.bounds) return true;
    for (let i = 0; i < this.dim; i++) if (!(x[i] >= this.bounds.lower[i] && x[i] <= this.bounds.upper[i])) return false;
    return true;
  }

  repair(x: Float64Array): Float64Array {
    if (!this.bounds) return x;
    for (let i = 0; i < this.dim; i++) x[i] = Math.min(this.bounds.upper[i], Math.max(this.bounds.lower[i], x[i]));
    return x;
  }

  /** B (eigenvectors as columns, row-major) and D (square roots of the eigenvalues of C). */
  eigen(): [Float64Array, Float64Array] {
    if (this.B && this.D) return [this.B, this.D];
    const n = this.dim;
    const C = this.C;
    // Symmetrise against rounding drift.
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const v = (C[i * n + j] + C[j * n + i]) / 2;
        C[i * n + j] = v;
        C[j * n + i] = v;
      }
    }
    const B = new Float64Array(n * n);
    const D = new Float64Array(n);
    if (n === 1) {
      B[0] = 1;
      D[0] = Math.sqrt(C[0] < 0 ? EPS : C[0]);
    } else {
      const rows: number[][] = [];
      for (let i = 0; i < n; i++) rows.push(Array.from(C.subarray(i * n, (i + 1) * n)));
      const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
      const values = evd.realEigenvalues;
      const vectors = evd.eigenvectorMatrix;
      for (let j = 0; j < n; j++) D[j] = Math.sqrt(values[j] < 0 ? EPS : values[j]);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) B[i * n + j] = vectors.get(i, j);
    }
    // C = B diag(D^2) B^T, so that C stays exactly what is sampled from.
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += B[i * n + k] * D[k] * D[k] * B[j * n + k];
        C[i * n + j] = s;
        C[j * n + i] = s;
      }
    }
    this.B = B;
    this.D = D;
    return [B, D];
  }

  /** Updates the distribution from exactly `populationSize` evaluated solutions. */
  tell(solutions: Solution[]): void {
    const n = this.dim;
    const lambda = this.populationSize;
    if (solutions.length !== lambda) throw new UsageError(`tell needs ${lambda} solutions (the population size), but got ${solutions.length}`);
    for (const s of solutions) {
      if (s.x.length !== n) throw new UsageError(`each solution must have ${n} coordinates, but one has ${s.x.length}`);
      for (let i = 0; i < n; i++) if (!(Math.abs(s.x[i]) < MEAN_MAX)) throw new UsageError(`solution coordinates must be finite and below ${MEAN_MAX} in magnitude`);
    }
    this.g += 1;
    const sorted = [...solutions].sort((a, b) => a.value - b.value);

    // Best and worst values of the last `funhistTerm` generations (for the tolfun criterion).
    const fi = 2 * (this.g % this.funhistTerm);
    this.funhist[fi] = sorted[0].value;
    this.funhist[fi + 1] = sorted[lambda - 1].value;

    const [B, D] = this.eigen();
    this.B = null;
    this.D = null;

    // C^(-1/2) = B D^-1 B^T
    const invSqrtC = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += (B[i * n + k] * B[j * n + k]) / D[k];
        invSqrtC[i * n + j] = s;
        invSqrtC[j * n + i] = s;
      }
    }

    const oldMean = this.lr ? Float64Array.from(this.mean) : null;
    const oldSigma = this.sigma;
    const oldC = this.lr ? Float64Array.from(this.C) : null;

    // y_k = (x_k - m) / sigma ~ N(0, C)
    const y = new Float64Array(lambda * n);
    for (let k = 0; k < lambda; k++) for (let i = 0; i < n; i++) y[k * n + i] = (sorted[k].x[i] - this.mean[i]) / this.sigma;

    // Selection and recombination: y_w = sum_{i<=mu} w_i y_i:lambda (eq. 41), m += cm sigma y_w (eq. 42).
    const yw = new Float64Array(n);
    for (let k = 0; k < this.mu; k++) {
      const w = this.weights[k];
      for (let i = 0; i < n; i++) yw[i] += w * y[k * n + i];
    }
    for (let i = 0; i < n; i++) this.mean[i] += this.cm * this.sigma * yw[i];

    // Step-size control (eq. 43, 44).
    const cSigmaFactor = Math.sqrt(this.cSigma * (2 - this.cSigma) * this.muEff);
    let normPSigma2 = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += invSqrtC[i * n + j] * yw[j];
      this.pSigma[i] = (1 - this.cSigma) * this.pSigma[i] + cSigmaFactor * s;
      normPSigma2 += this.pSigma[i] * this.pSigma[i];
    }
    const normPSigma = Math.sqrt(normPSigma2);
    this.sigma *= Math.exp((this.cSigma / this.dSigma) * (normPSigma / this.chiN - 1));
    this.sigma = Math.min(this.sigma, SIGMA_MAX);

    // Stall the rank-one update when ||p_sigma|| is large (h_sigma, p. 28).
    const hLeft = normPSigma / Math.sqrt(1 - (1 - this.cSigma) ** (2 * (this.g + 1)));
    const hRight = (1.4 + 2 / (n + 1)) * this.chiN;
    const hSigma = hLeft < hRight ? 1 : 0;

    // (eq. 45)
    const ccFactor = hSigma * Math.sqrt(this.cc * (2 - this.cc) * this.muEff);
    for (let i = 0; i < n; i++) this.pc[i] = (1 - this.cc) * this.pc[i] + ccFactor * yw[i];

    // (eq. 46): negative weights are rescaled by n / ||C^(-1/2) y||^2.
    const wio = new Float64Array(lambda);
    for (let k = 0; k < lambda; k++) {
      if (this.weights[k] >= 0) {
        wio[k] = this.weights[k];
        continue;
      }
      let norm2 = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += invSqrtC[i * n + j] * y[k * n + j];
        norm2 += s * s;
      }
      wio[k] = (this.weights[k] * n) / (norm2 + EPS);
    }

    const deltaHSigma = (1 - hSigma) * this.cc * (2 - this.cc); // (p. 28)
    // (eq. 47): C = (1 + c1 dh - c1 - cmu sum w) C + c1 pc pc^T + cmu sum w°_i y_i y_i^T
    const decay = 1 + this.c1 * deltaHSigma - this.c1 - this.cmu * this.weightSum;
    const C = this.C;
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let rankMu = 0;
        for (let k = 0; k < lambda; k++) rankMu += wio[k] * y[k * n + i] * y[k * n + j];
        const v = decay * C[i * n + j] + this.c1 * this.pc[i] * this.pc[j] + this.cmu * rankMu;
        C[i * n + j] = v;
        C[j * n + i] = v;
      }
    }

    if (this.lr && oldMean && oldC) this.adaptLearningRate(oldMean, oldSigma, oldC, invSqrtC);
  }

  /**
   * Learning-rate adaptation (Nomura et al. 2023, Algorithm 1): estimates the signal-to-noise
   * ratio of the mean and covariance updates in the local coordinates of the old distribution and
   * scales the learning rates eta_mean, eta_Sigma to keep it near alpha.
   */
  private adaptLearningRate(oldMean: Float64Array, oldSigma: number, oldC: Float64Array, oldInvSqrtC: Float64Array): void {
    const lr = this.lr!;
    const n = this.dim;
    const betaMean = 0.1;
    const betaSigma = 0.03;
    const alpha = 1.4;
    const gamma = 0.1;
    const sigma2 = this.sigma * this.sigma;
    const oldSigma2 = oldSigma * oldSigma;
    const deltaMean = new Float64Array(n);
    for (let i = 0; i < n; i++) deltaMean[i] = this.mean[i] - oldMean[i];
    // Delta Sigma = sigma^2 C - sigma_old^2 C_old, Sigma being the full covariance.
    const deltaSigma = new Float64Array(n * n);
    for (let i = 0; i < n * n; i++) deltaSigma[i] = sigma2 * this.C[i] - oldSigma2 * oldC[i];
    // Local coordinates: Sigma_old^(-1/2) = C_old^(-1/2) / sigma_old.
    const inv = new Float64Array(n * n);
    for (let i = 0; i < n * n; i++) inv[i] = oldInvSqrtC[i] / oldSigma;
    const locMean = matVec(inv, deltaMean, n);
    const locSigma = matMul(matMul(inv, deltaSigma, n), inv, n);
    for (let i = 0; i < n * n; i++) locSigma[i] /= Math.SQRT2;

    // Moving averages of the update and of its squared norm.
    let sqE = 0;
    let sqLoc = 0;
    for (let i = 0; i < n; i++) {
      lr.eMean[i] = (1 - betaMean) * lr.eMean[i] + betaMean * locMean[i];
      sqE += lr.eMean[i] ** 2;
      sqLoc += locMean[i] ** 2;
    }
    lr.vMean = (1 - betaMean) * lr.vMean + betaMean * sqLoc;
    let sqES = 0;
    let sqLocS = 0;
    for (let i = 0; i < n * n; i++) {
      lr.eSigma[i] = (1 - betaSigma) * lr.eSigma[i] + betaSigma * locSigma[i];
      sqES += lr.eSigma[i] ** 2;
      sqLocS += locSigma[i] ** 2;
    }
    lr.vSigma = (1 - betaSigma) * lr.vSigma + betaSigma * sqLocS;

    // Signal-to-noise ratio estimates.
    const snrMean = (sqE - (betaMean / (2 - betaMean)) * lr.vMean) / (lr.vMean - sqE);
    const snrSigma = (sqES - (betaSigma / (2 - betaSigma)) * lr.vSigma) / (lr.vSigma - sqES);

    const beforeEtaMean = lr.etaMean;
    const relMean = clip(snrMean / alpha / lr.etaMean - 1, -1, 1);
    lr.etaMean *= Math.exp(Math.min(gamma * lr.etaMean, betaMean) * relMean);
    const relSigma = clip(snrSigma / alpha / lr.etaSigma - 1, -1, 1);
    lr.etaSigma *= Math.exp(Math.min(gamma * lr.etaSigma, betaSigma) * relSigma);
    lr.etaMean = Math.min(lr.etaMean, 1);
    lr.etaSigma = Math.min(lr.etaSigma, 1);

    // Apply the adapted rates to the one-step change of m and Sigma.
    for (let i = 0; i < n; i++) this.mean[i] = oldMean[i] + lr.etaMean * deltaMean[i];
    const Sigma = new Float64Array(n * n);
    for (let i = 0; i < n * n; i++) Sigma[i] = oldSigma2 * oldC[i] + lr.etaSigma * deltaSigma[i];
    // Split Sigma into sigma^2 C with det(C) = 1: sigma = exp(sum ln eig / (2n)).
    const logDet = logDeterminantSymmetric(Sigma, n);
    this.sigma = Math.min(Math.exp(logDet / 2 / n), SIGMA_MAX);
    const s2 = this.sigma * this.sigma;
    for (let i = 0; i < n * n; i++) this.C[i] = Sigma[i] / s2;
    // Step-size correction.
    this.sigma *= beforeEtaMean / lr.etaMean;
  }

  /** The termination criteria of the `cmaes` library (after Hansen's tutorial, appendix B.3). */
  shouldStop(): boolean {
    const n = this.dim;
    const [B, D] = this.eigen();
    const dC = new Float64Array(n);
    for (let i = 0; i < n; i++) dC[i] = this.C[i * n + i];

    // tolfun: range of recent best and worst values.
    if (this.g > this.funhistTerm) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of this.funhist) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (hi - lo < this.tolfun) return true;
    }
    // tolx: the distribution and the evolution path are tiny in every coordinate.
    let allSmall = true;
    for (let i = 0; i < n; i++) if (!(this.sigma * dC[i] < this.tolx && this.sigma * this.pc[i] < this.tolx)) allSmall = false;
    if (allSmall) return true;
    // tolxup: divergence.
    let dMax = 0;
    let dMin = Infinity;
    for (const d of D) {
      dMax = Math.max(dMax, d);
      dMin = Math.min(dMin, d);
    }
    if (this.sigma * dMax > this.tolxup) return true;
    // No effect coordinate: adding 0.2 standard deviations does not change m.
    for (let i = 0; i < n; i++) if (this.mean[i] === this.mean[i] + 0.2 * this.sigma * Math.sqrt(dC[i])) return true;
    // No effect axis: adding 0.1 standard deviations along one principal axis does not change m.
    const axis = this.g % n;
    let unchanged = true;
    for (let i = 0; i < n; i++) if (this.mean[i] !== this.mean[i] + 0.1 * this.sigma * D[axis] * B[i * n + axis]) unchanged = false;
    if (unchanged) return true;
    // Condition number of C.
    if (dMax / dMin > this.tolconditioncov) return true;
    return false;
  }

  toJSON(): CmaState {
    const n = this.dim;
    const cov: number[] = [];
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) cov.push(this.C[i * n + j]);
    return {
      kind: 'cma',
      dim: n,
      populationSize: this.populationSize,
      mean: Array.from(this.mean),
      sigma: this.sigma,
      cov,
      pSigma: Array.from(this.pSigma),
      pc: Array.from(this.pc),
      generation: this.g,
      bounds: this.bounds ? { lower: Array.from(this.bounds.lower), upper: Array.from(this.bounds.upper) } : null,
      nMaxResampling: this.nMaxResampling,
      tolx: this.tolx,
      funhist: Array.from(this.funhist, (v) => (Number.isFinite(v) ? v : null)),
      lr: this.lr ? structuredClone(this.lr) : null,
      rng: this.rng.getState(),
    };
  }

  static fromJSON(state: CmaState): CMA {
    if (state.kind !== 'cma') throw new UsageError(`not a CMA state: kind '${(state as { kind: string }).kind}'`);
    const n = state.dim;
    const cma = new CMA({
      mean: state.mean,
      sigma: state.sigma,
      populationSize: state.populationSize,
      bounds: state.bounds,
      nMaxResampling: state.nMaxResampling,
      lrAdapt: state.lr !== null,
    });
    let k = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        cma.C[i * n + j] = state.cov[k];
        cma.C[j * n + i] = state.cov[k];
        k++;
      }
    }
    cma.pSigma = Float64Array.from(state.pSigma);
    cma.pc = Float64Array.from(state.pc);
    cma.g = state.generation;
    cma.tolx = state.tolx;
    cma.funhist = Float64Array.from(state.funhist, (v) => (v === null ? Number.NaN : v));
    cma.lr = state.lr ? structuredClone(state.lr) : null;
    cma.rng.setState(state.rng);
    return cma;
  }
}

function clip(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function matVec(A: Float64Array, v: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i * n + j] * v[j];
    out[i] = s;
  }
  return out;
}

function matMul(A: Float64Array, B: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const a = A[i * n + k];
      if (a === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += a * B[k * n + j];
    }
  }
  return out;
}

/** ln det of a symmetric positive definite matrix, by Cholesky (sum of ln of the eigenvalues). */
function logDeterminantSymmetric(A: Float64Array, n: number): number {
  const L = new Float64Array(n * n);
  let logDet = 0;
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j];
    for (let k = 0; k < j; k++) d -= L[j * n + k] ** 2;
    if (!(d > 0)) {
      // Not positive definite through rounding: fall back to the eigenvalues, floored at EPS.
      const evd = new EigenvalueDecomposition(new Matrix(Array.from({ length: n }, (_, i) => Array.from(A.subarray(i * n, (i + 1) * n)))), {
        assumeSymmetric: true,
      });
      return evd.realEigenvalues.reduce((s, v) => s + Math.log(Math.max(v, EPS)), 0);
    }
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    logDet += 2 * Math.log(ljj);
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = s / ljj;
    }
  }
  return logDet;
}
