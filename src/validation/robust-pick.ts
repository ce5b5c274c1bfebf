/**
 * Robust picks: rank trials by a neighbourhood-smoothed objective, so that a trader can choose a
 * broad plateau of good parameters rather than a lone peak that one grid step (or next month's
 * data) breaks. A CLI shows `peak` (the raw best) and `robust` (the best smoothed) side by side.
 *
 * The smoothed value of a trial is the MEAN of its own value and its neighbours' values: the
 * expected result if the parameters that really work lie one step away from the chosen ones, each
 * step equally likely. The alternative, the worst neighbour (minimax), is more conservative but is
 * decided by the single noisiest backtest around a cell, so with noisy objectives it rewards cells
 * whose worst neighbour happened to be lucky; the mean also uses every evaluation it has.
 *
 * Which trials take part:
 *   - only COMPLETE trials with one finite value; PRUNED and FAILed trials have no value and are
 *     neither picked nor neighbours. More than one value is a multi-objective study: UsageError.
 *   - infeasible trials (by their constraints, `isFeasible`) are never ranked or picked, but their
 *     values do count in a neighbour's average: a value is what that parameter set really earned
 *     one step away, and dropping it would average only the side of a constraint's edge that
 *     happens to pass, flattering cells on the edge. Each entry reports `infeasibleNeighbours` so
 *     that a caller can flag or penalise picks next to the edge.
 *
 * Two methods, chosen automatically (reported with the reason) or forced with `method`:
 *
 *   grid     for spaces of ordered grid parameters (ordinal, int, float with `step`; categoricals
 *            ride along). A trial's neighbours are the trials whose parameters are identical but
 *            for ONE ordered parameter moved by exactly one grid step (the adjacent ordinal value,
 *            ±step). Categorical (unordered) parameters are never moved. Parameters are compared
 *            on the union of names: a missing name equals a missing name and differs from any
 *            value, and a missing parameter never moves, so conditional parameters (TSL_SL only
 *            when TSL_TARGET > 0) make the conditional region a separate grid: stepping
 *            TSL_TARGET from 0 to its first positive value also adds TSL_SL, two changes, not a
 *            neighbour. Each trial is keyed by its grid indices (from the internal
 *            representation, `toInternal`) packed into one number, so each neighbour is a hash
 *            lookup of key ± stride: 1.5M trials of 10 parameters take a few seconds
 *            (scripts/bench-robust-pick.ts).
 *   nearest  for continuous spaces (a float without step), or grids too sparse for exact
 *            neighbours (fewer than half of the best 100 feasible trials have one: a TPE run over
 *            a 1.5M grid). The neighbours are the k nearest trials (default 2·d, d = ordered
 *            parameters taking more than one value) in the normalised space: each ordered
 *            parameter scaled to [0, 1] over its range (log-scaled for log distributions, by
 *            index for ordinals, as numeric samplers see them); a categorical mismatch, or a
 *            parameter present in one trial and missing in the other, counts as distance 1.
 *            Brute force: only the best `candidates` feasible trials by raw value are ranked
 *            (default 2,000, fewer above 100,000 trials so that the search stays near 2·10^8
 *            distances, a second or two), but their neighbours are searched among ALL trials,
 *            because a neighbour pool of good trials only would hide the bad cells around a spike.
 *
 * A trial needs at least `minNeighbours` neighbours (default 1: any evidence about its
 * surroundings, which already sinks a lone spike on a full grid; ask for 2·d to require a whole
 * neighbourhood) to be ranked as robust; otherwise its entry has `neighbours: 0`,
 * `smoothed: null`, sorts after the ranked ones and is never the robust pick. Equal smoothed
 * values go by the better raw value, then by input order. `limit` returns only the first entries.
 */
import { type Distribution, distributionsEqual, toInternal } from '../distributions.js';
import { UsageError } from '../errors.js';
import { type FrozenTrial, type StudyDirection, isFeasible } from '../frozen-trial.js';

export type RobustMethod = 'grid' | 'nearest';

