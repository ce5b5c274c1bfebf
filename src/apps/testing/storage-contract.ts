/**
 * The storage contract as a suite any backend can run (`studyopt/testing`): what every store must
 * do as the in-memory reference does. studyopt runs it on memory, SQLite and PostgreSQL
 * (test/storage/contract.test.ts); a third backend runs it the same way, with its test runner's
 * functions:
 *
 *   import { afterEach, beforeEach, describe, expect, it } from 'vitest';
 *   import { storageContract } from 'studyopt/testing';
 *   storageContract({ describe, it, expect, beforeEach, afterEach }, { name: 'MyStorage', open: () => new MyStorage(...) });
 *
 * `open` gives a fresh, empty store for each test (heartbeats off: a trial that never beat must
 * count as in memory); `dispose` removes what it made, after the store is closed.
 */
import { categoricalDistribution, floatDistribution, intDistribution, ordinalDistribution } from '../../distributions.js';
import { DuplicatedStudyError, TrialFinishedError, UsageError } from '../../errors.js';
import type { TrialState } from '../../frozen-trial.js';
import { type CreatedTrial, type Storage, isCreated, studySummary } from '../../storage/storage.js';
import { bestTrials, summarizeTrials } from '../../storage/trial-statistics.js';
import { createStudy } from '../../study.js';
import { GridSampler } from '../../../samplers/grid.js';

/** The parts of a test runner the suite uses (vitest's and jest's have them). */
export interface TestApi {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => unknown, timeoutMs?: number): void;
  // The runner's own assertion library: typed loosely so that any runner's fits.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  expect(actual: unknown): any;
  beforeEach(fn: () => unknown): void;
  afterEach(fn: () => unknown): void;
}

