/**
 * The SQL study store: studies in Optuna's RDB schema, shared by many processes, on any database
 * with a dialect (SQLite in one file, PostgreSQL on a server). Everything here is written once for
 * every backend: the trial cache, group commit, reservations, grid and generation claims,
 * host/pid crash detection and exit hooks; a backend opens the connection, creates or checks the
 * schema, and says where its SQL differs (sql/dialect.ts).
 *
 * Concurrency: every write is one short transaction that takes the write lock up front (SQLite's
 * `BEGIN IMMEDIATE`; PostgreSQL's transaction-scoped advisory lock), retried while the database
 * says it is busy. Trial numbers, `limit` counts and grid `claim`s are decided inside the
 * transaction that inserts the trial.
 *
 * Speed: like Optuna's `_CachedStorage`, the running trials this process owns are kept in memory,
 * and their parameters and user attributes are written in the transaction that finishes the
 * trial (a crash loses only the trials in flight, which it loses anyway). Finished trials are
 * immutable, so they are cached once read, and each process follows the study incrementally
 * (see study-view.ts).
 *
 * Crash safety: a kill at any moment leaves the database consistent (transactions); trials left
 * RUNNING by a dead process are failed by `failStaleTrials`: when their heartbeat is older than
 * the grace period, or at once when the process that ran them on this host is gone.
 */
import { hostname } from 'node:os';
import { type Distribution, type ParamValue, toExternal } from '../../distributions.js';
import { DuplicatedStudyError, TrialFinishedError, UsageError } from '../../errors.js';
import { type FrozenTrial, type StudyDirection, type TrialState, TRIAL_STATES, isFeasible, isFinished } from '../../frozen-trial.js';
import type { CreateTrialOptions, CreateTrialResult, CreatedTrial, NumberSummary, RunningProcess, Storage, StudySummary, TrialNumberSource, TrialTemplate } from '../storage.js';
import type { TrialTable, TrialTablePart } from '../trial-table.js';
import type { TrialChanges, TrialCursor, TrialPage, TrialQuery } from '../trial-query.js';
import { OBJECTIVE_VALUES_CHUNK, type ObjectiveValues, ObjectiveValuesBuilder } from '../objective-values.js';
import {
  DistributionCache,
  decodeValue,
  directionFromDb,
  directionToDb,
  encodeValue,
  formatLocal,
  formatUtc,
  parseLocal,
  parsePyJson,
  parseUtcMs,
  pyJson,
  stateFromDb,
} from './encoding.js';
import type { SqlConnection, SqlStatement, SqlTransaction } from './connection.js';
import type { SqlDialect } from './dialect.js';
import { GUARD_SQL, type FinishRecord, type SqlOp, applyFinishRecords, sqlId, sqlText } from './finish-record.js';
import { FinishQueue, type FinishWriter } from './finish-queue.js';
import { Pace } from './pace.js';
import { ClaimIndex, StudyView, stateMask } from '../study-view.js';

export interface SqlStorageOptions {
  /** Seconds between heartbeats of running trials; null for none. Default 10. */
  heartbeatInterval?: number | null;
  /** Seconds without a heartbeat after which a RUNNING trial is failed on the next run. Default 60. */
  gracePeriod?: number;
  /**
   * Buffer the parameters and user attributes of running trials in memory until they finish
   * (Optuna's `_CachedStorage`). Other processes then see RUNNING trials without parameters.
   * Default true.
   */
  writeBehind?: boolean;
  /**
   * With writeBehind: a finished trial of this process is committed together with this
   * process's next write (usually the transaction that creates its next trial), or within
   * `finishDelayMs`, or on close/exit, instead of in a transaction of its own. This halves the
   * commits of a sequential run. A kill -9 in that window loses the trial, as it would had it
   * still been running. Default true.
   */
  deferFinish?: boolean;
  /**
   * Longest a finished trial waits for a commit to share, in ms: a kill -9 loses at most the
   * trials that finished this long before it (and the trials in flight). Default 100.
   */
  finishDelayMs?: number;
  /**
   * With deferFinish, in runs (an executor asking for trials one after another): when this
   * process finishes trials faster than one per 5 ms, insert the rows of the next trials ahead,
   * about `finishDelayMs` worth and up to this many, in one transaction, and let finished
   * trials wait up to `finishDelayMs` for a commit to share. A
   * trial then costs a fraction of a commit instead of one (see docs/storage.md, "Group
   * commit"). Reserved rows are RUNNING, owned by this process and marked reserved; the
   * ones left unused go back as WAITING trials on flush/close, or, after a crash, when the next
   * run checks for stale trials. 1 turns reservations off. Default 1024.
   */
  maxReservation?: number;
}

/** What a backend gives the store besides the connection. */
export interface SqlBackend {
  readonly conn: SqlConnection;
  readonly dialect: SqlDialect;
  /** Where the studies are, for messages: a file path, or a URL without its password. */
  readonly where: string;
  /** Opened to read only: every write is refused. */
  readonly readonly: boolean;
  /**
   * A second thread with its own connection that commits finished trials of fast runs, when the
   * backend has one (started once, when a run first reserves ahead); null for none.
   */
  startWriter?(): FinishWriter | null;
  /**
   * Reserve ahead when this process finishes a trial at least every this many ms (default 5, for
   * a commit of 0.3–1 ms): a backend whose transaction costs more (round trips to a server) pays
   * for it at slower paces too.
   */
  readonly reserveBelowMs?: number;
  /** The writer thread stopped (it failed): the backend takes back what it handed it. */
  writerGone?(): void;
  /**
   * Applies finish records inside the open transaction, as applyFinishRecords does, when the
   * backend has a faster way (PostgreSQL: one round trip for all of them); returns the ids skipped.
   */
  applyFinishRecords?(records: readonly FinishRecord[]): number[];
  /** SQLite's compact layout (sqlite/schema.ts), when the file has it. */
  readonly compact?: CompactTables;
  /**
   * The study's trials column by column, read without trial objects (SQLite's compact layout:
   * sqlite/trial-table-scan.ts), inside a read transaction; null when it cannot for this file.
   */
  readTrialTable?(studyId: number, nObjectives: number, dists: DistributionCache, part?: TrialTablePart): TrialTable | null;
}

/**
 * A layout that stores each parameter name, distribution and attribute key once, as a text with
 * an id, behind views with Optuna's table names (SQLite's compact layout). New parameters and
 * user attributes go straight into its tables by id (a view's trigger would look both texts up
 * for every row: twice the writer's time for an IB trial); updates and other readers use the views.
 */
export interface CompactTables {
  /** Views whose INSERT already updates the row a trial has under the same key (a view takes no ON CONFLICT). */
  readonly upsertingViews: ReadonlySet<string>;
  /** Adds a text if it is not there yet (one argument). */
  readonly addText: string;
  /** The id of a text (one argument). A text keeps its id for good: texts are never deleted. */
  readonly textId: string;
  /** A multi-row INSERT of new parameters, per row (trial_id, name id, internal value, distribution id). */
  paramInsertSql(rows: number): string;
  /** A multi-row INSERT of new user attributes, per row (trial_id, key id, value JSON). */
  userAttrInsertSql(rows: number): string;
}

/** A finished trial of this process whose final write waits for a commit (finish-queue.ts). */
interface StagedFinish {
  readonly trialId: number;
  o: OwnedTrial;
  state: TrialState;
  values: readonly number[] | null | undefined;
  startText: string | null;
  completeText: string;
  record?: FinishRecord;
  seq?: number;
}

/** A running trial this process created or started, with its writes not yet in the file. */
interface OwnedTrial {
  trialId: number;
  studyId: number;
  number: number;
  datetimeStart: Date | null;
  params: Record<string, ParamValue>;
  internals: Map<string, number>;
  distributions: Record<string, Distribution>;
  pendingParams: string[];
  userAttrs: Record<string, unknown>;
  pendingUserAttrs: Set<string>;
  /** System attributes set while running, written when the trial is flushed. */
  pendingSystemAttrs?: Set<string>;
  systemAttrs: Record<string, unknown>;
  intermediateValues: Map<number, number>;
  snapshot: FrozenTrial | null;
  /** Created by this process without values: finishing it need not delete old values. */
  fresh: boolean;
  /**
   * Taken from a reservation: its row in the file still says reserved (the owner row's `since`
   * set, the reservation time as its start); this text is the start to write. The row is ours
   * while it stays RUNNING and reserved by this process.
   */
  startPending?: string;
  /** Parameters already in the file (from the template, or flushed). */
  writtenParams?: Set<string>;
  /**
   * Attribute keys already in the file ('u:' user, 's:' system): the others go in with one
   * multi-row INSERT when the trial is flushed. Unknown (undefined): every key is upserted.
   */
  writtenAttrs?: Set<string>;
}

interface TrialRow {
  trial_id: number;
  number: number;
  study_id: number;
  state: string;
  datetime_start: string | null;
  datetime_complete: string | null;
}

/**
 * Reserve ahead only when this process finishes a trial of the study at least every this many
 * ms: one commit (~0.3-1 ms) per trial then costs more than a few percent of the run, and the
 * slots a Ctrl-C leaves unused are few seconds' worth of nothing.
 */
const RESERVE_BELOW_INTERVAL_MS = 5;
/** How long a flush waits for the background writer before writing the rest itself, in ms. */
const WRITER_WAIT_MS = 30_000;
/** New parameters of a trial go in multi-row INSERTs of at most this many rows. */
const PARAMS_PER_INSERT = 50;
const MAX_WRITE_ATTEMPTS = 50;
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

