/**
 * Who runs a study's trials (Storage.runningProcesses), on SQLite and PostgreSQL: the processes
 * holding its RUNNING trials, with their counts and latest heartbeat, read by another connection
 * (as the dashboard reads them); reserved slots and finished trials are not counted.
 */
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { readerStoreCases } from './reader-stores.js';

const CASES = readerStoreCases('processes');

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