export interface StorageUnderTest {
  /** Shown in the suite's name. */
  name: string;
  /** A fresh, empty store for one test. */
  open(): Storage | Promise<Storage>;
  /** Removes what `open` made (a file, a database), after the store is closed. */
  dispose?(): void | Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function created(r: ReturnType<Storage['createTrial']>): CreatedTrial {
  if (!isCreated(r)) throw new Error(`expected a trial, got refused: ${r.refused}`);
  return r;
}

/** Registers the contract's tests for one backend with the runner. */
export function storageContract(api: TestApi, backend: StorageUnderTest): void {
  const { describe, it, expect, beforeEach, afterEach } = api;
  describe(`storage contract: ${backend.name}`, () => {
    let storage: Storage;

    beforeEach(async () => {
      storage = await backend.open();
    });
    afterEach(async () => {
      storage.close();
      await backend.dispose?.();
    });

    it('creates, finds, lists and deletes studies', () => {
      const a = storage.createStudy('a', ['minimize']);
      const b = storage.createStudy('b', ['maximize', 'minimize']);
      expect(a).not.toBe(b);
      expect(storage.findStudyId('a')).toBe(a);
      expect(storage.findStudyId('nope')).toBeNull();
      expect(storage.getStudyName(b)).toBe('b');
      expect(storage.getStudyDirections(b)).toEqual(['maximize', 'minimize']);
      expect(() => storage.createStudy('a', ['minimize'])).toThrow(DuplicatedStudyError);
      expect(storage.getAllStudies().map((s) => s.studyName)).toEqual(['a', 'b']);
      created(storage.createTrial(a));
      storage.deleteStudy(a);
      expect(storage.findStudyId('a')).toBeNull();
      expect(storage.getAllStudies().map((s) => s.studyName)).toEqual(['b']);
      expect(() => storage.getStudyName(a)).toThrow(UsageError);
    });

    it('summarises one study as the list of all does', () => {
      const a = storage.createStudy('a', ['minimize']);
      const b = storage.createStudy('b', ['maximize']);
      created(storage.createTrial(a, { state: 'COMPLETE', values: [1] }));
      created(storage.createTrial(b, { state: 'WAITING' }));
      created(storage.createTrial(b, { state: 'COMPLETE', values: [2] }));
      storage.setStudyUserAttr(b, 'note', 'x');
      storage.flush?.();
      for (const id of [a, b]) expect(studySummary(storage, id)).toEqual(storage.getAllStudies().find((s) => s.studyId === id));
      expect(studySummary(storage, a + b + 1000)).toBeNull();
    });

    it('keeps study attributes as JSON values', () => {
      const s = storage.createStudy('s', ['minimize']);
      storage.setStudyUserAttr(s, 'symbol', 'AAPL');
      storage.setStudyUserAttr(s, 'nested', { a: [1, 2.5, null], b: 'text', ü: true });
      storage.setStudySystemAttr(s, 'study:metric_names', ['sharpe']);
      storage.setStudyUserAttr(s, 'symbol', 'NVDA');
      expect(storage.getStudyUserAttrs(s)).toEqual({ symbol: 'NVDA', nested: { a: [1, 2.5, null], b: 'text', ü: true } });
      expect(storage.getStudySystemAttrs(s)).toEqual({ 'study:metric_names': ['sharpe'] });
    });

    it('finds the best feasible COMPLETE trial: the lowest number among equals, infinities beyond every finite value', () => {
      const min = storage.createStudy('min', ['minimize']);
      const max = storage.createStudy('max', ['maximize']);
      expect(storage.getBestTrial(min)).toBeNull();
      const add = (study: number, value: number | null, state: TrialState = 'COMPLETE', constraints?: number[]): number => {
        const t = created(storage.createTrial(study, { state, values: value === null ? null : [value], systemAttrs: constraints ? { constraints } : {} }));
        return t.number;
      };
      add(min, 5);
      add(min, -3, 'FAIL');
      add(min, -7, 'COMPLETE', [0.5]); // infeasible: the best value, skipped
      const first2 = add(min, 2);
      add(min, 2);
      add(min, 2, 'COMPLETE', [1]);
      expect(storage.getBestTrial(min)?.number).toBe(first2);
      const negInf = add(min, -Infinity);
      expect(storage.getBestTrial(min)?.number).toBe(negInf);
      add(max, Infinity, 'COMPLETE', [2]); // infeasible
      add(max, 1);
      const best = add(max, 9);
      add(max, -Infinity);
      expect(storage.getBestTrial(max)?.number).toBe(best);
      const posInf = add(max, Infinity);
      expect(storage.getBestTrial(max)?.number).toBe(posInf);
    });

    it("summarises a number over COMPLETE trials and ranks the best, as reading every trial does", () => {
      const max = storage.createStudy('max', ['maximize']);
      const add = (value: number | null, sharpe: unknown, state: TrialState = 'COMPLETE'): number =>
        created(storage.createTrial(max, { state, values: value === null ? null : [value], userAttrs: { sharpe_ratio: sharpe } })).number;
      add(1.5, 1.5);
      add(-0.5, -0.5);
      add(3, 'n/a'); // not a number: left out of the attribute's sums
      add(9, 9, 'FAIL');
      add(Infinity, Infinity); // not finite: left out
      add(3, 2);
      add(2.5, 2.5);
      // Through the helpers: the store's own SQL where it has it, else every trial read.
      for (const source of ['value', { userAttr: 'sharpe_ratio' }] as const) {
        const xs = source === 'value' ? [1.5, -0.5, 3, 3, 2.5] : [1.5, -0.5, 2, 2.5];
        const summary = summarizeTrials(storage, max, source);
        expect(summary.count).toBe(xs.length);
        expect(summary.sum).toBeCloseTo(xs.reduce((a, b) => a + b, 0), 12);
        expect(summary.sumOfSquares).toBeCloseTo(xs.reduce((a, b) => a + b * b, 0), 12);
      }
      expect(bestTrials(storage, max, 3).map((t) => t.number)).toEqual([2, 5, 6]);
      expect(summarizeTrials(storage, storage.createStudy('empty', ['minimize']), 'value')).toEqual({ count: 0, sum: 0, sumOfSquares: 0 });
    });

    it('summarises and ranks a study alone in its store whose trials all completed', () => {
      const solo = storage.createStudy('solo', ['minimize']);
      for (const v of [4, -1, 2.5, -1]) created(storage.createTrial(solo, { state: 'COMPLETE', values: [v] }));
      expect(summarizeTrials(storage, solo, 'value')).toEqual({ count: 4, sum: 4.5, sumOfSquares: 16 + 1 + 6.25 + 1 });
      expect(bestTrials(storage, solo, 3).map((t) => t.number)).toEqual([1, 3, 2]);
    });

    it('numbers trials densely per study and keeps everything a trial holds', () => {
      const s = storage.createStudy('s', ['minimize']);
      const other = storage.createStudy('other', ['minimize']);
      const t0 = created(storage.createTrial(s));
      created(storage.createTrial(other));
      const t1 = created(storage.createTrial(s));
      expect([t0.number, t1.number]).toEqual([0, 1]);
      const x = floatDistribution(-5, 5);
      const n = intDistribution(1, 10);
      const c = categoricalDistribution(['adam', 'sgd', null, 3]);
      const o = ordinalDistribution([40, 60, 90, 120]);
      storage.setTrialParam(t0.trialId, 'x', 0.5, x);
      storage.setTrialParam(t0.trialId, 'n', 6, n);
      storage.setTrialParam(t0.trialId, 'c', 2, c);
      storage.setTrialParam(t0.trialId, 'o', 3, o);
      storage.setTrialUserAttr(t0.trialId, 'note', 'first');
      storage.setTrialSystemAttr(t0.trialId, 'constraints', [-1, 0]);
      storage.setTrialIntermediateValue(t0.trialId, 0, 1.5);
      storage.setTrialIntermediateValue(t0.trialId, 1, -Infinity);
      const running = storage.getTrial(t0.trialId);
      expect(running.state).toBe('RUNNING');
      expect(running.params).toEqual({ x: 0.5, n: 6, c: null, o: 120 });
      expect(Object.keys(running.params)).toEqual(['x', 'n', 'c', 'o']);
      expect(storage.setTrialStateValues(t0.trialId, 'COMPLETE', [0.25])).toBe(true);
      const t = storage.getTrial(t0.trialId);
      expect(t.state).toBe('COMPLETE');
      expect(t.values).toEqual([0.25]);
      expect(t.params).toEqual({ x: 0.5, n: 6, c: null, o: 120 });
      expect(Object.keys(t.params)).toEqual(['x', 'n', 'c', 'o']);
      expect(t.distributions).toEqual({ x, n, c, o });
      expect(t.userAttrs).toEqual({ note: 'first' });
      expect(t.systemAttrs).toEqual({ constraints: [-1, 0] });
      expect([...t.intermediateValues]).toEqual([
        [0, 1.5],
        [1, -Infinity],
      ]);
      expect(t.datetimeStart).toBeInstanceOf(Date);
      expect(t.datetimeComplete!.getTime()).toBeGreaterThanOrEqual(t.datetimeStart!.getTime());
      const all = storage.getAllTrials(s);
      expect(all.map((x) => x.number)).toEqual([0, 1]);
      expect(storage.getAllTrials(s, ['COMPLETE']).map((x) => x.trialId)).toEqual([t0.trialId]);
      expect(storage.getAllTrials(s, ['RUNNING']).map((x) => x.trialId)).toEqual([t1.trialId]);
      expect(storage.getNTrials(s)).toBe(2);
      expect(storage.getNTrials(s, ['COMPLETE', 'PRUNED'])).toBe(1);
    });

    it('stores infinite values and several objectives', () => {
      const s = storage.createStudy('mo', ['minimize', 'maximize']);
      const t = created(storage.createTrial(s));
      storage.setTrialStateValues(t.trialId, 'COMPLETE', [Infinity, -Infinity]);
      expect(storage.getTrial(t.trialId).values).toEqual([Infinity, -Infinity]);
    });

    it('refuses writes to finished trials, and setTrialStateValues answers false', () => {
      const s = storage.createStudy('s', ['minimize']);
      const t = created(storage.createTrial(s));
      expect(storage.setTrialStateValues(t.trialId, 'FAIL')).toBe(true);
      expect(storage.setTrialStateValues(t.trialId, 'COMPLETE', [1])).toBe(false);
      expect(storage.getTrial(t.trialId).state).toBe('FAIL');
      expect(storage.getTrial(t.trialId).values).toBeNull();
      expect(() => storage.setTrialParam(t.trialId, 'x', 1, floatDistribution(0, 2))).toThrow(TrialFinishedError);
      expect(() => storage.setTrialUserAttr(t.trialId, 'k', 1)).toThrow(TrialFinishedError);
      expect(() => storage.setTrialSystemAttr(t.trialId, 'k', 1)).toThrow(TrialFinishedError);
      expect(() => storage.setTrialIntermediateValue(t.trialId, 0, 1)).toThrow(TrialFinishedError);
      expect(() => storage.getTrial(987654)).toThrow(UsageError);
    });

    it('creates trials from templates and pops WAITING trials oldest first', () => {
      const s = storage.createStudy('s', ['minimize']);
      const w1 = created(storage.createTrial(s, { state: 'WAITING', systemAttrs: { fixed_params: { x: 1 } }, userAttrs: { why: 'first' } }));
      const w2 = created(storage.createTrial(s, { state: 'WAITING', systemAttrs: { fixed_params: { x: 2 } } }));
      const done = created(
        storage.createTrial(s, {
          state: 'COMPLETE',
          params: { x: { internal: 0.5, distribution: floatDistribution(0, 1) } },
          values: [3],
          intermediateValues: new Map([[0, 4]]),
        }),
      );
      expect(storage.getTrial(w1.trialId).datetimeStart).toBeNull();
      const d = storage.getTrial(done.trialId);
      expect(d.state).toBe('COMPLETE');
      expect(d.values).toEqual([3]);
      expect(d.params).toEqual({ x: 0.5 });
      expect(d.datetimeComplete).not.toBeNull();
      const p1 = storage.popWaitingTrial(s);
      expect(p1).toEqual({ trialId: w1.trialId, number: 0 });
      const t1 = storage.getTrial(w1.trialId);
      expect(t1.state).toBe('RUNNING');
      expect(t1.datetimeStart).not.toBeNull();
      expect(t1.systemAttrs).toEqual({ fixed_params: { x: 1 } });
      expect(t1.userAttrs).toEqual({ why: 'first' });
      expect(storage.popWaitingTrial(s)?.trialId).toBe(w2.trialId);
      expect(storage.popWaitingTrial(s)).toBeNull();
    });

    it('refuses a trial once the limit is reached, counting the given states', () => {
      const s = storage.createStudy('s', ['minimize']);
      const limit = { max: 2, states: ['COMPLETE', 'PRUNED', 'RUNNING'] as const };
      const a = created(storage.createTrial(s, {}, { limit: { ...limit, states: [...limit.states] } }));
      const b = created(storage.createTrial(s, {}, { limit: { ...limit, states: [...limit.states] } }));
      expect(storage.createTrial(s, {}, { limit: { ...limit, states: [...limit.states] } })).toEqual({ refused: 'limit' });
      storage.setTrialStateValues(a.trialId, 'FAIL');
      const c = created(storage.createTrial(s, {}, { limit: { ...limit, states: [...limit.states] } }));
      storage.setTrialStateValues(b.trialId, 'COMPLETE', [1]);
      storage.setTrialStateValues(c.trialId, 'PRUNED');
      expect(storage.createTrial(s, {}, { limit: { ...limit, states: [...limit.states] } })).toEqual({ refused: 'limit' });
      expect(storage.getNTrials(s)).toBe(3);
    });

    it('hands each claim value to one trial, retries released values and refuses when none is left', () => {
      const s = storage.createStudy('s', ['minimize']);
      const candidates = Int32Array.from([3, 1, 2, 0]);
      const claim = { key: 'grid_id', candidates, releaseStates: ['FAIL' as const] };
      const got: number[] = [];
      const ids: number[] = [];
      for (let i = 0; i < 4; i++) {
        const t = created(storage.createTrial(s, {}, { claim }));
        got.push(t.claimed!);
        ids.push(t.trialId);
        expect(storage.getTrial(t.trialId).systemAttrs.grid_id).toBe(t.claimed);
      }
      expect(got).toEqual([3, 1, 2, 0]);
      expect(storage.createTrial(s, {}, { claim })).toEqual({ refused: 'claim' });
      storage.setTrialStateValues(ids[0], 'COMPLETE', [1]);
      storage.setTrialStateValues(ids[1], 'FAIL');
      const again = created(storage.createTrial(s, {}, { claim }));
      expect(again.claimed).toBe(1);
      expect(storage.createTrial(s, {}, { claim })).toEqual({ refused: 'claim' });
      // Without release states, a failed value stays taken.
      const strict = { key: 'grid_id', candidates, releaseStates: [] };
      storage.setTrialStateValues(again.trialId, 'FAIL');
      expect(storage.createTrial(s, {}, { claim: strict })).toEqual({ refused: 'claim' });
      // maxClaims: value 1 has been held twice (both FAILed), so with maxClaims 2 it is not handed
      // out a third time, while with 3 it is.
      expect(storage.createTrial(s, {}, { claim: { ...claim, maxClaims: 2 } })).toEqual({ refused: 'claim' });
      const third = created(storage.createTrial(s, {}, { claim: { ...claim, maxClaims: 3 } }));
      expect(third.claimed).toBe(1);
    });

    it('retries a grid point that always fails a bounded number of times (maxRetries)', async () => {
      const study = createStudy({ studyName: 'retry', storage, sampler: new GridSampler({ a: [0, 1, 2, 3, 4] }) });
      const summary = await study.optimize(
        (t) => {
          const a = t.suggestInt('a', 0, 4);
          if (a === 3) throw new Error('this point always fails');
          return a;
        },
        { timeout: 5 },
      );
      // 5 points, the failing one tried twice (maxRetries 1), then the grid is exhausted.
      expect(summary.stopReason).toBe('exhausted');
      expect(study.trials.map((t) => t.state).filter((st) => st === 'FAIL').length).toBe(2);
      expect(study.trials.length).toBe(6);
    });

    it('fails stale RUNNING trials, and never one that beat within the grace period', async () => {
      const s = storage.createStudy('s', ['minimize']);
      const beating = created(storage.createTrial(s));
      const silent = created(storage.createTrial(s));
      const fresh = created(storage.createTrial(s));
      storage.recordHeartbeat([beating.trialId]);
      await sleep(1100);
      storage.recordHeartbeat([fresh.trialId]);
      const failed = storage.failStaleTrials(s, 1);
      // A trial that never beat is left alone, or (a store that knows it started it) counted from its start.
      expect(failed.filter((id) => id !== silent.trialId)).toEqual([beating.trialId]);
      const t = storage.getTrial(beating.trialId);
      expect(t.state).toBe('FAIL');
      expect(typeof t.systemAttrs.fail_reason).toBe('string');
      expect(storage.getTrial(silent.trialId).state).toBe(failed.includes(silent.trialId) ? 'FAIL' : 'RUNNING');
      expect(storage.getTrial(fresh.trialId).state).toBe('RUNNING');
      expect(storage.setTrialStateValues(beating.trialId, 'COMPLETE', [1])).toBe(false);
    });

    it('summarises studies: counts by state, first and last activity', () => {
      const s = storage.createStudy('s', ['maximize']);
      storage.setStudyUserAttr(s, 'k', 'v');
      const a = created(storage.createTrial(s));
      created(storage.createTrial(s));
      created(storage.createTrial(s, { state: 'WAITING' }));
      storage.setTrialStateValues(a.trialId, 'COMPLETE', [2]);
      const [sum] = storage.getAllStudies();
      expect(sum.studyName).toBe('s');
      expect(sum.directions).toEqual(['maximize']);
      expect(sum.nTrials).toBe(3);
      expect(sum.countsByState).toEqual({ RUNNING: 1, COMPLETE: 1, PRUNED: 0, FAIL: 0, WAITING: 1 });
      expect(sum.datetimeStart).toBeInstanceOf(Date);
      expect(sum.lastActivity!.getTime()).toBeGreaterThanOrEqual(sum.datetimeStart!.getTime());
      expect(sum.userAttrs).toEqual({ k: 'v' });
    });

    it('returns snapshots that later writes do not change', () => {
      const s = storage.createStudy('s', ['minimize']);
      const t = created(storage.createTrial(s));
      const before = storage.getTrial(t.trialId);
      storage.setTrialParam(t.trialId, 'x', 0.5, floatDistribution(0, 1));
      storage.setTrialUserAttr(t.trialId, 'k', 1);
      expect(before.params).toEqual({});
      expect(before.userAttrs).toEqual({});
      expect(storage.getTrial(t.trialId).params).toEqual({ x: 0.5 });
    });
  });
}
