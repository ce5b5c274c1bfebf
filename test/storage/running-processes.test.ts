/**
 * Who runs a study's trials (Storage.runningProcesses), on SQLite and PostgreSQL: the processes
 * holding its RUNNING trials, with their counts and latest heartbeat, read by another connection
 * (as the dashboard reads them); reserved slots and finished trials are not counted.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { PostgresStorage } from '../../src/storage/postgres/postgres-storage.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import type { Storage } from '../../src/storage/storage.js';
import { createDatabase } from '../helpers/postgres.js';
import { tempDir } from './helpers.js';

const postgresUrl = inject('postgresUrl');
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const CASES: { name: string; open: () => Promise<{ writer: Storage; reader: () => Storage }> }[] = [
  {
    name: 'SqliteStorage',
    open: async () => {
      const t = tempDir('studyopt-processes-');
      cleanups.push(t.cleanup);
      const path = join(t.dir, 'p.db');
      return { writer: new SqliteStorage(path, { heartbeatInterval: null }), reader: () => new SqliteStorage(path, { readonly: true }) };
    },
  },
  ...(postgresUrl !== null
    ? [
        {
          name: 'PostgresStorage',
          open: async () => {
            const url = await createDatabase(postgresUrl, `processes_${Math.random().toString(36).slice(2, 10)}`);
            return { writer: new PostgresStorage(url, { heartbeatInterval: null }), reader: () => new PostgresStorage(url) };
          },
        },
      ]
    : []),
];

describe('runningProcesses', () => {
  for (const store of CASES) {
    it(`names the process holding a study's running trials, with its last heartbeat (${store.name})`, async () => {
      const { writer, reader } = await store.open();
      const main = writer.createStudy('main', ['minimize']);
      const other = writer.createStudy('other', ['minimize']);
      const a = writer.createTrial(main) as { trialId: number };
      const b = writer.createTrial(main) as { trialId: number };
      writer.createTrial(main, { state: 'COMPLETE', values: [1] });
      writer.createTrial(other);
      const before = Date.now();
      writer.recordHeartbeat([a.trialId]);
      writer.flush?.();
      const r = reader();
      try {
        const [p, ...rest] = r.runningProcesses!(main)!;
        expect(rest).toEqual([]);
        expect([p.host, p.pid, p.running]).toEqual([hostname(), process.pid, 2]);
        expect(p.lastHeartbeat!.getTime()).toBeGreaterThanOrEqual(before - 1000);
        expect(p.lastHeartbeat!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
        writer.setTrialStateValues(a.trialId, 'COMPLETE', [2]);
        writer.setTrialStateValues(b.trialId, 'FAIL');
        writer.flush?.();
        expect(r.runningProcesses!(main)).toEqual([]);
      } finally {
        r.close();
        writer.close();
      }
    });
  }
});
