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
import { better, thin } from './study-charts.js';

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

/** Each objective's best feasible value so far, as steps (where it improved, and the last trial), fed chunk by chunk in number order. */
class BestSoFarLines {
  private readonly best: (number | null)[];
  readonly lines: BestStep[][];
  private lastNumber: number | null = null;

  constructor(private readonly directions: readonly StudyDirection[]) {
    this.best = directions.map(() => null);
    this.lines = directions.map(() => []);
  }

  add(chunk: ObjectiveValues): void {
    this.directions.forEach((direction, k) => {
      const column = chunk.values[k];
      for (let i = 0; i < chunk.size; i++) {
        const best = this.best[k];
        if (chunk.feasible[i] && (best === null || better(direction, column[i], best))) {
          this.best[k] = column[i];
          this.lines[k].push({ trial: chunk.number[i], best: column[i] });
        }
      }
    });
    if (chunk.size > 0) this.lastNumber = chunk.number[chunk.size - 1];
  }

  /** The lines, each closed at the last trial. */
  finish(): BestStep[][] {
    return this.lines.map((line, k) => (line.length > 0 && this.lastNumber !== null ? [...line, { trial: this.lastNumber, best: this.best[k]! }] : line));
  }
}

/** A trial as the selection keeps it: its id and number (and, for the best, its sort key). */
interface Kept {
  readonly trialId: number;
  readonly number: number;
}

/**
 * The `k` best feasible trials by the first objective (the lower number first among equals), fed
 * chunk by chunk in number order: a trial enters only when it beats the k-th kept (an equal one
 * comes later, so loses), so after the first chunks few do.
 */
class BestTrials {
  private kept: (Kept & { key: number })[] = [];

  constructor(
    private readonly k: number,
    private readonly sign: number,
  ) {}

  add(chunk: ObjectiveValues): void {
    if (this.k <= 0) return;
    const full = this.kept.length >= this.k;
    const cut = full ? this.kept[this.kept.length - 1].key : Infinity;
    const column = chunk.values[0];
    let entered = false;
    for (let i = 0; i < chunk.size; i++) {
      const key = this.sign * column[i];
      if (chunk.feasible[i] && (key < cut || (!full && key === cut))) {
        this.kept.push({ trialId: chunk.trialId[i], number: chunk.number[i], key });
        entered = true;
      }
    }
    if (entered) {
      this.kept.sort((a, b) => a.key - b.key || a.number - b.number);
      this.kept.length = Math.min(this.kept.length, this.k);
    }
  }

  get trials(): readonly Kept[] {
    return this.kept;
  }
}

/**
 * The feasible trials' Pareto front (src/pareto.ts), fed chunk by chunk: the front of a union is
 * the front of the fronts of its parts together, so the light objects compared never number more
 * than a chunk and the front.
 */
class FrontTrials {
  private front: (Kept & { values: number[] })[] = [];

  constructor(private readonly directions: readonly StudyDirection[]) {}

  add(chunk: ObjectiveValues): void {
    const part = [...this.front];
    for (let i = 0; i < chunk.size; i++) {
      if (chunk.feasible[i]) part.push({ trialId: chunk.trialId[i], number: chunk.number[i], values: chunk.values.map((c) => c[i]) });
    }
    this.front = paretoFront(part, this.directions);
  }

  get trials(): readonly Kept[] {
    return [...this.front].sort((a, b) => a.number - b.number);
  }
}

/**
 * A uniform random sample of `size` of the trials fed to it, whatever their number (Algorithm R:
 * Knuth, TAOCP vol. 2, 3.4.2; the t-th trial replaces a random one of the sample with
 * probability size/t).
 */
class Reservoir {
  private readonly kept: Kept[] = [];
  private seen = 0;

  constructor(
    private readonly size: number,
    private readonly rng: Rng,
  ) {}

  add(chunk: ObjectiveValues): void {
    for (let i = 0; i < chunk.size; i++) {
      const trial = { trialId: chunk.trialId[i], number: chunk.number[i] };
      if (this.seen < this.size) this.kept.push(trial);
      else {
        const j = this.rng.int(0, this.seen);
        if (j < this.size) this.kept[j] = trial;
      }
      this.seen++;
    }
  }

  get count(): number {
    return this.seen;
  }

  /**
   * `m` of the sampled trials that are not in `taken`, uniformly: a uniform sample of all the
   * trials, less those taken, is a uniform sample of the rest, and so is a uniform part of it.
   */
  rest(taken: ReadonlySet<number>, m: number): Kept[] {
    const rest = this.kept.filter((t) => !taken.has(t.trialId));
    return rest.length <= m ? rest : this.rng.shuffle(rest).slice(0, m);
  }
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
 * them when it has no more), chosen in one pass over their values that keeps only what it
 * chooses (a chunk of values at a time, the best, the front, the sample).
 */
export function sampleTrials(storage: Storage, studyId: number, options: TrialSampleOptions): TrialSample {
  const { maxTrials } = options;
  if (!Number.isInteger(maxTrials) || maxTrials < 2) throw new UsageError(`the report's trial cap must be an integer of at least 2, but got ${maxTrials}`);
  const directions = storage.getStudyDirections(studyId);
  const multi = directions.length > 1;
  const lines = new BestSoFarLines(directions);
  const rng = new Rng(options.seed ?? 0);
  const reservoir = new Reservoir(maxTrials, rng);
  const bestByValue = multi ? null : new BestTrials(options.best ?? Math.min(1_000, Math.floor(maxTrials / 2)), directions[0] === 'maximize' ? -1 : 1);
  const front = multi ? new FrontTrials(directions) : null;
  readObjectiveValues(storage, studyId, (chunk) => {
    lines.add(chunk);
    reservoir.add(chunk);
    bestByValue?.add(chunk);
    front?.add(chunk);
  });
  const ofComplete = reservoir.count;
  const bestSoFar = lines.finish();
  if (ofComplete <= maxTrials) {
    // Few COMPLETE trials (the study's others are RUNNING, FAIL, ...): every one, whole.
    const all = reservoir.rest(new Set(), maxTrials).sort((a, b) => a.number - b.number);
    const complete = readChosen(storage, all.map((t) => t.trialId), new Set(all.map((t) => t.trialId)));
    return { complete, ofComplete, nBest: 0, frontSize: null, bestSoFar, label: `from all ${count(ofComplete)} complete trials` };
  }
  let best: readonly Kept[];
  let frontSize: number | null = null;
  if (front) {
    const whole = front.trials;
    frontSize = whole.length;
    // A front larger than half the cap (many objectives): an even part of it, in number order.
    best = thin(whole, Math.floor(maxTrials / 2));
  } else {
    best = bestByValue!.trials;
  }
  const bestIds = new Set(best.map((t) => t.trialId));
  const chosen = [...best, ...reservoir.rest(bestIds, maxTrials - best.length)].sort((a, b) => a.number - b.number);
  const complete = readChosen(
    storage,
    chosen.map((t) => t.trialId),
    bestIds,
  );
  const what =
    frontSize === null
      ? `the ${count(best.length)} best`
      : frontSize === best.length
        ? `the Pareto front (${count(best.length)} trials)`
        : `${count(best.length)} trials spread along the Pareto front of ${count(frontSize)}`;
  return {
    complete,
    ofComplete,
    nBest: best.length,
    frontSize,
    bestSoFar,
    label: `from ${count(complete.length)} of ${count(ofComplete)} complete trials: ${what} and a uniform sample of the rest`,
  };
}