export interface RobustRankingOptions {
  readonly direction: StudyDirection;
  /** Neighbours a trial needs to be ranked as robust (default 1). */
  readonly minNeighbours?: number;
  /** 'auto' (default) chooses grid or nearest as the header says. */
  readonly method?: RobustMethod | 'auto';
  /** Nearest method: how many nearest trials to average (default 2·d). */
  readonly k?: number;
  /** Nearest method: how many of the best feasible trials to rank (default 2,000, fewer beyond 100,000 trials). */
  readonly candidates?: number;
  /**
   * Return only the first `limit` entries of the ranking (default all). Ordering is the same; a
   * CLI showing the top 20 of 1.5M trials saves building and collecting the other entries.
   */
  readonly limit?: number;
}

export interface RobustEntry {
  readonly trial: FrozenTrial;
  readonly value: number;
  /** Mean of the trial's value and its neighbours' values; null when it has too few neighbours. */
  readonly smoothed: number | null;
  /** Neighbours averaged in `smoothed` (0 when too few to rank). */
  readonly neighbours: number;
  /** Of those, how many are infeasible by their constraints. */
  readonly infeasibleNeighbours: number;
}

export interface RobustRanking {
  readonly method: RobustMethod;
  /** Why this method: forced, or what the automatic choice saw. */
  readonly methodReason: string;
  /** Feasible trials (nearest: the ranked candidates; `limit`: the first ones), best smoothed first; unranked ones after, best raw first. */
  readonly ranking: readonly RobustEntry[];
  /** The raw best feasible trial (the first among equals), with its smoothed value. */
  readonly peak: RobustEntry;
  /** The best smoothed entry, or null when no trial has enough neighbours. */
  readonly robust: RobustEntry | null;
}

/** How many of the best feasible trials the automatic choice checks for grid neighbours. */
const AUTO_CHECK_TOP = 100;
const DEFAULT_CANDIDATES = 2000;
/** Candidate × trial distance computations the nearest method aims to stay under by default. */
const NEAREST_PAIR_BUDGET = 2e8;
/** A grid of at most this many cells per trial (plus the slack) gets a direct table (4 bytes a cell), else a hash table. */
const DIRECT_TABLE_CELLS_PER_TRIAL = 8;
const DIRECT_TABLE_SLACK = 1 << 20;
/** How far from a grid point (in steps) a stepped value may lie, as `containsInternal`. */
const GRID_TOLERANCE = 1e-6;

/**
 * The trials that take part, in input order: the i-th is `source[at[i]]`, with its value and
 * feasibility. Typed arrays rather than copied lists of objects: at a million trials, every
 * large JavaScript array allocated here is heap growth that sets off a full garbage collection
 * of the caller's million trial objects.
 */
interface Scored {
  readonly source: readonly FrozenTrial[];
  readonly at: Int32Array;
  readonly values: Float64Array;
  readonly feasible: Uint8Array;
  /** Indices (into `at`) of the feasible trials. */
  readonly rankable: Int32Array;
}

/** One parameter name across all trials: its distribution, range widened over dynamic ranges. */
interface Axis {
  readonly name: string;
  readonly distribution: Distribution;
  readonly ordered: boolean;
  low: number;
  high: number;
  /** The grid step of an int or stepped float; null for continuous floats. */
  readonly step: number | null;
  /** Some trial used another step, so there is no common grid. */
  stepConflict: boolean;
}

/** Per scored trial (filled for the ranked ones): mean over itself and its neighbours, neighbour counts. */
interface Smoothing {
  readonly mean: Float64Array;
  readonly neighbours: Int32Array;
  readonly infeasible: Int32Array;
}

