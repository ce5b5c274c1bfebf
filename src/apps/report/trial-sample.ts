/**
 * The trials a report of a big study draws, read by query instead of reading the study whole
 * (about 6 KB a trial in memory: 9 GB at 1.5 million trials): the best trials (the best `best`
 * feasible trials by value, or for several objectives the Pareto front), and a uniform random
 * sample of the other COMPLETE trials up to `maxTrials` in all. Every COMPLETE trial's values go
 * through one pass without their parameters (objective-values.ts), which gives what must cover
 * the whole study exactly: the best-so-far line of the history, the ranking and the front.
 *
 * Choosing the best trials by value before sampling keeps what a reader looks for (where the
 * optimum is, what the best parameters look like) exact, and the uniform sample of the rest keeps
 * the charts' shape over the whole space honest; the label says which is which.
 */
import { UsageError } from '../../errors.js';
import type { FrozenTrial, StudyDirection } from '../../frozen-trial.js';
import { paretoFront } from '../../pareto.js';
import { Rng } from '../../rng.js';
import { type ObjectiveValues, readObjectiveValues, readTrialsById } from '../../storage/objective-values.js';
import type { Storage } from '../../storage/storage.js';
import { thin } from './study-charts.js';

export interface TrialSampleOptions {
  /** At most this many trials in all. */
  readonly maxTrials: number;
  /** How many best trials by value (one objective); default min(1,000, maxTrials / 2). */
  readonly best?: number;
  /** The uniform sample's seed (fixed: the same study gives the same sample). Default 0. */
  readonly seed?: number;
}

/** One step of a best-so-far line: from trial `trial` on, the best feasible value was `best`. */
export interface BestStep {
  readonly trial: number;
  readonly best: number;
}

export interface TrialSample {
  /** The chosen COMPLETE trials, in number order (the uniformly sampled ones without user attributes or intermediate values). */
  readonly complete: FrozenTrial[];
  /** The study's COMPLETE trials with values: what the sample is drawn from. */
  readonly ofComplete: number;
  /** How many of `complete` are the best (or the front); the rest are the uniform sample. */
  readonly nBest: number;
  /** Several objectives: the best are the Pareto front (`frontSize` trials, `nBest` of them kept). */
  readonly frontSize: number | null;
  /** Each objective's best-so-far line over every COMPLETE trial (not only the sample). */
  readonly bestSoFar: readonly (readonly BestStep[])[];
  /** What the charts show, for their notes: "from 20,000 of 1,500,000 complete trials: ...". */
  readonly label: string;
}

function better(direction: StudyDirection, a: number, b: number): boolean {
  return direction === 'maximize' ? a > b : a < b;
}

/** Each objective's best feasible value so far, as steps (where it improved, and the last trial). */
export function bestSoFarLines(values: ObjectiveValues, directions: readonly StudyDirection[]): BestStep[][] {
  return directions.map((direction, k) => {
    const column = values.values[k];
    const steps: BestStep[] = [];
    let best: number | null = null;
    for (let i = 0; i < values.size; i++) {
      if (!values.feasible[i]) continue;
      const v = column[i];
      if (best === null || better(direction, v, best)) {
        best = v;
        steps.push({ trial: values.number[i], best });
      }
    }
    if (best !== null && values.size > 0) steps.push({ trial: values.number[values.size - 1], best });
    return steps;
  });
}

/** Rows (indexes into `values`) of the `k` best feasible trials by the first objective (the lower number first among equals). */
function bestRows(values: ObjectiveValues, direction: StudyDirection, k: number): number[] {
  const sign = direction === 'maximize' ? -1 : 1;
  const column = values.values[0];
  const keys = new Float64Array(values.size);
  let n = 0;
  for (let i = 0; i < values.size; i++) if (values.feasible[i]) keys[n++] = sign * column[i];
  if (n === 0 || k <= 0) return [];
  // The k-th best key, by a numeric sort of the keys alone (a typed array sorts numbers natively).
  const sorted = keys.subarray(0, n).sort();
  const cut = sorted[Math.min(k, sorted.length) - 1];
  const rows: number[] = [];
  for (let i = 0; i < values.size && rows.length < k; i++) {
    // Rows are in number order: among trials equal to the cut, the lower numbers come first.
    if (values.feasible[i] && sign * column[i] < cut) rows.push(i);
  }
  for (let i = 0; i < values.size && rows.length < k; i++) if (values.feasible[i] && sign * column[i] === cut) rows.push(i);
  return rows.sort((a, b) => a - b);
}

/**
 * Rows of the feasible trials' Pareto front (src/pareto.ts), in chunks so that the light objects
 * it compares never number more than a chunk and the front: the front of a union is the front
 * of the fronts of its parts together.
 */
