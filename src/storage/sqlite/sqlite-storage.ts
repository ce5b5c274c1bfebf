/**
 * The SQLite backend of the study store: studies in one file, in Optuna's RDB schema, shared by
 * many processes on one machine. The store itself (trial cache, group commit, claims, crash
 * detection) is sql/sql-storage.ts; this file opens the file, refuses what is not a study file of
 * our schema, creates the schema in a new one, sets SQLite up (WAL mode: readers never wait for
 * the writer; a busy timeout; every write one `BEGIN IMMEDIATE` transaction), and runs the
 * background writer thread that commits the finished trials of fast runs (background-writer.ts).
 */
import { existsSync, statSync, accessSync, constants as fsConstants } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import Database from 'better-sqlite3';
import { UsageError } from '../../errors.js';
import type { SqlConnection, SqlStatement } from '../sql/connection.js';
import type { SqlDialect } from '../sql/dialect.js';
import { SqlStorage, type SqlStorageOptions } from '../sql/sql-storage.js';
import { BackgroundWriter } from './background-writer.js';
import { scanTrialTable } from './trial-table-scan.js';
import {
  COMPACT_DDL,
  COMPACT_TABLES,
  COMPACT_VIEWS,
  OPTUNA_ALEMBIC_HEAD,
  OPTUNA_ALEMBIC_REVISIONS,
  OPTUNA_DDL,
  OPTUNA_LIBRARY_VERSION,
  OPTUNA_SCHEMA_VERSION,
  OPTUNA_TABLES,
  STUDYOPT_ADDED_COLUMNS,
  STUDYOPT_DDL,
  STUDYOPT_DROPPED_INDEXES,
  type SqliteLayout,
} from './schema.js';

export interface SqliteStorageOptions extends SqlStorageOptions {
  /** Open without writing anything (the read-only CLI commands). Default false. */
  readonly?: boolean;
  /** How long one statement waits for another process's write lock, in ms. Default 10,000. */
  busyTimeoutMs?: number;
  /**
   * In runs that reserve ahead, commit finished trials (and checkpoint the WAL) from a second
   * thread with its own connection, so that SQLite's work runs beside the objective instead of
   * in front of it. Default true.
   */
  backgroundWriter?: boolean;
  /** How a new file stores parameters and user attributes (schema.ts SqliteLayout). Default 'compact'; an existing file keeps its own. */
  layout?: SqliteLayout;
  /** The connection's page cache in KiB. Default 32,000. */
  cacheKiB?: number;
}

/** The main connection's automatic checkpoint, in WAL pages (~16 MB: fewer fsyncs while trials stream in). */
const WAL_AUTOCHECKPOINT_PAGES = 4000;
/** The same once a background thread checkpoints: only a safety net. */
const WAL_AUTOCHECKPOINT_PAGES_BEHIND_THREAD = 16000;
const MAX_WRITE_ATTEMPTS = 50;
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

