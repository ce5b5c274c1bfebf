/**
 * Differential evolution (Storn & Price, "Differential Evolution - A Simple and Efficient Heuristic
 * for Global Optimization over Continuous Spaces", J. Global Optim. 11, 1997) as a plain ask/tell
 * optimizer over the unit box [0, 1]^n, in the spirit of SciPy's `differential_evolution` with
 * `updating='deferred'`: a whole generation of trial vectors is made at once, evaluated in any
 * order, and the population is updated when the generation is told.
 *
 * Generation 0 evaluates the initial population (Latin hypercube, scrambled Sobol or uniform).
 * Generation g >= 1 makes one trial vector per target x_i:
 *   rand1bin:          v = x_r0 + F (x_r1 - x_r2)
 *   best1bin:          v = x_best + F (x_r1 - x_r2)
 *   currenttobest1bin: v = x_i + F (x_best - x_i) + F (x_r1 - x_r2)
 * with distinct random r0, r1, r2 != i, then binomial crossover: coordinate j comes from v with
 * probability CR (`recombination`) and always at one random j, else from x_i. Coordinates that
 * leave the box are redrawn uniformly (SciPy's rule). A trial vector replaces its target when it
 * is at least as good. F is either fixed or drawn once per generation from U[lo, hi) ("dither").
 */
import { UsageError } from '../../src/errors.js';
import { Rng, type RngState } from '../../src/rng.js';
import { SobolSequence } from '../qmc/sobol.js';

export type DeStrategy = 'rand1bin' | 'best1bin' | 'currenttobest1bin';
export type DeInit = 'lhs' | 'sobol' | 'random';

export const DE_STRATEGIES: readonly DeStrategy[] = ['rand1bin', 'best1bin', 'currenttobest1bin'];
export const DE_INITS: readonly DeInit[] = ['lhs', 'sobol', 'random'];

export interface DeOptions {
  dim: number;
  popsize: number;
  strategy?: DeStrategy;
  /** F, or [lo, hi) to draw F per generation; default [0.5, 1) as SciPy. */
  mutation?: number | readonly [number, number];
  /** Crossover probability CR; default 0.7 as SciPy. */
  recombination?: number;
  init?: DeInit;
  seed?: number;
}

/** One evaluated trial vector: which target it competes with, the point, its value (minimised). */
export interface DeResult {
  readonly index: number;
  readonly x: ArrayLike<number>;
  readonly value: number;
}

export interface DeState {
  readonly kind: 'de';
  dim: number;
  popsize: number;
  strategy: DeStrategy;
  mutation: number | [number, number];
  recombination: number;
  generation: number;
  /** F of the current generation. */
  scale: number;
  population: number[][];
  /** Fitness of each target; null until evaluated (or when every evaluation failed). */
  fitness: (number | null)[];
  /** The trial vectors of the current generation (the initial population in generation 0). */
  candidates: number[][];
  rng: RngState;
}

export function checkDeOptions(o: Omit<DeOptions, 'dim'> & { dim?: number }): void {
  if (o.dim !== undefined && !(Number.isInteger(o.dim) && o.dim >= 1)) throw new UsageError(`de: dimension must be a positive integer, but got ${o.dim}`);
  if (!(Number.isInteger(o.popsize) && o.popsize >= 5)) throw new UsageError(`de: popsize must be an integer >= 5 (mutation needs 4 other members), but got ${o.popsize}`);
  if (o.strategy !== undefined && !DE_STRATEGIES.includes(o.strategy)) throw new UsageError(`de: strategy must be one of ${DE_STRATEGIES.join(', ')}, but got '${o.strategy}'`);
  if (o.init !== undefined && !DE_INITS.includes(o.init)) throw new UsageError(`de: init must be one of ${DE_INITS.join(', ')}, but got '${o.init}'`);
  const m = o.mutation;
  if (m !== undefined) {
    const ok = typeof m === 'number' ? m > 0 && m <= 2 : Array.isArray(m) && m.length === 2 && m[0] > 0 && m[0] <= m[1] && m[1] <= 2;
    if (!ok) throw new UsageError(`de: mutation must be a number in (0, 2] or [lo, hi] with 0 < lo <= hi <= 2, but got ${JSON.stringify(m)}`);
  }
  if (o.recombination !== undefined && !(o.recombination >= 0 && o.recombination <= 1)) {
    throw new UsageError(`de: \`0 <= recombination <= 1\` must hold, but got recombination=${o.recombination}`);
  }
}

export class DifferentialEvolution {
  readonly dim: number;
  readonly popsize: number;
  readonly strategy: DeStrategy;
  readonly mutation: number | [number, number];
  readonly recombination: number;
  private g = 0;
  private scale: number;
  private population: Float64Array[];
  private fitness: (number | null)[];
  private current: Float64Array[];
  private readonly rng: Rng;

  constructor(options: DeOptions) {
    checkDeOptions(options);
    this.dim = options.dim;
    this.popsize = options.popsize;
    this.strategy = options.strategy ?? 'best1bin';
    const m = options.mutation ?? [0.5, 1];
    this.mutation = typeof m === 'number' ? m : [m[0], m[1]];
    this.recombination = options.recombination ?? 0.7;
    this.rng = new Rng(options.seed);
    this.population = [];
    this.fitness = new Array(this.popsize).fill(null);
    this.current = this.initialPopulation(options.init ?? 'lhs', options.seed);
    this.scale = this.drawScale();
  }

  get generation(): number {
    return this.g;
  }

  /** The trial vectors to evaluate in this generation, one per target (copies). */
  candidates(): Float64Array[] {
    return this.current.map((x) => Float64Array.from(x));
  }

