/**
 * Crossover operators of the NSGA samplers, with Optuna's names and defaults
 * (`optuna.samplers.nsgaii.*Crossover`). Each makes one child from `nParents` parents given as
 * coordinates in the search space's box (SearchSpaceTransform's; `lower`/`upper` its bounds). A
 * child may leave the box (BLX-alpha, UNDX, SPX); the sampler then draws new parents and tries
 * again, as Optuna's `perform_crossover` does.
 */
import { UsageError } from '../../src/errors.js';
import type { Rng } from '../../src/rng.js';

export const CROSSOVER_NAMES = ['uniform', 'blxalpha', 'sbx', 'vsbx', 'undx', 'spx'] as const;
export type CrossoverName = (typeof CROSSOVER_NAMES)[number];

export interface Crossover {
  readonly name: CrossoverName;
  readonly nParents: number;
  cross(parents: readonly Float64Array[], rng: Rng, lower: Float64Array, upper: Float64Array, multiObjective: boolean): Float64Array;
}

/** Uniform crossover (Syswerda 1989): each coordinate from the first parent with probability 1 - swappingProb, else from the second. */
export function uniformCrossover(swappingProb = 0.5): Crossover {
  return {
    name: 'uniform',
    nParents: 2,
    cross(parents, rng) {
      const [a, b] = parents;
      return a.map((v, i) => (rng.random() >= swappingProb ? b[i] : v));
    },
  };
}

/** BLX-alpha (Eshelman & Schaffer 1993): uniform in the parents' interval widened by alpha of its length each side. */
export function blxAlphaCrossover(alpha = 0.5): Crossover {
  return {
    name: 'blxalpha',
    nParents: 2,
    cross(parents, rng) {
      const [a, b] = parents;
      return a.map((v, i) => {
        const lo = Math.min(v, b[i]);
        const hi = Math.max(v, b[i]);
        const d = alpha * (hi - lo);
        return lo - d + (hi - lo + 2 * d) * rng.random();
      });
    },
  };
}

/**
 * Picks one child of a pair per coordinate: with probability useChildGeneProb from the pair of
 * children (c1, c2), else from the parents, each pair swapped with probability 0.5; then one of
 * the two resulting children (Optuna's SBX and vSBX).
 */
function mixChildren(c1: Float64Array, c2: Float64Array, a: Float64Array, b: Float64Array, rng: Rng): Float64Array {
  const child1 = new Float64Array(a.length);
  const child2 = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const [x, y] = rng.random() < 0.5 ? [c1[i], c2[i]] : [a[i], b[i]];
    const swap = rng.random() < 0.5;
    child1[i] = swap ? y : x;
    child2[i] = swap ? x : y;
  }
  return rng.random() < 0.5 ? child1 : child2;
}

/** The distribution index: 20 for several objectives, 2 for one (Optuna's default). */
const defaultEta = (multiObjective: boolean): number => (multiObjective ? 20 : 2);

/**
 * Simulated binary crossover with bounds (Deb & Agrawal 1995; the bounded form of Deb, Sindhya &
 * Okabe 2007, eqs. 3-5): the spread factor's distribution is cut at the box so children stay in it.
 */
export function sbxCrossover(eta?: number): Crossover {
  return {
    name: 'sbx',
    nParents: 2,
    cross(parents, rng, lower, upper, multiObjective) {
      const [a, b] = parents;
      const e = eta ?? defaultEta(multiObjective);
      const n = a.length;
      const c1 = new Float64Array(n);
      const c2 = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const lo = Math.min(a[i], b[i]);
        const hi = Math.max(a[i], b[i]);
        const diff = Math.max(hi - lo, 1e-10);
        const u = rng.random();
        const betaQ = (beta: number): number => {
          const alpha = 2 - beta ** -(e + 1);
          return u > 1 / alpha ? (1 / (2 - u * alpha)) ** (1 / (e + 1)) : (u * alpha) ** (1 / (e + 1));
        };
        c1[i] = 0.5 * (lo + hi - betaQ(1 + (2 * (lo - lower[i])) / diff) * diff);
        c2[i] = 0.5 * (lo + hi + betaQ(1 + (2 * (upper[i] - hi)) / diff) * diff);
      }
      return mixChildren(c1, c2, a, b, rng);
    },
  };
}

/**
 * vSBX (Ballester & Carter 2003, "Real-parameter genetic algorithms for finding multiple optimal
 * solutions in multi-modal optimization"): SBX that excludes no region between and around the
 * parents.
 */
