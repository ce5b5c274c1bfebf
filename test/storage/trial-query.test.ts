/**
 * Pages and changes of a study's trials (storage/trial-query.ts): the SQL stores' own queries
 * must give exactly what the rule over getAllTrials gives, on SQLite and PostgreSQL, for every
 * order, direction, filter and page; and a reader following a study with trialChanges sees each
 * new trial and each state change once, and nothing else.
 */
import { describe, expect, it } from 'vitest';
import { categoricalDistribution, floatDistribution, intDistribution } from '../../src/distributions.js';
import type { TrialState } from '../../src/frozen-trial.js';
import { UsageError } from '../../src/errors.js';
import { InMemoryStorage } from '../../src/storage/in-memory.js';
import type { Storage } from '../../src/storage/storage.js';
import { readerStoreCases } from './reader-stores.js';
import { EMPTY_CURSOR, type TrialCursor, type TrialQuery, queryTrials, trialChanges } from '../../src/storage/trial-query.js';

const X = floatDistribution(-5, 5);
const N = intDistribution(0, 20);
const KIND = categoricalDistribution([3, 'b', 7]);
const VALUES = [2.5, -1, Infinity, 0, -Infinity, 2.5, 1e-9, -3.25, 7];
const STATES: TrialState[] = ['COMPLETE', 'COMPLETE', 'FAIL', 'COMPLETE', 'RUNNING', 'COMPLETE', 'PRUNED', 'WAITING', 'COMPLETE', 'COMPLETE'];