  /** The best member so far and its value (null before the first generation is told). */
  best(): { x: Float64Array; value: number } | null {
    const i = this.bestIndex();
    return i < 0 ? null : { x: Float64Array.from(this.population[i]), value: this.fitness[i]! };
  }

  /**
   * A further trial vector for target `index` (more evaluations in flight than the population, or
   * a replacement for a failed one), drawn from `rng`. In generation 0, a uniform random point.
   */
  extraCandidate(index: number, rng: Rng): Float64Array {
    if (this.g === 0) return Float64Array.from({ length: this.dim }, () => rng.random());
    return this.trialVector(index % this.popsize, rng);
  }

  /** Selection: each target keeps the best of itself and its evaluated trial vectors. Starts the next generation. */
  tell(results: readonly DeResult[]): void {
    for (const r of results) {
      if (!(Number.isInteger(r.index) && r.index >= 0 && r.index < this.popsize)) throw new UsageError(`de: result index must be in [0, ${this.popsize}), but got ${r.index}`);
      if (r.x.length !== this.dim) throw new UsageError(`de: result points must have ${this.dim} coordinates, but one has ${r.x.length}`);
    }
    if (this.g === 0) this.population = this.current.map((x) => Float64Array.from(x));
    for (const r of results) {
      if (Number.isNaN(r.value)) continue;
      const f = this.fitness[r.index];
      if (f === null || r.value <= f) {
        this.population[r.index] = Float64Array.from(r.x);
        this.fitness[r.index] = r.value;
      }
    }
    this.g += 1;
    this.scale = this.drawScale();
    this.current = Array.from({ length: this.popsize }, (_, i) => this.trialVector(i, this.rng));
  }

  private drawScale(): number {
    return typeof this.mutation === 'number' ? this.mutation : this.rng.uniform(this.mutation[0], this.mutation[1]);
  }

  private bestIndex(): number {
    let best = -1;
    for (let i = 0; i < this.popsize; i++) {
      const f = this.fitness[i];
      if (f !== null && (best < 0 || f < this.fitness[best]!)) best = i;
    }
    return best;
  }

  /** Mutation and binomial crossover for target i. */
  private trialVector(i: number, rng: Rng): Float64Array {
    const n = this.dim;
    const M = this.popsize;
    const pick = (exclude: number[]): number => {
      for (;;) {
        const r = rng.int(0, M - 1);
        if (!exclude.includes(r)) return r;
      }
    };
    const r0 = pick([i]);
    const r1 = pick([i, r0]);
    const r2 = pick([i, r0, r1]);
    const F = this.scale;
    const pop = this.population;
    const best = Math.max(0, this.bestIndex());
    const target = pop[i];
    const v = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      switch (this.strategy) {
        case 'rand1bin':
          v[j] = pop[r0][j] + F * (pop[r1][j] - pop[r2][j]);
          break;
        case 'best1bin':
          v[j] = pop[best][j] + F * (pop[r0][j] - pop[r1][j]);
          break;
        case 'currenttobest1bin':
          v[j] = target[j] + F * (pop[best][j] - target[j]) + F * (pop[r0][j] - pop[r1][j]);
          break;
      }
    }
    // Binomial crossover; one coordinate always from the mutant.
    const fill = rng.int(0, n - 1);
    const trial = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const fromMutant = j === fill || rng.random() < this.recombination;
      trial[j] = fromMutant ? v[j] : target[j];
      if (!(trial[j] >= 0 && trial[j] <= 1)) trial[j] = rng.random();
    }
    return trial;
  }

  private initialPopulation(init: DeInit, seed: number | undefined): Float64Array[] {
    const n = this.dim;
    const M = this.popsize;
    if (init === 'sobol') {
      const sobol = new SobolSequence(n, { scramble: true, seed: new Rng(seed === undefined ? undefined : seed ^ 0x50b0)});
      return sobol.sample(M, 0);
    }
    if (init === 'random') return Array.from({ length: M }, () => Float64Array.from({ length: n }, () => this.rng.random()));
    // Latin hypercube: one point per stratum [k/M, (k+1)/M) in every coordinate, strata paired at random.
    const points = Array.from({ length: M }, () => new Float64Array(n));
    for (let j = 0; j < n; j++) {
      const order = this.rng.shuffle(Array.from({ length: M }, (_, k) => k));
      for (let k = 0; k < M; k++) points[k][j] = (order[k] + this.rng.random()) / M;
    }
    return points;
  }

  toJSON(): DeState {
    return {
      kind: 'de',
      dim: this.dim,
      popsize: this.popsize,
      strategy: this.strategy,
      mutation: this.mutation,
      recombination: this.recombination,
      generation: this.g,
      scale: this.scale,
      population: this.population.map((x) => Array.from(x)),
      fitness: [...this.fitness],
      candidates: this.current.map((x) => Array.from(x)),
      rng: this.rng.getState(),
    };
  }

  static fromJSON(state: DeState): DifferentialEvolution {
    if (state.kind !== 'de') throw new UsageError(`not a DE state: kind '${(state as { kind: string }).kind}'`);
    const de = new DifferentialEvolution({
      dim: state.dim,
      popsize: state.popsize,
      strategy: state.strategy,
      mutation: state.mutation,
      recombination: state.recombination,
      init: 'random',
      seed: 0,
    });
    de.g = state.generation;
    de.scale = state.scale;
    de.population = state.population.map((x) => Float64Array.from(x));
    de.fitness = [...state.fitness];
    de.current = state.candidates.map((x) => Float64Array.from(x));
    de.rng.setState(state.rng);
    return de;
  }
}