export function robustRanking(trials: readonly FrozenTrial[], options: RobustRankingOptions): RobustRanking {
  const { direction } = options;
  if (direction !== 'maximize' && direction !== 'minimize') throw new UsageError(`robustRanking: direction must be 'maximize' or 'minimize', but got '${String(direction)}'`);
  const minNeighbours = options.minNeighbours ?? 1;
  checkCount('minNeighbours', minNeighbours, 0);
  if (options.k !== undefined) checkCount('k', options.k, 1);
  if (options.candidates !== undefined) checkCount('candidates', options.candidates, 1);
  if (options.limit !== undefined) checkCount('limit', options.limit, 1);
  const method = options.method ?? 'auto';
  if (method !== 'auto' && method !== 'grid' && method !== 'nearest') throw new UsageError(`robustRanking: method must be 'auto', 'grid' or 'nearest', but got '${String(method)}'`);

  const scored = scoreTrials(trials);
  const axes = collectAxes(scored);
  const moving = axes.filter((a) => a.ordered && gridSize(a) > 1);
  if (moving.length === 0) {
    throw new UsageError(
      `robustRanking needs an ordered parameter (float, int or ordinal with more than one value) to define neighbours, but the trials have ${axes.length === 0 ? 'no parameters' : `only ${axes.map((a) => `'${a.name}'`).join(', ')}`}: suggest ordered numeric lists with suggestOrdinal rather than suggestCategorical`,
    );
  }
  const score = scoreKeys(scored.values, direction);

  let chosen: RobustMethod;
  let reason: string;
  let smoothing: Smoothing | null = null;
  if (method === 'nearest') {
    chosen = 'nearest';
    reason = "forced with method 'nearest'";
  } else {
    const grid = gridSmoothing(scored, axes);
    if (typeof grid === 'string') {
      if (method === 'grid') throw new UsageError(`robustRanking: method 'grid' needs every ordered parameter on one grid, but ${grid}: use method 'nearest' (or suggest the float with a \`step\`)`);
      chosen = 'nearest';
      reason = grid;
    } else if (method === 'grid') {
      chosen = 'grid';
      reason = "forced with method 'grid'";
      smoothing = grid;
    } else {
      const top = bestIndices(scored.rankable, AUTO_CHECK_TOP, score);
      const withNeighbour = top.filter((i) => grid.neighbours[i] > 0).length;
      if (withNeighbour * 2 < top.length) {
        chosen = 'nearest';
        reason = `only ${withNeighbour} of the best ${top.length} feasible trials have a grid neighbour: too sparse for the grid`;
      } else {
        chosen = 'grid';
        reason = `${withNeighbour} of the best ${top.length} feasible trials have a grid neighbour`;
        smoothing = grid;
      }
    }
  }

  let ranked: Int32Array;
  if (chosen === 'grid') {
    ranked = scored.rankable;
  } else {
    const n = scored.at.length;
    const count = options.candidates ?? Math.max(1, Math.min(DEFAULT_CANDIDATES, Math.floor(NEAREST_PAIR_BUDGET / n)));
    ranked = bestIndices(scored.rankable, count, score);
    const k = options.k ?? 2 * moving.length;
    smoothing = nearestSmoothing(scored, axes, ranked, k);
    reason = `${reason}; ${ranked.length} best feasible trials ranked, k = ${k}`;
  }
  return assemble(scored, smoothing!, ranked, score, { direction, minNeighbours, limit: options.limit }, chosen, reason);
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new UsageError(`robustRanking: ${name} must be a whole number >= ${min}, but got ${value}`);
}

function scoreTrials(trials: readonly FrozenTrial[]): Scored {
  const at = new Int32Array(trials.length);
  const values = new Float64Array(trials.length);
  const feasible = new Uint8Array(trials.length);
  const rankable = new Int32Array(trials.length);
  let kept = 0;
  let feasibleCount = 0;
  for (let position = 0; position < trials.length; position++) {
    const t = trials[position];
    if (t.state !== 'COMPLETE' || !t.values || t.values.length === 0) continue;
    if (t.values.length > 1) {
      throw new UsageError(`robustRanking ranks one objective, but trial ${t.number} has ${t.values.length} values: pass a single-objective study's trials, or look at the trade-offs with paretoFront`);
    }
    const v = t.values[0];
    if (!Number.isFinite(v)) continue;
    const ok = isFeasible(t);
    if (ok) rankable[feasibleCount++] = kept;
    at[kept] = position;
    values[kept] = v;
    feasible[kept] = ok ? 1 : 0;
    kept++;
  }
  if (kept === 0) {
    throw new UsageError(`robustRanking: none of the ${trials.length} trials is COMPLETE with a finite value: finish some trials first (study.optimize, or ask and tell), then pass study.trials`);
  }
  if (feasibleCount === 0) {
    throw new UsageError(`robustRanking: all ${kept} complete trials are infeasible by their constraints, so none can be picked: relax the constraints or run more trials`);
  }
  return { source: trials, at: at.subarray(0, kept), values: values.subarray(0, kept), feasible: feasible.subarray(0, kept), rankable: rankable.subarray(0, feasibleCount) };
}

/** Lower is better: the value for minimize, its negation for maximize. */
function scoreKeys(values: Float64Array, direction: StudyDirection): Float64Array {
  const sign = direction === 'maximize' ? -1 : 1;
  return values.map((v) => sign * v);
}

