/**
 * Stores as a reader in another process sees them (the dashboard): a study written by one
 * connection and read by another that holds no trial of its own. (A store that runs trials
 * answers from its cache of them instead: the fast paths are for readers.) SQLite always;
 * PostgreSQL on the run's own server when there is one.
 */
import { join } from 'node:path';
import { afterEach, inject } from 'vitest';
import { PostgresStorage } from '../../src/storage/postgres/postgres-storage.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import type { Storage } from '../../src/storage/storage.js';
import { createDatabase } from '../helpers/postgres.js';
import { tempDir } from './helpers.js';

export interface ReaderStoreCase {
  name: string;
  open: () => Promise<{ writer: Storage; reader: () => Storage }>;
}

/** The cases; call at a test file's top level (it registers the clean-up of the SQLite folders). */
export function readerStoreCases(prefix: string): ReaderStoreCase[] {
  const postgresUrl = inject('postgresUrl');
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  return [
    {
      name: 'SqliteStorage',
      open: async () => {
        const t = tempDir(`studyopt-${prefix}-`);
        cleanups.push(t.cleanup);
        const path = join(t.dir, `${prefix}.db`);
        return { writer: new SqliteStorage(path, { heartbeatInterval: null }), reader: () => new SqliteStorage(path, { readonly: true }) };
      },
    },
    ...(postgresUrl !== null
      ? [
          {
            name: 'PostgresStorage',
            open: async () => {
              const url = await createDatabase(postgresUrl, `${prefix}_${Math.random().toString(36).slice(2, 10)}`);
              return { writer: new PostgresStorage(url, { heartbeatInterval: null }), reader: () => new PostgresStorage(url) };
            },
          },
        ]
      : []),
  ];
}