export function vsbxCrossover(eta?: number): Crossover {
  return {
    name: 'vsbx',
    nParents: 2,
    cross(parents, rng, _lower, _upper, multiObjective) {
      const [a, b] = parents;
      const e = eta ?? defaultEta(multiObjective);
      const n = a.length;
      const beta1 = new Float64Array(n);
      const beta2 = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const u = rng.random();
        beta1[i] = (1 / Math.max(2 * u, 1e-10)) ** (1 / (e + 1));
        beta2[i] = (1 / Math.max(2 * (1 - u), 1e-10)) ** (1 / (e + 1));
      }
      const first = rng.random() <= 0.5;
      const second = rng.random() <= 0.5;
      const c1 = a.map((v, i) => (first ? 0.5 * ((1 + beta1[i]) * v + (1 - beta2[i]) * b[i]) : 0.5 * ((1 - beta1[i]) * v + (1 + beta2[i]) * b[i])));
      const c2 = a.map((v, i) => (second ? 0.5 * ((3 - beta1[i]) * v - (1 - beta2[i]) * b[i]) : 0.5 * (-(1 - beta1[i]) * v + (3 - beta2[i]) * b[i])));
      return mixChildren(c1, c2, a, b, rng);
    },
  };
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * An orthonormal basis of the complement of the unit vector e (Gram-Schmidt over e and the
 * coordinate axes; e = 0 gives the axes).
 */
function orthogonalComplement(e: Float64Array): Float64Array[] {
  const n = e.length;
  const basis: Float64Array[] = norm(e) > 0 ? [e] : [];
  const out: Float64Array[] = [];
  for (let k = 0; k < n && basis.length < n; k++) {
    const v = new Float64Array(n);
    v[k] = 1;
    for (const q of basis) {
      const p = dot(v, q);
      for (let i = 0; i < n; i++) v[i] -= p * q[i];
    }
    const len = norm(v);
    if (len < 1e-10) continue;
    for (let i = 0; i < n; i++) v[i] /= len;
    basis.push(v);
    out.push(v);
  }
  return out.slice(0, n - 1);
}

/**
 * UNDX (Ono & Kobayashi 1997; Kita, Ono & Kobayashi 1999, section 2): a normal sample around the
 * midpoint of parents 1 and 2, spread sigmaXi along their line and sigmaEta times the third
 * parent's distance from that line across it. Variances sigma^2, as Optuna (sigmaEta default
 * 0.35 / sqrt(n)).
 */
export function undxCrossover(sigmaXi = 0.5, sigmaEta?: number): Crossover {
  return {
    name: 'undx',
    nParents: 3,
    cross(parents, rng) {
      const [x1, x2, x3] = parents;
      const n = x1.length;
      const sEta = sigmaEta ?? 0.35 / Math.sqrt(n);
      const mid = x1.map((v, i) => (v + x2[i]) / 2);
      const d = x1.map((v, i) => v - x2[i]);
      const v12 = x2.map((v, i) => v - x1[i]);
      const len = Math.max(norm(v12), 1e-10);
      const e12 = v12.map((v) => v / len);
      const xi = rng.normal() * sigmaXi ** 2;
      const child = mid.map((m, i) => m + xi * d[i]);
      if (n > 1) {
        const v13 = x3.map((v, i) => v - x1[i]);
        const along = dot(v13, e12);
        const distance = norm(v13.map((v, i) => v - along * e12[i]));
        for (const basis of orthogonalComplement(e12)) {
          const eta = rng.normal() * sEta ** 2;
          for (let i = 0; i < n; i++) child[i] += distance * eta * basis[i];
        }
      }
      return child;
    },
  };
}

/**
 * SPX, simplex crossover (Tsutsui, Yamamura & Higuchi 1999, eqs. 1-5): uniform in the parents'
 * simplex expanded by epsilon about its centroid (default sqrt(n + 2)).
 */
export function spxCrossover(epsilon?: number): Crossover {
  return {
    name: 'spx',
    nParents: 3,
    cross(parents, rng) {
      const k = parents.length;
      const n = parents[0].length;
      const eps = epsilon ?? Math.sqrt(n + 2);
      const g = new Float64Array(n);
      for (const p of parents) for (let i = 0; i < n; i++) g[i] += p[i] / k;
      const xs = parents.map((p) => p.map((v, i) => g[i] + eps * (v - g[i])));
      let c = new Float64Array(n);
      for (let j = 1; j < k; j++) {
        const r = rng.random() ** (1 / j);
        c = c.map((v, i) => r * (xs[j - 1][i] - xs[j][i] + v));
      }
      return xs[k - 1].map((v, i) => v + c[i]);
    },
  };
}

/** The crossover named `name` (CLI and options), with its default settings. */
export function crossoverByName(name: string, swappingProb = 0.5): Crossover {
  switch (name) {
    case 'uniform':
      return uniformCrossover(swappingProb);
    case 'blxalpha':
      return blxAlphaCrossover();
    case 'sbx':
      return sbxCrossover();
    case 'vsbx':
      return vsbxCrossover();
    case 'undx':
      return undxCrossover();
    case 'spx':
      return spxCrossover();
    default:
      throw new UsageError(`NSGA sampler option 'crossover' must be one of ${CROSSOVER_NAMES.join(', ')}, but got ${JSON.stringify(name)}`);
  }
}
