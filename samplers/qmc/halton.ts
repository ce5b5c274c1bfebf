/**
 * The Halton low-discrepancy sequence (Halton 1960): coordinate j of point n is the radical
 * inverse of n in the j-th prime base. Unscrambled points equal SciPy's `qmc.Halton(scramble=False)`
 * (point 0 is the origin).
 *
 * Scrambling permutes the digits: each coordinate and digit position gets its own random
 * permutation of {0, ..., b-1} (as SciPy's `scramble=True`, after Owen 2017 "A randomized Halton
 * algorithm in R"). Trailing zero digits are permuted too, up to the precision of a double, so
 * every scrambled point is a uniform draw from its cell and no point sits on the origin.
 */
import { PointSequence } from './point-sequence.js';
import { Rng } from '../../src/rng.js';
import { UsageError } from '../../src/errors.js';

export interface HaltonOptions {
  /** Scramble the digits with random permutations. Default false. */
  scramble?: boolean;
  /** Seed or generator of the permutations; ignored without scrambling. */
  seed?: number | Rng;
}

/** The first `n` primes (sieve, growing the bound until there are enough). */
export function firstPrimes(n: number): number[] {
  let bound = Math.max(16, Math.ceil(n * (Math.log(n + 1) + Math.log(Math.log(n + 2)) + 2)));
  for (;;) {
    const composite = new Uint8Array(bound + 1);
    const primes: number[] = [];
    for (let i = 2; i <= bound && primes.length < n; i++) {
      if (composite[i]) continue;
      primes.push(i);
      for (let j = i * i; j <= bound; j += i) composite[j] = 1;
    }
    if (primes.length >= n) return primes;
    bound *= 2;
  }
}

export class HaltonSequence extends PointSequence {
  readonly dim: number;
  readonly scramble: boolean;
  readonly bases: readonly number[];
  /** Per coordinate: the digit permutations, one per position (empty unscrambled). */
  private readonly perms: Int32Array[][];

  constructor(dim: number, options: HaltonOptions = {}) {
    super();
    if (!Number.isInteger(dim) || dim < 1 || dim > 10_000) {
      throw new UsageError(`Halton dimension must be an integer in [1, 10000], but got ${dim}`);
    }
    this.dim = dim;
    this.scramble = options.scramble ?? false;
    this.bases = firstPrimes(dim);
    this.perms = [];
    const rng = this.scramble ? (options.seed instanceof Rng ? options.seed : new Rng(options.seed)) : null;
    for (const b of this.bases) {
      const positions: Int32Array[] = [];
      if (rng) {
        // Enough positions that b^-positions is below double precision (2^-53).
        const count = Math.ceil(53 / Math.log2(b));
        for (let k = 0; k < count; k++) {
          const p = new Int32Array(b);
          for (let i = 0; i < b; i++) p[i] = i;
          for (let i = b - 1; i > 0; i--) {
            const r = Math.floor(rng.random() * (i + 1));
            const t = p[i];
            p[i] = p[r];
            p[r] = t;
          }
          positions.push(p);
        }
      }
      this.perms.push(positions);
    }
  }

  /** Point number `index` (0-based) of the sequence, in [0, 1)^dim. */
  override point(index: number, out: Float64Array = new Float64Array(this.dim)): Float64Array {
    if (!Number.isSafeInteger(index) || index < 0) throw new UsageError(`Halton index must be a non-negative integer, but got ${index}`);
    for (let j = 0; j < this.dim; j++) {
      const b = this.bases[j];
      const perms = this.perms[j];
      let n = index;
      let x = 0;
      let f = 1 / b;
      if (perms.length === 0) {
        while (n > 0) {
          x += (n % b) * f;
          n = Math.floor(n / b);
          f /= b;
        }
      } else {
        for (let k = 0; k < perms.length; k++) {
          x += perms[k][n % b] * f;
          n = Math.floor(n / b);
          f /= b;
        }
      }
      out[j] = Math.min(x, 1 - Number.EPSILON / 2);
    }
    return out;
  }
}
