/**
 * The store's connection (sql/connection.ts) on PostgreSQL: the same prepared-statement calls the
 * store makes on SQLite, answered over a synchronous node-postgres connection. Statements are the
 * store's own, written for both databases with `?` parameters, numbered here as `$1`, `$2`, ...
 * A write transaction takes one transaction-scoped advisory lock first, so that writers take turns
 * as on SQLite and every count, number and claim is decided under it.
 */
import type { SqlConnection, SqlRunResult, SqlStatement, SqlTransaction } from '../sql/connection.js';
import type { SqlDialect } from '../sql/dialect.js';
import type { SyncPostgresClient } from './sync-client.js';

/** The advisory lock key of studyopt's writers (any constant: it names the lock, per database). */
const WRITE_LOCK_KEY = 0x5354_4f50; // "STOP"

/** SQLSTATEs after which a transaction is simply run again. */
const RETRY_CODES = new Set(['40001', '40P01', '55P03']);

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

/** `?` → `$1`, `$2`, ... outside quotes. */
function numberParameters(sql: string): string {
  let n = 0;
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
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  return out;
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
    return { changes: this.conn.client.query(this.text, argList(args)).rowCount };
  }

  all(...args: unknown[]): unknown[] {
    const { rows, fields } = this.conn.client.query(this.text, argList(args));
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

  constructor(readonly client: SyncPostgresClient) {}

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  prepare(sql: string): SqlStatement {
    return new PgStatement(this, numberParameters(sql));
  }

  transaction(fn: (...args: unknown[]) => unknown): SqlTransaction {
    return {
      immediate: (...args) => this.run(fn, args, true),
      deferred: (...args) => this.run(fn, args, false),
    };
  }

  private run(fn: (...args: unknown[]) => unknown, args: unknown[], write: boolean): unknown {
    if (this.depth > 0) {
      const name = `studyopt_sp${++this.savepoints}`;
      this.client.query(`SAVEPOINT ${name}`);
      this.depth++;
      try {
        const result = fn(...args);
        this.client.query(`RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (err) {
        this.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
        throw err;
      } finally {
        this.depth--;
      }
    }
    // A read sees one snapshot throughout; a write waits its turn for the writers' lock.
    this.client.query(write ? 'BEGIN' : 'BEGIN ISOLATION LEVEL REPEATABLE READ');
    this.depth = 1;
    try {
      if (write) this.client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK_KEY]);
      const result = fn(...args);
      this.client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        this.client.query('ROLLBACK');
      } catch {
        // The connection is gone: the server rolled the transaction back itself.
      }
      throw err;
    } finally {
      this.depth = 0;
    }
  }

  close(): void {
    this.client.close();
  }
}