/** The parameter names over all trials, in first-seen order, with one distribution each. */
function collectAxes(scored: Scored): Axis[] {
  const byName = new Map<string, { axis: Axis; lastSeen: Distribution }>();
  for (const position of scored.at) {
    const t = scored.source[position];
    for (const name in t.params) {
      const d = t.distributions[name];
      if (d === undefined) throw new UsageError(`robustRanking: trial ${t.number} has parameter '${name}' without its distribution: pass FrozenTrials as storages return them`);
      const known = byName.get(name);
      if (known === undefined) {
        const numeric = d.type === 'float' || d.type === 'int';
        const axis: Axis = {
          name,
          distribution: d,
          ordered: d.type !== 'categorical',
          low: numeric ? d.low : 0,
          high: numeric ? d.high : 0,
          step: d.type === 'int' ? d.step : d.type === 'float' ? d.step : null,
          stepConflict: false,
        };
        byName.set(name, { axis, lastSeen: d });
        continue;
      }
      // Storages usually share one distribution object per parameter: compare only on a change.
      if (d === known.lastSeen) continue;
      known.lastSeen = d;
      const axis = known.axis;
      if (distributionsEqual(d, axis.distribution)) continue;
      const a = axis.distribution;
      if (d.type !== a.type || d.type === 'categorical' || d.type === 'ordinal' || (a.type !== 'categorical' && a.type !== 'ordinal' && d.log !== a.log)) {
        throw new UsageError(`robustRanking: parameter '${name}' has two different distributions among the trials (trial ${t.number} differs from an earlier one): pass trials of one study`);
      }
      // Same kind, another range (a dynamic search space): widen; a new step breaks the grid.
      axis.low = Math.min(axis.low, d.low);
      axis.high = Math.max(axis.high, d.high);
      if (d.step !== axis.step) axis.stepConflict = true;
    }
  }
  return [...byName.values()].map((x) => x.axis);
}

/** Number of grid values of an axis (Infinity for a continuous float). */
function gridSize(axis: Axis): number {
  const d = axis.distribution;
  if (d.type === 'categorical') return d.choices.length;
  if (d.type === 'ordinal') return d.values.length;
  if (axis.low === axis.high) return 1;
  if (axis.step === null) return Infinity;
  return Math.round((axis.high - axis.low) / axis.step) + 1;
}

/** Grid index of a trial's value on an axis, or -1 when the value lies between grid points. */
function gridIndex(axis: Axis, value: FrozenTrial['params'][string]): number {
  // The axis's own distribution: categorical choices and ordinal values are the same in every
  // trial (collectAxes), and numbers are their own internal representation.
  const d = axis.distribution;
  const internal = toInternal(d, value, axis.name);
  if (d.type === 'categorical' || d.type === 'ordinal') return internal;
  if (axis.step === null) return 0; // a single-valued float
  const k = (internal - axis.low) / axis.step;
  const r = Math.round(k);
  return Math.abs(k - r) > GRID_TOLERANCE ? -1 : r;
}

/**
 * Grid neighbours by hashing. Each axis gets a radix of its size + 1 (the extra slot: the
 * parameter is missing), a trial's key is its grid indices in that mixed radix, and moving one
 * axis one step changes the key by that axis's stride, so each neighbour is one hash lookup.
 * Trials with identical parameters share a cell (sum, count): repeats are neighbours of the
 * adjacent cells, not of each other. Returns why not, as a phrase, when the trials are not on one
 * grid.
 */
