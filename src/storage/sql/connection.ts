/**
 * What the SQL study store (sql-storage.ts) needs of a database connection: synchronous prepared
 * statements and transactions, the subset of better-sqlite3's API the store uses. An SQLite
 * connection is better-sqlite3's Database itself; a PostgreSQL one (postgres/pg-connection.ts)
 * answers the same calls over node-postgres. Statements are written once, in SQL both databases
 * take (`?` parameters, quoted mixed-case aliases); what differs lives in the dialect.
 */
export interface SqlRunResult {
  readonly changes: number;
}

export interface SqlStatement {
  /** Runs a statement that returns no rows. Arguments as a list or one array. */
  run(...args: unknown[]): SqlRunResult;
  /** The first row (an object by column, or an array in raw mode, or the first column with pluck), or undefined. */
  get(...args: unknown[]): unknown;
  all(...args: unknown[]): unknown[];
  iterate(...args: unknown[]): IterableIterator<unknown>;
  /** Rows as arrays of column values. */
  raw(toggle?: boolean): SqlStatement;
  /** The first column of each row. */
  pluck(toggle?: boolean): SqlStatement;
}

/** A transaction function: `immediate` takes the write lock up front, `deferred` reads a snapshot. */
export interface SqlTransaction {
  immediate(...args: unknown[]): unknown;
  deferred(...args: unknown[]): unknown;
  /**
   * A write that does not wait for the writers' turn, where the database locks rows (PostgreSQL):
   * for writes whose statements lock the rows they change themselves (finish records). Absent
   * where there is one writer at a time anyway (SQLite).
   */
  concurrent?(...args: unknown[]): unknown;
}

export interface SqlConnection {
  prepare(sql: string): SqlStatement;
  /** Wraps `fn` so that calling it runs it in a transaction (a savepoint when one is open). */
  transaction(fn: (...args: unknown[]) => unknown): SqlTransaction;
  readonly inTransaction: boolean;
  close(): void;
}
