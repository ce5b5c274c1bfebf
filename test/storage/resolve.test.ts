/**
 * Choosing a store by URL, with run hints any store may take and options only one backend has in
 * its URL's query.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InMemoryStorage } from '../../src/storage/in-memory.js';
import { resolveStorage, sqlitePathOf } from '../../src/storage/resolve.js';
import type { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { createStudy } from '../../src/study.js';
import { RandomSampler } from '../../samplers/random.js';

const dir = mkdtempSync(join(tmpdir(), 'studyopt-resolve-'));

describe('resolveStorage', () => {
  it('opens memory, paths and sqlite URLs (with their query options)', () => {
    expect(resolveStorage('memory')).toBeInstanceOf(InMemoryStorage);
    expect(sqlitePathOf('sqlite:///a/b.db?timeout=5')).toBe('a/b.db');
    const s = resolveStorage(`sqlite:///${join(dir, 'a.db')}?timeout=5`);
    expect(s.findStudyId('none')).toBeNull();
    s.close();
    expect(() => resolveStorage(`sqlite:///${join(dir, 'b.db')}?journal=off`)).toThrow(/unknown option 'journal' for an SQLite store; known: timeout, layout/);
    expect(() => resolveStorage(`sqlite:///${join(dir, 'b.db')}?timeout=-1`)).toThrow(/timeout must be a positive number of seconds, but got '-1'/);
    expect(() => resolveStorage(`sqlite:///${join(dir, 'b.db')}?layout=small`)).toThrow(/layout must be compact or optuna, but got 'small'/);
    for (const layout of ['compact', 'optuna']) {
      const file = resolveStorage(`sqlite:///${join(dir, `${layout}.db`)}?layout=${layout}`) as SqliteStorage;
      expect(file.layout).toBe(layout);
      file.close();
    }
    expect(() => resolveStorage('memory', { readonly: true })).toThrow(/'memory' holds no stored studies/);
    expect(() => resolveStorage('studies.txt')).toThrow(/unknown storage 'studies.txt'/);
  });

  it('takes run hints: read only, stale-after, a commit for each trial', async () => {
    const path = join(dir, 'hints.db');
    expect(() => resolveStorage(path, { readonly: true })).toThrow(/does not exist/);
    const writer = resolveStorage(path, { commitEachTrial: true, staleAfterSeconds: 123 });
    expect(writer.gracePeriod).toBe(123);
    const study = createStudy({ storage: writer, studyName: 's', sampler: new RandomSampler({ seed: 1 }) });
    const reader = resolveStorage(path, { readonly: true });
    const seen: number[] = [];
    await study.optimize((t) => t.suggestFloat('x', 0, 1), {
      nTrials: 60,
      // Committed as each finishes, not held for a group commit: another connection sees each at once.
      callbacks: [(_s, t) => seen.push(reader.getNTrials(reader.findStudyId('s')!, ['COMPLETE']) - (t.number + 1))],
    });
    expect(seen).toEqual(new Array(60).fill(0));
    expect(() => reader.createStudy('t', ['minimize'])).toThrow(/read-only/);
    reader.close();
    writer.close();
  });
});