function gridSmoothing(scored: Scored, axes: readonly Axis[]): Smoothing | string {
  const sizes = axes.map(gridSize);
  for (let j = 0; j < axes.length; j++) {
    if (sizes[j] === Infinity) return `parameter '${axes[j].name}' is a continuous float (no step)`;
    if (axes[j].stepConflict) return `parameter '${axes[j].name}' was suggested with different steps`;
  }
  const n = scored.at.length;
  const p = axes.length;
  // The narrowest integers that hold every index and the missing slot: less memory to sweep.
  const widest = Math.max(...sizes);
  const index = widest < 0xff ? new Uint8Array(n * p) : widest < 0xffff ? new Uint16Array(n * p) : new Int32Array(n * p);
  const axisOf = new Map(axes.map((axis, j) => [axis.name, j]));
  const present = new Int32Array(p);
  for (let i = 0; i < n; i++) {
    // Unset parameters keep their missing slot, index `size`.
    for (let j = 0; j < p; j++) index[i * p + j] = sizes[j];
    // One pass over the trial's own names: each trial object is read once (memory, not lookups, is the cost).
    const t = scored.source[scored.at[i]];
    const params = t.params;
    for (const name in params) {
      const j = axisOf.get(name)!;
      const g = gridIndex(axes[j], params[name]);
      if (g < 0 || g >= sizes[j]) return `trial ${t.number}'s '${name}' = ${String(params[name])} is not on the grid of step ${axes[j].step} from ${axes[j].low}`;
      index[i * p + j] = g;
      present[j]++;
    }
  }
  const sometimesMissing = Array.from(present, (count) => count < n);
  const cells = cellTable(index, sizes.map((size, j) => size + (sometimesMissing[j] ? 1 : 0)), n);
  const cellSum = new Float64Array(cells.count);
  const cellCount = new Int32Array(cells.count);
  const cellInfeasible = new Int32Array(cells.count);
  for (let i = 0; i < n; i++) {
    const c = cells.cellOf[i];
    cellSum[c] += scored.values[i];
    cellCount[c] += 1;
    if (!scored.feasible[i]) cellInfeasible[c] += 1;
  }
  const mean = new Float64Array(n);
  const neighbours = new Int32Array(n);
  const infeasible = new Int32Array(n);
  const ordered = Uint8Array.from(axes, (axis) => (axis.ordered ? 1 : 0));
  for (const i of scored.rankable) {
    let sum = scored.values[i];
    let count = 0;
    let bad = 0;
    for (let j = 0; j < p; j++) {
      if (!ordered[j]) continue;
      const g = index[i * p + j];
      if (g === sizes[j]) continue; // a missing parameter does not move
      for (let delta = -1; delta <= 1; delta += 2) {
        if (g + delta < 0 || g + delta >= sizes[j]) continue;
        const c = cells.moved(i, j, delta);
        if (c < 0) continue;
        sum += cellSum[c];
        count += cellCount[c];
        bad += cellInfeasible[c];
      }
    }
    mean[i] = sum / (count + 1);
    neighbours[i] = count;
    infeasible[i] = bad;
  }
  return { mean, neighbours, infeasible };
}

/** The cells of a grid: each trial's cell, and the cell of a trial moved one step on one axis. */
interface CellTable {
  readonly count: number;
  readonly cellOf: Int32Array;
  /** The cell of trial i with axis j moved by delta, or -1 when no trial lies there. */
  moved(i: number, j: number, delta: number): number;
}

/**
 * Trials keyed by their grid indices in mixed radix (`radices`: each axis's size, plus one slot
 * for "missing" where a parameter is conditional), so that one step on axis j is ± its stride.
 * A dense grid (at most a few times more cells than trials, as a full grid run) is a direct
 * table indexed by key: neighbouring keys are neighbouring memory. A sparse one is an
 * open-addressing hash table over typed arrays (several times faster than a Map at a million
 * keys). Beyond 2^53 cells a packed key is no longer exact, and string keys in a Map take over
 * (slower, still exact).
 */
