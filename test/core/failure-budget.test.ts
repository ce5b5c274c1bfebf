/**
 * The failure budget: a run whose trials keep failing stops, in both executors, with the last
 * failure's reason; a healthy run with some failures goes on; the budget can be loosened or
 * turned off.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FailureBudget } from '../../src/failure-budget.js';
import { FailureBudgetExceeded } from '../../src/failure-budget.js';
import { optimizePool } from '../../src/executor/pool.js';
import { createStudy } from '../../src/study.js';
import type { FrozenTrial } from '../../src/frozen-trial.js';
import { RandomSampler } from '../../samplers/random.js';

const failing = fileURLToPath(new URL('../fixtures/executor/failing.mjs', import.meta.url));

function trialIn(state: 'COMPLETE' | 'FAIL', reason = 'boom'): FrozenTrial {
  return { state, systemAttrs: state === 'FAIL' ? { fail_reason: reason } : {} } as unknown as FrozenTrial;
}

describe('FailureBudget', () => {
  it('is spent by failures in a row, and a success resets the streak', () => {
    const b = new FailureBudget({ inARow: 3 });
    for (const s of ['FAIL', 'FAIL', 'COMPLETE', 'FAIL', 'FAIL'] as const) b.observe(trialIn(s));
    expect(b.spent()).toBeNull();
    b.observe(trialIn('FAIL', 'the last one'));
    expect(b.spent()).toBe('3 trials failed in a row');
    expect(b.lastFailReason).toBe('the last one');
  });

  it('is spent by a failure rate only once enough trials finished', () => {
    const b = new FailureBudget({ inARow: Infinity, rate: 0.5, minTrials: 10 });
    for (let i = 0; i < 9; i++) b.observe(trialIn(i % 3 === 0 ? 'COMPLETE' : 'FAIL'));
    expect(b.spent()).toBeNull(); // 6 of 9 failed, but fewer than 10 finished
    b.observe(trialIn('FAIL'));
    expect(b.spent()).toBe("7 of this run's 10 trials failed (more than 50%)");
  });

  it('never stops when turned off', () => {
    const b = new FailureBudget(false);
    for (let i = 0; i < 1000; i++) b.observe(trialIn('FAIL'));
    expect(b.spent()).toBeNull();
  });
});

describe('a run whose trials keep failing', () => {
  it('stops after 20 failures in a row by default (sequential), rejecting with the last reason', async () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 1 }) });
    const run = study.optimize((t) => {
      t.suggestFloat('x', 0, 1);
      return Number.NaN;
    }, { nTrials: 10_000 });
    await expect(run).rejects.toThrow(FailureBudgetExceeded);
    await expect(run).rejects.toThrow(/20 trials failed in a row; the last failure: the objective returned NaN/);
    expect(study.trials).toHaveLength(20);
  });

  it('stops a target run too, which failed trials never reach', async () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 1 }) });
    const err = await study
      .optimize((t) => {
        throw new Error(`broken at ${t.suggestFloat('x', 0, 1) > 2}`);
      }, { targetFinished: 20 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FailureBudgetExceeded);
    const summary = (err as FailureBudgetExceeded).summary;
    expect(summary).toMatchObject({ failed: 20, failures: { why: '20 trials failed in a row', lastFailReason: 'Error: broken at false' } });
  });

  it('goes on when only some trials fail, and follows a loosened or disabled budget', async () => {
    const healthy = createStudy({ sampler: new RandomSampler({ seed: 3 }) });
    const summary = await healthy.optimize((t) => {
      const x = t.suggestFloat('x', 0, 1);
      return x < 0.5 ? Number.NaN : x; // half fail: a healthy enough objective
    }, { nTrials: 400 });
    expect(summary.stopReason).toBe('nTrials');
    expect(summary.failed).toBeGreaterThan(150);

    const loose = createStudy({ sampler: new RandomSampler({ seed: 1 }) });
    await expect(loose.optimize(() => Number.NaN, { nTrials: 500, failureBudget: { inARow: 100 } })).rejects.toThrow(/100 trials failed in a row/);
    expect(loose.trials).toHaveLength(100);

    const off = createStudy({ sampler: new RandomSampler({ seed: 1 }) });
    const all = await off.optimize(() => Number.NaN, { nTrials: 300, failureBudget: false });
    expect(all).toMatchObject({ stopReason: 'nTrials', failed: 300 });
  });

  it('stops on a failure rate when occasional successes break the streaks', async () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 5 }) });
    const err = await study
      .optimize((t) => {
        const x = t.suggestFloat('x', 0, 1);
        return x < 0.9 ? Number.NaN : x; // 90% fail, rarely 20 in a row
      }, { nTrials: 100_000, failureBudget: { inARow: 1000 } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FailureBudgetExceeded);
    expect((err as FailureBudgetExceeded).summary.failures!.why).toMatch(/of this run's 100 trials failed \(more than 80%\)/);
  });

  it('stops on the worker pool as well', async () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 1 }) });
    const summary = await optimizePool(study, failing, { workers: 2, nTrials: 1_000_000, moduleOptions: { how: 'throw' } });
    expect(summary.stopReason).toBe('failures');
    expect(summary.failures!.why).toMatch(/trials failed in a row/);
    expect(summary.failures!.lastFailReason).toMatch(/^TypeError: x=0\.\d+ is broken/);
    // Trials in flight when the budget ran out finish too, so a few more than 20 may run.
    expect(summary.failed).toBeGreaterThanOrEqual(20);
    expect(summary.failed).toBeLessThan(2_000);
    await expect(createStudy({ sampler: new RandomSampler({ seed: 1 }) }).optimize(failing, { workers: 2, nTrials: 1_000_000 })).rejects.toThrow(FailureBudgetExceeded);
  });

  it('refuses a nonsensical budget', async () => {
    const study = createStudy();
    await expect(study.optimize(() => 1, { nTrials: 1, failureBudget: { rate: 0 } })).rejects.toThrow(/failureBudget.rate must be in \(0, 1\], but got 0/);
  });
});
