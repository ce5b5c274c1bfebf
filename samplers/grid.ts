/**
 * Exhaustive search over a grid, each point evaluated once.
 *
 * The grid is given explicitly (Optuna's `{ a: [1, 2, 3], b: ['x', 'y'] }`, or a list of
 * points, or any object with `size` and `point(i)`), or derived from a declared search space
 * in which conditional parameters do not multiply the grid. Points are visited in a shuffled
 * order that depends only on the seed (42 by default, as the original grid tool).
 *
 * Each new trial claims its grid point in the same storage write that creates it, so processes
 * sharing a study never evaluate a point twice, and a resumed study skips finished points.
 * Points whose trial FAILed (an error, or a crashed process whose heartbeat went stale) are
 * handed out again (`retryFailed`, on by default), at most `maxRetries` more times, so that a
 * point that always fails cannot hold the study forever.
 */
import { type ParamValue, enumerateValues } from '../src/distributions.js';
import { UsageError } from '../src/errors.js';
import type { FrozenTrial } from '../src/frozen-trial.js';
import { Rng } from '../src/rng.js';
import { type DecidedParams, undecidedParamError } from '../src/decided-params.js';
import type { Sampler } from '../src/sampler.js';
import type { TrialClaim } from '../src/storage/storage.js';
import type { DeclaredSpace, Grid, GridSpec } from '../src/search-space.js';
import { isConstrained, satisfiesSpace } from '../src/space-constraints.js';
import type { Study } from '../src/study.js';

export interface GridSamplerOptions {
  /** Seed of the visiting order. Default 42. */
  seed?: number;
  /** Hand out the points of FAIL trials again. Default true. */
  retryFailed?: boolean;
  /** With retryFailed: how many more times a failed point is tried. Default 1. */
  maxRetries?: number;
}

export const GRID_ID_KEY = 'grid_id';
const DEFAULT_GRID_SEED = 42;

/** The cartesian product of named value lists, indexed in mixed radix (last name fastest). */
export class CartesianGrid implements Grid {
  readonly size: number;
  private readonly names: string[];
  private readonly values: (readonly ParamValue[])[];

  constructor(lists: Record<string, readonly ParamValue[]>) {
    this.names = Object.keys(lists);
    this.values = this.names.map((n) => lists[n]);
    for (const [i, n] of this.names.entries()) {
      if (!Array.isArray(this.values[i]) || this.values[i].length === 0) throw new UsageError(`grid: parameter '${n}' needs a non-empty list of values`);
    }
    this.size = this.values.reduce((acc, v) => acc * v.length, 1);
  }

  point(index: number): Record<string, ParamValue> {
    const out: Record<string, ParamValue> = {};
    let rest = index;
    for (let i = this.names.length - 1; i >= 0; i--) {
      const len = this.values[i].length;
      out[this.names[i]] = this.values[i][rest % len];
      rest = Math.floor(rest / len);
    }
    // Restore declaration order for readability.
    return Object.fromEntries(this.names.map((n) => [n, out[n]]));
  }
}

class ListGrid implements Grid {
  constructor(private readonly points: readonly Readonly<Record<string, ParamValue>>[]) {
    if (points.length === 0) throw new UsageError('grid: the list of points is empty');
  }
  get size(): number {
    return this.points.length;
  }
  point(index: number): Readonly<Record<string, ParamValue>> {
    return this.points[index];
  }
}

/**
 * Every point of a declared space; a conditional parameter only multiplies the branches where it
 * exists, and points that break the space's constraints (src/space-constraints.ts) are left out,
 * so a constrained grid's size counts only valid points.
 */
export function enumerateSpace(space: DeclaredSpace): Record<string, ParamValue>[] {
  const constrained = isConstrained(space);
  const entries = Object.entries(space);
  const points: Record<string, ParamValue>[] = [];
  const walk = (i: number, params: Record<string, ParamValue>): void => {
    if (i === entries.length) {
      if (!constrained || satisfiesSpace(space, params)) points.push({ ...params });
      return;
    }
    const [name, entry] = entries[i];
    const conditional = 'when' in entry;
    if (conditional && !entry.when(params)) {
      walk(i + 1, params);
      return;
    }
    const d = conditional ? entry.distribution : entry;
    for (const v of enumerateValues(d, name)) {
      params[name] = v;
      walk(i + 1, params);
    }
    delete params[name];
  };
  walk(0, {});
  return points;
}

function toGrid(spec: GridSpec): Grid {
  if (Array.isArray(spec)) return new ListGrid(spec);
  if (typeof (spec as Grid).point === 'function' && typeof (spec as Grid).size === 'number') return spec as Grid;
  return new CartesianGrid(spec as Record<string, readonly ParamValue[]>);
}

export class GridSampler implements Sampler {
  readonly name = 'grid';
  readonly grid: Grid;
  private readonly order: Int32Array;
  private readonly retryFailed: boolean;
  private readonly maxRetries: number;

  constructor(grid: GridSpec, options: GridSamplerOptions = {}) {
    this.grid = toGrid(grid);
    if (this.grid.size === 0) throw new UsageError('grid: the grid has no points');
    this.retryFailed = options.retryFailed ?? true;
    this.maxRetries = options.maxRetries ?? 1;
    if (!Number.isInteger(this.maxRetries) || this.maxRetries < 0) throw new UsageError(`grid: maxRetries must be a non-negative integer, but got ${this.maxRetries}`);
    this.order = shuffledOrder(this.grid.size, options.seed ?? DEFAULT_GRID_SEED);
  }

  /** A grid over every value of a declared search space (floats need a step). */
  static fromSearchSpace(space: DeclaredSpace, options: GridSamplerOptions = {}): GridSampler {
    const points = enumerateSpace(space);
    if (points.length === 0) throw new UsageError('grid: the space constraints leave no point of the declared space: loosen them');
    return new GridSampler(points, options);
  }

  /** Every point of the grid is one trial's worth of search (Sampler.searchSize). */
  get searchSize(): number {
    return this.grid.size;
  }

  /** The grid point ids in visiting order. */
  get visitingOrder(): Int32Array {
    return this.order;
  }

  trialClaim(): TrialClaim {
    // stable: the grid's order never changes, so a store may claim points for several trials ahead.
    return this.retryFailed
      ? { key: GRID_ID_KEY, candidates: this.order, releaseStates: ['FAIL'], maxClaims: 1 + this.maxRetries, stable: true }
      : { key: GRID_ID_KEY, candidates: this.order, releaseStates: [], stable: true };
  }

  /** The trial's grid point, all of it decided: `suggest` answers from it (decided-params.ts). */
  decidedParams(_study: Study, trial: FrozenTrial): DecidedParams | null {
    const id = trial.systemAttrs[GRID_ID_KEY];
    return typeof id === 'number' ? { values: this.grid.point(id), complete: true } : null;
  }

  /** Reached only by a trial without a grid point whose enqueued values leave `name` out. */
  sampleIndependent(_study: Study, trial: FrozenTrial, name: string): ParamValue {
    throw undecidedParamError(trial.number, name);
  }
}

function shuffledOrder(size: number, seed: number): Int32Array {
  const order = new Int32Array(size);
  for (let i = 0; i < size; i++) order[i] = i;
  const rng = new Rng(seed);
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(rng.random() * (i + 1));
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}
