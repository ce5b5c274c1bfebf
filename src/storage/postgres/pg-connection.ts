/**
 * The store's connection (sql/connection.ts) on PostgreSQL: the same prepared-statement calls the
 * store makes on SQLite, answered over a synchronous node-postgres connection. Statements are the
 * store's own, written for both databases with `?` parameters, numbered here as `$1`, `$2`, ...
 * A write transaction takes one transaction-scoped advisory lock first, so that writers take turns
 * as on SQLite and every count, number and claim is decided under it.
 */
import type { SqlConnection, SqlRunResult, SqlStatement, SqlTransaction } from '../sql/connection.js';
import type { SqlDialect } from '../sql/dialect.js';
import { type FinishRecord, type GuardRow, recordApplies, sqlText } from '../sql/finish-record.js';
import { mergeWrites } from './merge-writes.js';
import { UsageError } from '../../errors.js';
import { ConnectionLostError, PostgresError, type QueryResult, SyncPostgresClient } from './sync-client.js';

/** The advisory lock key of studyopt's writers (any constant: it names the lock, per database). */
const WRITE_LOCK_KEY = 0x5354_4f50; // "STOP"

/** SQLSTATEs after which a transaction is simply run again. */
const RETRY_CODES = new Set(['40001', '40P01', '55P03', 'CONNECTION_RESET']);
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

export const POSTGRES_DIALECT: SqlDialect = {
  name: 'postgresql',
  idList: (column) => `${column} = ANY(CAST(? AS INTEGER[]))`,
  // An array literal as text: one parameter, whatever the number of ids.
  idListParam: (ids) => `{${ids.join(',')}}`,
  orderedJoin: 'JOIN',
  // No cheap way to tell that nobody else committed: the store reads what is new each time.
  dataVersion: () => null,
  isBusy: (err) => RETRY_CODES.has((err as { code?: string })?.code ?? ''),
};

/** The SQL with each `?` outside quotes replaced by `replace(k)`, k = 0, 1, ...; and how many there were. */
function replaceParameters(sql: string, replace: (k: number) => string): [string, number] {
  let k = 0;
  let out = '';
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      out += replace(k++);
    } else {
      out += ch;
    }
  }
  return [out, k];
}

/** `?` → `$1`, `$2`, ... */
function numberParameters(sql: string): string {
  return replaceParameters(sql, (k) => `$${k + 1}`)[0];
}

/** Arguments as better-sqlite3 takes them: a list, or one array holding the list. */
function argList(args: unknown[]): unknown[] {
  return args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
}

class PgStatement implements SqlStatement {
  constructor(
    private readonly conn: PgConnection,
    private readonly text: string,
    private readonly mode: 'object' | 'raw' | 'pluck' = 'object',
  ) {}

  run(...args: unknown[]): SqlRunResult {
    return { changes: this.conn.query(this.text, argList(args)).rowCount };
  }

  all(...args: unknown[]): unknown[] {
    const { rows, fields } = this.conn.query(this.text, argList(args));
    if (this.mode === 'raw') return rows;
    if (this.mode === 'pluck') return rows.map((r) => r[0]);
    return rows.map((r) => {
      const o: Record<string, unknown> = {};
      fields.forEach((f, i) => (o[f] = r[i]));
      return o;
    });
  }

  get(...args: unknown[]): unknown {
    return this.all(...args)[0];
  }

  iterate(...args: unknown[]): IterableIterator<unknown> {
    return this.all(...args)[Symbol.iterator]();
  }

  raw(toggle = true): SqlStatement {
    return new PgStatement(this.conn, this.text, toggle ? 'raw' : 'object');
  }

  pluck(toggle = true): SqlStatement {
    return new PgStatement(this.conn, this.text, toggle ? 'pluck' : 'object');
  }
}

export class PgConnection implements SqlConnection {
  private depth = 0;
  private savepoints = 0;

  private current: SyncPostgresClient;
  /** Connections opened again after the server dropped one. */
  reconnects = 0;

  /** `reconnectTimeoutMs`: how long to keep trying when the server went away (a restart). */
  constructor(
    client: SyncPostgresClient,
    private readonly reconnectTimeoutMs = 60_000,
  ) {
    this.current = client;
  }

  get client(): SyncPostgresClient {
    return this.current;
  }

  /**
   * One statement. A connection the server dropped (a restart, a network cut) is opened again;
   * outside a transaction the statement then runs again, inside one the transaction is gone, and
   * a retryable error ('CONNECTION_RESET') tells the store to run the whole transaction again.
   */
  query(sql: string, params: readonly unknown[] = []): QueryResult {
    try {
      return this.current.query(sql, params);
    } catch (err) {
      if (!(err instanceof ConnectionLostError)) throw err;
      this.reconnect(err);
      if (this.depth > 0) {
        throw new PostgresError(`the connection to ${this.current.url.shown} was lost in a transaction, which the server rolled back: it runs again`, 'CONNECTION_RESET');
      }
      return this.current.query(sql, params);
    }
  }