function cellTable(index: Uint8Array | Uint16Array | Int32Array, radices: readonly number[], n: number): CellTable {
  const p = radices.length;
  const strides: number[] = [];
  let product = 1;
  for (const radix of radices) {
    strides.push(product);
    product *= radix;
  }
  const cellOf = new Int32Array(n);
  let count = 0;
  if (product > Number.MAX_SAFE_INTEGER) {
    const byKey = new Map<string, number>();
    const keyOf = (i: number, j: number, delta: number): string => {
      const parts = Array.from(index.subarray(i * p, (i + 1) * p));
      if (j >= 0) parts[j] += delta;
      return parts.join(',');
    };
    for (let i = 0; i < n; i++) {
      const key = keyOf(i, -1, 0);
      let c = byKey.get(key);
      if (c === undefined) byKey.set(key, (c = count++));
      cellOf[i] = c;
    }
    return { count, cellOf, moved: (i, j, delta) => byKey.get(keyOf(i, j, delta)) ?? -1 };
  }
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let key = 0;
    for (let j = 0; j < p; j++) key += index[i * p + j] * strides[j];
    keys[i] = key;
  }
  if (product <= DIRECT_TABLE_CELLS_PER_TRIAL * n + DIRECT_TABLE_SLACK) {
    const cellAt = new Int32Array(product).fill(-1);
    for (let i = 0; i < n; i++) {
      if (cellAt[keys[i]] < 0) cellAt[keys[i]] = count++;
      cellOf[i] = cellAt[keys[i]];
    }
    return { count, cellOf, moved: (i, j, delta) => cellAt[keys[i] + delta * strides[j]] };
  }
  let capacity = 16;
  while (capacity < 2 * n) capacity *= 2;
  const mask = capacity - 1;
  const slotKeys = new Float64Array(capacity).fill(-1);
  const slotCells = new Int32Array(capacity);
  // Slot of a key, or of the empty slot where it would go.
  const slot = (key: number): number => {
    // MurmurHash3's 32-bit finaliser over the low word mixed with the high word.
    let h = (key >>> 0) ^ Math.imul(Math.floor(key / 4294967296), 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    let s = (h ^ (h >>> 16)) & mask;
    while (slotKeys[s] !== key && slotKeys[s] !== -1) s = (s + 1) & mask;
    return s;
  };
  for (let i = 0; i < n; i++) {
    const s = slot(keys[i]);
    if (slotKeys[s] === -1) {
      slotKeys[s] = keys[i];
      slotCells[s] = count++;
    }
    cellOf[i] = slotCells[s];
  }
  return {
    count,
    cellOf,
    moved: (i, j, delta) => {
      const s = slot(keys[i] + delta * strides[j]);
      return slotKeys[s] === -1 ? -1 : slotCells[s];
    },
  };
}

/** Missing parameter in the normalised coordinates. */
const MISSING = -1;

/** A trial's coordinate on an axis: [0, 1] for ordered axes, the choice index for categoricals. */
function normalised(axis: Axis, d: Distribution, value: FrozenTrial['params'][string]): number {
  const internal = toInternal(d, value, axis.name);
  const a = axis.distribution;
  if (a.type === 'categorical') return internal;
  if (a.type === 'ordinal') return a.values.length > 1 ? internal / (a.values.length - 1) : 0;
  if (axis.high === axis.low) return 0;
  if (a.log) return (Math.log(internal) - Math.log(axis.low)) / (Math.log(axis.high) - Math.log(axis.low));
  return (internal - axis.low) / (axis.high - axis.low);
}

/** The k nearest trials of each ranked trial, by brute force over all trials. */
function nearestSmoothing(scored: Scored, axes: readonly Axis[], ranked: Int32Array, k: number): Smoothing {
  const n = scored.at.length;
  const p = axes.length;
  const coords = new Float64Array(n * p);
  const categorical = Uint8Array.from(axes, (a) => (a.ordered ? 0 : 1));
  for (let i = 0; i < n; i++) {
    const t = scored.source[scored.at[i]];
    for (let j = 0; j < p; j++) {
      const value = t.params[axes[j].name];
      coords[i * p + j] = value === undefined ? MISSING : normalised(axes[j], t.distributions[axes[j].name], value);
    }
  }
  const mean = new Float64Array(n);
  const neighbours = new Int32Array(n);
  const infeasible = new Int32Array(n);
  const nearDistance = new Float64Array(k);
  const nearIndex = new Int32Array(k);
  for (const c of ranked) {
    nearDistance.fill(Infinity);
    let found = 0;
    const base = c * p;
    for (let t = 0; t < n; t++) {
      if (t === c) continue;
      const worst = nearDistance[k - 1];
      let s = 0;
      for (let j = 0; j < p && s < worst; j++) {
        const a = coords[base + j];
        const b = coords[t * p + j];
        if (a === b) continue;
        if (categorical[j] || a === MISSING || b === MISSING) s += 1;
        else s += (a - b) * (a - b);
      }
      // Strictly closer only: among equally distant trials the earlier ones stay (deterministic).
      if (s >= worst) continue;
      let m = Math.min(found, k - 1);
      while (m > 0 && nearDistance[m - 1] > s) {
        nearDistance[m] = nearDistance[m - 1];
        nearIndex[m] = nearIndex[m - 1];
        m--;
      }
      nearDistance[m] = s;
      nearIndex[m] = t;
      if (found < k) found++;
    }
    let sum = scored.values[c];
    let bad = 0;
    for (let m = 0; m < found; m++) {
      sum += scored.values[nearIndex[m]];
      if (!scored.feasible[nearIndex[m]]) bad++;
    }
    mean[c] = sum / (found + 1);
    neighbours[c] = found;
    infeasible[c] = bad;
  }
  return { mean, neighbours, infeasible };
}