function sleepMs(ms: number): void {
  Atomics.wait(SLEEPER, 0, 0, ms);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class SqlStorage implements Storage {
  readonly heartbeatInterval?: number;
  readonly gracePeriod?: number;
  readonly readonly: boolean;
  /** Where the studies are, for messages. */
  readonly where: string;
  private readonly db: SqlConnection;
  private readonly dialect: SqlDialect;
  private readonly backend: SqlBackend;
  private readonly writeBehind: boolean;
  private readonly deferFinish: boolean;
  private readonly finishDelayMs: number;
  private readonly staged = new FinishQueue<StagedFinish>();
  private finishTimer: NodeJS.Timeout | null = null;
  private readonly maxReservation: number;
  /** Per study: rows this process inserted ahead and has not used yet, in number order. */
  private readonly reservations = new Map<number, CreatedTrial[]>();
  private readonly reservedIds = new Set<number>();
  /** Per study: the claim key its reserved rows hold a value of (grid_id), if any. */
  private readonly reservationClaimKey = new Map<number, string | undefined>();
  /** Owned trials taken from a reservation whose start is not in the file yet. */
  private readonly unstarted = new Set<OwnedTrial>();
  /** Per study: how fast this process finishes its trials. */
  private readonly pace = new Map<number, Pace>();
  private exitHook = false;
  private writerStarted = false;
  /** The WAITING trial last found at the head of a queue that is not a plain slot (see adoptWaiting). */
  private notPlainHead: number | null = null;
  /** In the process's exit handler: write everything here, without waiting for the writer thread. */
  private exiting = false;
  private readonly flushOnExit = (): void => {
    try {
      this.exiting = true;
      this.flush();
    } catch {
      // The process is exiting: nothing better to do than leave the rest to the next run (as a crash would).
    }
  };
  private readonly statements = new Map<string, SqlStatement>();
  private readonly tx: SqlTransaction;
  private readonly views = new Map<number, StudyView>();
  private readonly owned = new Map<number, OwnedTrial>();
  /** Trials this process finished lately (tell reads the trial back at once). Finished trials never change. */
  private readonly recentlyFinished = new Map<number, FrozenTrial>();
  /** Trials whose first heartbeat createTrial wrote just now: the executor's first beat can skip them. */
  private readonly dists = new DistributionCache();
  /** The compact layout's text ids this process has seen committed. */
  private readonly textIds = new Map<string, number>();
  private readonly host = hostname();
  private closed = false;

  constructor(backend: SqlBackend, options: SqlStorageOptions = {}) {
    this.backend = backend;
    this.db = backend.conn;
    this.dialect = backend.dialect;
    this.where = backend.where;
    this.readonly = backend.readonly;
    this.writeBehind = options.writeBehind ?? true;
    this.deferFinish = this.writeBehind && (options.deferFinish ?? true) && !this.readonly;
    this.finishDelayMs = options.finishDelayMs ?? 100;
    this.maxReservation = this.deferFinish ? Math.max(1, Math.floor(options.maxReservation ?? 1024)) : 1;
    const interval = options.heartbeatInterval === undefined ? 10 : options.heartbeatInterval;
    if (interval !== null) {
      if (!(interval > 0)) throw new UsageError(`heartbeatInterval must be a positive number of seconds, but got ${interval}`);
      this.heartbeatInterval = interval;
    }
    const grace = options.gracePeriod ?? (interval !== null ? Math.max(60, 2 * interval) : undefined);
    if (grace !== undefined) {
      if (!(grace > 0)) throw new UsageError(`gracePeriod must be a positive number of seconds, but got ${grace}`);
      this.gracePeriod = grace;
    }
    this.tx = this.db.transaction((fn) => (fn as () => unknown)());
  }

  // ----- plumbing -----

  private stmt(sql: string): SqlStatement {
    let s = this.statements.get(sql);
    if (!s) {
      if (this.closed) throw new UsageError('this storage is closed');
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private retry<T>(fn: () => T): T {
    for (let attempt = 1; ; attempt++) {
      try {
        return fn();
      } catch (err) {
        if (!this.dialect.isBusy(err) || attempt >= MAX_WRITE_ATTEMPTS || this.db.inTransaction) throw err;
        sleepMs(Math.min(200, 2 * attempt) + Math.random() * 5);
      }
    }
  }

  /** A write transaction: BEGIN IMMEDIATE (a savepoint when nested), retried while SQLite is busy. */
  private write<T>(fn: () => T, everything = false): T {
    if (this.readonly) throw new UsageError(`'${this.where}' was opened read-only`);
    if (this.db.inTransaction) return this.tx.immediate(fn) as T;
    // At exit the writer thread may never run again: everything goes through this connection.
    const all = everything || this.exiting;
    // With the background writer, staged finishes go to it after this transaction commits (handed
    // over before, they would make this transaction wait for the writer's).
    const viaWriter = this.staged.hasWriter && !all;
    if (this.staged.size === 0 || viaWriter) {
      const result = this.retry(() => this.tx.immediate(fn) as T);
      if (viaWriter && this.staged.size > 0) this.handOff();
      return result;
    }
    if (this.tx.concurrent) {
      // Where the database locks rows (PostgreSQL), finishes commit first without waiting for
      // the writers' turn: their guard locks the trials' rows, and nothing under the writers'
      // lock (numbers, counts toward a target, claims) can change by them but conservatively (a
      // trial that FAILs still counts as running to a creator that read it a moment before).
      this.commitStagedConcurrently(all);
      return this.retry(() => this.tx.immediate(fn) as T);
    }
    // Staged finishes (all of them when `everything`: records are idempotent) ride on this
    // transaction; they leave their queue only once it commits.
    const batch = this.staged.forConnection(all);
    const records = batch.map((f) => (f.record ??= this.finishRecord(f)));
    let skipped: number[] = [];
    const result = this.retry(() =>
      this.tx.immediate(() => {
        skipped = this.applyRecords(records);
        return fn();
      }) as T,
    );
    this.staged.written(batch);
    // Failed as stale elsewhere while the result waited (or, for a trial from a reservation, put
    // back as WAITING): the file's state stands, so our copies go. (A record the writer thread
    // committed meanwhile is skipped too; dropping the cached copy of it costs a re-read only.)
    for (const id of skipped) this.forgetFinished(id);
    this.afterStageChange();
    return result;
  }

  /** Applies finish records inside the open transaction (the backend's faster way if it has one); returns the ids skipped. */
  private applyRecords(records: readonly FinishRecord[]): number[] {
    if (records.length === 0) return [];
    return this.backend.applyFinishRecords ? this.backend.applyFinishRecords(records) : applyFinishRecords((id) => this.stmt(sqlText(id)), this.stmt(GUARD_SQL), records);
  }

  /** Commits staged finishes in a transaction of their own that does not wait for the writers' turn. */
  private commitStagedConcurrently(all: boolean): void {
    const batch = this.staged.forConnection(all);
    const records = batch.map((f) => (f.record ??= this.finishRecord(f)));
    const skipped = records.length === 0 ? [] : (this.retry(() => this.tx.concurrent!(() => this.applyRecords(records))) as number[]);
    this.staged.written(batch);
    for (const id of skipped) this.forgetFinished(id);
    this.afterStageChange();
  }

  /** Makes the staged finishes durable now: before reads that need them in the file, on close and exit. */
  private flushStaged(): void {
    if (this.closed) return;
    if (this.staged.hasWriter && this.staged.size > 0 && !this.exiting) {
      this.handOff();
      this.staged.waitForWriter(WRITER_WAIT_MS);
      this.reap();
    }
    // What the writer has not confirmed (at exit: all of it) is written here.
    if (this.staged.size > 0) {
      if (this.tx.concurrent && !this.readonly && !this.db.inTransaction) this.commitStagedConcurrently(true);
      else this.write(() => undefined, true);
    }
  }

  /** Hands the staged finishes not yet with the background writer to it, as one batch. */
  private handOff(): void {
    this.staged.handOff((f) => this.finishRecord(f));
    if (!this.staged.hasWriter) this.writerGone(); // it failed, and the queue let it go
  }

  /** Drops the staged finishes the writer has committed (see FinishQueue.reap). */
  private reap(): void {
    if (this.staged.reap()) this.writerGone();
  }

  /** The writer failed: the backend takes back what it handed it (SQLite: the checkpoints). */
  private writerGone(): void {
    this.backend.writerGone?.();
  }

  private afterStageChange(): void {
    if (this.staged.size === 0) {
      if (this.finishTimer) clearTimeout(this.finishTimer);
      this.finishTimer = null;
    } else if (!this.finishTimer) {
      this.finishTimer = setTimeout(() => {
        this.finishTimer = null;
        if (this.closed) return;
        if (this.staged.hasWriter) {
          this.handOff();
          this.afterStageChange();
        } else {
          this.flushStaged();
        }
      }, this.finishDelayMs);
      this.finishTimer.unref();
    }
    // On a normal exit, commit what waits and give back unused reservations.
    const hook = this.staged.size > 0 || this.reservedIds.size > 0;
    if (hook !== this.exitHook) {
      if (hook) process.on('exit', this.flushOnExit);
      else process.off('exit', this.flushOnExit);
      this.exitHook = hook;
    }
  }

  /** The final write of a staged trial as data (applied here or by the background writer). */
  private finishRecord(f: StagedFinish): FinishRecord {
    const trialId = f.o.trialId;
    const ops = this.pendingOps(f.o);
    if (f.values !== undefined) {
      if (f.values) {
        if (!f.o.fresh) ops.push([SQL.deleteValues, [trialId]]);
        f.values.forEach((value, objective) => ops.push([SQL.insertValue, [trialId, objective, ...encodeValue(value)]]));
      } else {
        ops.push([SQL.deleteValues, [trialId]]);
      }
    }
    if (f.startText !== null) {
      ops.push([SQL.finishWithStart, [f.state, f.startText, f.completeText, trialId]]);
    } else {
      ops.push([SQL.finish, [f.state, f.completeText, trialId]]);
    }
    ops.push([SQL.deleteOwner, [trialId]]);
    return { trialId, reservedBy: f.o.startPending !== undefined ? [this.host, process.pid] : null, ops };
  }

  /** A finished trial of ours that the file does not hold as finished by us: drop the cached copies. */
  private forgetFinished(trialId: number): void {
    this.recentlyFinished.delete(trialId);
    for (const v of this.views.values()) v.full?.delete(trialId);
  }

  /** A consistent read snapshot. */
  private read<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    return this.retry(() => this.tx.deferred(fn) as T);
  }

  private nowLocal(): [Date, string] {
    const d = new Date();
    return [d, formatLocal(d)];
  }

  // ----- studies -----

  createStudy(name: string, directions: readonly StudyDirection[]): number {
    return this.write(() => {
      if (this.stmt('SELECT study_id FROM studies WHERE study_name = ?').get(name)) {
        throw new DuplicatedStudyError(`a study named '${name}' already exists: load it (loadIfExists) or choose another name`);
      }
      const id = Number(this.stmt('INSERT INTO studies (study_name) VALUES (?) RETURNING study_id').pluck().get(name));
      directions.forEach((d, i) => this.stmt('INSERT INTO study_directions (direction, study_id, objective) VALUES (?, ?, ?)').run(directionToDb(d), id, i));
      return id;
    });
  }

  deleteStudy(studyId: number): void {
    this.write(() => {
      this.studyName(studyId);
      const sub = 'SELECT trial_id FROM trials WHERE study_id = ?';
      for (const t of ['trial_params', 'trial_values', 'trial_intermediate_values', 'trial_user_attributes', 'trial_system_attributes', 'trial_heartbeats', 'studyopt_trial_owners']) {
        this.stmt(`DELETE FROM ${t} WHERE trial_id IN (${sub})`).run(studyId);
      }
      this.stmt('DELETE FROM trials WHERE study_id = ?').run(studyId);
      for (const t of ['study_directions', 'study_user_attributes', 'study_system_attributes']) this.stmt(`DELETE FROM ${t} WHERE study_id = ?`).run(studyId);
      this.stmt('DELETE FROM studies WHERE study_id = ?').run(studyId);
    });
    this.views.delete(studyId);
    for (const r of this.reservations.get(studyId) ?? []) this.reservedIds.delete(r.trialId);
    this.reservations.delete(studyId);
    this.recentlyFinished.clear();
    for (const [id, t] of this.owned) if (t.studyId === studyId) this.owned.delete(id);
  }

  findStudyId(name: string): number | null {
    const row = this.read(() => this.stmt('SELECT study_id FROM studies WHERE study_name = ?').get(name)) as { study_id: number } | undefined;
    return row ? row.study_id : null;
  }

  private studyName(studyId: number): string {
    const row = this.stmt('SELECT study_name FROM studies WHERE study_id = ?').get(studyId) as { study_name: string } | undefined;
    if (!row) throw new UsageError(`no study with id ${studyId}`);
    return row.study_name;
  }

  getStudyName(studyId: number): string {
    return this.read(() => this.studyName(studyId));
  }

  getStudyDirections(studyId: number): readonly StudyDirection[] {
    return this.read(() => {
      this.studyName(studyId);
      const rows = this.stmt('SELECT direction FROM study_directions WHERE study_id = ? ORDER BY objective').all(studyId) as { direction: string }[];
      return rows.map((r) => directionFromDb(r.direction));
    });
  }

  getAllStudies(): StudySummary[] {
    this.flushStaged(); // the summary counts states in the file
    return this.read(() => {
      const studies = this.stmt('SELECT study_id, study_name FROM studies ORDER BY study_id').all() as { study_id: number; study_name: string }[];
      return studies.map((s) => this.summary(s.study_id, s.study_name));
    });
  }

  getStudySummary(studyId: number): StudySummary {
    this.flushStaged();
    return this.read(() => this.summary(studyId, this.studyName(studyId)));
  }

  private summary(studyId: number, studyName: string): StudySummary {
    const counts = Object.fromEntries(TRIAL_STATES.map((st) => [st, 0])) as Record<TrialState, number>;
    let n = 0;
    for (const r of this.stmt('SELECT state, COUNT(*) AS n FROM trials WHERE study_id = ? GROUP BY state').all(studyId) as { state: string; n: number }[]) {
      counts[stateFromDb(r.state)] += r.n;
      n += r.n;
    }
    // First and last activity from the first and last trials (by id) rather than a scan of them all.
    const first = this.stmt(
      'SELECT MIN(datetime_start) AS s FROM (SELECT datetime_start FROM trials WHERE study_id = ? ORDER BY trial_id ASC LIMIT 1000) AS first_trials',
    ).get(studyId) as { s: string | null };
    const last = this.stmt(
      'SELECT MAX(datetime_start) AS s, MAX(datetime_complete) AS c FROM (SELECT datetime_start, datetime_complete FROM trials WHERE study_id = ? ORDER BY trial_id DESC LIMIT 1000) AS last_trials',
    ).get(studyId) as { s: string | null; c: string | null };
    const lastActivity = [last.s, last.c].filter((x): x is string => x !== null).sort().pop() ?? null;
    return {
      studyId,
      studyName,
      directions: (this.stmt('SELECT direction FROM study_directions WHERE study_id = ? ORDER BY objective').all(studyId) as { direction: string }[]).map((r) =>
        directionFromDb(r.direction),
      ),
      nTrials: n,
      countsByState: counts,
      datetimeStart: parseLocal(first.s),
      lastActivity: parseLocal(lastActivity),
      userAttrs: this.attrs('study_user_attributes', 'study_id', studyId),
      systemAttrs: this.attrs('study_system_attributes', 'study_id', studyId),
    };
  }

  private attrs(table: string, idColumn: string, id: number): Record<string, unknown> {
    const rows = this.stmt(`SELECT "key", value_json FROM ${table} WHERE ${idColumn} = ? ORDER BY ${attrIdColumn(table)}`).all(id) as { key: string; value_json: string }[];
    const out: Record<string, unknown> = {};
    for (const r of rows) out[r.key] = parsePyJson(r.value_json);
    return out;
  }

  private setAttr(table: string, idColumn: string, id: number, key: string, value: unknown): void {
    this.stmt(this.attrUpsertSql(table, idColumn)).run(id, key, pyJson(value));
  }

  setStudyUserAttr(studyId: number, key: string, value: unknown): void {
    this.write(() => {
      this.studyName(studyId);
      this.setAttr('study_user_attributes', 'study_id', studyId, key, value);
    });
  }

  setStudySystemAttr(studyId: number, key: string, value: unknown): void {
    this.write(() => {
      this.studyName(studyId);
      this.setAttr('study_system_attributes', 'study_id', studyId, key, value);
    });
  }

  getStudyUserAttrs(studyId: number): Record<string, unknown> {
    return this.read(() => {
      this.studyName(studyId);
      return this.attrs('study_user_attributes', 'study_id', studyId);
    });
  }

  getStudySystemAttrs(studyId: number): Record<string, unknown> {
    return this.read(() => {
      this.studyName(studyId);
      return this.attrs('study_system_attributes', 'study_id', studyId);
    });
  }

  // ----- following a study -----

  private view(studyId: number): StudyView {
    let v = this.views.get(studyId);
    if (!v) {
      this.studyName(studyId);
      v = new StudyView(studyId);
      this.views.set(studyId, v);
    }
    return v;
  }

  /** Brings the view up to date: new trials, and state changes of the open ones. Call inside a transaction. */
  private sync(studyId: number): StudyView {
    const v = this.view(studyId);
    // Nothing to read when no other connection has committed since the last sync: this
    // process's own writes are in the view already. (Read before the queries: a commit that
    // lands during them makes the next sync look again.)
    const version = this.dialect.dataVersion(this.db);
    if (version !== null && v.syncedVersion === version) return v;
    const fromId = v.lastSeenId;
    const rows = this.stmt('SELECT trial_id, state FROM trials WHERE study_id = ? AND trial_id > ? ORDER BY trial_id').raw(true).all(studyId, fromId) as [number, string][];
    const finished: number[] = [];
    // Re-check the open trials seen before (other processes may have started or finished them).
    const recheck: number[] = [];
    for (const [id] of v.open) if (!this.owned.has(id) && !this.reservedIds.has(id)) recheck.push(id);
    if (recheck.length > 0) {
      const changed =
        recheck.length === 1
          ? (this.stmt('SELECT trial_id, state FROM trials WHERE trial_id = ?').raw(true).all(recheck[0]) as [number, string][])
          : (this.stmt(`SELECT trial_id, state FROM trials WHERE ${this.dialect.idList('trial_id')}`).raw(true).all(this.dialect.idListParam(recheck)) as [number, string][]);
      for (const [id, s] of changed) {
        const state = stateFromDb(s);
        if (state !== v.open.get(id) && v.transition(id, state)) finished.push(id);
      }
    }
    for (const [id, s] of rows) {
      const state = stateFromDb(s);
      v.add(id, state);
      if (isFinished(state)) finished.push(id);
    }
    if (rows.length > 0 && v.claims.size > 0) {
      const toId = v.lastSeenId;
      for (const [key, index] of v.claims) this.loadClaims(v, index, key, fromId, toId);
    }
    if (version !== null) v.syncedVersion = version;
    if (v.full && finished.length > 0) {
      const missing: number[] = [];
      for (const id of finished) {
        if (v.full.has(id)) continue;
        const recent = this.recentlyFinished.get(id);
        if (recent) v.full.set(id, recent);
        else missing.push(id);
      }
      // Read when someone next asks for all trials: a sync inside a write transaction (a
      // reservation) should not read other processes' trials while it holds the writers' lock.
      v.pendingFull.push(...missing);
    }
    return v;
  }

  /** Reads the claim values of the study's trials with fromId < id <= toId into the index. */
  private loadClaims(v: StudyView, index: ClaimIndex, key: string, fromId: number, toId: number): void {
    const rows = this.stmt(
      'SELECT t.trial_id, t.state, a.value_json FROM trials t JOIN trial_system_attributes a ON a.trial_id = t.trial_id AND a."key" = ? ' +
        'WHERE t.study_id = ? AND t.trial_id > ? AND t.trial_id <= ?',
    )
      .raw(true)
      .all(key, v.studyId, fromId, toId) as [number, string, string][];
    for (const [id, s, json] of rows) {
      const value = parsePyJson(json);
      if (typeof value !== 'number') continue;
      const open = v.open.get(id);
      if (open !== undefined) index.addOpen(id, value);
      else index.addFinished(value, stateFromDb(s));
    }
  }

  private claimIndex(v: StudyView, key: string): ClaimIndex {
    let index = v.claims.get(key);
    if (!index) {
      index = new ClaimIndex();
      this.loadClaims(v, index, key, 0, v.lastSeenId);
      v.claims.set(key, index);
    }
    return index;
  }

  // ----- trials -----

  createTrial(studyId: number, template: TrialTemplate = {}, options: CreateTrialOptions = {}): CreateTrialResult {
    // Reservations serve runs (an executor says how many trials are to come), never a lone ask.
    if (this.maxReservation > 1 && options.upcoming !== undefined && (!options.claim || options.claim.stable) && isPlain(template)) {
      const taken = this.takeReserved(studyId, options);
      if (taken) return taken;
      const pace = this.pace.get(studyId)?.interval ?? Infinity;
      const size = Math.min(this.maxReservation, options.upcoming, Math.floor(this.finishDelayMs / Math.max(pace, 1e-3)));
      if (pace < (this.backend.reserveBelowMs ?? RESERVE_BELOW_INTERVAL_MS) && size > 1) {
        const refused = this.reserve(studyId, size, options);
        if (refused) return refused;
        const first = this.takeReserved(studyId, options);
        if (first) return first;
      }
    }
    const state = template.state ?? 'RUNNING';
    const result = this.write((): CreateTrialResult & { start?: Date | null } => {
      const v = this.sync(studyId);
      if (options.limit && v.count(options.limit.states) >= options.limit.max) return { refused: 'limit' };
      let claimed: number | undefined;
      let index: ClaimIndex | undefined;
      if (options.claim) {
        index = this.claimIndex(v, options.claim.key);
        const value = v.findClaimable(index, options.claim.candidates, stateMask(options.claim.releaseStates), options.claim.maxClaims);
        if (value === null) return { refused: 'claim' };
        claimed = value;
      }
      const [now, nowText] = this.nowLocal();
      const start = template.datetimeStart !== undefined ? template.datetimeStart : state === 'WAITING' ? null : now;
      const complete = template.datetimeComplete !== undefined ? template.datetimeComplete : isFinished(state) ? now : null;
      const number = v.nTrials;
      const trialId = Number(
        this.stmt('INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete) VALUES (?, ?, ?, ?, ?) RETURNING trial_id')
          .pluck()
          .get(
            number,
            studyId,
            state,
            start === null ? null : start === now ? nowText : formatLocal(start),
            complete === null ? null : complete === now ? nowText : formatLocal(complete),
          ),
      );
      for (const [name, p] of Object.entries(template.params ?? {})) this.insertParam(trialId, name, p.internal, p.distribution);
      if (template.values) this.insertValues(trialId, template.values, false);
      for (const [k, val] of Object.entries(template.userAttrs ?? {})) this.setAttr('trial_user_attributes', 'trial_id', trialId, k, val);
      for (const [k, val] of Object.entries(template.systemAttrs ?? {})) this.setAttr('trial_system_attributes', 'trial_id', trialId, k, val);
      if (claimed !== undefined) this.setAttr('trial_system_attributes', 'trial_id', trialId, options.claim!.key, claimed);
      for (const [step, val] of template.intermediateValues ?? []) this.insertIntermediate(trialId, step, val);
      if (state === 'RUNNING') this.markStarted(trialId);
      if (index && claimed !== undefined) index.advancePast(claimed);
      return claimed === undefined ? { trialId, number, start } : { trialId, number, claimed, start };
    });
    if (!('trialId' in result)) return result;
    // Committed under the write lock right after a sync: the view may take the new trial in directly.
    const v = this.views.get(studyId);
    if (v && v.lastSeenId < result.trialId && v.nTrials === result.number) {
      v.add(result.trialId, state);
      for (const [key, index] of v.claims) {
        const value = key === options.claim?.key ? result.claimed : (template.systemAttrs?.[key] as number | undefined);
        if (typeof value !== 'number') continue;
        if (isFinished(state)) index.addFinished(value, state);
        else index.addOpen(result.trialId, value);
      }
    }
    if (state === 'RUNNING') {
      const params: Record<string, ParamValue> = {};
      const internals = new Map<string, number>();
      const distributions: Record<string, Distribution> = {};
      for (const [name, p] of Object.entries(template.params ?? {})) {
        params[name] = toExternal(p.distribution, p.internal);
        internals.set(name, p.internal);
        distributions[name] = p.distribution;
      }
      const systemAttrs = structuredClone(template.systemAttrs ?? {}) as Record<string, unknown>;
      if (result.claimed !== undefined) systemAttrs[options.claim!.key] = result.claimed;
      this.owned.set(result.trialId, {
        trialId: result.trialId,
        studyId,
        number: result.number,
        datetimeStart: result.start ?? null,
        params,
        internals,
        distributions,
        pendingParams: [],
        userAttrs: structuredClone(template.userAttrs ?? {}) as Record<string, unknown>,
        pendingUserAttrs: new Set(),
        systemAttrs,
        intermediateValues: new Map(template.intermediateValues ?? []),
        snapshot: null,
        fresh: !template.values,
        writtenParams: new Set(Object.keys(template.params ?? {})),
        writtenAttrs: attrKeys(template.userAttrs ?? {}, systemAttrs),
      });
    }
    return result.claimed === undefined ? { trialId: result.trialId, number: result.number } : { trialId: result.trialId, number: result.number, claimed: result.claimed };
  }

  /**
   * Notes that this process finished a trial of the study, keeping the smoothed time between its
   * finishes (ms): how fast trials come decides whether reserving ahead pays.
   */
  private notePace(studyId: number): void {
    let p = this.pace.get(studyId);
    if (!p) this.pace.set(studyId, (p = new Pace()));
    p.finished();
  }

  /**
   * Inserts `size` trial rows ahead, in one transaction, within the limit: RUNNING, owned by
   * this process, with the time of the reservation as their start and in the owner row's `since`
   * (which marks them reserved, not started, and tells other processes when they are abandoned).
   * Returns the refusal when the limit leaves no room.
   */
  private reserve(studyId: number, size: number, options: CreateTrialOptions): CreateTrialResult | null {
    const { limit, claim } = options;
    // Claims of the rows are entered in the claim index as they are made (the next row must see
    // them); if the transaction does not commit, they are taken out again.
    let claimedHere: [ClaimIndex, number][] = [];
    const undoClaims = (): void => {
      for (const [index, trialId] of claimedHere) index.removeOpen(trialId);
      claimedHere = [];
    };
    let rows: CreatedTrial[] | 'limit' | 'claim';
    try {
      rows = this.write((): CreatedTrial[] | 'limit' | 'claim' => {
        undoClaims();
        const v = this.sync(studyId);
        let n = size;
        if (limit) n = Math.min(n, limit.max - v.count(limit.states));
        if (n <= 0) return 'limit';
        const index = claim ? this.claimIndex(v, claim.key) : undefined;
        const releaseMask = claim ? stateMask(claim.releaseStates) : 0;
        const now = new Date();
        const since = formatUtc(now.getTime());
        // A start time, although nothing started: Optuna expects one on every trial that is not
        // WAITING (its FrozenTrial validation). The trial's real start replaces it.
        const reservedAt = formatLocal(now);
        // Claims first, in memory (each row's claim must see the previous rows'), under temporary
        // ids; then the rows, their owner rows and their claims, many per statement.
        const planned: { number: number; claimed?: number }[] = [];
        for (let i = 0; i < n; i++) {
          let claimed: number | undefined;
          if (index && claim) {
            const value = v.findClaimable(index, claim.candidates, releaseMask, claim.maxClaims);
            if (value === null) break;
            claimed = value;
            index.take(-1 - i, claimed);
            claimedHere.push([index, -1 - i]);
          }
          planned.push(claimed === undefined ? { number: v.nTrials + i } : { number: v.nTrials + i, claimed });
        }
        if (planned.length === 0) return 'claim';
        const idOf = new Map<number, number>();
        for (let i = 0; i < planned.length; i += ROWS_PER_INSERT) {
          const chunk = planned.slice(i, i + ROWS_PER_INSERT);
          const args: unknown[] = [];
          for (const p of chunk) args.push(p.number, studyId, reservedAt);
          for (const [id, number] of this.stmt(reservedRowsSql(chunk.length)).raw().all(args) as [number, number][]) idOf.set(Number(number), Number(id));
        }
        const out: CreatedTrial[] = planned.map((p, i) => {
          const trialId = idOf.get(p.number)!;
          if (p.claimed !== undefined) index!.moveOpen(-1 - i, trialId);
          return p.claimed === undefined ? { trialId, number: p.number } : { trialId, number: p.number, claimed: p.claimed };
        });
        claimedHere = claimedHere.map(([ix, temp]) => [ix, out[-1 - temp].trialId]);
        for (let i = 0; i < out.length; i += ROWS_PER_INSERT) {
          const chunk = out.slice(i, i + ROWS_PER_INSERT);
          const owners: unknown[] = [];
          for (const r of chunk) owners.push(r.trialId, this.host, process.pid, since);
          this.stmt(ownerRowsSql(chunk.length)).run(owners);
          const claimed = chunk.filter((r) => r.claimed !== undefined);
          if (claim && claimed.length > 0) {
            const attrs: unknown[] = [];
            for (const r of claimed) attrs.push(r.trialId, claim.key, pyJson(r.claimed));
            this.stmt(attrInsertSql('trial_system_attributes', claimed.length)).run(attrs);
          }
        }
        return out;
      });
    } catch (err) {
      undoClaims();
      throw err;
    }
    if (rows === 'limit' || rows === 'claim') return { refused: rows };
    // Committed under the write lock right after a sync: the view takes the rows in directly.
    const v = this.views.get(studyId)!;
    for (const r of rows) if (v.lastSeenId < r.trialId && v.nTrials === r.number) v.add(r.trialId, 'RUNNING');
    this.queueReserved(studyId, rows, claim?.key);
    return null;
  }

  /** Rows this process now holds as reserved slots of the study, taken in this order. */
  private queueReserved(studyId: number, rows: readonly CreatedTrial[], claimKey: string | undefined): void {
    const queue = this.reservations.get(studyId) ?? [];
    for (const r of rows) {
      queue.push(r);
      this.reservedIds.add(r.trialId);
    }
    this.reservations.set(studyId, queue);
    this.reservationClaimKey.set(studyId, claimKey);
    this.startBackgroundWriter();
    this.afterStageChange();
  }

  /**
   * In a run, takes the plain WAITING trials at the head of the queue (slots given back by a
   * stopped run, or put back after a crash: no parameters, values or attributes but the run's
   * claim) as reserved slots, many in one transaction, instead of popping them one write each.
   * Returns the first, or null when the head of the queue is not plain (an enqueued trial,
   * popped the usual way) or there is nothing to take.
   */
  private adoptWaiting(studyId: number, options: CreateTrialOptions): CreatedTrial | null {
    const { limit, claim, upcoming } = options;
    if (this.maxReservation <= 1 || upcoming === undefined || (claim && !claim.stable)) return null;
    const v = this.sync(studyId);
    const head = v.oldestWaiting();
    if (head === null || head === this.notPlainHead) return null;
    const claimKey = claim?.key ?? '';
    // Look at the head of the queue before taking the write lock: an enqueued trial is popped as
    // usual (and remembered, so that the next ask does not look again).
    if (!(this.plainSlotQuery().get(claimKey, head) as { plain: number } | undefined)?.plain) {
      this.notPlainHead = head;
      return null;
    }
    const rows = this.write((): CreatedTrial[] => {
      const fresh = this.sync(studyId);
      let n = Math.min(this.maxReservation, upcoming);
      if (limit) n = Math.min(n, limit.max - fresh.count(limit.states));
      if (n <= 0) return [];
      // The queue's head, in order, up to the first trial that is not a plain slot.
      const head = this.stmt(
        `SELECT t.trial_id AS "trialId", t.number AS number, ${PLAIN_SLOT} AS plain, ` +
          '(SELECT a.value_json FROM trial_system_attributes a WHERE a.trial_id = t.trial_id AND a."key" = ?) AS claimed ' +
          "FROM trials t WHERE t.study_id = ? AND t.state = 'WAITING' ORDER BY t.trial_id LIMIT ?",
      ).all(claimKey, claimKey, studyId, n) as { trialId: number; number: number; plain: number; claimed: string | null }[];
      const now = new Date();
      const since = formatUtc(now.getTime());
      const startedAt = formatLocal(now);
      const out: CreatedTrial[] = [];
      for (const r of head) {
        // A slot of this claim holds a value of it (a grid point); without a claim, nothing.
        const value = r.claimed === null ? undefined : parsePyJson(r.claimed);
        if (!r.plain || (claim !== undefined) !== (typeof value === 'number')) break;
        this.stmt("UPDATE trials SET state = 'RUNNING', datetime_start = ? WHERE trial_id = ?").run(startedAt, r.trialId);
        this.markReserved(r.trialId, since);
        out.push(typeof value === 'number' ? { trialId: r.trialId, number: r.number, claimed: value } : { trialId: r.trialId, number: r.number });
      }
      return out;
    });
    if (rows.length === 0) return null;
    const view = this.views.get(studyId)!;
    for (const r of rows) view.transition(r.trialId, 'RUNNING');
    this.queueReserved(studyId, rows, claim?.key);
    return this.takeReserved(studyId, options);
  }

  /** Whether a WAITING trial (claim key, then id; '' for no claim) is a plain slot. */
  private plainSlotQuery(): SqlStatement {
    return this.stmt(`SELECT ${PLAIN_SLOT} AS plain FROM trials t WHERE t.trial_id = ?`);
  }

  /** A fast run: commit finished trials from a second thread, when the backend has one (SQLite: background-writer.ts). */
  private startBackgroundWriter(): void {
    if (this.staged.hasWriter || this.writerStarted || !this.backend.startWriter) return;
    // Once per store: a writer that failed is not started again.
    this.writerStarted = true;
    const writer = this.backend.startWriter();
    if (writer) this.staged.attach(writer);
  }

  /** Starts the next reserved trial of the study, or null when there is none (or the limit forbids it). */
  private takeReserved(studyId: number, options: CreateTrialOptions): CreatedTrial | null {
    const queue = this.reservations.get(studyId);
    if (!queue || queue.length === 0) return null;
    // Rows reserved under a claim (grid points) serve asks with that claim only, and the other way round.
    if (this.reservationClaimKey.get(studyId) !== options.claim?.key) return null;
    // The slot was counted under the limit when it was reserved; a stricter limit given since
    // still applies (counting as if the reservations did not exist).
    if (options.limit && this.countUnreserved(studyId, this.views.get(studyId)!, options.limit.states) >= options.limit.max) return null;
    const r = queue.shift()!;
    this.reservedIds.delete(r.trialId);
    const start = new Date();
    const o: OwnedTrial = {
      trialId: r.trialId,
      studyId,
      number: r.number,
      datetimeStart: start,
      params: {},
      internals: new Map(),
      distributions: {},
      pendingParams: [],
      userAttrs: {},
      pendingUserAttrs: new Set(),
      systemAttrs: r.claimed !== undefined && options.claim ? { [options.claim.key]: r.claimed } : {},
      intermediateValues: new Map(),
      snapshot: null,
      fresh: true,
      writtenParams: new Set(),
      writtenAttrs: new Set(r.claimed !== undefined && options.claim ? [`s:${options.claim.key}`] : []),
      startPending: formatLocal(start),
    };
    this.owned.set(r.trialId, o);
    this.unstarted.add(o);
    // Bound what a kill -9 can take: finished trials wait for a commit at most about finishDelayMs.
    if (this.staged.waitedMs >= this.finishDelayMs) {
      if (this.staged.hasWriter) this.handOff();
      else this.flushStaged();
    } else if (this.staged.hasWriter) {
      this.reap();
    }
    return r;
  }

  /** Trials of the study in `states` as this process sees them, its own unused reservations left out. */
  private countUnreserved(studyId: number, v: StudyView, states?: readonly TrialState[]): number {
    const n = v.count(states);
    if (states && !states.includes('RUNNING')) return n;
    return n - (this.reservations.get(studyId)?.length ?? 0);
  }

  /**
   * Gives the unused reservations back: their rows become WAITING trials, which the next ask of
   * any process takes first. (Deleting them would leave a gap in the numbers whenever another
   * process created trials after them, and would let SQLite reuse their ids under other
   * processes' feet.)
   */
  private releaseReservations(): void {
    if (this.reservedIds.size === 0) return;
    const released: [number, number][] = [];
    this.write(() => {
      released.length = 0;
      for (const [studyId, queue] of this.reservations) {
        for (const r of queue) {
          const ours = this.stmt('DELETE FROM studyopt_trial_owners WHERE trial_id = ? AND host = ? AND pid = ? AND since IS NOT NULL').run(r.trialId, this.host, process.pid).changes;
          if (ours !== 1) continue; // put back already by another process
          this.stmt("UPDATE trials SET state = 'WAITING', datetime_start = NULL WHERE trial_id = ? AND state = 'RUNNING'").run(r.trialId);
          released.push([studyId, r.trialId]);
        }
      }
    });
    for (const [studyId, trialId] of released) this.views.get(studyId)?.transition(trialId, 'WAITING');
    this.reservations.clear();
    this.reservedIds.clear();
    this.afterStageChange();
  }

  flush(): void {
    if (this.closed || this.readonly) return;
    if (this.reservedIds.size > 0) this.releaseReservations(); // commits the staged finishes too
    else this.flushStaged();
  }

  /**
   * Records who runs a trial. No heartbeat row is written here: a studyopt trial that has not
   * beaten yet counts from its start (failStaleTrials), which saves a table write per trial.
   */
  private markStarted(trialId: number): void {
    this.stmt(UPSERT_OWNER).run(trialId, this.host, process.pid, null);
  }

  /** Records that this process holds a trial row as a reserved slot, confirmed at `since` (UTC). */
  private markReserved(trialId: number, since: string): void {
    this.stmt(UPSERT_OWNER).run(trialId, this.host, process.pid, since);
  }

  private upsertHeartbeat(trialId: number, ms: number): void {
    this.stmt('INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES (?, ?) ON CONFLICT (trial_id) DO UPDATE SET heartbeat = excluded.heartbeat').run(trialId, formatUtc(ms));
  }

  private insertParam(trialId: number, name: string, internal: number, distribution: Distribution): void {
    this.stmt(this.upsertParamSql()).run(trialId, name, internal, this.dists.text(distribution));
  }

  private insertValues(trialId: number, values: readonly number[], replace = true): void {
    if (replace) this.stmt('DELETE FROM trial_values WHERE trial_id = ?').run(trialId);
    values.forEach((value, objective) => this.stmt(INSERT_VALUE).run(trialId, objective, ...encodeValue(value)));
  }

  private insertIntermediate(trialId: number, step: number, value: number): void {
    const [v, type] = encodeValue(value);
    this.stmt(
      'INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, intermediate_value_type) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (trial_id, step) DO UPDATE SET intermediate_value = excluded.intermediate_value, intermediate_value_type = excluded.intermediate_value_type',
    ).run(trialId, step, v, type);
  }

  popWaitingTrial(studyId: number, options: CreateTrialOptions = {}): CreatedTrial | null {
    // Reserved slots first: they already count against the study's target (a WAITING trial
    // popped on top of them could overshoot it). The next ask after them pops.
    if (this.reservations.get(studyId)?.length) return null;
    const adopted = this.adoptWaiting(studyId, options);
    if (adopted) return adopted;
    // Cheap check first, without the write lock.
    const waiting = (v: StudyView): number | null => v.oldestWaiting();
    if (waiting(this.sync(studyId)) === null) return null;
    const popped = this.write(() => {
      const v = this.sync(studyId);
      for (;;) {
        const id = waiting(v);
        if (id === null) return null;
        const [, nowText] = this.nowLocal();
        const changed = this.stmt("UPDATE trials SET state = 'RUNNING', datetime_start = ? WHERE trial_id = ? AND state = 'WAITING'").run(nowText, id).changes;
        if (changed === 1) {
          v.transition(id, 'RUNNING');
          this.markStarted(id);
          return id;
        }
        const row = this.stmt('SELECT state FROM trials WHERE trial_id = ?').get(id) as { state: string };
        v.transition(id, stateFromDb(row.state));
      }
    });
    if (popped === null) return null;
    const t = this.read(() => this.loadTrials([popped])[0]);
    this.owned.set(popped, {
      trialId: popped,
      studyId,
      number: t.number,
      datetimeStart: t.datetimeStart,
      params: { ...t.params },
      internals: new Map(Object.entries(t.params).map(([n, p]) => [n, internalOf(t.distributions[n], p)])),
      distributions: { ...t.distributions },
      pendingParams: [],
      userAttrs: { ...t.userAttrs },
      pendingUserAttrs: new Set(),
      systemAttrs: { ...t.systemAttrs },
      intermediateValues: new Map(t.intermediateValues),
      snapshot: t,
      fresh: t.values === null,
      writtenParams: new Set(Object.keys(t.params)),
      writtenAttrs: attrKeys(t.userAttrs, t.systemAttrs),
    });
    return { trialId: popped, number: t.number };
  }

  /** The state of a trial in the file; throws for an unknown id. */
  private dbState(trialId: number): TrialState {
    const row = this.stmt('SELECT state FROM trials WHERE trial_id = ?').get(trialId) as { state: string } | undefined;
    if (!row) throw new UsageError(`no trial with id ${trialId}`);
    return stateFromDb(row.state);
  }

  /** Write-through to a trial that this process does not own: it must be unfinished in the file. */
  private writeUnowned(trialId: number, fn: () => void): void {
    this.write(() => {
      const state = this.dbState(trialId);
      if (isFinished(state)) {
        const n = (this.stmt('SELECT number FROM trials WHERE trial_id = ?').get(trialId) as { number: number }).number;
        throw new TrialFinishedError(`trial ${n} is already ${state}: it cannot be changed`);
      }
      fn();
    });
  }

  setTrialParam(trialId: number, name: string, internal: number, distribution: Distribution): void {
    const o = this.owned.get(trialId);
    if (!o) return this.writeUnowned(trialId, () => this.insertParam(trialId, name, internal, distribution));
    if (!o.internals.has(name)) o.pendingParams.push(name);
    else if (!o.pendingParams.includes(name)) o.pendingParams.push(name);
    o.internals.set(name, internal);
    o.distributions[name] = distribution;
    o.params[name] = toExternal(distribution, internal);
    o.snapshot = null;
    if (!this.writeBehind) this.flushOwned(o);
  }

  setTrialUserAttr(trialId: number, key: string, value: unknown): void {
    const o = this.owned.get(trialId);
    if (!o) return this.writeUnowned(trialId, () => this.setAttr('trial_user_attributes', 'trial_id', trialId, key, value));
    o.userAttrs[key] = typeof value === 'object' && value !== null ? structuredClone(value) : value;
    o.pendingUserAttrs.add(key);
    o.snapshot = null;
    if (!this.writeBehind) this.flushOwned(o);
  }

  setTrialSystemAttr(trialId: number, key: string, value: unknown): void {
    const o = this.owned.get(trialId);
    if (!o) return this.writeUnowned(trialId, () => this.setAttr('trial_system_attributes', 'trial_id', trialId, key, value));
    o.systemAttrs[key] = typeof value === 'object' && value !== null ? structuredClone(value) : value;
    (o.pendingSystemAttrs ??= new Set()).add(key);
    o.snapshot = null;
    if (!this.writeBehind) this.flushOwned(o);
  }

  setTrialIntermediateValue(trialId: number, step: number, value: number): void {
    const o = this.owned.get(trialId);
    if (!o) return this.writeUnowned(trialId, () => this.insertIntermediate(trialId, step, value));
    this.write(() => this.insertIntermediate(trialId, step, value));
    o.intermediateValues.set(step, value);
    o.snapshot = null;
  }

  private flushOwned(o: OwnedTrial): void {
    if (o.pendingParams.length === 0 && o.pendingUserAttrs.size === 0 && !o.pendingSystemAttrs?.size) return;
    this.write(() => this.writePending(o));
  }

  private writePending(o: OwnedTrial): void {
    for (const [id, args] of this.pendingOps(o)) this.stmt(sqlText(id)).run(args);
  }

  /** Sets a trial's parameter whether or not it has one of that name. */
  private upsertParamSql(): string {
    return this.backend.compact?.upsertingViews.has('trial_params') ? INSERT_PARAM : UPSERT_PARAM;
  }

  /** Sets an attribute whether or not its owner has one of that key. */
  private attrUpsertSql(table: string, idColumn: string): string {
    return this.backend.compact?.upsertingViews.has(table) ? attrInsertSql(table, 1) : attrUpsertSql(table, idColumn);
  }

  /**
   * The compact layout's ids of these texts, or null when this store has no such layout. A text
   * first seen is added in a transaction of its own, and its id cached. Inside an open
   * transaction (whose writes use the ids at once) it is added there and not cached: a
   * transaction that is rolled back takes the text with it.
   */
  private textIdsOf(texts: readonly string[]): number[] | null {
    const compact = this.backend.compact;
    if (compact === undefined || this.readonly) return null;
    const missing = texts.filter((t) => !this.textIds.has(t));
    if (missing.length === 0) return texts.map((t) => this.textIds.get(t)!);
    const add = (): Map<string, number> =>
      new Map(
        missing.map((t) => {
          this.stmt(compact.addText).run(t);
          return [t, this.stmt(compact.textId).pluck().get(t) as number];
        }),
      );
    if (this.db.inTransaction) {
      const added = add();
      return texts.map((t) => this.textIds.get(t) ?? added.get(t)!);
    }
    // A transaction of its own, not write(): that one may commit staged finishes, whose ops need these ids.
    for (const [t, id] of this.retry(() => this.tx.immediate(add) as Map<string, number>)) this.textIds.set(t, id);
    return texts.map((t) => this.textIds.get(t)!);
  }

  /** Writes for a trial's pending attributes: new keys in multi-row INSERTs, known ones upserted. */
  private attrOps(ops: SqlOp[], o: OwnedTrial, table: string, prefix: string, pending: ReadonlySet<string>, values: Record<string, unknown>): void {
    const fresh: string[] = [];
    for (const key of pending) {
      if (o.writtenAttrs && !o.writtenAttrs.has(prefix + key)) fresh.push(key);
      else ops.push([sqlId(this.attrUpsertSql(table, 'trial_id')), [o.trialId, key, pyJson(values[key])]]);
    }
    const keyIds = table === 'trial_user_attributes' && fresh.length > 0 ? this.textIdsOf(fresh) : null;
    for (let i = 0; i < fresh.length; i += PARAMS_PER_INSERT) {
      const end = Math.min(fresh.length, i + PARAMS_PER_INSERT);
      const args: unknown[] = new Array(3 * (end - i));
      for (let j = i, k = 0; j < end; j++) {
        args[k++] = o.trialId;
        args[k++] = keyIds ? keyIds[j] : fresh[j];
        args[k++] = pyJson(values[fresh[j]]);
        o.writtenAttrs!.add(prefix + fresh[j]);
      }
      ops.push([sqlId(keyIds ? this.backend.compact!.userAttrInsertSql(end - i) : attrInsertSql(table, end - i)), args]);
    }
  }

  /** The writes a trial's buffered parameters and attributes need; they count as written from here on. */
  private pendingOps(o: OwnedTrial): SqlOp[] {
    const ops: SqlOp[] = [];
    // All new parameters in one statement (a trial has no stored parameter of these names yet:
    // the buffered ones are new, the template ones were written at creation and are not pending).
    const fresh = o.pendingParams.filter((n) => !o.writtenParams?.has(n));
    const texts = fresh.map((name) => this.dists.textFor(name, o.distributions[name]));
    // The compact layout's ids: names, then distributions.
    const ids = fresh.length > 0 ? this.textIdsOf([...fresh, ...texts]) : null;
    for (let i = 0; i < fresh.length; i += PARAMS_PER_INSERT) {
      const end = Math.min(fresh.length, i + PARAMS_PER_INSERT);
      const args: unknown[] = new Array(4 * (end - i));
      for (let j = i, k = 0; j < end; j++) {
        args[k++] = o.trialId;
        args[k++] = ids ? ids[j] : fresh[j];
        args[k++] = o.internals.get(fresh[j])!;
        args[k++] = ids ? ids[fresh.length + j] : texts[j];
      }
      ops.push([sqlId(ids ? this.backend.compact!.paramInsertSql(end - i) : paramInsertSql(end - i)), args]);
    }
    for (const name of o.pendingParams) {
      if (o.writtenParams?.has(name)) ops.push([sqlId(this.upsertParamSql()), [o.trialId, name, o.internals.get(name)!, this.dists.text(o.distributions[name])]]);
    }
    const written = (o.writtenParams ??= new Set());
    for (const n of fresh) written.add(n);
    this.attrOps(ops, o, 'trial_user_attributes', 'u:', o.pendingUserAttrs, o.userAttrs);
    if (o.pendingSystemAttrs) this.attrOps(ops, o, 'trial_system_attributes', 's:', o.pendingSystemAttrs, o.systemAttrs);
    o.pendingParams = [];
    o.pendingUserAttrs.clear();
    o.pendingSystemAttrs?.clear();
    return ops;
  }

  setTrialStateValues(trialId: number, state: TrialState, values?: readonly number[] | null): boolean {
    const o = this.owned.get(trialId);
    if (o && this.deferFinish && isFinished(state)) return this.stageFinish(o, state, values);
    if (!o) this.read(() => this.dbState(trialId)); // unknown ids throw
    const outcome = this.write((): { ok: boolean; studyId: number; complete: Date | null; start: Date | null } => {
      const row = this.stmt('SELECT study_id, state, datetime_start FROM trials WHERE trial_id = ?').get(trialId) as { study_id: number; state: string; datetime_start: string | null };
      const current = stateFromDb(row.state);
      if (isFinished(current)) return { ok: false, studyId: row.study_id, complete: null, start: null };
      if (state === 'WAITING') throw new UsageError('a trial cannot be moved back to WAITING');
      if (o) this.writePending(o);
      if (values !== undefined) {
        if (values) this.insertValues(trialId, values, !o?.fresh);
        else this.stmt('DELETE FROM trial_values WHERE trial_id = ?').run(trialId);
      }
      const [now, nowText] = this.nowLocal();
      let start = parseLocal(row.datetime_start);
      if (isFinished(state)) {
        if (start === null) {
          start = now;
          this.stmt('UPDATE trials SET state = ?, datetime_start = ?, datetime_complete = ? WHERE trial_id = ?').run(state, nowText, nowText, trialId);
        } else {
          this.stmt('UPDATE trials SET state = ?, datetime_complete = ? WHERE trial_id = ?').run(state, nowText, trialId);
        }
        this.stmt('DELETE FROM studyopt_trial_owners WHERE trial_id = ?').run(trialId);
        return { ok: true, studyId: row.study_id, complete: now, start };
      }
      if (start === null) {
        start = now;
        this.stmt('UPDATE trials SET state = ?, datetime_start = ? WHERE trial_id = ?').run(state, nowText, trialId);
      } else {
        this.stmt('UPDATE trials SET state = ? WHERE trial_id = ?').run(state, trialId);
      }
      return { ok: true, studyId: row.study_id, complete: null, start };
    });
    const v = this.views.get(outcome.studyId);
    if (!outcome.ok) {
      // Failed as stale by another process while the result was on the way: drop our copy.
      this.owned.delete(trialId);
      if (v) this.read(() => this.sync(outcome.studyId));
      return false;
    }
    if (isFinished(state)) {
      if (o) {
        this.notePace(o.studyId);
        this.owned.delete(trialId);
        const frozen: FrozenTrial = {
          ...this.ownedSnapshot(o),
          state,
          values: values ? [...values] : null,
          datetimeStart: outcome.start,
          datetimeComplete: outcome.complete,
        };
        this.rememberFinished(frozen);
        if (v?.full && v.open.has(trialId)) v.full.set(trialId, frozen);
      }
      v?.transition(trialId, state);
    } else if (o) {
      o.snapshot = null;
      o.datetimeStart = outcome.start;
    } else {
      v?.transition(trialId, state);
    }
    return true;
  }

  /** Finishes an owned trial in memory now and in the file with the next write (see deferFinish). */
  private stageFinish(o: OwnedTrial, state: TrialState, values: readonly number[] | null | undefined): boolean {
    const [now, nowText] = this.nowLocal();
    const start = o.datetimeStart ?? now;
    const startText = o.startPending ?? (o.datetimeStart === null ? nowText : null);
    this.staged.add({ trialId: o.trialId, o, state, values, startText, completeText: nowText });
    this.notePace(o.studyId);
    this.unstarted.delete(o);
    this.owned.delete(o.trialId);
    const frozen: FrozenTrial = { ...this.ownedSnapshot(o), state, values: values ? [...values] : null, datetimeStart: start, datetimeComplete: now };
    this.rememberFinished(frozen);
    const v = this.views.get(o.studyId);
    if (v?.full && v.open.has(o.trialId)) v.full.set(o.trialId, frozen);
    v?.transition(o.trialId, state);
    this.afterStageChange();
    return true;
  }

  private rememberFinished(t: FrozenTrial): void {
    this.recentlyFinished.set(t.trialId, t);
    if (this.recentlyFinished.size > 256) this.recentlyFinished.delete(this.recentlyFinished.keys().next().value!);
  }

  private ownedSnapshot(o: OwnedTrial): FrozenTrial {
    if (!o.snapshot) {
      o.snapshot = {
        trialId: o.trialId,
        number: o.number,
        state: 'RUNNING',
        values: null,
        datetimeStart: o.datetimeStart,
        datetimeComplete: null,
        params: { ...o.params },
        distributions: { ...o.distributions },
        userAttrs: { ...o.userAttrs },
        systemAttrs: { ...o.systemAttrs },
        intermediateValues: new Map(o.intermediateValues),
      };
    }
    return o.snapshot;
  }

  getTrial(trialId: number): FrozenTrial {
    const o = this.owned.get(trialId);
    if (o) return this.ownedSnapshot(o);
    const recent = this.recentlyFinished.get(trialId);
    if (recent) return recent;
    for (const v of this.views.values()) {
      const t = v.full?.get(trialId);
      if (t) return t;
    }
    const t = this.read(() => this.loadTrials([trialId]))[0];
    if (!t) throw new UsageError(`no trial with id ${trialId}`);
    return t;
  }

  getAllTrials(studyId: number, states?: readonly TrialState[]): readonly FrozenTrial[] {
    return this.read(() => {
      const v = this.view(studyId);
      if (!v.full) {
        this.sync(studyId);
        // First full read of this study: every finished trial seen so far, in one pass per table.
        v.full = new Map();
        for (const t of this.loadStudyTrials(studyId, v.lastSeenId)) {
          // A staged trial is finished here but still RUNNING in the file: keep our copy.
          if (!v.open.has(t.trialId)) v.full.set(t.trialId, (this.staged.has(t.trialId) && this.recentlyFinished.get(t.trialId)) || t);
        }
      } else {
        this.sync(studyId);
      }
      if (v.pendingFull.length > 0) for (const t of this.loadTrials(v.pendingFull.splice(0))) v.full!.set(t.trialId, t);
      const wanted = states ? new Set(states) : null;
      const openIds: number[] = [];
      for (const [id, s] of v.open) if (!this.owned.has(id) && !this.reservedIds.has(id) && (!wanted || wanted.has(s))) openIds.push(id);
      const openTrials = new Map(this.loadTrials(openIds).map((t) => [t.trialId, t]));
      const out: FrozenTrial[] = [];
      for (const id of v.ids) {
        const o = this.owned.get(id);
        if (this.reservedIds.has(id)) continue; // not a trial yet, for this process
        const t = o ? this.ownedSnapshot(o) : (v.full!.get(id) ?? openTrials.get(id));
        if (!t) continue;
        if (wanted && !wanted.has(t.state)) continue;
        out.push(t);
      }
      return out;
    });
  }

  readTrialTable(studyId: number, part?: TrialTablePart): TrialTable | null {
    const scan = this.backend.readTrialTable;
    // Trials this process runs or holds back for a group commit are in its cache, not yet all in the file.
    if (scan === undefined || this.owned.size > 0 || this.staged.size > 0) return null;
    const nObjectives = this.getStudyDirections(studyId).length;
    return this.read(() => scan(studyId, nObjectives, this.dists, part));
  }

  /**
   * Who runs the study's RUNNING trials: their owners (studyopt_trial_owners, started trials
   * only: a row with `since` is a reserved slot, not a trial yet) with the latest heartbeat;
   * trials without an owner row (another library's) under a null host. Reads the RUNNING trials
   * only, through the (study_id, state) index.
   */
  runningProcesses(studyId: number): RunningProcess[] {
    this.flushStaged();
    return this.read(() => {
      const rows = this.stmt(
        'SELECT o.host AS host, o.pid AS pid, COUNT(*) AS n, MAX(h.heartbeat) AS beat FROM trials t ' +
          'LEFT JOIN studyopt_trial_owners o ON o.trial_id = t.trial_id LEFT JOIN trial_heartbeats h ON h.trial_id = t.trial_id ' +
          "WHERE t.study_id = ? AND t.state = 'RUNNING' AND o.since IS NULL GROUP BY o.host, o.pid ORDER BY o.host, o.pid",
      ).all(studyId) as { host: string | null; pid: number | string | null; n: number | string; beat: string | Date | null }[];
      return rows.map((r) => {
        const beat = r.beat === null ? NaN : r.beat instanceof Date ? r.beat.getTime() : parseUtcMs(String(r.beat));
        return { host: r.host, pid: r.pid === null ? null : Number(r.pid), running: Number(r.n), lastHeartbeat: Number.isNaN(beat) ? null : new Date(beat) };
      });
    });
  }

  /**
   * A page of trials, ordered and filtered in SQL (trial-query.ts has the rule): the ids of the
   * page, then those trials only. What keeps a page of a 1.5-million-trial study fast without an
   * index the writers would pay for:
   * - a parameter range is a lookup per trial (EXISTS through the (trial_id, name) key), so a page
   *   in number order stops at its last match instead of collecting every match first, and a
   *   small study beside a big one never reads the big one's parameters;
   * - the count stops at `countUpTo`;
   * - in value order, a study that holds most of the file's trials is read from the values'
   *   table, joined to its trials by their key (one lookup a value instead of two); a small one
   *   through its own trials (valueOrderedIds).
   */
  queryTrials(studyId: number, query: TrialQuery): TrialPage | null {
    // Trials this process runs or holds back are in its cache, not yet all in the file.
    if (this.owned.size > 0 || this.staged.size > 0) return null;
    return this.read(() => {
      this.studyName(studyId);
      const where = ['t.study_id = ?'];
      const args: unknown[] = [studyId];
      if (query.states) {
        where.push(query.states.length === 0 ? '1 = 0' : `t.state IN (${query.states.map(() => '?').join(', ')})`);
        args.push(...query.states);
      }
      for (const r of query.params ?? []) {
        // Numeric parameters only: a categorical's stored value is its choice's index.
        const bounds = [...(r.min !== undefined ? [' AND p.param_value >= ?'] : []), ...(r.max !== undefined ? [' AND p.param_value <= ?'] : [])].join('');
        where.push(`EXISTS (SELECT 1 FROM trial_params p WHERE p.trial_id = t.trial_id AND p.param_name = ? AND p.distribution_json NOT LIKE '%CategoricalDistribution%'${bounds})`);
        args.push(r.name, ...(r.min !== undefined ? [r.min] : []), ...(r.max !== undefined ? [r.max] : []));
      }
      const filter = where.join(' AND ');
      const upTo = query.countUpTo;
      const counted = Number(
        (
          (upTo === undefined
            ? this.stmt(`SELECT COUNT(*) AS n FROM trials t WHERE ${filter}`).get(...args)
            : this.stmt(`SELECT COUNT(*) AS n FROM (SELECT 1 AS x FROM trials t WHERE ${filter} LIMIT ?) AS matches`).get(...args, upTo + 1)) as { n: number | string }
        ).n,
      );
      const capped = upTo !== undefined && counted > upTo;
      const dir = query.descending ? 'DESC' : 'ASC';
      const orderBy = query.orderBy ?? 'number';
      const ids =
        orderBy === 'number'
          ? // A study's trial ids follow its numbers (both are given out in the insert's
            // transaction), and the study_id index holds the ids in order: no sort of the study.
            (this.stmt(`SELECT t.trial_id AS id FROM trials t WHERE ${filter} ORDER BY t.trial_id ${dir} LIMIT ? OFFSET ?`).raw(true).all(...args, query.limit, query.offset ?? 0) as [number | string][]).map(
              (r) => Number(r[0]),
            )
          : this.valueOrderedIds(studyId, filter, args, orderBy.objective, dir, query.limit, query.offset ?? 0);
      const byId = new Map(this.loadTrials(ids).map((t) => [t.trialId, t]));
      return { total: capped ? upTo : counted, ...(capped ? { totalCapped: true } : {}), trials: ids.map((id) => byId.get(id)!) };
    });
  }

  /**
   * The ids of one page in value order (trial-query.ts: no value last in either direction; -inf,
   * numbers, +inf in order; ties by number). An objective value is never NaN: such a trial
   * FAILs (study.ts tell).
   */
  private valueOrderedIds(studyId: number, filter: string, args: unknown[], objective: number, dir: string, limit: number, offset: number): number[] {
    const valueOrder = `CASE v.value_type WHEN 'INF_NEG' THEN 0 WHEN 'FINITE' THEN 1 ELSE 2 END ${dir}, v.value ${dir}, t.number ASC`;
    const ids = (rows: unknown[]): number[] => (rows as [number | string][]).map((r) => Number(r[0]));
    if (!this.holdsMostOfTheFile(studyId)) {
      return ids(
        this.stmt(
          `SELECT t.trial_id AS id FROM trials t LEFT JOIN trial_values v ON v.trial_id = t.trial_id AND v.objective = ? WHERE ${filter} ` +
            `ORDER BY CASE WHEN v.value_type IS NULL THEN 1 ELSE 0 END, ${valueOrder} LIMIT ? OFFSET ?`,
        )
          .raw(true)
          .all(objective, ...args, limit, offset),
      );
    }
    // The trials with a value, from the values' table; then, when the page reaches past them,
    // those without one in number order (trial ids follow numbers).
    const valued = `FROM trial_values v ${this.dialect.orderedJoin} trials t ON t.trial_id = v.trial_id WHERE v.objective = ? AND ${filter}`;
    const page = ids(this.stmt(`SELECT t.trial_id AS id ${valued} ORDER BY ${valueOrder} LIMIT ? OFFSET ?`).raw(true).all(objective, ...args, limit, offset));
    if (page.length === limit) return page;
    const nValued = page.length > 0 ? offset + page.length : Number((this.stmt(`SELECT COUNT(*) AS n ${valued}`).get(objective, ...args) as { n: number | string }).n);
    const rest = ids(
      this.stmt(`SELECT t.trial_id AS id FROM trials t WHERE ${filter} AND NOT EXISTS (SELECT 1 FROM trial_values v WHERE v.trial_id = t.trial_id AND v.objective = ?) ORDER BY t.trial_id LIMIT ? OFFSET ?`)
        .raw(true)
        .all(...args, objective, limit - page.length, Math.max(0, offset - nValued)),
    );
    return [...page, ...rest];
  }

  /**
   * Whether the study holds more than half of the file's trials: its trial numbers run 0..n-1
   * and the file's trial ids 1..N (both read from a key: no count), so n > N / 2.
   */
  private holdsMostOfTheFile(studyId: number): boolean {
    const last = this.stmt('SELECT number FROM trials WHERE study_id = ? ORDER BY trial_id DESC LIMIT 1').get(studyId) as { number: number | string } | undefined;
    const top = this.stmt('SELECT MAX(trial_id) AS m FROM trials').get() as { m: number | string | null };
    return last !== undefined && top.m !== null && (Number(last.number) + 1) * 2 > Number(top.m);
  }

  /**
   * The trials created or moved on since a cursor (trial-query.ts): new ids past the cursor's
   * last one, and the states of the open trials it names, then those trials only.
   */
  trialChanges(studyId: number, cursor: TrialCursor | null, limit: number): TrialChanges | null {
    if (this.owned.size > 0 || this.staged.size > 0) return null;
    return this.read(() => {
      this.studyName(studyId);
      if (cursor === null) {
        const last = this.stmt('SELECT MAX(trial_id) AS m FROM trials WHERE study_id = ?').get(studyId) as { m: number | string | null };
        const openRows = this.stmt("SELECT trial_id, state FROM trials WHERE study_id = ? AND state IN ('WAITING', 'RUNNING')").raw(true).all(studyId) as [number | string, string][];
        return { trials: [], cursor: { lastTrialId: Number(last.m ?? 0), open: new Map(openRows.map(([id, st]) => [Number(id), stateFromDb(st)])) }, more: false };
      }
      const fresh = this.stmt('SELECT trial_id, state FROM trials WHERE study_id = ? AND trial_id > ? ORDER BY trial_id LIMIT ?').raw(true).all(studyId, cursor.lastTrialId, limit + 1) as [number | string, string][];
      const more = fresh.length > limit;
      if (more) fresh.pop();
      const open = new Map(cursor.open);
      const changedIds: number[] = [];
      const seen = [...cursor.open.keys()];
      if (seen.length > 0) {
        for (const [rawId, st] of this.stmt(`SELECT trial_id, state FROM trials WHERE ${this.dialect.idList('trial_id')}`).raw(true).all(this.dialect.idListParam(seen)) as [number | string, string][]) {
          const id = Number(rawId);
          const state = stateFromDb(st);
          if (state === open.get(id)) continue;
          changedIds.push(id);
          if (state === 'WAITING' || state === 'RUNNING') open.set(id, state);
          else open.delete(id);
        }
      }
      let lastTrialId = cursor.lastTrialId;
      for (const [rawId, st] of fresh) {
        const id = Number(rawId);
        const state = stateFromDb(st);
        changedIds.push(id);
        lastTrialId = id;
        if (state === 'WAITING' || state === 'RUNNING') open.set(id, state);
      }
      const trials = this.loadTrials(changedIds.sort((a, b) => a - b));
      // The states the trials were read in (a trial may have moved on between the two reads).
      for (const t of trials) {
        if (t.state === 'WAITING' || t.state === 'RUNNING') open.set(t.trialId, t.state);
        else open.delete(t.trialId);
      }
      return { trials, cursor: { lastTrialId, open }, more };
    });
  }

  getNTrials(studyId: number, states?: readonly TrialState[]): number {
    // Each statement of sync reads a committed state, and finished states are final: no snapshot
    // needed. While this process works through reserved slots of the study (a fast run asks this
    // before every trial), the view as of the last reservation answers: other processes' trials
    // show up at the next one, a few ms later.
    const v = this.reservations.get(studyId)?.length ? this.view(studyId) : this.sync(studyId);
    return this.countUnreserved(studyId, v, states);
  }

  /** The best feasible COMPLETE trial of objective 0, read through the value index: fast on any study size. */
  getBestTrial(studyId: number): FrozenTrial | null {
    this.flushStaged(); // answered from the file's index
    return this.read(() => {
      const dirs = this.stmt('SELECT direction FROM study_directions WHERE study_id = ? ORDER BY objective').all(studyId) as { direction: string }[];
      if (dirs.length === 0) this.studyName(studyId);
      const maximize = directionFromDb(dirs[0]?.direction ?? 'MINIMIZE') === 'maximize';
      const order: [string, string][] = maximize
        ? [['INF_POS', 'ASC'], ['FINITE', 'DESC'], ['INF_NEG', 'ASC']]
        : [['INF_NEG', 'ASC'], ['FINITE', 'ASC'], ['INF_POS', 'ASC']];
      const from =
        `FROM trial_values v ${this.dialect.orderedJoin} trials t ON t.trial_id = v.trial_id ` +
        "WHERE v.objective = 0 AND v.value_type = ? AND t.study_id = ? AND t.state = 'COMPLETE'";
      /** The feasible trial of the lowest number among `rows` (in value order) that share the first one's value. */
      const firstFeasible = (rows: Iterable<{ id: number; value: number | null; number: number }>): number | null => {
        let best: { id: number; value: number | null; number: number } | null = null;
        for (const row of rows) {
          if (best !== null && row.value !== best.value) break;
          const c = this.stmt('SELECT value_json FROM trial_system_attributes WHERE trial_id = ? AND "key" = \'constraints\'').get(row.id) as { value_json: string } | undefined;
          if (c && !isFeasible({ systemAttrs: { constraints: parsePyJson(c.value_json) } } as unknown as FrozenTrial)) continue;
          if (best === null || row.number < best.number) best = row;
        }
        return best?.id ?? null;
      };
      type Row = { id: number; value: number | null; number: number };
      for (const [type, dir] of order) {
        // Finite values: the extreme one by an aggregate (one pass over the values, no sort: there
        // is no index on them, whose random inserts would cost every write more than `best` saves),
        // then the trials that have it.
        if (type === 'FINITE') {
          const extreme = this.stmt(`SELECT ${dir === 'ASC' ? 'min' : 'max'}(v.value) AS value ${from}`).get(type, studyId) as { value: number | null };
          if (extreme.value === null) continue;
          const id = firstFeasible(this.stmt(`SELECT v.trial_id AS id, v.value AS value, t.number AS number ${from} AND v.value = ?`).iterate(type, studyId, extreme.value) as IterableIterator<Row>);
          if (id !== null) return this.loadTrials([id])[0];
        }
        // Infinite values, or the best finite value infeasible: in value order.
        const id = firstFeasible(this.stmt(`SELECT v.trial_id AS id, v.value AS value, t.number AS number ${from} ORDER BY v.value ${dir}`).iterate(type, studyId) as IterableIterator<Row>);
        if (id !== null) return this.loadTrials([id])[0];
      }
      return null;
    });
  }

  summarizeTrials(studyId: number, of: TrialNumberSource): NumberSummary {
    this.flushStaged(); // summed in the file
    return this.read(() => {
      const numbers =
        of === 'value'
          ? this.onlyCompleteTrialsOf(studyId)
            ? "SELECT value AS x FROM trial_values WHERE objective = 0 AND value_type = 'FINITE'"
            : "SELECT v.value AS x FROM trial_values v JOIN trials t ON t.trial_id = v.trial_id WHERE t.study_id = ? AND t.state = 'COMPLETE' AND v.objective = 0 AND v.value_type = 'FINITE'"
          : "SELECT CAST(a.value_json AS DOUBLE PRECISION) AS x FROM trial_user_attributes a JOIN trials t ON t.trial_id = a.trial_id WHERE t.study_id = ? AND t.state = 'COMPLETE' AND a.\"key\" = ? AND a.value_json NOT IN ('Infinity', '-Infinity', 'NaN', 'null', 'true', 'false') AND a.value_json NOT LIKE '\"%' AND a.value_json NOT LIKE '[%' AND a.value_json NOT LIKE '{%'";
      const params = of === 'value' ? (numbers.includes('?') ? [studyId] : []) : [studyId, of.userAttr];
      const row = this.stmt(`SELECT COUNT(x) AS n, SUM(x) AS s, SUM(x * x) AS ss FROM (${numbers}) AS numbers`).get(...params) as { n: number | string; s: number | string | null; ss: number | string | null };
      return { count: Number(row.n), sum: Number(row.s ?? 0), sumOfSquares: Number(row.ss ?? 0) };
    });
  }

  bestTrialIds(studyId: number, k: number): number[] {
    this.flushStaged(); // ranked in the file
    return this.read(() => {
      const dirs = this.stmt('SELECT direction FROM study_directions WHERE study_id = ? ORDER BY objective').all(studyId) as { direction: string }[];
      if (dirs.length === 0) this.studyName(studyId);
      const order = directionFromDb(dirs[0]?.direction ?? 'MINIMIZE') === 'maximize' ? 'DESC' : 'ASC';
      // Alone in the file, the study's trial ids follow its numbers: no join needed to rank them.
      const rows = (
        this.onlyCompleteTrialsOf(studyId)
          ? this.stmt(`SELECT trial_id AS id FROM trial_values WHERE objective = 0 AND value_type = 'FINITE' ORDER BY value ${order}, trial_id ASC LIMIT ?`).all(k)
          : this.stmt(
              "SELECT t.trial_id AS id FROM trial_values v JOIN trials t ON t.trial_id = v.trial_id WHERE t.study_id = ? AND t.state = 'COMPLETE' AND v.objective = 0 AND v.value_type = 'FINITE' " +
                `ORDER BY v.value ${order}, t.number ASC LIMIT ?`,
            ).all(studyId, k)
      ) as { id: number | string }[];
      return rows.map((r) => Number(r.id));
    });
  }

  /**
   * The COMPLETE trials' values (objective-values.ts), in one read snapshot and in chunks of
   * trial ids: no statement returns the whole study at once (node-postgres holds a statement's
   * rows whole), and no parameter or attribute row is read. Feasibility from the `constraints`
   * system attributes alone, read by their key.
   */
  readObjectiveValues(studyId: number, onChunk: (chunk: ObjectiveValues) => void): boolean {
    this.flushStaged(); // read from the file
    this.read(() => {
      const nObjectives = this.getStudyDirections(studyId).length;
      const infeasible = new Set<number>();
      for (const [id, json] of this.stmt('SELECT trial_id, value_json FROM trial_system_attributes WHERE "key" = \'constraints\'').raw(true).iterate() as IterableIterator<[number | string, string]>) {
        if (!isFeasible({ systemAttrs: { constraints: parsePyJson(json) } } as unknown as FrozenTrial)) infeasible.add(Number(id));
      }
      const range = this.stmt('SELECT MIN(trial_id) AS lo, MAX(trial_id) AS hi FROM trials WHERE study_id = ?').get(studyId) as { lo: number | string | null; hi: number | string | null };
      if (range.lo === null || range.hi === null) return;
      const chunk = this.stmt(
        'SELECT t.trial_id, t.number, v.objective, v.value, v.value_type FROM trials t JOIN trial_values v ON v.trial_id = t.trial_id ' +
          "WHERE t.study_id = ? AND t.state = 'COMPLETE' AND t.trial_id >= ? AND t.trial_id < ? ORDER BY t.trial_id, v.objective",
      ).raw(true);
      const values = new Float64Array(nObjectives);
      // Chunks of ids: at most OBJECTIVE_VALUES_CHUNK trials each, whatever other studies hold.
      const step = OBJECTIVE_VALUES_CHUNK;
      const out = new ObjectiveValuesBuilder(nObjectives, Math.min(step, Number(range.hi) - Number(range.lo) + 1));
      for (let from = Number(range.lo); from <= Number(range.hi); from += step) {
        out.reset();
        let id = -1;
        let number = 0;
        let seen = 0;
        const add = (): void => {
          if (id >= 0 && seen === nObjectives) out.add(id, number, values, !infeasible.has(id));
        };
        // A study's trial ids follow its numbers (queryTrials): id order is number order.
        for (const [rawId, rawNumber, objective, value, type] of chunk.iterate(studyId, from, from + step) as IterableIterator<[number | string, number | string, number | string, number | null, string]>) {
          const tid = Number(rawId);
          if (tid !== id) {
            add();
            id = tid;
            number = Number(rawNumber);
            seen = 0;
          }
          const k = Number(objective);
          if (k < nObjectives) {
            values[k] = decodeValue(value === null ? null : Number(value), type);
            seen++;
          }
        }
        add();
        const built = out.build();
        if (built.size > 0) onChunk(built);
      }
    });
    return true;
  }

  /** Whole trials by id, in the order given, a few thousand per statement. */
  readTrialsById(trialIds: readonly number[]): FrozenTrial[] | null {
    // Trials this process runs or holds back are in its cache, not yet all in the file.
    if (this.owned.size > 0 || this.staged.size > 0) return null;
    return this.read(() => {
      const byId = new Map<number, FrozenTrial>();
      const step = 2_000;
      for (let i = 0; i < trialIds.length; i += step) for (const t of this.loadTrials(trialIds.slice(i, i + step))) byId.set(t.trialId, t);
      return trialIds.map((id) => {
        const t = byId.get(id);
        if (!t) throw new UsageError(`no trial with id ${id}`);
        return t;
      });
    });
  }

  /**
   * True when the file holds this study alone and every trial of it is COMPLETE (a finished
   * grid, say): then every row of trial_values is one of its complete trials, and sums and
   * rankings over its values need not join the trials (half the time on 1.5 million trials).
   */
  private onlyCompleteTrialsOf(studyId: number): boolean {
    const studies = this.stmt('SELECT COUNT(*) AS n FROM studies').get() as { n: number | string };
    if (Number(studies.n) !== 1) return false;
    const other = this.stmt("SELECT 1 AS x FROM trials WHERE study_id = ? AND state IN ('RUNNING', 'WAITING', 'PRUNED', 'FAIL') LIMIT 1").get(studyId);
    return other === undefined;
  }

  // ----- loading trials -----

  private loadStudyTrials(studyId: number, upToId: number): FrozenTrial[] {
    const where = 'trial_id IN (SELECT trial_id FROM trials WHERE study_id = ? AND trial_id <= ?)';
    return this.assemble(
      this.stmt(`SELECT trial_id, number, study_id, state, datetime_start, datetime_complete FROM trials WHERE study_id = ? AND trial_id <= ? ORDER BY trial_id`).all(studyId, upToId) as TrialRow[],
      where,
      [studyId, upToId],
    );
  }

  private loadTrials(ids: readonly number[]): FrozenTrial[] {
    if (ids.length === 0) return [];
    if (ids.length === 1) {
      return this.assemble(
        this.stmt('SELECT trial_id, number, study_id, state, datetime_start, datetime_complete FROM trials WHERE trial_id = ?').all(ids[0]) as TrialRow[],
        'trial_id = ?',
        [ids[0]],
      );
    }
    const list = this.dialect.idListParam(ids);
    const where = this.dialect.idList('trial_id');
    return this.assemble(
      this.stmt(`SELECT trial_id, number, study_id, state, datetime_start, datetime_complete FROM trials WHERE ${where} ORDER BY trial_id`).all(list) as TrialRow[],
      where,
      [list],
    );
  }

  /** Builds FrozenTrials from trial rows and the child tables selected by `where`. */
  private assemble(rows: TrialRow[], where: string, args: unknown[]): FrozenTrial[] {
    if (rows.length === 0) return [];
    type Parts = {
      params: Record<string, ParamValue>;
      distributions: Record<string, Distribution>;
      values: number[] | null;
      userAttrs: Record<string, unknown>;
      systemAttrs: Record<string, unknown>;
      iv: Map<number, number>;
    };
    const parts = new Map<number, Parts>();
    for (const r of rows) parts.set(r.trial_id, { params: {}, distributions: {}, values: null, userAttrs: {}, systemAttrs: {}, iv: new Map() });
    for (const [id, name, value, dj] of this.stmt(`SELECT trial_id, param_name, param_value, distribution_json FROM trial_params WHERE ${where} ORDER BY param_id`)
      .raw(true)
      .iterate(...args) as IterableIterator<[number, string, number, string]>) {
      const p = parts.get(id);
      if (!p) continue;
      const d = this.dists.parse(dj);
      p.distributions[name] = d;
      p.params[name] = toExternal(d, value);
    }
    for (const [id, objective, value, type] of this.stmt(`SELECT trial_id, objective, value, value_type FROM trial_values WHERE ${where} ORDER BY trial_id, objective`)
      .raw(true)
      .iterate(...args) as IterableIterator<[number, number, number | null, string]>) {
      const p = parts.get(id);
      if (!p) continue;
      (p.values ??= [])[objective] = decodeValue(value, type);
    }
    for (const [table, field] of [
      ['trial_user_attributes', 'userAttrs'],
      ['trial_system_attributes', 'systemAttrs'],
    ] as const) {
      for (const [id, key, json] of this.stmt(`SELECT trial_id, "key", value_json FROM ${table} WHERE ${where} ORDER BY ${attrIdColumn(table)}`).raw(true).iterate(...args) as IterableIterator<
        [number, string, string]
      >) {
        const p = parts.get(id);
        if (p) p[field][key] = parsePyJson(json);
      }
    }
    for (const [id, step, value, type] of this.stmt(
      `SELECT trial_id, step, intermediate_value, intermediate_value_type FROM trial_intermediate_values WHERE ${where} ORDER BY trial_id, step`,
    )
      .raw(true)
      .iterate(...args) as IterableIterator<[number, number, number | null, string]>) {
      const p = parts.get(id);
      if (p) p.iv.set(step, decodeValue(value, type));
    }
    return rows.map((r) => {
      const p = parts.get(r.trial_id)!;
      const state = stateFromDb(r.state);
      return {
        trialId: r.trial_id,
        number: r.number,
        state,
        values: p.values,
        datetimeStart: parseLocal(r.datetime_start),
        datetimeComplete: parseLocal(r.datetime_complete),
        params: p.params,
        distributions: p.distributions,
        userAttrs: p.userAttrs,
        systemAttrs: p.systemAttrs,
        intermediateValues: p.iv,
      };
    });
  }

  // ----- liveness -----

  recordHeartbeat(trialIds: readonly number[]): void {
    if (trialIds.length === 0) return;
    const now = Date.now();
    this.write(() => {
      for (const id of trialIds) this.upsertHeartbeat(id, now);
      // Reserved rows stay this process's while it lives: those not taken yet, and those taken by
      // trials still running (their rows stay marked reserved until their finish is written).
      const since = formatUtc(now);
      const confirm = this.stmt('UPDATE studyopt_trial_owners SET since = ? WHERE trial_id = ?');
      for (const id of this.reservedIds) confirm.run(since, id);
      for (const o of this.unstarted) confirm.run(since, o.trialId);
    });
  }

  /** When a trial started, in ms since the epoch (its datetime_start, a local time), or null. */
  private startedMs(trialId: number): number | null {
    const row = this.stmt('SELECT datetime_start FROM trials WHERE trial_id = ?').get(trialId) as { datetime_start: string | null } | undefined;
    return parseLocal(row?.datetime_start ?? null)?.getTime() ?? null;
  }

  failStaleTrials(studyId: number, graceSeconds: number): number[] {
    if (this.readonly) return [];
    return this.write(() => {
      const v = this.sync(studyId);
      const running = [...v.open].filter(([id, s]) => s === 'RUNNING' && !this.reservedIds.has(id) && this.owned.get(id)?.startPending === undefined).map(([id]) => id);
      if (running.length === 0) return [];
      const now = Date.now();
      const cutoff = now - graceSeconds * 1000;
      const failed: number[] = [];
      for (const id of running) {
        const beat = this.stmt('SELECT heartbeat FROM trial_heartbeats WHERE trial_id = ?').get(id) as { heartbeat: string } | undefined;
        const owner = this.stmt('SELECT host, pid, since FROM studyopt_trial_owners WHERE trial_id = ?').get(id) as { host: string; pid: number; since: string | null } | undefined;
        // A studyopt trial (it has an owner row) that has not beaten yet counts from its start;
        // a trial of another program without heartbeats is left alone, as Optuna does.
        const started = this.startedMs(id);
        // A reserved slot (never started, as far as the file knows) counts from when its process
        // last confirmed it; a started trial without a beat, from its start.
        const reserved = owner !== undefined && owner.since !== null;
        const lastSign = beat ? parseUtcMs(beat.heartbeat) : reserved ? parseUtcMs(owner.since!) : owner ? started : null;
        let reason: string | null = null;
        if (lastSign !== null && lastSign < cutoff) {
          reason = `no heartbeat for ${graceSeconds} s: the process running it stopped`;
        } else if (owner && owner.host === this.host && owner.pid !== process.pid && !isProcessAlive(owner.pid)) {
          reason = `the process running it (pid ${owner.pid} on ${owner.host}) is gone`;
        }
        if (reason === null) continue;
        if (reserved) {
          // A reserved slot of that process: unused, or taken by a trial whose result never
          // reached the file (rows stay reserved until their finish is written). Nothing of it
          // is stored, so it goes back to the queue as a WAITING slot, which the next run takes,
          // instead of staying behind as an empty FAIL row.
          this.stmt("UPDATE trials SET state = 'WAITING', datetime_start = NULL WHERE trial_id = ? AND state = 'RUNNING'").run(id);
          this.stmt('DELETE FROM studyopt_trial_owners WHERE trial_id = ?').run(id);
          // Its beats were for a run that is gone: the slot's next holder beats anew.
          this.stmt('DELETE FROM trial_heartbeats WHERE trial_id = ?').run(id);
          v.transition(id, 'WAITING');
          continue;
        }
        this.setAttr('trial_system_attributes', 'trial_id', id, 'fail_reason', reason);
        const [, nowText] = this.nowLocal();
        this.stmt("UPDATE trials SET state = 'FAIL', datetime_complete = ? WHERE trial_id = ? AND state = 'RUNNING'").run(nowText, id);
        this.stmt('DELETE FROM studyopt_trial_owners WHERE trial_id = ?').run(id);
        v.transition(id, 'FAIL');
        this.owned.delete(id);
        failed.push(id);
      }
      if (v.full && failed.length > 0) for (const t of this.loadTrials(failed)) v.full.set(t.trialId, t);
      return failed;
    });
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.staged.detach();
    process.off('exit', this.flushOnExit);
    this.closed = true;
    this.statements.clear();
    this.db.close();
  }
}

/**
 * SQL: WAITING trial `t` holds nothing of its own (no parameters, values, attributes or
 * intermediate values; no system attribute but the claim key given as its one parameter), so
 * any run may take it as a slot.
 */
const PLAIN_SLOT =
  '(NOT EXISTS (SELECT 1 FROM trial_system_attributes a WHERE a.trial_id = t.trial_id AND a."key" <> ?) ' +
  'AND NOT EXISTS (SELECT 1 FROM trial_params p WHERE p.trial_id = t.trial_id) ' +
  'AND NOT EXISTS (SELECT 1 FROM trial_values x WHERE x.trial_id = t.trial_id) ' +
  'AND NOT EXISTS (SELECT 1 FROM trial_user_attributes u WHERE u.trial_id = t.trial_id) ' +
  'AND NOT EXISTS (SELECT 1 FROM trial_intermediate_values i WHERE i.trial_id = t.trial_id))';

const INSERT_PARAM = 'INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) VALUES (?, ?, ?, ?)';
const UPSERT_PARAM =
  `${INSERT_PARAM} ` +
  'ON CONFLICT (trial_id, param_name) DO UPDATE SET param_value = excluded.param_value, distribution_json = excluded.distribution_json';
const INSERT_VALUE = 'INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (?, ?, ?, ?)';
/** Reserved rows go in multi-row statements of at most this many rows. */
const ROWS_PER_INSERT = 200;

const reservedRowsSqls: string[] = [];
/** Reserved trial rows: RUNNING, with the reservation time as their start. */
function reservedRowsSql(rows: number): string {
  return (reservedRowsSqls[rows] ??= `INSERT INTO trials (number, study_id, state, datetime_start) VALUES ${Array(rows).fill("(?, ?, 'RUNNING', ?)").join(', ')} RETURNING trial_id, number`);
}

const ownerRowsSqls: string[] = [];
/** Owner rows of reserved slots (a slot may be a put-back row that had an owner before). */
function ownerRowsSql(rows: number): string {
  return (ownerRowsSqls[rows] ??=
    `INSERT INTO studyopt_trial_owners (trial_id, host, pid, since) VALUES ${Array(rows).fill('(?, ?, ?, ?)').join(', ')} ` +
    'ON CONFLICT (trial_id) DO UPDATE SET host = excluded.host, pid = excluded.pid, since = excluded.since');
}

/** Who holds a trial row (since: set while it is a reserved slot). */
const UPSERT_OWNER =
  'INSERT INTO studyopt_trial_owners (trial_id, host, pid, since) VALUES (?, ?, ?, ?) ' +
  'ON CONFLICT (trial_id) DO UPDATE SET host = excluded.host, pid = excluded.pid, since = excluded.since';

/** The primary key of an attribute table: rows in the order they were written. */
function attrIdColumn(table: string): string {
  return `${table.replace(/_attributes$/, '_attribute')}_id`;
}
const paramInsertSqls: string[] = [];

/** The fixed statements of finish records, by sqlId (finish-record.ts). */
const SQL = {
  insertValue: sqlId(INSERT_VALUE),
  deleteValues: sqlId('DELETE FROM trial_values WHERE trial_id = ?'),
  finishWithStart: sqlId('UPDATE trials SET state = ?, datetime_start = ?, datetime_complete = ? WHERE trial_id = ?'),
  finish: sqlId('UPDATE trials SET state = ?, datetime_complete = ? WHERE trial_id = ?'),
  deleteOwner: sqlId('DELETE FROM studyopt_trial_owners WHERE trial_id = ?'),
};

/** `INSERT INTO trial_params` of `rows` rows (the same string each time, so statements are shared). */
function paramInsertSql(rows: number): string {
  return (paramInsertSqls[rows] ??= `INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) VALUES ${Array(rows).fill('(?, ?, ?, ?)').join(', ')}`);
}

const attrUpsertSqls = new Map<string, string>();
const attrInsertSqls = new Map<string, string>();

/** A multi-row INSERT of `rows` new attributes into a trial attribute table. */
function attrInsertSql(table: string, rows: number): string {
  const key = `${table}|${rows}`;
  let sql = attrInsertSqls.get(key);
  if (sql === undefined) {
    sql = `INSERT INTO ${table} (trial_id, "key", value_json) VALUES ${Array(rows).fill('(?, ?, ?)').join(', ')}`;
    attrInsertSqls.set(key, sql);
  }
  return sql;
}

/** The attribute keys of a trial as OwnedTrial.writtenAttrs holds them. */
function attrKeys(userAttrs: Record<string, unknown>, systemAttrs: Record<string, unknown>): Set<string> {
  const keys = new Set<string>();
  for (const k of Object.keys(userAttrs)) keys.add(`u:${k}`);
  for (const k of Object.keys(systemAttrs)) keys.add(`s:${k}`);
  return keys;
}

function attrUpsertSql(table: string, idColumn: string): string {
  let sql = attrUpsertSqls.get(table);
  if (sql === undefined) {
    sql = `INSERT INTO ${table} (${idColumn}, "key", value_json) VALUES (?, ?, ?) ON CONFLICT (${idColumn}, "key") DO UPDATE SET value_json = excluded.value_json`;
    attrUpsertSqls.set(table, sql);
  }
  return sql;
}

/** A template that asks for nothing but a new RUNNING trial: such trials may come from a reservation. */
function isPlain(t: TrialTemplate): boolean {
  for (const key in t) if ((t as Record<string, unknown>)[key] !== undefined && !(key === 'state' && t.state === 'RUNNING')) return false;
  return true;
}

function internalOf(d: Distribution, external: ParamValue): number {
  switch (d.type) {
    case 'float':
    case 'int':
      return external as number;
    case 'categorical':
      return d.choices.indexOf(external);
    case 'ordinal':
      return d.values.indexOf(external as number);
  }
}
