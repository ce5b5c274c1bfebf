/**
 * The storage contract (src/apps/testing/storage-contract.ts, exported as `studyopt/testing`) on
 * InMemoryStorage, SqliteStorage and PostgresStorage (on the run's own server).
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { storageContract } from '../../src/apps/testing/index.js';
import { InMemoryStorage } from '../../src/storage/in-memory.js';
import { PostgresStorage } from '../../src/storage/postgres/postgres-storage.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { createDatabase } from '../helpers/postgres.js';
import { tempDir } from './helpers.js';

const api = { describe, it, expect, beforeEach, afterEach };
const postgresUrl = inject('postgresUrl');

storageContract(api, { name: 'InMemoryStorage', open: () => new InMemoryStorage() });

let cleanup: (() => void) | null = null;
storageContract(api, {
  name: 'SqliteStorage',
  // No create-time heartbeat, so that "never beat" means the same as in memory.
  open: () => {
    const t = tempDir();
    cleanup = t.cleanup;
    return new SqliteStorage(join(t.dir, 'contract.db'), { heartbeatInterval: null });
  },
  dispose: () => cleanup?.(),
});

if (postgresUrl !== null) {
  let databases = 0;
  // A fresh database of the run's own server for each test.
  storageContract(api, { name: 'PostgresStorage', open: async () => new PostgresStorage(await createDatabase(postgresUrl, `contract_${++databases}`), { heartbeatInterval: null }) });
}
