import { describe, expect, it } from 'vitest';
import { TrialPruned, UsageError, TrialFinishedError } from '../../src/errors.js';
import { MedianPruner } from '../../src/pruners/median.js';
import { InMemoryStorage } from '../../src/storage/in-memory.js';
import { createStudy, loadStudy } from '../../src/study.js';
import { RandomSampler } from '../../samplers/random.js';

const quadratic = (t: { suggestFloat(n: string, l: number, h: number): number }) => {
  const x = t.suggestFloat('x', -10, 10);
  return (x - 2) ** 2;
};

describe('ask and tell', () => {
  it('numbers trials from zero and records values and params', () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 1 }) });
    const a = study.ask();
    const b = study.ask();
    expect([a.number, b.number]).toEqual([0, 1]);
    const x = a.suggestFloat('x', 0, 1);
    const frozen = study.tell(a, x * 2);
    expect(frozen.state).toBe('COMPLETE');
    expect(frozen.values).toEqual([x * 2]);
    expect(frozen.params).toEqual({ x });
    expect(frozen.datetimeComplete).toBeInstanceOf(Date);
    expect(study.getTrials({ states: ['RUNNING'] }).map((t) => t.number)).toEqual([1]);
    study.tell(b.number, 5);
    expect(study.bestValue).toBe(Math.min(x * 2, 5));
  });

  it('refuses to tell a trial twice', () => {
    const study = createStudy();
    const t = study.ask();
    study.tell(t, 1);
    expect(() => study.tell(t, 2)).toThrow(TrialFinishedError);
    expect(() => t.suggestFloat('y', 0, 1)).toThrow(TrialFinishedError);
    expect(study.tell(t, 3, { skipIfFinished: true }).values).toEqual([1]);
  });

  it('marks NaN, infinite or missing values FAIL with the reason kept', () => {
    const study = createStudy();
    const cases: [number | number[] | null, RegExp][] = [
      [Number.NaN, /NaN/],
      [Infinity, /Infinity/],
      [[1, 2], /1 objective\(s\) but the objective returned 2/],
      [null, /no value/],
    ];
    for (const [value, reason] of cases) {
      const t = study.ask();
      const frozen = study.tell(t, value, value === null ? { state: 'COMPLETE' } : {});
      expect(frozen.state).toBe('FAIL');
      expect(frozen.values).toBeNull();
      expect(String(frozen.systemAttrs.fail_reason)).toMatch(reason);
    }
  });

  it('rejects one name suggested with two different distributions in one study', () => {
    const study = createStudy();
    const t1 = study.ask();
    t1.suggestFloat('p', 0, 1);
    study.tell(t1, 0);
    const t2 = study.ask();
    expect(() => t2.suggestInt('p', 0, 1)).toThrow(/two different distributions/);
    expect(() => t2.suggestFloat('p', 0, 2)).not.toThrow(); // a changed range is allowed, as in Optuna
  });

  it('returns the same value when a parameter is suggested twice in a trial', () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 3 }) });
    const t = study.ask();
    expect(t.suggestFloat('x', 0, 1)).toBe(t.suggestFloat('x', 0, 1));
  });
});

