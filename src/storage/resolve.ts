import { UsageError } from '../errors.js';
import { InMemoryStorage } from './in-memory.js';
import { SqliteStorage } from './sqlite/sqlite-storage.js';
import type { Storage } from './storage.js';

const SQLITE_EXTENSIONS = /\.(db|sqlite|sqlite3|db3)$/i;

/**
 * The file path in an SQLite URL, as SQLAlchemy (and so Optuna) reads it: `sqlite:///rel/f.db`
 * is relative to the working folder, `sqlite:////abs/f.db` is absolute. Null if not such a URL.
 */
export function sqlitePathOf(url: string): string | null {
  if (!url.startsWith('sqlite:')) return null;
  const m = /^sqlite:\/\/\/(.+)$/.exec(url);
  if (!m || m[1] === ':memory:') {
    throw new UsageError(`'${url}' is not an SQLite file URL: write sqlite:///relative/path.db or sqlite:////absolute/path.db`);
  }
  return m[1];
}

/**
 * A Storage object as given, a new in-memory storage for undefined or 'memory', or an SQLite
 * storage for 'sqlite:///path.db' or a plain path ending in .db (.sqlite, .sqlite3, .db3).
 */
export function resolveStorage(storage?: Storage | string): Storage {
  if (storage === undefined) return new InMemoryStorage();
  if (typeof storage !== 'string') return storage;
  if (storage === 'memory' || storage === ':memory:') return new InMemoryStorage();
  const path = sqlitePathOf(storage) ?? (SQLITE_EXTENSIONS.test(storage) ? storage : null);
  if (path !== null) return new SqliteStorage(path);
  throw new UsageError(`unknown storage '${storage}': give 'memory', an SQLite file ('studies.db' or 'sqlite:///studies.db'), or a Storage object`);
}