  private reconnect(cause: Error): void {
    const deadline = performance.now() + this.reconnectTimeoutMs;
    const url = this.current.url.url;
    try {
      this.current.close();
    } catch {
      // already gone
    }
    for (let wait = 50; ; wait = Math.min(1000, wait * 2)) {
      try {
        this.current = SyncPostgresClient.connect(url, { connectTimeoutMs: 5_000 });
        this.reconnects++;
        return;
      } catch (err) {
        if (performance.now() + wait > deadline) {
          throw new UsageError(`lost the connection to ${this.current.url.shown} (${cause.message}) and could not connect again within ${this.reconnectTimeoutMs / 1000} s: ${(err as Error).message}`);
        }
        Atomics.wait(SLEEPER, 0, 0, wait);
      }
    }
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  prepare(sql: string): SqlStatement {
    return new PgStatement(this, numberParameters(sql));
  }

  transaction(fn: (...args: unknown[]) => unknown): SqlTransaction {
    return {
      immediate: (...args) => this.run(fn, args, 'write'),
      deferred: (...args) => this.run(fn, args, 'read'),
      concurrent: (...args) => this.run(fn, args, 'rows'),
    };
  }

  /** `write`: after the writers' lock; `read`: one snapshot throughout; `rows`: a write that locks only the rows it touches. */
  private run(fn: (...args: unknown[]) => unknown, args: unknown[], mode: 'write' | 'read' | 'rows'): unknown {
    if (this.depth > 0) {
      const name = `studyopt_sp${++this.savepoints}`;
      this.query(`SAVEPOINT ${name}`);
      this.depth++;
      try {
        const result = fn(...args);
        this.query(`RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (err) {
        this.query(`ROLLBACK TO SAVEPOINT ${name}`);
        throw err;
      } finally {
        this.depth--;
      }
    }
    // A read sees one snapshot throughout; a write waits its turn for the writers' lock.
    this.query(mode === 'read' ? 'BEGIN ISOLATION LEVEL REPEATABLE READ' : 'BEGIN');
    this.depth = 1;
    try {
      if (mode === 'write') this.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK_KEY]);
      const result = fn(...args);
      this.query('COMMIT');
      return result;
    } catch (err) {
      try {
        this.current.query('ROLLBACK');
      } catch {
        // The connection is gone: the server rolled the transaction back itself.
      }
      throw err;
    } finally {
      this.depth = 0;
    }
  }

  /**
   * Runs statements that return nothing in one round trip: each with its `?` parameters written
   * in as literals, all sent as one multi-statement query. For the store's own values only
   * (numbers, the texts it writes, null): strings are quoted as PostgreSQL's escapeLiteral does.
   */
  execBatch(statements: readonly (readonly [sql: string, args: readonly unknown[]])[]): void {
    if (statements.length === 0) return;
    this.query(statements.map(([sql, args]) => inlineParameters(sql, args)).join(';\n'));
  }

  /**
   * Finish records (finish-record.ts) in two round trips: one query for every record's guard, then
   * the writes of those that pass in one batch.
   */
  applyFinishRecords(records: readonly FinishRecord[]): number[] {
    const guards = new Map<number, GuardRow>();
    const ids = records.map((r) => r.trialId);
    const withIds = this.prepare(
      // The trials' rows are locked until the writes commit (in id order, as every batch locks
      // them): a stale-trial check of another process waits, then finds them finished.
      `SELECT t.trial_id, t.state, o.host, o.pid, o.since FROM trials t LEFT JOIN studyopt_trial_owners o ON o.trial_id = t.trial_id WHERE ${POSTGRES_DIALECT.idList('t.trial_id')} ORDER BY t.trial_id FOR UPDATE OF t`,
    )
      .raw()
      .all(POSTGRES_DIALECT.idListParam(ids)) as [number, string, string | null, number | null, string | null][];
    for (const [id, state, host, pid, since] of withIds) guards.set(id, { state, host, pid, since });
    const skipped: number[] = [];
    const writes: [string, readonly unknown[]][] = [];
    for (const r of records) {
      if (!recordApplies(r, guards.get(r.trialId))) {
        skipped.push(r.trialId);
        continue;
      }
      for (const [id, args] of r.ops) writes.push([sqlText(id), args]);
    }
    this.execBatch(mergeWrites(writes));
    return skipped;
  }

  close(): void {
    this.current.close();
  }
}

/** A value as a PostgreSQL literal. */
function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot write ${v} as a literal`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  const s = String(v);
  // As pg's escapeLiteral: double the quotes, and with backslashes an E'' string with them doubled.
  const quoted = `'${s.replace(/'/g, "''")}'`;
  return s.includes('\\') ? `E${quoted.replace(/\\/g, '\\\\')}` : quoted;
}

/** `?` replaced by the literals of `args`. */
function inlineParameters(sql: string, args: readonly unknown[]): string {
  const list = argList([...args]);
  const [out, n] = replaceParameters(sql, (k) => literal(list[k]));
  if (n !== list.length) throw new Error(`statement takes ${n} parameters, got ${list.length}: ${sql}`);
  return out;
}