describe('optimize', () => {
  it('runs nTrials trials and finds a decent minimum', async () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 0 }) });
    const summary = await study.optimize(quadratic, { nTrials: 200 });
    expect(summary).toMatchObject({ nTrials: 200, completed: 200, failed: 0, stopReason: 'nTrials' });
    expect(study.trials).toHaveLength(200);
    expect(study.bestValue).toBeLessThan(0.1);
    expect(Math.abs((study.bestParams.x as number) - 2)).toBeLessThan(0.4);
  });

  it('accepts async objectives', async () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 0 }) });
    await study.optimize(async (t) => {
      await new Promise((r) => setTimeout(r, 1));
      return quadratic(t);
    }, { nTrials: 5 });
    expect(study.getTrials({ states: ['COMPLETE'] })).toHaveLength(5);
  });

  it('records a throwing objective as FAIL with its message and goes on', async () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 0 }) });
    const summary = await study.optimize((t) => {
      if (t.number % 2 === 0) throw new RangeError(`bad trial ${t.number}`);
      return quadratic(t);
    }, { nTrials: 6 });
    expect(summary).toMatchObject({ completed: 3, failed: 3 });
    const failed = study.getTrials({ states: ['FAIL'] });
    expect(failed.map((t) => t.systemAttrs.fail_reason)).toEqual(['RangeError: bad trial 0', 'RangeError: bad trial 2', 'RangeError: bad trial 4']);
  });

  it('re-throws errors not in `catch`, after recording the trial as FAIL', async () => {
    const study = createStudy();
    await expect(study.optimize(() => { throw new TypeError('boom'); }, { nTrials: 3, catch: [RangeError] })).rejects.toThrow('boom');
    expect(study.trials.map((t) => t.state)).toEqual(['FAIL']);
    await expect(study.optimize(() => { throw new Error('x'); }, { nTrials: 3, catch: 'none' })).rejects.toThrow('x');
  });

  it('records NaN results as FAIL and still finds the best among the rest', async () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 0 }) });
    await study.optimize((t) => (t.number === 0 ? Number.NaN : quadratic(t)), { nTrials: 10 });
    expect(study.trials[0].state).toBe('FAIL');
    expect(study.bestTrial.number).toBeGreaterThan(0);
  });

  it('stops when a callback calls study.stop(), and callbacks see each finished trial', async () => {
    const study = createStudy();
    const seen: number[] = [];
    const summary = await study.optimize(quadratic, {
      nTrials: 100,
      callbacks: [(s, frozen) => {
        seen.push(frozen.number);
        if (frozen.number === 4) s.stop();
      }],
    });
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(summary.stopReason).toBe('stopped');
  });

  it('stops at the timeout', async () => {
    const study = createStudy();
    const summary = await study.optimize(async (t) => {
      await new Promise((r) => setTimeout(r, 20));
      return quadratic(t);
    }, { timeout: 0.1 });
    expect(summary.stopReason).toBe('timeout');
    expect(summary.nTrials).toBeGreaterThan(0);
    expect(summary.nTrials).toBeLessThan(20);
  });

  it('stops dispatching when its abort signal fires and records the trial in flight', async () => {
    const study = createStudy();
    const controller = new AbortController();
    const summary = await study.optimize((t) => {
      if (t.number === 2) controller.abort();
      return quadratic(t);
    }, { nTrials: 50, signal: controller.signal });
    expect(summary).toMatchObject({ stopReason: 'aborted', nTrials: 3, completed: 3 });
  });

  it('ends with exactly targetFinished finished trials, however often it is resumed', async () => {
    const storage = new InMemoryStorage();
    const make = () => createStudy({ studyName: 's', storage, loadIfExists: true, sampler: new RandomSampler({ seed: 1 }) });
    await make().optimize((t) => (t.number % 3 === 0 ? Number.NaN : quadratic(t)), { targetFinished: 7, nTrials: 4 });
    const summary = await make().optimize((t) => (t.number % 3 === 0 ? Number.NaN : quadratic(t)), { targetFinished: 7 });
    expect(summary.stopReason).toBe('target');
    const study = make();
    expect(study.getTrials({ states: ['COMPLETE', 'PRUNED'] })).toHaveLength(7);
    expect(study.getTrials({ states: ['FAIL'] }).length).toBeGreaterThan(0); // failed trials do not count
  });
});