/**
 * The `count` first of `among` by (primary, secondary, index), ascending, in that order. The
 * primary key's threshold comes first, by selection in linear time, so that only the few at or
 * below it are ordered by the (slower) three-key sort.
 */
function bestIndices(among: Int32Array, count: number, primary: Float64Array, secondary: Float64Array = primary): Int32Array {
  if (count >= among.length) return argsort(among, primary, secondary);
  const keys = new Float64Array(among.length);
  for (let m = 0; m < among.length; m++) keys[m] = primary[among[m]];
  const threshold = kthSmallest(keys, count - 1);
  const best = among.filter((i) => primary[i] <= threshold);
  return argsort(best, primary, secondary).subarray(0, count);
}

/** The k-th smallest (0-based) of `xs`, which it reorders: Hoare's selection, middle pivot. */
function kthSmallest(xs: Float64Array, k: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const pivot = xs[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (xs[i] < pivot) i++;
      while (xs[j] > pivot) j--;
      if (i <= j) {
        const t = xs[i];
        xs[i++] = xs[j];
        xs[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return xs[k];
  }
  return xs[k];
}

/**
 * `indices` ordered by (primary, secondary, index), ascending: a bottom-up merge sort over typed
 * arrays, several times faster than Array.prototype.sort with a comparator at a million entries.
 */
function argsort(indices: Int32Array, primary: Float64Array, secondary: Float64Array): Int32Array {
  const n = indices.length;
  let from = indices.slice();
  let to = new Int32Array(n);
  const before = (x: number, y: number): boolean =>
    primary[x] < primary[y] || (primary[x] === primary[y] && (secondary[x] < secondary[y] || (secondary[x] === secondary[y] && x < y)));
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) to[k++] = before(from[j], from[i]) ? from[j++] : from[i++];
      while (i < mid) to[k++] = from[i++];
      while (j < hi) to[k++] = from[j++];
    }
    [from, to] = [to, from];
  }
  return from;
}

/**
 * The entries, best smoothed first: a trial with fewer than `minNeighbours` neighbours is reported
 * with 0 and no smoothed value, after the ranked ones, best raw first.
 */
function assemble(
  scored: Scored,
  smoothing: Smoothing,
  ranked: Int32Array,
  score: Float64Array,
  options: { direction: StudyDirection; minNeighbours: number; limit: number | undefined },
  method: RobustMethod,
  methodReason: string,
): RobustRanking {
  const sign = options.direction === 'maximize' ? -1 : 1;
  const { mean, neighbours, infeasible } = smoothing;
  const isRanked = (i: number): boolean => neighbours[i] >= options.minNeighbours;
  // Ranked trials by smoothed value, then the unranked (key +Infinity); ties by raw value, then input order.
  const key = new Float64Array(scored.at.length);
  for (const i of ranked) key[i] = isRanked(i) ? sign * mean[i] : Infinity;
  const order = bestIndices(ranked, options.limit ?? ranked.length, key, score);
  const entry = (i: number): RobustEntry => {
    const counted = isRanked(i);
    return {
      trial: scored.source[scored.at[i]],
      value: scored.values[i],
      smoothed: counted ? mean[i] : null,
      neighbours: counted ? neighbours[i] : 0,
      infeasibleNeighbours: counted ? infeasible[i] : 0,
    };
  };
  let peak = ranked[0];
  for (const i of ranked) if (score[i] < score[peak] || (score[i] === score[peak] && i < peak)) peak = i;
  const ranking: RobustEntry[] = [];
  let peakEntry: RobustEntry | undefined;
  for (let m = 0; m < order.length; m++) {
    ranking.push(entry(order[m]));
    if (order[m] === peak) peakEntry = ranking[m];
  }
  return { method, methodReason, ranking, peak: peakEntry ?? entry(peak), robust: ranking[0].smoothed === null ? null : ranking[0] };
}
