/**
 * The final write of a finished trial as plain data, so that either the store's own connection
 * or the background writer (another thread, another connection) can apply it.
 *
 * A record is idempotent: its guard skips the trial unless the file still holds it RUNNING (and,
 * for a trial taken from a reservation, still without a start). So a record applied twice (by the
 * writer, then again by the store on close or exit) writes once, and a trial that another
 * process failed as stale, or put back as WAITING, keeps the state the file gives it.
 */

/** One statement and its arguments. */
export type SqlOp = readonly [sql: string, args: readonly unknown[]];

export interface FinishRecord {
  readonly trialId: number;
  /** The trial came from a reservation and its start is not in the file yet. */
  readonly startNull: boolean;
  readonly ops: readonly SqlOp[];
}

/** What applying records needs of a connection: prepared statements by SQL text. */
export type StatementSource = (sql: string) => { get(...args: unknown[]): unknown; run(...args: unknown[]): unknown };

/**
 * Applies records inside the caller's open transaction; returns the ids of the trials it skipped.
 * Self-contained on purpose (no imports, no closures): the background writer runs its source text.
 */
export function applyFinishRecords(stmt: StatementSource, records: readonly FinishRecord[]): number[] {
  const skipped: number[] = [];
  const guard = stmt('SELECT state, datetime_start FROM trials WHERE trial_id = ?');
  for (const r of records) {
    const row = guard.get(r.trialId) as { state: string; datetime_start: string | null } | undefined;
    if (!row || row.state !== 'RUNNING' || (r.startNull && row.datetime_start !== null)) {
      skipped.push(r.trialId);
      continue;
    }
    for (const [sql, args] of r.ops) stmt(sql).run(args);
  }
  return skipped;
}