describe('pruning', () => {
  it('prunes a trial worse than the median with MedianPruner and stores PRUNED', async () => {
    const study = createStudy({ pruner: new MedianPruner({ nStartupTrials: 2 }), sampler: new RandomSampler({ seed: 0 }) });
    await study.optimize((t) => {
      const level = t.number < 3 ? 1 : 10; // later trials are worse at every step
      for (let step = 0; step < 5; step++) {
        t.report(level + step, step);
        if (t.shouldPrune()) throw new TrialPruned();
      }
      return level;
    }, { nTrials: 5 });
    const states = study.trials.map((t) => t.state);
    expect(states.slice(0, 3)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE']);
    expect(states.slice(3)).toEqual(['PRUNED', 'PRUNED']);
    expect(study.trials[3].values).toEqual([10]); // the last intermediate value, as Optuna
    expect(study.trials[3].intermediateValues.get(0)).toBe(10);
  });
});

describe('enqueueTrial', () => {
  it('runs enqueued parameters first, then sampled ones', async () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 0 }) });
    study.enqueueTrial({ x: 2 });
    study.enqueueTrial({ x: -1 }, { userAttrs: { source: 'manual' } });
    study.enqueueTrial({ x: 2 }, { skipIfExists: true });
    expect(study.getTrials({ states: ['WAITING'] })).toHaveLength(2);
    await study.optimize(quadratic, { nTrials: 4 });
    expect(study.trials.slice(0, 2).map((t) => t.params.x)).toEqual([2, -1]);
    expect(study.trials[1].userAttrs.source).toBe('manual');
    expect(study.bestValue).toBe(0);
  });

  it('rejects enqueued values outside the distribution', async () => {
    const study = createStudy();
    study.enqueueTrial({ x: 50 });
    await study.optimize(quadratic, { nTrials: 1 });
    expect(study.trials[0].state).toBe('FAIL');
    expect(String(study.trials[0].systemAttrs.fail_reason)).toMatch(/outside its distribution/);
  });
});

describe('constraints', () => {
  it('never makes an infeasible trial the best', async () => {
    const study = createStudy({
      sampler: new RandomSampler({ seed: 0 }),
      constraints: (t) => [(t.params.x as number) - 0], // feasible only for x <= 0
    });
    await study.optimize(quadratic, { nTrials: 100 });
    expect(study.bestParams.x as number).toBeLessThanOrEqual(0);
    expect(study.trials.some((t) => (t.params.x as number) > 0 && Array.isArray(t.systemAttrs.constraints))).toBe(true);
  });
});

describe('multi-objective', () => {
  it('stores all values and exposes the Pareto front as bestTrials', () => {
    const study = createStudy({ directions: ['minimize', 'maximize'] });
    const points: [number, number][] = [[1, 1], [2, 3], [3, 3], [0, 0], [2, 2], [1, 1]];
    for (const p of points) study.tell(study.ask(), p);
    expect(study.trials[1].values).toEqual([2, 3]);
    expect(study.bestTrials.map((t) => t.number)).toEqual([0, 1, 3, 5]);
    expect(() => study.bestTrial).toThrow(/bestTrials/);
  });
});

describe('studies and storage', () => {
  it('loads an existing study, refusing another direction', async () => {
    const storage = new InMemoryStorage();
    await createStudy({ studyName: 'a', storage }).optimize(quadratic, { nTrials: 3 });
    expect(() => createStudy({ studyName: 'a', storage })).toThrow(/already exists/);
    expect(() => createStudy({ studyName: 'a', storage, loadIfExists: true, direction: 'maximize' })).toThrow(/created to minimize/);
    expect(loadStudy({ studyName: 'a', storage }).trials).toHaveLength(3);
    expect(() => loadStudy({ studyName: 'b', storage })).toThrow(/no study named 'b'.*it has: a/);
  });

  it('defaults to minimize and an in-memory storage', () => {
    const study = createStudy();
    expect(study.direction).toBe('minimize');
    expect(study.studyName).toMatch(/^no-name-/);
    expect(() => createStudy({ direction: 'up' as 'minimize' })).toThrow(UsageError);
  });

  it('keeps user attributes on trials and studies', async () => {
    const study = createStudy();
    study.setUserAttr('symbol', 'GER40');
    await study.optimize((t) => {
      t.setUserAttr('trades', 12);
      return quadratic(t);
    }, { nTrials: 1 });
    expect(study.userAttrs).toEqual({ symbol: 'GER40' });
    expect(study.trials[0].userAttrs).toEqual({ trades: 12 });
  });
});
