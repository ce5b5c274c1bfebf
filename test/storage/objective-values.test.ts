/**
 * A study's values column by column and trials by id (storage/objective-values.ts): the SQL
 * stores' own reads must give exactly what the fallback over getAllTrials and getTrial gives, on
 * SQLite and PostgreSQL: COMPLETE trials only, in number order, ±Infinity kept, infeasible trials
 * marked, another study's trials left out.
 */
import { describe, expect, it } from 'vitest';
import { floatDistribution } from '../../src/distributions.js';
import type { TrialState } from '../../src/frozen-trial.js';
import { InMemoryStorage } from '../../src/storage/in-memory.js';
import { type ObjectiveValues, readObjectiveValues, readTrialsById } from '../../src/storage/objective-values.js';
import type { Storage } from '../../src/storage/storage.js';
import { readerStoreCases } from './reader-stores.js';
import { join } from 'node:path';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { readTrialTable } from '../../src/storage/storage.js';
import { buildBigStudy } from '../../scripts/lib/big-study.js';
import { tempDir } from './helpers.js';

const X = floatDistribution(-5, 5);
const STATES: TrialState[] = ['COMPLETE', 'FAIL', 'COMPLETE', 'RUNNING', 'COMPLETE', 'PRUNED', 'WAITING', 'COMPLETE'];
const VALUES = [2.5, -1, Infinity, 0, -Infinity, 2.5, 1e-9, -3.25];

/** The same store without its own reads: what the two functions fall back on. */
function withoutFastPath(storage: Storage): Storage {
  return new Proxy(storage, {
    get(target, key) {
      if (key === 'readObjectiveValues' || key === 'readTrialsById') return undefined;
      const v = Reflect.get(target, key, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

function fill(storage: Storage): number {
  const main = storage.createStudy('main', ['minimize', 'maximize']);
  const other = storage.createStudy('other', ['minimize']);
  for (let i = 0; i < 40; i++) {
    const state = STATES[i % STATES.length];
    const created = storage.createTrial(main, {
      state,
      params: { x: { internal: ((i * 37) % 100) / 10 - 5, distribution: X } },
      values: state === 'COMPLETE' ? [VALUES[i % VALUES.length], i % 5] : null,
      // Every fifth trial carries constraints, every tenth violated.
      ...(i % 5 === 0 ? { systemAttrs: { constraints: i % 10 === 0 ? [0.5, -1] : [-0.5] } } : {}),
      userAttrs: { i },
    });
    expect('trialId' in created).toBe(true);
    if (i % 6 === 0) storage.createTrial(other, { state: 'COMPLETE', params: { x: { internal: 1, distribution: X } }, values: [i] });
  }
  return main;
}

/** The chunks read, joined. */
function collect(storage: Storage, studyId: number): { size: number; trialId: number[]; number: number[]; values: number[][]; feasible: number[] } {
  const chunks: ObjectiveValues[] = [];
  // Copies: a chunk's arrays are reused for the next one.
  readObjectiveValues(storage, studyId, (c) => chunks.push({ size: c.size, trialId: c.trialId.slice(), number: c.number.slice(), values: c.values.map((v) => v.slice()), feasible: c.feasible.slice() }));
  const nObjectives = storage.getStudyDirections(studyId).length;
  return {
    size: chunks.reduce((n, c) => n + c.size, 0),
    trialId: chunks.flatMap((c) => [...c.trialId]),
    number: chunks.flatMap((c) => [...c.number]),
    values: Array.from({ length: nObjectives }, (_, k) => chunks.flatMap((c) => [...c.values[k]])),
    feasible: chunks.flatMap((c) => [...c.feasible]),
  };
}

describe('objective values and trials by id', () => {
  it('the fallback: COMPLETE trials in number order, infeasible marked', () => {
    const s = new InMemoryStorage();
    const id = fill(s);
    const v = collect(s, id);
    const complete = s.getAllTrials(id, ['COMPLETE']);
    expect(v.size).toBe(complete.length);
    expect([...v.number]).toEqual(complete.map((t) => t.number));
    expect([...v.values[0]]).toEqual(complete.map((t) => t.values![0]));
    expect([...v.values[1]]).toEqual(complete.map((t) => t.values![1]));
    expect([...v.feasible]).toEqual(complete.map((t) => (t.number % 10 === 0 ? 0 : 1)));
    expect(readTrialsById(s, [complete[3].trialId, complete[0].trialId]).map((t) => t.number)).toEqual([complete[3].number, complete[0].number]);
  });

  it('reads a study of more than one chunk in number order (SQLite, 120,000 trials)', () => {
    const t = tempDir('studyopt-objective-values-');
    try {
      const path = join(t.dir, 'big.db');
      buildBigStudy(path, 1000, { studyName: 'before' });
      const id = buildBigStudy(path, 120_000, { studyName: 'big' });
      const r = new SqliteStorage(path, { readonly: true });
      try {
        const sizes: number[] = [];
        readObjectiveValues(r, id, (c) => sizes.push(c.size));
        expect(sizes.length).toBeGreaterThan(1);
        const v = collect(r, id);
        expect(v.size).toBe(120_000);
        expect(v.number).toEqual(Array.from({ length: 120_000 }, (_, i) => i));
        // The same values as the table reader's (another statement over the same rows).
        const table = readTrialTable(r, id);
        const column = table.values[0];
        expect(column.kind).toBe('numbers');
        expect(v.values[0]).toEqual([...(column as { data: Float64Array }).data]);
        expect(v.feasible.every((f) => f === 1)).toBe(true);
      } finally {
        r.close();
      }
    } finally {
      t.cleanup();
    }
  }, 120_000);

  for (const c of readerStoreCases('objective_values')) {
    it(`${c.name} reads the same as the fallback`, async () => {
      const { writer, reader } = await c.open();
      const id = fill(writer);
      writer.close();
      const r = reader();
      try {
        expect(collect(r, id)).toEqual(collect(withoutFastPath(r), id));
        const ids = r.getAllTrials(id).map((t) => t.trialId).reverse();
        expect(readTrialsById(r, ids)).toEqual(readTrialsById(withoutFastPath(r), ids));
        expect(r.readObjectiveValues?.(id, () => {})).toBe(true);
      } finally {
        r.close();
      }
    });
  }
});
