/**
 * The storage interface: where studies and trials live.
 *
 * Implementations: {@link InMemoryStorage} (the library default) and the SQLite store. The
 * interface is synchronous: both of ours are (better-sqlite3 is synchronous by design), and it
 * lets samplers read trials inside `suggest*` calls without turning the define-by-run API async.
 *
 * Concurrency and ownership rules:
 * - Several processes may share one storage (SQLite). Every method is atomic on its own.
 * - Trial numbers are allocated by the storage inside the write that creates the trial, so they
 *   are unique and dense per study even with many writers.
 * - `createTrial` may refuse to create a trial (returns null): when a target count is reached or
 *   when a claim finds nothing left. The check and the insert happen in one transaction, which
 *   is how N processes sharing a grid each get distinct grid points.
 * - Only the process that created (or claimed) a RUNNING trial writes to it, until the trial
 *   finishes or is failed as stale. Writes to a finished trial are refused (`TrialFinishedError`),
 *   except `setTrialStateValues`, which returns false instead so a late result can be dropped.
 * - Returned objects are snapshots that the caller must not mutate.
 */
import type { Distribution } from '../distributions.js';
import type { FrozenTrial, StudyDirection, TrialState } from '../frozen-trial.js';
import { type TrialTable, type TrialTablePart, partRows, trialTableOf } from './trial-table.js';
import type { TrialChanges, TrialCursor, TrialPage, TrialQuery } from './trial-query.js';
import type { ObjectiveValues } from './objective-values.js';

export interface StudySummary {
  readonly studyId: number;
  readonly studyName: string;
  readonly directions: readonly StudyDirection[];
  readonly nTrials: number;
  readonly countsByState: Readonly<Record<TrialState, number>>;
  /** The earliest trial start, or null without trials. */
  readonly datetimeStart: Date | null;
  /** The latest trial start or completion, or null without trials. */
  readonly lastActivity: Date | null;
  readonly userAttrs: Readonly<Record<string, unknown>>;
  readonly systemAttrs: Readonly<Record<string, unknown>>;
}

/** What a new trial starts with (e.g. an enqueued WAITING trial, or a trial copied in). */
export interface TrialTemplate {
  state?: TrialState;
  params?: Record<string, { internal: number; distribution: Distribution }>;
  values?: readonly number[] | null;
  userAttrs?: Record<string, unknown>;
  systemAttrs?: Record<string, unknown>;
  intermediateValues?: ReadonlyMap<number, number>;
  datetimeStart?: Date | null;
  datetimeComplete?: Date | null;
}

/** Refuse to create a trial once this many trials of the study are in `states`. */
export interface TrialLimit {
  readonly max: number;
  readonly states: readonly TrialState[];
}

/**
 * Give the new trial the first value of `candidates` (preferring earlier ones) that no other
 * trial of the study holds under system attribute `key`, ignoring trials in `releaseStates`
 * (e.g. FAIL, so that failed grid points are retried). A value that `maxClaims` trials have
 * already held, in any state, is never handed out again (so a point that always fails is tried
 * a bounded number of times). No value left: no trial is created.
 */
export interface TrialClaim {
  readonly key: string;
  readonly candidates: ArrayLike<number>;
  readonly releaseStates: readonly TrialState[];
  /** Default: unlimited. */
  readonly maxClaims?: number;
  /**
   * The caller will offer the same candidates for its next trials too (a grid, not a CMA-ES
   * generation that changes as trials finish): a store may claim values for several trials at
   * once (the SQLite store's reservations ahead).
   */
  readonly stable?: boolean;
}

export interface CreateTrialOptions {
  limit?: TrialLimit;
  claim?: TrialClaim;
  /**
   * How many trials the caller expects to create in a row, this one included, when it knows
   * (an optimize call with nTrials). A hint: a store that reserves trial slots ahead reserves
   * no more than this.
   */
  upcoming?: number;
}

export interface CreatedTrial {
  readonly trialId: number;
  readonly number: number;
  /** The claimed value, when a claim was asked for. */
  readonly claimed?: number;
}

export type CreateTrialResult = CreatedTrial | { readonly refused: 'limit' | 'claim' };

