/**
 * A study's trials as a table (storage/trial-table.ts): the compact SQLite file's own scan
 * (sqlite/trial-table-scan.ts) must give exactly the table built from FrozenTrials, whatever the
 * trials hold: conditional and categorical parameters, attributes of mixed kinds, NaN and
 * infinities, floats that need 17 digits, unfinished trials, several objectives, and the trials
 * of another study in between; across chunk boundaries too.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Distribution, categoricalDistribution, floatDistribution, intDistribution } from '../../src/distributions.js';
import type { TrialState } from '../../src/frozen-trial.js';
import { DistributionCache } from '../../src/storage/sql/encoding.js';
import type { SqlConnection } from '../../src/storage/sql/connection.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { scanTrialTable } from '../../src/storage/sqlite/trial-table-scan.js';
import { type Storage, type TrialTemplate, readTrialTable } from '../../src/storage/storage.js';
import { concatTrialTables, trialTableOf } from '../../src/storage/trial-table.js';
import { InMemoryStorage } from '../../src/storage/in-memory.js';
import { tempDir } from './helpers.js';

const X = floatDistribution(-1, 1);
const N = intDistribution(1, 9);
const KIND = categoricalDistribution(['a', 'b', null, true, 2.5]);
const AWKWARD = [0.1 + 0.2, 1 / 3, 1e-300, 5e-324, -123456789.123456789, 2 ** 53 + 2];

/** Trials of every shape, the same on any store. */
function fill(storage: Storage): { main: number; other: number } {
  const main = storage.createStudy('main', ['minimize', 'maximize']);
  const other = storage.createStudy('other', ['minimize']);
  const states: TrialState[] = ['COMPLETE', 'COMPLETE', 'FAIL', 'COMPLETE', 'PRUNED', 'RUNNING', 'COMPLETE', 'WAITING'];
  for (let i = 0; i < 40; i++) {
    const state = states[i % states.length];
    const params: Record<string, { internal: number; distribution: Distribution }> = { x: { internal: AWKWARD[i % AWKWARD.length] % 1, distribution: X } };
    if (i % 3 === 0) params.n = { internal: 1 + (i % 9), distribution: N };
    if (i % 4 !== 1) params.kind = { internal: i % 5, distribution: KIND };
    const template: TrialTemplate = {
      state,
      params,
      values: state === 'COMPLETE' ? [AWKWARD[i % AWKWARD.length], i % 7 === 0 ? Infinity : i % 11 === 0 ? -Infinity : i] : null,
      userAttrs: {
        metric: i % 10 === 3 ? NaN : i * 1.5,
        ...(i % 2 === 0 ? { note: `trial ${i}` } : {}),
        mixed: i < 20 ? i : `late ${i}`,
        ...(i % 5 === 0 ? { curve: [i, { deep: i % 2 === 0 }], flag: i % 10 === 0 } : {}),
        ...(i === 7 ? { inf: -Infinity, nothing: null } : {}),
      },
      systemAttrs: i % 3 === 1 ? { grid_id: i } : {},
      datetimeStart: state === 'WAITING' ? null : new Date(Date.UTC(2024, 2, 31, 0, 30 + i, 7, 123)),
      datetimeComplete: state === 'WAITING' || state === 'RUNNING' ? null : new Date(Date.UTC(2024, 2, 31, 0, 31 + i, 9, 456)),
    };
    storage.createTrial(main, template);
    if (i % 3 === 2) storage.createTrial(other, { state: 'COMPLETE', params: { y: { internal: i, distribution: N } }, values: [i], userAttrs: { metric: -i } });
  }
  return { main, other };
}

describe('trial tables', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('studyopt-table-')));
  afterEach(() => cleanup());

  it("the compact file's scan gives the table of its FrozenTrials, at any chunk size", () => {
    const writer = new SqliteStorage(`${dir}/t.db`);
    const { main, other } = fill(writer);
    writer.close();
    const storage = new SqliteStorage(`${dir}/t.db`, { readonly: true });
    for (const id of [main, other]) {
      const expected = trialTableOf(storage.getAllTrials(id), storage.getStudyDirections(id).length);
      const table = storage.readTrialTable(id);
      expect(table).not.toBeNull();
      expect(table).toEqual(expected);
      const db = new Database(`${dir}/t.db`, { readonly: true });
      for (const chunk of [1, 7, 50]) expect(scanTrialTable(db as unknown as SqlConnection, id, storage.getStudyDirections(id).length, new DistributionCache(), { index: 0, of: 1 }, chunk)).toEqual(expected);
      db.close();
      // In parts (each a range of trial ids), joined in order: the same table.
      for (const of of [2, 3, 7]) {
        const parts = Array.from({ length: of }, (_, index) => storage.readTrialTable(id, { index, of })!);
        expect(concatTrialTables(parts, storage.getStudyDirections(id).length)).toEqual(expected);
      }
    }
    // What the table holds, checked by hand for a few cells.
    const t = storage.readTrialTable(main)!;
    expect(t.size).toBe(40);
    expect(t.params.get('kind')).toEqual({ kind: 'values', data: expect.arrayContaining(['a', 'b', null, true, 2.5]) });
    const x = t.params.get('x')!;
    expect(x.kind === 'numbers' && x.data[1]).toBe(1 / 3);
    const metric = t.userAttrs.get('metric')!;
    expect(metric.kind === 'numbers' && Number.isNaN(metric.data[3])).toBe(true);
    expect(t.userAttrs.get('mixed')!.kind).toBe('values');
    const v1 = t.values[1];
    expect(v1.kind === 'numbers' && v1.data[0]).toBe(Infinity);
    expect(t.datetimeStart[0]).toBe(Date.UTC(2024, 2, 31, 0, 30, 7, 123));
    expect(Number.isNaN(t.datetimeComplete[5])).toBe(true);
    storage.close();
  });

  it('stores without a scan of their own give the same table through readTrialTable', () => {
    const reopened = (path: string, layout: 'compact' | 'optuna'): [SqliteStorage, number] => {
      const writer = new SqliteStorage(path, { layout });
      const id = fill(writer).main;
      writer.close();
      return [new SqliteStorage(path, { readonly: true }), id];
    };
    const [file, fileId] = reopened(`${dir}/c.db`, 'compact');
    const [optunaLayout, optunaId] = reopened(`${dir}/o.db`, 'optuna');
    const memory = new InMemoryStorage();
    const ids = [fileId, optunaId, fill(memory).main];
    expect(file.readTrialTable(ids[0])).not.toBeNull();
    expect(optunaLayout.readTrialTable(ids[1])).toBeNull();
    const [a, b, c] = [readTrialTable(file, ids[0]), readTrialTable(optunaLayout, ids[1]), readTrialTable(memory, ids[2])];
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    const memoryParts = Array.from({ length: 3 }, (_, index) => readTrialTable(memory, ids[2], { index, of: 3 }));
    expect(memoryParts.map((t) => t.size)).toEqual([13, 13, 14]);
    expect(concatTrialTables(memoryParts, 2)).toEqual(a);
    file.close();
    optunaLayout.close();
  });

  it('a process with trials not yet written reads FrozenTrials instead', () => {
    const storage = new SqliteStorage(`${dir}/r.db`);
    const id = storage.createStudy('s', ['minimize']);
    const created = storage.createTrial(id);
    expect(storage.readTrialTable(id)).toBeNull();
    expect(readTrialTable(storage, id).state).toEqual(['RUNNING']);
    expect('trialId' in created).toBe(true);
    storage.close();
  });
});
