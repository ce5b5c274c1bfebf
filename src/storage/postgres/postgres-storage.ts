/**
 * The PostgreSQL backend of the study store: studies on a database server in Optuna's RDB schema
 * (schema.ts), shared by processes on many machines. The store itself is sql/sql-storage.ts; this
 * file connects (one connection per store, never one per trial), checks or creates the schema
 * (under the writers' lock, so processes that start together create it once), and gives the
 * store its dialect. Finished trials of fast runs are committed in groups as on SQLite, on this
 * connection (there is no second writer thread).
 */
import { UsageError } from '../../errors.js';
import { SqlStorage, type SqlStorageOptions } from '../sql/sql-storage.js';
import { OPTUNA_ALEMBIC_HEAD, OPTUNA_SCHEMA_VERSION, OPTUNA_TABLES } from '../sqlite/schema.js';
import { POSTGRES_DIALECT, PgConnection } from './pg-connection.js';
import { POSTGRES_DDL, POSTGRES_STUDYOPT_DDL, POSTGRES_VERSION_ROWS } from './schema.js';
import { SyncPostgresClient } from './sync-client.js';

export interface PostgresStorageOptions extends SqlStorageOptions {
  /** Write nothing (the read-only CLI commands): the schema must exist. Default false. */
  readonly?: boolean;
  /** How long to wait for the server to accept the connection, in ms. Default 10,000. */
  connectTimeoutMs?: number;
}

/** Checks the database's schema, or creates it in an empty database; returns the connection. */
function openDatabase(url: string, options: PostgresStorageOptions): PgConnection {
  const client = SyncPostgresClient.connect(url, { connectTimeoutMs: options.connectTimeoutMs });
  const conn = new PgConnection(client);
  const shown = client.url.shown;
  try {
    const tables = (): Set<string> =>
      new Set(client.query("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'").rows.map((r) => String(r[0])));
    if (!options.readonly) {
      conn.transaction(() => {
        // There already (or created by another process while this one waited for the lock), or
        // someone else's database, which checkSchema refuses.
        if (tables().size > 0) return;
        for (const sql of POSTGRES_DDL) client.query(sql);
        for (const row of POSTGRES_VERSION_ROWS) client.query(row.text, row.values);
      }).immediate();
    }
    checkSchema(client, shown, tables(), options.readonly ?? false);
    if (!options.readonly) conn.transaction(() => { for (const sql of POSTGRES_STUDYOPT_DDL) client.query(sql); }).immediate();
    return conn;
  } catch (err) {
    conn.close();
    throw err;
  }
}

function checkSchema(client: SyncPostgresClient, shown: string, tables: Set<string>, readonly: boolean): void {
  if (tables.size === 0) throw new UsageError(`'${shown}' holds no studies (an empty database)${readonly ? ': run studyopt optimize --storage with it first' : ''}`);
  const missing = OPTUNA_TABLES.filter((t) => !tables.has(t));
  if (missing.includes('studies') || missing.includes('trials')) {
    throw new UsageError(`'${shown}' is a PostgreSQL database but not a study database (its tables: ${[...tables].join(', ')}): name another database`);
  }
  const revision = tables.has('alembic_version') ? (client.query('SELECT version_num FROM alembic_version').rows[0]?.[0] as string | undefined) : undefined;
  const version = tables.has('version_info') ? (client.query('SELECT schema_version, library_version FROM version_info').rows[0] as [number, string] | undefined) : undefined;
  if (revision !== OPTUNA_ALEMBIC_HEAD) {
    throw new UsageError(
      `'${shown}' holds studies of another Optuna schema (revision ${revision ?? 'unknown'}, library ${version?.[1] ?? 'unknown'}); studyopt reads revision ${OPTUNA_ALEMBIC_HEAD}: ` +
        '`optuna storage upgrade` upgrades an older one; a newer one needs a newer studyopt',
    );
  }
  if (version && version[0] > OPTUNA_SCHEMA_VERSION) throw new UsageError(`'${shown}' was written by a newer version (schema ${version[0]}); studyopt reads schema ${OPTUNA_SCHEMA_VERSION}`);
  if (missing.length > 0) throw new UsageError(`'${shown}' lacks the tables ${missing.join(', ')}: it is not a complete study database`);
}

export class PostgresStorage extends SqlStorage {
  /** The server's URL without its password. */
  readonly url: string;

  private readonly conn: PgConnection;

  constructor(url: string, options: PostgresStorageOptions = {}) {
    const conn = openDatabase(url, options);
    super(
      {
        conn,
        dialect: POSTGRES_DIALECT,
        where: conn.client.url.shown,
        readonly: options.readonly ?? false,
        // A batch of finished trials in two round trips instead of several per trial.
        applyFinishRecords: (records) => conn.applyFinishRecords(records),
        // A transaction is several round trips to the server (1–5 ms, more under load): group
        // commit pays already for trials of 50 ms.
        reserveBelowMs: 50,
      },
      options,
    );
    this.url = conn.client.url.shown;
    this.conn = conn;
  }

  /** How often the connection was opened again after the server dropped it (a restart). */
  get reconnects(): number {
    return this.conn.reconnects;
  }
}
