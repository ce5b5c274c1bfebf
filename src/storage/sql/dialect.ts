/**
 * Where SQLite and PostgreSQL differ for the study store, and nothing else: the schema and its
 * checks live with each backend, every statement of the store is shared.
 */
import type { SqlConnection } from './connection.js';

export interface SqlDialect {
  readonly name: 'sqlite' | 'postgresql';
  /** `column IN (the ids)` with the ids bound as one parameter (`idListParam`). */
  idList(column: string): string;
  idListParam(ids: readonly number[]): unknown;
  /** A join the planner must take in the written order (SQLite's CROSS JOIN; a plain JOIN elsewhere). */
  readonly orderedJoin: string;
  /**
   * A number that changes whenever another connection commits, read without a round trip worth
   * saving; null when the database has none (the store then always reads what is new).
   */
  dataVersion(conn: SqlConnection): number | null;
  /** Whether an error means "another writer holds the lock, try again". */
  isBusy(err: unknown): boolean;
}