function frontRows(values: ObjectiveValues, directions: readonly StudyDirection[]): number[] {
  type Point = { number: number; values: number[]; row: number };
  let front: Point[] = [];
  const chunk = 100_000;
  for (let from = 0; from < values.size; from += chunk) {
    const part: Point[] = [...front];
    for (let i = from; i < Math.min(values.size, from + chunk); i++) {
      if (values.feasible[i]) part.push({ number: values.number[i], values: values.values.map((c) => c[i]), row: i });
    }
    front = paretoFront(part, directions);
  }
  return front.map((p) => p.row).sort((a, b) => a - b);
}

/** `m` of the rows 0..n-1 not in `taken`, uniformly at random without replacement (Knuth's selection sampling, TAOCP vol. 2, 3.4.2, Algorithm S). */
function uniformRows(n: number, taken: ReadonlySet<number>, m: number, rng: Rng): number[] {
  let left = n - taken.size;
  let need = Math.min(m, left);
  const rows: number[] = [];
  for (let i = 0; i < n && need > 0; i++) {
    if (taken.has(i)) continue;
    if (rng.random() * left < need) {
      rows.push(i);
      need--;
    }
    left--;
  }
  return rows;
}

/** Whole trials, a few thousand at a time; those not in `keepWhole` without their user attributes and intermediate values. */
function readChosen(storage: Storage, trialIds: readonly number[], keepWhole: ReadonlySet<number>): FrozenTrial[] {
  const out: FrozenTrial[] = [];
  const step = 2_000;
  for (let i = 0; i < trialIds.length; i += step) {
    for (const t of readTrialsById(storage, trialIds.slice(i, i + step))) {
      out.push(keepWhole.has(t.trialId) ? t : { ...t, userAttrs: {}, intermediateValues: new Map() });
    }
  }
  return out;
}

const count = (n: number): string => n.toLocaleString('en-US');

/**
 * The trials a report of the study draws: at most `maxTrials` of its COMPLETE trials (all of
 * them when it has no more).
 */
export function sampleTrials(storage: Storage, studyId: number, options: TrialSampleOptions): TrialSample {
  const { maxTrials } = options;
  if (!Number.isInteger(maxTrials) || maxTrials < 2) throw new UsageError(`the report's trial cap must be an integer of at least 2, but got ${maxTrials}`);
  const directions = storage.getStudyDirections(studyId);
  // The values' columns (25 bytes a trial) are let go before the chosen trials are read whole.
  const choice = chooseRows(readObjectiveValues(storage, studyId), directions, options);
  const complete = readChosen(storage, choice.trialIds, choice.bestIds);
  const { ofComplete, nBest, frontSize } = choice;
  if (ofComplete <= maxTrials) {
    // Few COMPLETE trials (the study's others are RUNNING, FAIL, ...): every one.
    return { complete, ofComplete, nBest, frontSize, bestSoFar: choice.bestSoFar, label: `from all ${count(ofComplete)} complete trials` };
  }
  const what =
    frontSize === null
      ? `the ${count(nBest)} best`
      : frontSize === nBest
        ? `the Pareto front (${count(nBest)} trials)`
        : `${count(nBest)} trials spread along the Pareto front of ${count(frontSize)}`;
  return {
    complete,
    ofComplete,
    nBest,
    frontSize,
    bestSoFar: choice.bestSoFar,
    label: `from ${count(complete.length)} of ${count(ofComplete)} complete trials: ${what} and a uniform sample of the rest`,
  };
}

/** The trials to read (ids in number order), which of them are the best, and the history lines. */
function chooseRows(
  values: ObjectiveValues,
  directions: readonly StudyDirection[],
  options: TrialSampleOptions,
): { trialIds: number[]; bestIds: Set<number>; ofComplete: number; nBest: number; frontSize: number | null; bestSoFar: BestStep[][] } {
  const { maxTrials } = options;
  const bestSoFar = bestSoFarLines(values, directions);
  if (values.size <= maxTrials) return { trialIds: Array.from(values.trialId), bestIds: new Set(values.trialId), ofComplete: values.size, nBest: 0, frontSize: null, bestSoFar };
  const multi = directions.length > 1;
  let best: number[];
  let frontSize: number | null = null;
  if (multi) {
    const front = frontRows(values, directions);
    frontSize = front.length;
    // A front larger than half the cap (many objectives): an even part of it, in number order.
    best = thin(front, Math.floor(maxTrials / 2));
  } else {
    best = bestRows(values, directions[0], options.best ?? Math.min(1_000, Math.floor(maxTrials / 2)));
  }
  const taken = new Set(best);
  const sampled = uniformRows(values.size, taken, maxTrials - best.length, new Rng(options.seed ?? 0));
  const rows = [...best, ...sampled].sort((a, b) => a - b);
  return {
    trialIds: rows.map((r) => values.trialId[r]),
    bestIds: new Set(best.map((r) => values.trialId[r])),
    ofComplete: values.size,
    nBest: best.length,
    frontSize,
    bestSoFar,
  };
}
