/**
 * The Sobol low-discrepancy sequence in base 2 (Sobol 1967), with Joe & Kuo's direction numbers
 * (up to 1,024 dimensions) and optional scrambling.
 *
 * Point n is the XOR of the direction numbers V_k for the set bits of gray(n) = n ^ (n >> 1)
 * (Antonov & Saleev 1979), which is the order SciPy's `qmc.Sobol` uses, so the unscrambled
 * points equal SciPy's. Any index can be computed directly, which is what samplers need: the
 * index comes from the storage (a trial number), not from a running counter.
 *
 * Scrambling is SciPy's: a random linear matrix scramble (LMS, Matousek 1998) of the direction
 * numbers plus a random digital shift. Scrambled points stay a (t, s)-sequence in base 2 and are
 * uniformly distributed on [0, 1)^d.
 */
import { PointSequence } from './point-sequence.js';
import { Rng } from '../../src/rng.js';
import { UsageError } from '../../src/errors.js';
import { SOBOL_DIRECTIONS } from './sobol-directions.js';

/** Number of binary digits per coordinate: points are multiples of 2^-32. */
const BITS = 32;
const SCALE = 2 ** -BITS;

/** The largest dimension with direction numbers. */
export const SOBOL_MAX_DIM = SOBOL_DIRECTIONS.length;

export interface SobolOptions {
  /** Scramble (LMS + digital shift). Default false, as SciPy's `scramble=False`. */
  scramble?: boolean;
  /** Seed or generator of the scramble; ignored without scrambling. */
  seed?: number | Rng;
}

/**
 * Direction numbers V_1..V_32 of one coordinate as 32-bit integers (V_k = m_k * 2^(32-k)), by
 * the recurrence of Bratley & Fox (1988), eq. (2) of Joe & Kuo (2008):
 *   m_k = 2 a_1 m_{k-1} ^ 4 a_2 m_{k-2} ^ ... ^ 2^(s-1) a_(s-1) m_(k-s+1) ^ 2^s m_(k-s) ^ m_(k-s).
 */
function directionNumbers(row: readonly number[]): Uint32Array {
  const poly = row[0];
  const s = 31 - Math.clz32(poly);
  // The first coordinate (polynomial 1, degree 0) is van der Corput's: every m_k = 1.
  const m = new Array<number>(BITS).fill(1);
  if (s === 0) return Uint32Array.from(m, (mk, k) => (mk * 2 ** (BITS - 1 - k)) >>> 0);
  for (let k = 0; k < BITS; k++) {
    if (k < s) {
      m[k] = row[1 + k] ?? 1;
      continue;
    }
    let next = m[k - s] ^ (m[k - s] << s);
    for (let i = 1; i < s; i++) {
      // a_i is the coefficient of x^(s-i): bit s-i of the polynomial.
      if ((poly >>> (s - i)) & 1) next ^= m[k - i] << i;
    }
    m[k] = next;
  }
  const v = new Uint32Array(BITS);
  for (let k = 0; k < BITS; k++) v[k] = (m[k] * 2 ** (BITS - 1 - k)) >>> 0;
  return v;
}

function parity32(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}

export class SobolSequence extends PointSequence {
  readonly dim: number;
  readonly scramble: boolean;
  /** Direction numbers, BITS per coordinate: v[j * BITS + k] is V_(k+1) of coordinate j. */
  private readonly v: Uint32Array;
  /** Digital shift per coordinate (0 unscrambled). */
  private readonly shift: Uint32Array;

  constructor(dim: number, options: SobolOptions = {}) {
    super();
    if (!Number.isInteger(dim) || dim < 1 || dim > SOBOL_MAX_DIM) {
      throw new UsageError(`Sobol dimension must be an integer in [1, ${SOBOL_MAX_DIM}], but got ${dim}`);
    }
    this.dim = dim;
    this.scramble = options.scramble ?? false;
    this.v = new Uint32Array(dim * BITS);
    this.shift = new Uint32Array(dim);
    const rng = this.scramble ? (options.seed instanceof Rng ? options.seed : new Rng(options.seed)) : null;
    for (let j = 0; j < dim; j++) {
      const v = directionNumbers(SOBOL_DIRECTIONS[j]);
      if (rng) {
        // LMS: a random lower-triangular binary matrix L with unit diagonal multiplies every
        // direction number (digits MSB first); row i of L is a mask over digits 0..i.
        const rows = new Uint32Array(BITS);
        for (let i = 0; i < BITS; i++) {
          const below = i === 0 ? 0 : rng.nextUint32() >>> (BITS - i); // i random digits before the diagonal
          rows[i] = ((below << (BITS - i)) | (1 << (BITS - 1 - i))) >>> 0;
          if (i === 0) rows[i] = 0x80000000;
        }
        for (let k = 0; k < BITS; k++) {
          let out = 0;
          for (let i = 0; i < BITS; i++) if (parity32(rows[i] & v[k])) out |= 1 << (BITS - 1 - i);
          v[k] = out >>> 0;
        }
        this.shift[j] = rng.nextUint32();
      }
      this.v.set(v, j * BITS);
    }
  }

  /** Point number `index` (0-based) of the sequence, in [0, 1)^dim. */
  override point(index: number, out: Float64Array = new Float64Array(this.dim)): Float64Array {
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** BITS) {
      throw new UsageError(`Sobol index must be an integer in [0, 2^${BITS}), but got ${index}`);
    }
    const gray = (index ^ Math.floor(index / 2)) >>> 0;
    for (let j = 0; j < this.dim; j++) {
      let x = this.shift[j];
      const base = j * BITS;
      for (let k = 0, g = gray; g !== 0; k++, g >>>= 1) if (g & 1) x ^= this.v[base + k];
      out[j] = (x >>> 0) * SCALE;
    }
    return out;
  }
}
