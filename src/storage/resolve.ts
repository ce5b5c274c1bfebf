/**
 * Choosing a store by URL, in the library and the CLI alike: `memory`, a path or
 * `sqlite:///path.db`, `postgresql://user:password@host:port/database`. What a caller may ask of any store when it opens it (read only, when a
 * dead process's trials count as stale, commit each trial) are run hints, which each backend maps
 * to its own options; what only one backend has is an option in its URL's query
 * (`sqlite:///f.db?timeout=30`). Callers never need to know the backend's class.
 */
import { UsageError } from '../errors.js';
import { InMemoryStorage } from './in-memory.js';
import { PostgresStorage } from './postgres/postgres-storage.js';
import { isPostgresUrl } from './postgres/url.js';
import { SqliteStorage, type SqliteStorageOptions } from './sqlite/sqlite-storage.js';
import type { Storage } from './storage.js';

const SQLITE_EXTENSIONS = /\.(db|sqlite|sqlite3|db3)$/i;

/** Run hints: what any store may be asked when it is opened. A store takes those that apply to it. */
export interface StorageOpenOptions {
  /** Write nothing; the store must exist already. Default false. */
  readonly?: boolean;
  /** Seconds without a heartbeat after which a running trial of a process that is gone is failed. */
  staleAfterSeconds?: number;
  /** Commit each finished trial before the next one starts, even for fast objectives (no group commit). */
  commitEachTrial?: boolean;
  /** An SQLite connection's page cache in KiB (default 32,000); a one-pass reader needs little. */
  cacheKiB?: number;
}

/** The query options an SQLite URL may carry, and what they set. */
const SQLITE_URL_OPTIONS: Record<string, (value: string, url: string) => Partial<SqliteStorageOptions>> = {
  // SQLAlchemy's name for the same thing (seconds a statement waits for another process's lock).
  timeout: (value, url) => {
    const seconds = Number(value);
    if (!(seconds > 0)) throw new UsageError(`'${url}': timeout must be a positive number of seconds, but got '${value}'`);
    return { busyTimeoutMs: seconds * 1000 };
  },
  // How a new file stores parameters and user attributes (sqlite/schema.ts SqliteLayout).
  layout: (value, url) => {
    if (value !== 'compact' && value !== 'optuna') throw new UsageError(`'${url}': layout must be compact or optuna, but got '${value}'`);
    return { layout: value };
  },
};

/**
 * The file path in an SQLite URL, as SQLAlchemy (and so Optuna) reads it: `sqlite:///rel/f.db`
 * is relative to the working folder, `sqlite:////abs/f.db` is absolute; a `?query` is not part
 * of it. Null if not such a URL.
 */
export function sqlitePathOf(url: string): string | null {
  if (!url.startsWith('sqlite:')) return null;
  const m = /^sqlite:\/\/\/([^?]+)(\?.*)?$/.exec(url);
  if (!m || m[1] === ':memory:') {
    throw new UsageError(`'${url}' is not an SQLite file URL: write sqlite:///relative/path.db or sqlite:////absolute/path.db`);
  }
  return m[1];
}

function sqliteUrlOptions(url: string): Partial<SqliteStorageOptions> {
  const q = url.indexOf('?');
  if (q < 0) return {};
  let options: Partial<SqliteStorageOptions> = {};
  for (const [key, value] of new URLSearchParams(url.slice(q + 1))) {
    const set = SQLITE_URL_OPTIONS[key];
    if (!set) throw new UsageError(`'${url}': unknown option '${key}' for an SQLite store; known: ${Object.keys(SQLITE_URL_OPTIONS).join(', ')}`);
    options = { ...options, ...set(value, url) };
  }
  return options;
}

/**
 * A Storage object as given; a new in-memory store for undefined or 'memory'; an SQLite store for
 * 'sqlite:///path.db' or a plain path ending in .db (.sqlite, .sqlite3, .db3); a PostgreSQL store
 * for 'postgresql://...' (or 'postgres://...').
 */
export function resolveStorage(storage?: Storage | string, hints: StorageOpenOptions = {}): Storage {
  if (storage === undefined) return new InMemoryStorage();
  if (typeof storage !== 'string') return storage;
  if (storage === 'memory' || storage === ':memory:') {
    if (hints.readonly) throw new UsageError("'memory' holds no stored studies to read: give a study file (--storage f.db)");
    return new InMemoryStorage();
  }
  if (isPostgresUrl(storage)) {
    return new PostgresStorage(storage, {
      ...(hints.readonly ? { readonly: true } : {}),
      ...(hints.staleAfterSeconds !== undefined ? { gracePeriod: hints.staleAfterSeconds } : {}),
      ...(hints.commitEachTrial ? { deferFinish: false } : {}),
    });
  }
  const path = sqlitePathOf(storage) ?? (SQLITE_EXTENSIONS.test(storage) ? storage : null);
  if (path !== null) {
    return new SqliteStorage(path, {
      ...sqliteUrlOptions(storage),
      ...(hints.readonly ? { readonly: true } : {}),
      ...(hints.staleAfterSeconds !== undefined ? { gracePeriod: hints.staleAfterSeconds } : {}),
      // One commit per trial: no finished trial waits for a group commit.
      ...(hints.commitEachTrial ? { deferFinish: false } : {}),
      ...(hints.cacheKiB !== undefined ? { cacheKiB: hints.cacheKiB } : {}),
    });
  }
  throw new UsageError(
    `unknown storage '${storage}': give 'memory', an SQLite file ('studies.db' or 'sqlite:///studies.db'), a PostgreSQL URL ('postgresql://user:password@host:5432/database'), or a Storage object`,
  );
}