export interface Storage {
  /**
   * Seconds between heartbeats of running trials, when this storage is shared between processes
   * and wants them (the SQLite store); undefined for none. Executors beat at this interval.
   */
  readonly heartbeatInterval?: number;
  /** Seconds without a heartbeat after which a RUNNING trial counts as dead (failStaleTrials). */
  readonly gracePeriod?: number;
  /** Where the studies are, for messages (a file path, a URL without its password); none in memory. */
  readonly where?: string;

  // ----- studies -----
  /** Creates a study; throws DuplicatedStudyError if the name is taken. Returns its id. */
  createStudy(name: string, directions: readonly StudyDirection[]): number;
  deleteStudy(studyId: number): void;
  /** The id of a study by name, or null. */
  findStudyId(name: string): number | null;
  getStudyName(studyId: number): string;
  getStudyDirections(studyId: number): readonly StudyDirection[];
  getAllStudies(): StudySummary[];
  /**
   * One study's summary, without summarising the others (a file with a 1.5-million-trial study
   * beside a small one); no such method: callers use studySummary(), which falls back on
   * getAllStudies. Throws for an unknown id.
   */
  getStudySummary?(studyId: number): StudySummary;
  setStudyUserAttr(studyId: number, key: string, value: unknown): void;
  setStudySystemAttr(studyId: number, key: string, value: unknown): void;
  getStudyUserAttrs(studyId: number): Record<string, unknown>;
  getStudySystemAttrs(studyId: number): Record<string, unknown>;

  // ----- trials -----
  /** Creates a trial (RUNNING unless the template says otherwise), atomically with the limit and claim checks. */
  createTrial(studyId: number, template?: TrialTemplate, options?: CreateTrialOptions): CreateTrialResult;
  /**
   * Atomically turns the oldest WAITING trial of the study into RUNNING and returns it, or null.
   * `options` are those the caller's createTrial would get (the limit counts the popped trial; a
   * store may take several plain WAITING trials at once for a run that says it has more to come).
   */
  popWaitingTrial(studyId: number, options?: CreateTrialOptions): CreatedTrial | null;
  setTrialParam(trialId: number, name: string, internal: number, distribution: Distribution): void;
  /**
   * Moves a trial to `state` (with values for COMPLETE). Returns false, changing nothing, if the
   * trial is already finished (e.g. it was failed as stale while its result was on the way).
   */
  setTrialStateValues(trialId: number, state: TrialState, values?: readonly number[] | null): boolean;
  setTrialIntermediateValue(trialId: number, step: number, value: number): void;
  setTrialUserAttr(trialId: number, key: string, value: unknown): void;
  setTrialSystemAttr(trialId: number, key: string, value: unknown): void;
  getTrial(trialId: number): FrozenTrial;
  /** Trials of a study in number order, optionally only those in `states`. */
  getAllTrials(studyId: number, states?: readonly TrialState[]): readonly FrozenTrial[];
  getNTrials(studyId: number, states?: readonly TrialState[]): number;
  /**
   * Every trial of a study column by column (trial-table.ts), read without building trial
   * objects, for exports of millions of trials; null (or no such method) when the store has no
   * faster way than getAllTrials. Callers use readTrialTable(), which falls back.
   */
  readTrialTable?(studyId: number, part?: TrialTablePart): TrialTable | null;
  /**
   * The processes running the study's trials now, by host and pid, with how many RUNNING trials
   * each holds and its latest heartbeat (stores that record who runs a trial: the SQL stores);
   * null (or no such method) when the store does not know.
   */
  runningProcesses?(studyId: number): RunningProcess[] | null;
  /**
   * One page of a study's trials, sorted and filtered where they are stored (trial-query.ts has
   * the rule and the fallback); null (or no such method) when the store has no faster way than
   * reading every trial. Callers use queryTrials() (trial-query.ts), which checks the query.
   */
  queryTrials?(studyId: number, query: TrialQuery): TrialPage | null;
  /**
   * The trials created or moved on since a cursor (trial-query.ts); null when the store has no
   * faster way than reading every trial. Callers use trialChanges() (trial-query.ts).
   */
  trialChanges?(studyId: number, cursor: TrialCursor | null, limit: number): TrialChanges | null;
  /**
   * The best feasible COMPLETE trial of a study by its first objective (the lowest number among
   * equals), or null. A store may answer from an index without reading every trial.
   */
  getBestTrial(studyId: number): FrozenTrial | null;

