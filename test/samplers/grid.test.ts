import { describe, expect, it } from 'vitest';
import { InMemoryStorage } from '../../src/storage/in-memory.js';
import { createStudy } from '../../src/study.js';
import type { Trial } from '../../src/trial.js';
import { GridSampler, enumerateSpace } from '../../samplers/grid.js';
import { intDistribution } from '../../src/distributions.js';
import { declareSpace } from '../../src/space-constraints.js';

const objective = (t: Trial) => {
  const a = t.suggestInt('a', 1, 3);
  const b = t.suggestCategorical('b', ['x', 'y']);
  return a + (b === 'x' ? 0 : 10);
};

const key = (p: Record<string, unknown>) => JSON.stringify(p);

describe('GridSampler', () => {
  it('evaluates every point of an explicit grid exactly once, then stops', async () => {
    const study = createStudy({ sampler: new GridSampler({ a: [1, 2, 3], b: ['x', 'y'] }) });
    const summary = await study.optimize(objective, { nTrials: 100 });
    expect(summary.stopReason).toBe('exhausted');
    expect(summary.nTrials).toBe(6);
    expect(new Set(study.trials.map((t) => key(t.params))).size).toBe(6);
    expect(study.bestValue).toBe(1);
  });

  it('visits points in a shuffled order that depends only on the seed', async () => {
    const order = async (seed?: number) => {
      const study = createStudy({ sampler: new GridSampler({ a: [1, 2, 3], b: ['x', 'y'] }, { seed }) });
      await study.optimize(objective);
      return study.trials.map((t) => key(t.params));
    };
    expect(await order(1)).toEqual(await order(1));
    expect(await order(42)).toEqual(await order()); // 42 is the default, as the original tool
    const orders = new Set([await order(1), await order(2), await order(3)].map((o) => o.join()));
    expect(orders.size).toBeGreaterThan(1);
  });

  it('skips finished points when a study is resumed, and stops with `stop()` in between', async () => {
    const storage = new InMemoryStorage();
    const grid = { a: [1, 2, 3, 4, 5], b: ['x', 'y'] };
    const first = createStudy({ studyName: 'g', storage, sampler: new GridSampler(grid) });
    await first.optimize((t) => {
      const a = t.suggestInt('a', 1, 5);
      t.suggestCategorical('b', ['x', 'y']);
      return a;
    }, { callbacks: [(s, tr) => { if (tr.number === 3) s.stop(); }] });
    expect(first.trials).toHaveLength(4);
    const resumed = createStudy({ studyName: 'g', storage, loadIfExists: true, sampler: new GridSampler(grid) });
    const summary = await resumed.optimize((t) => t.suggestInt('a', 1, 5) + (t.suggestCategorical('b', ['x', 'y']) === 'x' ? 0 : 1));
    expect(summary.nTrials).toBe(6);
    expect(new Set(resumed.trials.map((t) => key(t.params))).size).toBe(10);
  });

  it('hands the point of a FAIL trial out again (retryFailed), or not', async () => {
    for (const retryFailed of [true, false]) {
      const study = createStudy({ sampler: new GridSampler({ a: [1, 2, 3] }, { retryFailed }) });
      let failedOnce = false;
      await study.optimize((t) => {
        const a = t.suggestInt('a', 1, 3);
        if (a === 2 && !failedOnce) {
          failedOnce = true;
          throw new Error('flaky');
        }
        return a;
      });
      const completed = study.getTrials({ states: ['COMPLETE'] }).map((t) => t.params.a).sort();
      expect(completed).toEqual(retryFailed ? [1, 2, 3] : [1, 3]);
    }
  });

  it('shares one grid between two studies objects on one storage without duplicates', async () => {
    const storage = new InMemoryStorage();
    const grid = { a: [1, 2, 3, 4, 5, 6, 7, 8] };
    const s1 = createStudy({ studyName: 'shared', storage, sampler: new GridSampler(grid) });
    const s2 = createStudy({ studyName: 'shared', storage, loadIfExists: true, sampler: new GridSampler(grid) });
    // Interleave: both ask before either tells.
    for (let i = 0; i < 4; i++) {
      const t1 = s1.ask();
      const t2 = s2.ask();
      s2.tell(t2, t2.suggestInt('a', 1, 8));
      s1.tell(t1, t1.suggestInt('a', 1, 8));
    }
    expect(s1.tryAsk()).toBeNull();
    expect(new Set(s1.trials.map((t) => t.params.a)).size).toBe(8);
  });

  it('derives a grid from a declared space where conditional parameters do not multiply it', () => {
    const space = {
      tslTarget: { type: 'ordinal' as const, values: [0, 0.5, 1] },
      tslSl: { distribution: { type: 'ordinal' as const, values: [0.5, 1] }, when: (p: Record<string, unknown>) => (p.tslTarget as number) > 0 },
      mode: { type: 'categorical' as const, choices: ['eq', 'ib_start'] },
    };
    const points = enumerateSpace(space);
    expect(points).toHaveLength((1 + 2 + 2) * 2);
    expect(points.filter((p) => p.tslTarget === 0).every((p) => !('tslSl' in p))).toBe(true);
    expect(GridSampler.fromSearchSpace(space).grid.size).toBe(10);
  });

  it('says which parameter is missing from the grid', async () => {
    const study = createStudy({ sampler: new GridSampler({ a: [1] }) });
    await study.optimize((t) => t.suggestInt('a', 1, 1) + t.suggestFloat('z', 0, 1));
    expect(String(study.trials[0].systemAttrs.fail_reason)).toMatch(/parameter 'z' is not in the grid/);
  });
});

describe('GridSampler retries', () => {
  it('tries a point that always fails 1 + maxRetries times, then finishes', async () => {
    for (const maxRetries of [0, 1, 3]) {
      const study = createStudy({ sampler: new GridSampler({ a: [1, 2] }, { maxRetries }) });
      const summary = await study.optimize((t) => {
        const a = t.suggestInt('a', 1, 2);
        if (a === 2) throw new Error('always');
        return a;
      });
      expect(summary.stopReason).toBe('exhausted');
      expect(study.getTrials({ states: ['FAIL'] })).toHaveLength(1 + maxRetries);
    }
  });

  it('a constrained declared space: only valid points, counted in searchSize and in the run', async () => {
    const space = declareSpace({ a: intDistribution(1, 4), b: intDistribution(1, 4) }).constrain((p) => p.a <= p.b);
    expect(enumerateSpace(space)).toHaveLength(10);
    const sampler = GridSampler.fromSearchSpace(space);
    expect(sampler.searchSize).toBe(10);
    const study = createStudy({ sampler, space });
    const summary = await study.optimize((t) => t.suggestInt('a', 1, 4) - t.suggestInt('b', 1, 4), { nTrials: 100 });
    expect(summary).toMatchObject({ stopReason: 'exhausted', nTrials: 10 });
    expect(study.trials.every((t) => (t.params.a as number) <= (t.params.b as number))).toBe(true);
  });
});