/** The same store without its own queries: what queryTrials and trialChanges fall back on. */
function withoutFastPath(storage: Storage): Storage {
  return new Proxy(storage, {
    get(target, key) {
      if (key === 'queryTrials' || key === 'trialChanges') return undefined;
      const v = Reflect.get(target, key, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** Trials of every kind: states, ±inf and tied values, a conditional int, a numeric-looking categorical; another study in between. */
function fill(storage: Storage): number {
  const main = storage.createStudy('main', ['minimize', 'maximize']);
  const other = storage.createStudy('other', ['minimize']);
  for (let i = 0; i < 60; i++) {
    const state = STATES[i % STATES.length];
    storage.createTrial(main, {
      state,
      params: {
        x: { internal: ((i * 37) % 100) / 10 - 5, distribution: X },
        ...(i % 3 === 0 ? { n: { internal: i % 21, distribution: N } } : {}),
        kind: { internal: i % 3, distribution: KIND },
      },
      values: state === 'COMPLETE' ? [VALUES[i % VALUES.length], i % 4] : null,
    });
    if (i % 7 === 0) storage.createTrial(other, { state: 'COMPLETE', params: { x: { internal: 1, distribution: X } }, values: [i] });
  }
  return main;
}

const QUERIES: TrialQuery[] = [
  { limit: 10 },
  { limit: 10, offset: 55 },
  { limit: 7, offset: 3, descending: true },
  { limit: 100, orderBy: { objective: 0 } },
  { limit: 100, orderBy: { objective: 0 }, descending: true },
  { limit: 5, offset: 4, orderBy: { objective: 1 }, descending: true },
  { limit: 100, states: ['COMPLETE'], orderBy: { objective: 0 } },
  { limit: 100, states: ['RUNNING', 'WAITING'] },
  { limit: 100, states: [] },
  { limit: 100, params: [{ name: 'x', min: -1, max: 2.2 }] },
  { limit: 100, params: [{ name: 'x', min: 0 }, { name: 'n', max: 9 }], orderBy: { objective: 0 } },
  { limit: 100, params: [{ name: 'kind', min: 0, max: 10 }] }, // a categorical: no trial matches
  { limit: 100, params: [{ name: 'nothing', min: 0 }] },
  { limit: 0, states: ['COMPLETE'] },
  // Value-order pages across the end of the trials with a value, and past it.
  { limit: 10, offset: 30, orderBy: { objective: 0 } },
  { limit: 10, offset: 40, orderBy: { objective: 1 }, descending: true },
  { limit: 10, offset: 33, orderBy: { objective: 0 }, params: [{ name: 'x', max: 3 }] },
  // Counts that stop.
  { limit: 5, countUpTo: 10 },
  { limit: 5, countUpTo: 0 },
  { limit: 5, countUpTo: 1000, orderBy: { objective: 0 } },
  { limit: 5, params: [{ name: 'x', min: -1, max: 2.2 }], countUpTo: 3 },
];

const CASES = readerStoreCases('trial_query');

describe('queryTrials', () => {
  it('follows the rule over getAllTrials (in memory)', () => {
    const storage = new InMemoryStorage();
    const main = fill(storage);
    const numbersOf = (q: TrialQuery) => queryTrials(storage, main, q).trials.map((t) => t.number);
    // Minimisation order: -inf first, ties by number, no value last.
    const byValue = queryTrials(storage, main, { limit: 100, orderBy: { objective: 0 } });
    expect(byValue.total).toBe(60);
    const values = byValue.trials.map((t) => t.values?.[0]);
    const firstMissing = values.findIndex((v) => v === undefined);
    expect(values.slice(0, firstMissing)).toEqual([...values.slice(0, firstMissing)].sort((a, b) => a! - b!));
    expect(values[0]).toBe(-Infinity);
    expect(values.slice(firstMissing).every((v) => v === undefined)).toBe(true);
    expect(numbersOf({ limit: 3 })).toEqual([0, 1, 2]);
    expect(numbersOf({ limit: 3, descending: true })).toEqual([59, 58, 57]);
    expect(queryTrials(storage, main, { limit: 100, states: ['WAITING'] }).trials.every((t) => t.state === 'WAITING')).toBe(true);
  });

  it('refuses a bad query with a message naming it', () => {
    const storage = new InMemoryStorage();
    const main = fill(storage);
    expect(() => queryTrials(storage, main, { limit: -1 })).toThrow(UsageError);
    expect(() => queryTrials(storage, main, { limit: 5, offset: 1.5 })).toThrow(/offset/);
    expect(() => queryTrials(storage, main, { limit: 5, orderBy: { objective: 2 } })).toThrow(/2 objective/);
    expect(() => queryTrials(storage, main, { limit: 5, states: ['DONE' as TrialState] })).toThrow(/unknown state 'DONE'/);
    expect(() => queryTrials(storage, main, { limit: 5, params: [{ name: 'x', min: NaN }] })).toThrow(/min of parameter 'x'/);
  });

  for (const store of CASES) {
    it(`gives on ${store.name} exactly what the rule gives`, async () => {
      const { writer, reader } = await store.open();
      const main = fill(writer);
      writer.flush?.();
      const storage = reader();
      try {
        expect(storage.queryTrials?.(main, { limit: 1 })).not.toBeNull(); // the fast path answers
        // The small study beside it too (the SQL stores order its values through its own trials).
        for (const [study, q] of [...QUERIES.map((q) => [main, q] as const), ...QUERIES.map((q) => [storage.findStudyId('other')!, q] as const).filter(([, q]) => q.orderBy === undefined || q.orderBy === 'number' || q.orderBy.objective === 0)]) {
          const fast = queryTrials(storage, study, q);
          const rule = queryTrials(withoutFastPath(storage), study, q);
          expect({ q, total: fast.total, capped: fast.totalCapped ?? false, numbers: fast.trials.map((t) => t.number) }).toEqual({ q, total: rule.total, capped: rule.totalCapped ?? false, numbers: rule.trials.map((t) => t.number) });
          expect(fast.trials).toEqual(rule.trials);
        }
      } finally {
        storage.close();
        writer.close();
      }
    });
  }
});

describe('trialChanges', () => {
  /** Follows `main` from the start and from now, through new trials and state changes, checking each step against the rule. */
  async function follow(writer: Storage, readerOf: () => Storage): Promise<void> {
    const main = writer.createStudy('main', ['minimize']);
    const add = (state: TrialState) => (writer.createTrial(main, { state, ...(state === 'COMPLETE' ? { values: [1] } : {}) }) as { trialId: number }).trialId;
    const a = add('COMPLETE');
    const b = add('RUNNING');
    const c = add('WAITING');
    writer.flush?.();
    const storage = readerOf();
    const fromNow = trialChanges(storage, main, null);
    expect(fromNow.trials).toEqual([]);
    expect(fromNow.cursor.lastTrialId).toBe(c);
    expect([...fromNow.cursor.open]).toEqual([
      [b, 'RUNNING'],
      [c, 'WAITING'],
    ]);

    let fromStart: TrialCursor = EMPTY_CURSOR;
    const first = trialChanges(storage, main, fromStart, 2);
    expect(first.trials.map((t) => t.trialId)).toEqual([a, b]);
    expect(first.more).toBe(true);
    const second = trialChanges(storage, main, first.cursor, 2);
    expect(second.trials.map((t) => t.trialId)).toEqual([c]);
    expect(second.more).toBe(false);
    fromStart = second.cursor;

    // Nothing happened: nothing to read.
    expect(trialChanges(storage, main, fromStart).trials).toEqual([]);

    writer.setTrialStateValues(b, 'COMPLETE', [0.5]);
    const d = add('RUNNING');
    const popped = writer.popWaitingTrial(main);
    expect(popped?.trialId).toBe(c);
    writer.flush?.();
    for (const cursor of [fromStart, fromNow.cursor]) {
      const step = trialChanges(storage, main, cursor);
      expect(step.trials.map((t) => [t.trialId, t.state])).toEqual([
        [b, 'COMPLETE'],
        [c, 'RUNNING'],
        [d, 'RUNNING'],
      ]);
      expect(step.trials[0].values).toEqual([0.5]);
      expect([...step.cursor.open].sort()).toEqual([
        [c, 'RUNNING'],
        [d, 'RUNNING'],
      ]);
      const rule = trialChanges(withoutFastPath(storage), main, cursor);
      expect(step.trials).toEqual(rule.trials);
      expect(step.cursor).toEqual(rule.cursor);
      expect(trialChanges(storage, main, step.cursor).trials).toEqual([]);
    }
    if (storage !== writer) storage.close();
  }

  it('sees each new trial and each state change once (in memory)', async () => {
    const storage = new InMemoryStorage();
    await follow(storage, () => storage);
  });

  for (const store of CASES) {
    it(`sees each new trial and each state change once on ${store.name}, as the rule does`, async () => {
      const { writer, reader } = await store.open();
      try {
        await follow(writer, () => {
          const r = reader();
          expect(r.trialChanges?.(1, null, 1)).not.toBeNull(); // the fast path answers
          return r;
        });
      } finally {
        writer.close();
      }
    });
  }
});