  // ----- liveness -----
  /** Marks these RUNNING trials as alive now. */
  recordHeartbeat(trialIds: readonly number[]): void;
  /**
   * Fails the study's RUNNING trials whose last heartbeat is older than `graceSeconds`. Trials
   * that never beat are left alone, except that a store may count a trial it knows one of its
   * own processes started from that start (the SQLite store writes no beat at creation).
   * Returns the ids of the trials it failed.
   */
  failStaleTrials(studyId: number, graceSeconds: number): number[];

  /**
   * Count, sum and sum of squares of a number over a study's COMPLETE trials (their first
   * objective value, or a numeric user attribute; non-finite values left out), computed where the
   * trials are stored; null (or no such method) when the store has no faster way than reading
   * every trial. Callers use summarizeTrials() (trial-statistics.ts), which falls back.
   */
  summarizeTrials?(studyId: number, of: TrialNumberSource): NumberSummary | null;
  /**
   * The ids of the study's `k` best COMPLETE trials by their first objective (finite values,
   * best first, the lower number first among equals); null when the store has no faster way.
   * Callers use bestTrials() (trial-statistics.ts).
   */
  bestTrialIds?(studyId: number, k: number): number[] | null;
  /**
   * Gives `onChunk` the COMPLETE trials' numbers, objective values and feasibility, column by
   * column in chunks in number order, without parameters or attributes (objective-values.ts);
   * false, calling nothing (or no such method), when the store has no faster way than reading
   * every trial. Callers use readObjectiveValues() there.
   */
  readObjectiveValues?(studyId: number, onChunk: (chunk: ObjectiveValues) => void): boolean;
  /**
   * Whole trials by id, in the order given, in a few statements; null (or no such method): one
   * getTrial each. Callers use readTrialsById() (objective-values.ts).
   */
  readTrialsById?(trialIds: readonly number[]): FrozenTrial[] | null;

  /**
   * Writes out what the store holds back (finished trials waiting for a group commit) and gives
   * back the trial slots it reserved ahead but did not use, so that other processes see the
   * study as it is. Executors call it when a run ends; close() does it too.
   */
  flush?(): void;

  /** Releases resources (file handles). Further calls are errors. */
  close(): void;
}

/** A process running some of a study's trials (Storage.runningProcesses). */
export interface RunningProcess {
  /** Host name and process id; null for trials no studyopt process claims (Optuna's, say). */
  readonly host: string | null;
  readonly pid: number | null;
  /** Its RUNNING trials in the study. */
  readonly running: number;
  /** The latest heartbeat of those trials, or null when none has beaten yet. */
  readonly lastHeartbeat: Date | null;
}

/** What summarizeTrials sums: the first objective's value, or a user attribute. */
export type TrialNumberSource = 'value' | { readonly userAttr: string };

export interface NumberSummary {
  readonly count: number;
  readonly sum: number;
  readonly sumOfSquares: number;
}

export function isCreated(r: CreateTrialResult): r is CreatedTrial {
  return (r as CreatedTrial).trialId !== undefined;
}

/**
 * A study's trials as a table (all of them, or one part): the store's own way when it has one,
 * else from getAllTrials.
 */
export function readTrialTable(storage: Storage, studyId: number, part: TrialTablePart = { index: 0, of: 1 }): TrialTable {
  const own = storage.readTrialTable?.(studyId, part);
  if (own) return own;
  const trials = storage.getAllTrials(studyId);
  const [from, to] = partRows(trials.length, part);
  return trialTableOf(trials.slice(from, to), storage.getStudyDirections(studyId).length);
}

/** One study's summary: the store's own way when it has one, else from getAllStudies; null for an unknown id. */
export function studySummary(storage: Storage, studyId: number): StudySummary | null {
  if (storage.getStudySummary) {
    try {
      return storage.getStudySummary(studyId);
    } catch {
      return null;
    }
  }
  return storage.getAllStudies().find((s) => s.studyId === studyId) ?? null;
}
