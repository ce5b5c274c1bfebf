/**
 * The final write of a finished trial as plain data, so that either the store's own connection
 * or the background writer (another thread, another connection) can apply it.
 *
 * A record is idempotent: its guard skips the trial unless the file still holds it RUNNING (and,
 * for a trial taken from a reservation, still reserved by this process). So a record applied twice (by the
 * writer, then again by the store on close or exit) writes once, and a trial that another
 * process failed as stale, or put back as WAITING, keeps the state the file gives it.
 *
 * Statements are named by small numbers (sqlId) rather than carried as text: records cross to the
 * writer thread by structured clone, and the texts need to go once.
 */

/** One statement, by its sqlId, and its arguments. */
export type SqlOp = readonly [sql: number, args: readonly unknown[]];

export interface FinishRecord {
  readonly trialId: number;
  /** The trial came from a reservation of this process [host, pid] and its start is not in the file yet. */
  readonly reservedBy: readonly [host: string, pid: number] | null;
  readonly ops: readonly SqlOp[];
}

/** The guard every record passes first. */
export const GUARD_SQL =
  'SELECT t.state AS state, o.host AS host, o.pid AS pid, o.since AS since FROM trials t LEFT JOIN studyopt_trial_owners o ON o.trial_id = t.trial_id WHERE t.trial_id = ?';

const texts: string[] = [];
const ids = new Map<string, number>();

/** A process-wide number for a statement text. */
export function sqlId(text: string): number {
  let id = ids.get(text);
  if (id === undefined) {
    id = texts.length;
    texts.push(text);
    ids.set(text, id);
  }
  return id;
}

/** The text of a statement number. */
export function sqlText(id: number): string {
  return texts[id];
}

/** The statement texts numbered from `from` on (what a writer thread has not been sent yet). */
export function sqlTextsFrom(from: number): string[] {
  return texts.slice(from);
}

/** What GUARD_SQL reads of a trial. */
export interface GuardRow {
  state: string;
  host: string | null;
  pid: number | null;
  since: string | null;
}

/**
 * Whether a record is still to be written: the database holds its trial RUNNING and, for a trial
 * taken from a reservation, still reserved by the record's process. Self-contained, as
 * applyFinishRecords (the background writer runs its source text too).
 */
export function recordApplies(r: FinishRecord, row: GuardRow | undefined): boolean {
  if (!row || row.state !== 'RUNNING') return false;
  return r.reservedBy === null || (row.host === r.reservedBy[0] && row.pid === r.reservedBy[1] && row.since !== null);
}

interface Statement {
  get(...args: unknown[]): unknown;
  run(...args: unknown[]): unknown;
}

/**
 * Applies records inside the caller's open transaction; returns the ids of the trials it skipped.
 * `guard` is GUARD_SQL prepared; `stmt` gives the statement of a sqlId. Self-contained on purpose
 * (no imports, no closures but recordApplies): the background writer runs their source text.
 */
export function applyFinishRecords(stmt: (id: number) => Statement, guard: Statement, records: readonly FinishRecord[]): number[] {
  const skipped: number[] = [];
  for (const r of records) {
    if (!recordApplies(r, guard.get(r.trialId) as GuardRow | undefined)) {
      skipped.push(r.trialId);
      continue;
    }
    for (const [id, args] of r.ops) stmt(id).run(args);
  }
  return skipped;
}
