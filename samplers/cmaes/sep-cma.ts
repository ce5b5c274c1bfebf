/**
 * Separable CMA-ES (sep-CMA-ES): CMA-ES restricted to a diagonal covariance matrix, so that a
 * generation costs O(lambda n) instead of O(n^3) and the covariance learns n times faster. For high
 * dimensions and objectives whose variables interact little.
 *
 * R. Ros & N. Hansen, "A Simple Modification in CMA-ES Achieving Linear Time and Space
 * Complexity" (PPSN 2008); the learning rates are theirs (c_mu scaled by (n + 2) / 3, eq. 5 there),
 * the rest follows Hansen's tutorial (arXiv:1604.00772) as in `cma.ts`, with positive weights only,
 * as the `cmaes` library's `SepCMA`.
 */
import { UsageError } from '../../src/errors.js';
import { Rng, type RngState } from '../../src/rng.js';
import { fillNormals } from './normal.js';
import { type AskTellOptimizer, type CmaOptions, type Solution, checkBounds, defaultPopulationSize } from './cma.js';

const EPS = 1e-8;
const SIGMA_MAX = 1e32;

export interface SepCmaState {
  readonly kind: 'sep-cma';
  dim: number;
  populationSize: number;
  mean: number[];
  sigma: number;
  /** The diagonal of C. */
  cov: number[];
  pSigma: number[];
  pc: number[];
  generation: number;
  bounds: { lower: number[]; upper: number[] } | null;
  nMaxResampling: number;
  tolx: number;
  funhist: (number | null)[];
  rng: RngState;
}

export class SepCMA implements AskTellOptimizer {
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
  private readonly chiN: number;

  mean: Float64Array;
  sigma: number;
  /** Diagonal of C. */
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

