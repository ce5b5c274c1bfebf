/**
 * A study's COMPLETE trials reduced to what a picture of the whole study needs: their numbers,
 * objective values and feasibility, column by column, without parameters or attributes, in
 * chunks of up to 100,000 trials. A 1.5-million-trial study is about 6 KB a trial as
 * FrozenTrials, 25 bytes a trial (one objective) here, and a reader that keeps only what it needs
 * of each chunk holds one chunk at a time: enough to draw the best-so-far line over every trial,
 * rank every trial or find the whole Pareto front, and then read whole only the few trials a
 * chart shows (readTrialsById).
 *
 * Two reads, each with a fast path a store may offer (Storage.readObjectiveValues,
 * Storage.readTrialsById: the SQL stores) and a fallback here, which defines what they mean (a
 * test holds the stores to it).
 */
import { type FrozenTrial, type TrialState, isFeasible } from '../frozen-trial.js';

/** One chunk of a study's values. Its arrays are valid only while `onChunk` runs (the next chunk reuses them): copy what you keep. */
export interface ObjectiveValues {
  /** COMPLETE trials with a value for every objective, in number order (after the previous chunk's). */
  readonly size: number;
  readonly trialId: Float64Array;
  readonly number: Int32Array;
  /** One column per objective (±Infinity as such). */
  readonly values: readonly Float64Array[];
  /** 1 where the trial is feasible (isFeasible: no `constraints` entry above 0). */
  readonly feasible: Uint8Array;
}

/** What the two reads need of a store: a Storage has it (named here, as trial-query.ts does, because storage.ts names this file's types). */
export interface ObjectiveValueSource {
  getStudyDirections(studyId: number): readonly unknown[];
  getAllTrials(studyId: number, states?: readonly TrialState[]): readonly FrozenTrial[];
  getTrial(trialId: number): FrozenTrial;
  readObjectiveValues?(studyId: number, onChunk: (chunk: ObjectiveValues) => void): boolean;
  readTrialsById?(trialIds: readonly number[]): FrozenTrial[] | null;
}

/**
 * Fills the columns trial by trial, for one chunk after another in the same arrays (the SQL
 * stores' chunks and the fallback's trials): a pass over a million trials allocates one chunk's
 * room, not a million trials' worth of arrays that wait for the collector.
 */
export class ObjectiveValuesBuilder {
  private size = 0;
  private trialId: Float64Array;
  private number: Int32Array;
  private values: Float64Array[];
  private feasible: Uint8Array;

  /** `expected`: how many trials a chunk holds at most, when known (room for them: no copies as it grows). */
  constructor(
    private readonly nObjectives: number,
    expected = 1024,
  ) {
    const room = Math.max(1, expected);
    this.trialId = new Float64Array(room);
    this.number = new Int32Array(room);
    this.values = Array.from({ length: nObjectives }, () => new Float64Array(room));
    this.feasible = new Uint8Array(room);
  }

  /** One trial; `values` holds nObjectives numbers. */
  add(trialId: number, number: number, values: ArrayLike<number>, feasible: boolean): void {
    if (this.size === this.trialId.length) this.grow();
    const i = this.size++;
    this.trialId[i] = trialId;
    this.number[i] = number;
    for (let k = 0; k < this.nObjectives; k++) this.values[k][i] = values[k];
    this.feasible[i] = feasible ? 1 : 0;
  }

  private grow(): void {
    const cap = this.trialId.length * 2;
    const more = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.trialId = more(this.trialId, (n) => new Float64Array(n));
    this.number = more(this.number, (n) => new Int32Array(n));
    this.values = this.values.map((v) => more(v, (n) => new Float64Array(n)));
    this.feasible = more(this.feasible, (n) => new Uint8Array(n));
  }

  /** The chunk filled so far, as views of the arrays (valid until the next reset). */
  build(): ObjectiveValues {
    const n = this.size;
    return { size: n, trialId: this.trialId.subarray(0, n), number: this.number.subarray(0, n), values: this.values.map((v) => v.subarray(0, n)), feasible: this.feasible.subarray(0, n) };
  }

  /** Empties it for the next chunk (keeping its room). */
  reset(): void {
    this.size = 0;
  }
}

/** The most trials in one chunk. */
export const OBJECTIVE_VALUES_CHUNK = 100_000;

/**
 * Gives `onChunk` the study's COMPLETE trials' values, chunk after chunk in number order: the
 * store's own way when it has one, else from getAllTrials.
 */
export function readObjectiveValues(storage: ObjectiveValueSource, studyId: number, onChunk: (chunk: ObjectiveValues) => void): void {
  if (storage.readObjectiveValues?.(studyId, onChunk)) return;
  const nObjectives = storage.getStudyDirections(studyId).length;
  const complete = storage.getAllTrials(studyId, ['COMPLETE']).filter((t) => t.values !== null && t.values.length === nObjectives);
  const out = new ObjectiveValuesBuilder(nObjectives, Math.min(complete.length, OBJECTIVE_VALUES_CHUNK));
  for (let from = 0; from < complete.length; from += OBJECTIVE_VALUES_CHUNK) {
    out.reset();
    for (const t of complete.slice(from, from + OBJECTIVE_VALUES_CHUNK)) out.add(t.trialId, t.number, t.values!, isFeasible(t));
    onChunk(out.build());
  }
}

/** Whole trials by id, in the order given: the store's batch read when it has one, else one by one. */
export function readTrialsById(storage: ObjectiveValueSource, trialIds: readonly number[]): FrozenTrial[] {
  return storage.readTrialsById?.(trialIds) ?? trialIds.map((id) => storage.getTrial(id));
}