function isBusy(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

const dataVersionStatements = new WeakMap<SqlConnection, SqlStatement>();

/** Where SQLite's SQL differs from PostgreSQL's, for the store. */
export const SQLITE_DIALECT: SqlDialect = {
  name: 'sqlite',
  idList: (column) => `${column} IN (SELECT value FROM json_each(?))`,
  idListParam: (ids) => JSON.stringify(ids),
  // SQLite takes a CROSS JOIN's tables in the order written (walk the value index first).
  orderedJoin: 'CROSS JOIN',
  // Changes exactly when another connection commits: a sync with nothing new reads nothing.
  dataVersion: (conn) => {
    let stmt = dataVersionStatements.get(conn);
    if (!stmt) dataVersionStatements.set(conn, (stmt = conn.prepare('PRAGMA data_version').pluck()));
    return stmt.get() as number;
  },
  isBusy,
};

/**
 * Writable for us, and not marked read-only: a file or folder without any write bit counts as
 * read-only even for root, who could write it anyway (the user meant it not to change).
 */
function isWritable(path: string): boolean {
  try {
    accessSync(path, fsConstants.W_OK);
  } catch {
    return false;
  }
  return (statSync(path).mode & 0o222) !== 0;
}

/** Turns the errors SQLite gives for bad files into UsageErrors that name the file and the fix. */
function fileError(path: string, err: unknown): Error {
  const code = (err as { code?: string })?.code ?? '';
  const msg = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_NOTADB') return new UsageError(`'${path}' is not an SQLite database (${msg}): give a study file (.db), or a new path to create one`);
  if (code.startsWith('SQLITE_CORRUPT')) return new UsageError(`'${path}' is corrupt (${msg}): restore it from a backup, or give another file`);
  if (code.startsWith('SQLITE_READONLY')) return new UsageError(`'${path}' cannot be written (${msg}): make the file and its folder writable, or copy it somewhere writable`);
  if (code.startsWith('SQLITE_CANTOPEN')) return new UsageError(`'${path}' cannot be opened (${msg}): check that the file exists and that its folder is readable and writable`);
  if (code.startsWith('SQLITE_IOERR')) return new UsageError(`'${path}' cannot be read or written (${msg}): check the disk and the file's permissions`);
  return err instanceof Error ? err : new Error(msg);
}

/** A write transaction of its own, retried while another process holds the lock (opening only). */
function writeTx(db: Database.Database, fn: () => void): void {
  const tx = db.transaction(fn);
  for (let attempt = 1; ; attempt++) {
    try {
      tx.immediate();
      return;
    } catch (err) {
      if (!isBusy(err) || attempt >= MAX_WRITE_ATTEMPTS) throw err;
      Atomics.wait(SLEEPER, 0, 0, Math.min(200, 2 * attempt) + Math.random() * 5);
    }
  }
}

/** The name a CREATE statement creates. */
function createdName(sql: string): string {
  return /^CREATE (?:UNIQUE )?(?:TABLE|INDEX|VIEW|TRIGGER) (?:IF NOT EXISTS )?(\w+)/.exec(sql)![1];
}

/** Opens a study file: checks it, sets SQLite up, creates the schema in a new file. */
class SqliteFile {
  readonly db: Database.Database;

  /** `path` resolved; `given` as the user wrote it, for messages. */
  constructor(
    readonly path: string,
    readonly readonly: boolean,
    busyTimeoutMs: number,
    given: string,
    private readonly newLayout: SqliteLayout,
    cacheKiB: number,
  ) {
    this.checkFile(given);
    try {
      this.db = new Database(this.path, { readonly: this.readonly, fileMustExist: this.readonly, timeout: busyTimeoutMs });
    } catch (err) {
      throw fileError(given, err);
    }
    try {
      // Check what the file holds before anything is written to it (even the WAL switch writes).
      const empty = this.checkSchema(given);
      if (!this.readonly) {
        for (let attempt = 1; ; attempt++) {
          try {
            this.db.pragma('journal_mode = WAL');
            break;
          } catch (err) {
            if (!isBusy(err) || attempt >= MAX_WRITE_ATTEMPTS) throw err;
            Atomics.wait(SLEEPER, 0, 0, Math.min(200, 2 * attempt));
          }
        }
        // In WAL mode NORMAL never corrupts and never loses a commit to a process crash (only,
        // possibly, the last commits to a power cut); FULL would fsync every trial.
        this.db.pragma('synchronous = NORMAL');
        // (See WAL_AUTOCHECKPOINT_PAGES; a fast run hands checkpoints to a background thread.)
        this.db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
      }
      this.db.pragma(`cache_size = -${Math.round(cacheKiB)}`);
      if (empty) this.createSchema();
      if (!this.readonly) {
        const have = new Set((this.db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'studyopt_%'").all() as { name: string }[]).map((r) => r.name));
        if (STUDYOPT_DDL.some((sql) => !have.has(createdName(sql)))) writeTx(this.db, () => { for (const sql of STUDYOPT_DDL) this.db.exec(sql); });
        if (STUDYOPT_DROPPED_INDEXES.some((name) => have.has(name))) writeTx(this.db, () => { for (const name of STUDYOPT_DROPPED_INDEXES) this.db.exec(`DROP INDEX IF EXISTS ${name}`); });
        for (const [table, column, type] of STUDYOPT_ADDED_COLUMNS) {
          const has = (): boolean => (this.db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).some((c) => c.name === column);
          if (!has()) writeTx(this.db, () => { if (!has()) this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`); });
        }
      }
    } catch (err) {
      this.db.close();
      throw fileError(given, err);
    }
  }

  private checkFile(path: string): void {
    if (existsSync(this.path)) {
      const st = statSync(this.path);
      if (st.isDirectory()) throw new UsageError(`'${path}' is a folder: give the path of a study file, e.g. ${path}/studyopt.db`);
      // Whether it is an SQLite file at all is left to SQLite (SQLITE_NOTADB on the first read,
      // see fileError): opening and closing the file here would drop every POSIX lock this
      // process holds on it through its open connections (close() releases them all, SQLite's
      // "How To Corrupt An SQLite Database File", 2.2.1), and another process closing its last
      // connection would then delete the WAL that these connections still use.
      if (!this.readonly && !isWritable(this.path)) {
        throw new UsageError(`'${path}' is read-only: make it writable (chmod u+w), or copy it somewhere writable`);
      }
    } else if (this.readonly) {
      throw new UsageError(`'${path}' does not exist: give the path of a study file (see --storage)`);
    } else if (!existsSync(dirname(this.path))) {
      throw new UsageError(`the folder of '${path}' does not exist: create it, or give another path`);
    }
    if (!this.readonly) {
      if (!isWritable(dirname(this.path))) {
        throw new UsageError(`the folder of '${path}' is read-only: SQLite needs to create '${path}-wal' beside it; make the folder writable or copy the file elsewhere`);
      }
    }
  }

  /** The tables, and the views that stand for Optuna's tables in the compact layout. */
  private tables(): Set<string> {
    return new Set((this.db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')").all() as { name: string }[]).map((r) => r.name));
  }

  /** The file's layout: compact when Optuna's parameter table is a view. */
  layout(): SqliteLayout {
    return this.db.prepare("SELECT type FROM sqlite_master WHERE name = 'trial_params'").pluck().get() === 'view' ? 'compact' : 'optuna';
  }

  /** A new file gets Optuna's schema and version rows, created once even when processes race. */
  private createSchema(): void {
    writeTx(this.db, () => {
      if (this.tables().size > 0) return; // another process created it first
      const compact = this.newLayout === 'compact';
      for (const sql of OPTUNA_DDL) if (!(compact && COMPACT_VIEWS.includes(createdName(sql)))) this.db.exec(sql);
      if (compact) for (const sql of COMPACT_DDL) this.db.exec(sql);
      this.db.prepare('INSERT INTO version_info (version_info_id, schema_version, library_version) VALUES (1, ?, ?)').run(OPTUNA_SCHEMA_VERSION, OPTUNA_LIBRARY_VERSION);
      this.db.prepare('INSERT INTO alembic_version (version_num) VALUES (?)').run(OPTUNA_ALEMBIC_HEAD);
    });
    this.checkSchema(this.path);
  }

  /** Refuses files that are not study files of our schema version. Returns true for an empty database. */
  private checkSchema(path: string): boolean {
    const tables = this.tables();
    if (tables.size === 0) {
      if (this.readonly) throw new UsageError(`'${path}' holds no studies (an empty database)`);
      return true;
    }
    const missing = OPTUNA_TABLES.filter((t) => !tables.has(t));
    if (missing.includes('studies') || missing.includes('trials')) {
      throw new UsageError(`'${path}' is an SQLite database but not a study file (its tables: ${[...tables].join(', ') || 'none'}): give another file`);
    }
    const version = tables.has('version_info')
      ? (this.db.prepare('SELECT schema_version, library_version FROM version_info').get() as { schema_version: number; library_version: string } | undefined)
      : undefined;
    const revision = tables.has('alembic_version')
      ? (this.db.prepare('SELECT version_num FROM alembic_version').get() as { version_num: string } | undefined)?.version_num
      : undefined;
    if (revision !== OPTUNA_ALEMBIC_HEAD) {
      const known = revision !== undefined && OPTUNA_ALEMBIC_REVISIONS.includes(revision);
      if (known || revision === undefined && (version?.schema_version ?? 0) <= OPTUNA_SCHEMA_VERSION) {
        throw new UsageError(
          `'${path}' was written by an older Optuna (schema revision ${revision ?? 'unknown'}, library ${version?.library_version ?? 'unknown'}); ` +
            `studyopt reads revision ${OPTUNA_ALEMBIC_HEAD}: upgrade a copy with \`optuna storage upgrade --storage sqlite:///${path}\``,
        );
      }
      throw new UsageError(
        `'${path}' was written by a newer version (schema ${version?.schema_version ?? '?'}, revision ${revision ?? '?'}, library ${version?.library_version ?? '?'}); ` +
          `studyopt reads schema ${OPTUNA_SCHEMA_VERSION} (revision ${OPTUNA_ALEMBIC_HEAD}): use the program that wrote it, or a newer studyopt`,
      );
    }
    if (version && version.schema_version > OPTUNA_SCHEMA_VERSION) {
      throw new UsageError(`'${path}' was written by a newer version (schema ${version.schema_version}); studyopt reads schema ${OPTUNA_SCHEMA_VERSION}`);
    }
    if (missing.length > 0) throw new UsageError(`'${path}' lacks the tables ${missing.join(', ')}: it is not a complete study file`);
    return false;
  }
}

export class SqliteStorage extends SqlStorage {
  readonly path: string;
  /** How this file stores parameters and user attributes (schema.ts SqliteLayout). */
  readonly layout: SqliteLayout;
  private readonly sqlite: Database.Database;

  constructor(path: string, options: SqliteStorageOptions = {}) {
    const readonly = options.readonly ?? false;
    const busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
    const file = new SqliteFile(resolvePath(path), readonly, busyTimeoutMs, path, options.layout ?? 'compact', options.cacheKiB ?? 32_000);
    const db = file.db;
    const layout = file.layout();
    const useWriter = (options.backgroundWriter ?? true) && !readonly;
    super(
      {
        // better-sqlite3's Database is the connection the store is written against.
        conn: db as unknown as SqlConnection,
        dialect: SQLITE_DIALECT,
        where: file.path,
        readonly,
        ...(layout === 'compact' ? { compact: COMPACT_TABLES, readTrialTable: (studyId, n, dists, part) => scanTrialTable(db as unknown as SqlConnection, studyId, n, dists, part) } : {}),
        startWriter: useWriter
          ? () => {
              const writer = new BackgroundWriter(file.path, busyTimeoutMs);
              // The writer checkpoints the WAL from now on; this connection's own is a safety net.
              db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES_BEHIND_THREAD}`);
              return writer;
            }
          : undefined,
        // The writer failed: this connection checkpoints again as it did before the writer started.
        writerGone: () => db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`),
      },
      options,
    );
    this.path = file.path;
    this.sqlite = db;
    this.layout = layout;
  }

  /** Checks the file: `PRAGMA integrity_check`, 'ok' when sound. */
  integrityCheck(): string {
    return (this.sqlite.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  }
}