  constructor(options: Omit<CmaOptions, 'cov' | 'lrAdapt'>) {
    const n = options.mean.length;
    if (n < 1) throw new UsageError('sep-CMA-ES needs at least one dimension');
    if (!(options.sigma > 0) || !Number.isFinite(options.sigma)) throw new UsageError(`\`sigma > 0\` must hold, but got sigma=${options.sigma}`);
    const lambda = options.populationSize ?? defaultPopulationSize(n);
    if (!Number.isInteger(lambda) || lambda < 2) throw new UsageError(`population size must be an integer >= 2, but got ${lambda}`);
    checkBounds(n, options.bounds, options.mean);
    this.dim = n;
    this.populationSize = lambda;
    const mu = Math.floor(lambda / 2);
    this.mu = mu;
    // (eq. 49), positive weights only.
    this.weights = new Float64Array(mu);
    let sum = 0;
    for (let i = 0; i < mu; i++) {
      this.weights[i] = Math.log(mu + 1) - Math.log(i + 1);
      sum += this.weights[i];
    }
    let sum2 = 0;
    for (let i = 0; i < mu; i++) {
      this.weights[i] /= sum;
      sum2 += this.weights[i] ** 2;
    }
    const muEff = 1 / sum2;
    this.muEff = muEff;
    this.c1 = 2 / ((n + 1.3) ** 2 + muEff);
    // Ros & Hansen (2008), eq. 5: the full-CMA rank-mu rate times (n + 2) / 3.
    const cmuFull = 2 / muEff / (n + Math.SQRT2) ** 2 + (1 - 1 / muEff) * Math.min(1, (2 * muEff - 1) / ((n + 2) ** 2 + muEff));
    this.cmu = ((n + 2) / 3) * cmuFull;
    this.cSigma = (muEff + 2) / (n + muEff + 3);
    this.dSigma = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + this.cSigma;
    this.cc = 4 / (n + 4);
    this.chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));

    this.mean = Float64Array.from(options.mean);
    this.sigma = options.sigma;
    this.C = new Float64Array(n).fill(1);
    this.pSigma = new Float64Array(n);
    this.pc = new Float64Array(n);
    this.bounds = options.bounds ? { lower: Float64Array.from(options.bounds.lower), upper: Float64Array.from(options.bounds.upper) } : null;
    this.nMaxResampling = options.nMaxResampling ?? 100;
    this.rng = new Rng(options.seed);
    this.tolx = 1e-12 * options.sigma;
    this.funhistTerm = 10 + Math.ceil((30 * n) / lambda);
    this.funhist = new Float64Array(this.funhistTerm * 2).fill(Number.NaN);
  }

  get generation(): number {
    return this.g;
  }

  reseedRng(seed?: number): void {
    this.rng.reseed(seed);
  }

  private stdDevs(): Float64Array {
    return Float64Array.from(this.C, (c) => Math.sqrt(c < 0 ? EPS : c));
  }

  ask(rng: Rng = this.rng): Float64Array {
    const D = this.stdDevs();
    for (let i = 0; i < this.nMaxResampling; i++) {
      const x = this.sampleSolution(rng, D);
      if (this.isFeasible(x)) return x;
    }
    const x = this.sampleSolution(rng, D);
    if (this.bounds) for (let i = 0; i < this.dim; i++) x[i] = Math.min(this.bounds.upper[i], Math.max(this.bounds.lower[i], x[i]));
    return x;
  }

  encode(x: ArrayLike<number>): Float64Array {
    return Float64Array.from(x);
  }

  /** x = m + sigma D z, z ~ N(0, I). */
  sampleSolution(rng: Rng = this.rng, D: Float64Array = this.stdDevs()): Float64Array {
    const x = fillNormals(rng, new Float64Array(this.dim));
    for (let i = 0; i < this.dim; i++) x[i] = this.mean[i] + this.sigma * D[i] * x[i];
    return x;
  }

  isFeasible(x: ArrayLike<number>): boolean {
    if (!this.bounds) return true;
    for (let i = 0; i < this.dim; i++) if (!(x[i] >= this.bounds.lower[i] && x[i] <= this.bounds.upper[i])) return false;
    return true;
  }

  tell(solutions: Solution[]): void {
    const n = this.dim;
    const lambda = this.populationSize;
    if (solutions.length !== lambda) throw new UsageError(`tell needs ${lambda} solutions (the population size), but got ${solutions.length}`);
    this.g += 1;
    const sorted = [...solutions].sort((a, b) => a.value - b.value);
    const fi = 2 * (this.g % this.funhistTerm);
    this.funhist[fi] = sorted[0].value;
    this.funhist[fi + 1] = sorted[lambda - 1].value;
    const D = this.stdDevs();

    const yw = new Float64Array(n);
    const y = new Float64Array(this.mu * n);
    for (let k = 0; k < this.mu; k++) {
      for (let i = 0; i < n; i++) {
        const v = (sorted[k].x[i] - this.mean[i]) / this.sigma; // y_k ~ N(0, C)
        y[k * n + i] = v;
        yw[i] += this.weights[k] * v; // (eq. 41)
      }
    }
    for (let i = 0; i < n; i++) this.mean[i] += this.sigma * yw[i]; // (eq. 42), cm = 1

    // (eq. 43, 44) with C^(-1/2) = diag(1 / D)
    const f = Math.sqrt(this.cSigma * (2 - this.cSigma) * this.muEff);
    let norm2 = 0;
    for (let i = 0; i < n; i++) {
      this.pSigma[i] = (1 - this.cSigma) * this.pSigma[i] + (f * yw[i]) / D[i];
      norm2 += this.pSigma[i] ** 2;
    }
    const normPSigma = Math.sqrt(norm2);
    this.sigma = Math.min(this.sigma * Math.exp((this.cSigma / this.dSigma) * (normPSigma / this.chiN - 1)), SIGMA_MAX);

    const hSigma = normPSigma / Math.sqrt(1 - (1 - this.cSigma) ** (2 * (this.g + 1))) < (1.4 + 2 / (n + 1)) * this.chiN ? 1 : 0; // (p. 28)
    const fc = hSigma * Math.sqrt(this.cc * (2 - this.cc) * this.muEff);
    for (let i = 0; i < n; i++) this.pc[i] = (1 - this.cc) * this.pc[i] + fc * yw[i]; // (eq. 45)
    const deltaH = (1 - hSigma) * this.cc * (2 - this.cc);
    // (eq. 47) on the diagonal; the weights sum to 1.
    const decay = 1 + this.c1 * deltaH - this.c1 - this.cmu;
    for (let i = 0; i < n; i++) {
      let rankMu = 0;
      for (let k = 0; k < this.mu; k++) rankMu += this.weights[k] * y[k * n + i] ** 2;
      this.C[i] = decay * this.C[i] + this.c1 * this.pc[i] ** 2 + this.cmu * rankMu;
    }
  }

  shouldStop(): boolean {
    const n = this.dim;
    const D = this.stdDevs();
    if (this.g > this.funhistTerm) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of this.funhist) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      if (hi - lo < this.tolfun) return true;
    }
    let allSmall = true;
    for (let i = 0; i < n; i++) if (!(this.sigma * this.C[i] < this.tolx && this.sigma * this.pc[i] < this.tolx)) allSmall = false;
    if (allSmall) return true;
    let dMax = 0;
    let dMin = Infinity;
    for (const d of D) {
      dMax = Math.max(dMax, d);
      dMin = Math.min(dMin, d);
    }
    if (this.sigma * dMax > this.tolxup) return true;
    for (let i = 0; i < n; i++) if (this.mean[i] === this.mean[i] + 0.2 * this.sigma * Math.sqrt(this.C[i])) return true;
    const axis = this.g % n;
    let unchanged = true;
    for (let i = 0; i < n; i++) if (this.mean[i] !== this.mean[i] + 0.1 * this.sigma * D[axis]) unchanged = false;
    if (unchanged) return true;
    return dMax / dMin > this.tolconditioncov;
  }

  toJSON(): SepCmaState {
    return {
      kind: 'sep-cma',
      dim: this.dim,
      populationSize: this.populationSize,
      mean: Array.from(this.mean),
      sigma: this.sigma,
      cov: Array.from(this.C),
      pSigma: Array.from(this.pSigma),
      pc: Array.from(this.pc),
      generation: this.g,
      bounds: this.bounds ? { lower: Array.from(this.bounds.lower), upper: Array.from(this.bounds.upper) } : null,
      nMaxResampling: this.nMaxResampling,
      tolx: this.tolx,
      funhist: Array.from(this.funhist, (v) => (Number.isFinite(v) ? v : null)),
      rng: this.rng.getState(),
    };
  }

  static fromJSON(state: SepCmaState): SepCMA {
    if (state.kind !== 'sep-cma') throw new UsageError(`not a sep-CMA state: kind '${(state as { kind: string }).kind}'`);
    const s = new SepCMA({ mean: state.mean, sigma: state.sigma, populationSize: state.populationSize, bounds: state.bounds, nMaxResampling: state.nMaxResampling });
    s.C = Float64Array.from(state.cov);
    s.pSigma = Float64Array.from(state.pSigma);
    s.pc = Float64Array.from(state.pc);
    s.g = state.generation;
    s.tolx = state.tolx;
    s.funhist = Float64Array.from(state.funhist, (v) => (v === null ? Number.NaN : v));
    s.rng.setState(state.rng);
    return s;
  }
}
