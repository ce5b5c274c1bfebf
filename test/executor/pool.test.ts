/**
 * The worker-pool executor: agreement with the sequential executor, faults, shared memory,
 * TypeScript modules, aborts, several studies on one pool, pruning round trips.
 *
 * Workers run the built JavaScript (dist/src/executor/worker.js): `npm test` builds first.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ParamValue } from '../../src/distributions.js';
import { UsageError } from '../../src/errors.js';
import type { FrozenTrial } from '../../src/frozen-trial.js';
import { MedianPruner } from '../../src/pruners/median.js';
import { createStudy } from '../../src/study.js';
import { BatchSizer, WorkerPool, optimizePool, prepareObjective, runStudiesOnPool } from '../../src/executor/index.js';
import { GridSampler } from '../../samplers/grid.js';
import { RandomSampler } from '../../samplers/random.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/executor/${name}`, import.meta.url));

function paramSet(trials: readonly FrozenTrial[]): string[] {
  return trials.map((t) => JSON.stringify(Object.entries(t.params).sort(([a], [b]) => a.localeCompare(b)))).sort();
}

function expectConsistent(trials: readonly FrozenTrial[]): void {
  // Every trial the run started is finished: nothing is left RUNNING.
  expect(trials.filter((t) => t.state === 'RUNNING' || t.state === 'WAITING')).toEqual([]);
}

describe('pool and sequential agree', () => {
  it('grid sampler: the same set of parameters, every grid point once', async () => {
    const prepared = await prepareObjective(fixture('quadratic.mjs'));
    const grid = () => GridSampler.fromSearchSpace(prepared.space!, { seed: 3 });
    const seq = createStudy({ sampler: grid() });
    await seq.optimize(prepared.module.objective);
    const pool = createStudy({ sampler: grid() });
    const summary = await optimizePool(pool, prepared, { workers: 2 });
    expect(summary.stopReason).toBe('exhausted');
    expect(summary.completed).toBe(21 * 7 * 2);
    expect(paramSet(pool.trials)).toEqual(paramSet(seq.trials));
    expect(pool.bestValue).toBe(seq.bestValue);
    expectConsistent(pool.trials);
  });

  it('random sampler with a fixed seed and a declared space: the same parameters', async () => {
    const prepared = await prepareObjective(fixture('quadratic.mjs'));
    const seq = createStudy({ sampler: new RandomSampler({ seed: 11 }) });
    await seq.optimize(prepared.module.objective, { nTrials: 300 });
    const pool = createStudy({ sampler: new RandomSampler({ seed: 11 }) });
    const summary = await optimizePool(pool, fixture('quadratic.mjs'), { workers: 2, nTrials: 300 });
    expect(summary).toMatchObject({ nTrials: 300, completed: 300, stopReason: 'nTrials' });
    expect(paramSet(pool.trials)).toEqual(paramSet(seq.trials));
    // Stronger than the set: trial numbers carry the same values, since sampling stays in order in the main thread.
    expect(pool.trials.map((t) => t.params)).toEqual(seq.trials.map((t) => t.params));
    expect(pool.trials[0].userAttrs).toEqual({ kind_seen: pool.trials[0].params.kind });
  });

  it('pre-registered distributions stand in for a declared space', async () => {
    const seqPrepared = await prepareObjective(fixture('undeclared.mjs'));
    const register = (s: ReturnType<typeof createStudy>) => {
      s.registerDistribution('x', { type: 'float', low: 0, high: 1, log: false, step: null });
      s.registerDistribution('use_z', { type: 'categorical', choices: [true, false] });
    };
    const seq = createStudy({ sampler: new RandomSampler({ seed: 5 }) });
    await seq.optimize(seqPrepared.module.objective, { nTrials: 40 });
    const pool = createStudy({ sampler: new RandomSampler({ seed: 5 }) });
    register(pool);
    await optimizePool(pool, fixture('undeclared.mjs'), { workers: 2, nTrials: 40 });
    // x and use_z come from the main thread's stream as in the sequential run; z (conditional,
    // not pre-registered) is drawn either in the main thread once seen, or in a worker.
    const strip = (ts: readonly FrozenTrial[]) => ts.map((t) => [t.params.x, t.params.use_z]);
    expect(strip(pool.trials).slice(0, 1)).toEqual(strip(seq.trials).slice(0, 1));
    expectConsistent(pool.trials);
  });
});

describe('define-by-run in workers', () => {
  it('samples unseen parameters in the worker, stores what the objective used, and its reports', async () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 2 }) });
    const summary = await optimizePool(study, fixture('undeclared.mjs'), { workers: 2, nTrials: 60, seed: 9 });
    expect(summary.completed).toBe(60);
    for (const t of study.trials) {
      expect(Object.keys(t.params)).toEqual(t.params.use_z ? ['x', 'use_z', 'z'] : ['x', 'use_z']);
      expect(t.distributions.x).toEqual({ type: 'float', low: 0, high: 1, log: false, step: null });
      expect([...t.intermediateValues.keys()]).toEqual([0, 1, 2]);
      expect(t.intermediateValues.get(2)).toBeCloseTo(t.values![0] + 2, 12);
    }
    expect(study.seenDistributions.has('z')).toBe(true);
  });

  it('loads a TypeScript module', async () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 4 }) });
    const summary = await optimizePool(study, fixture('typed.ts'), { workers: 2, nTrials: 30 });
    expect(summary.completed).toBe(30);
    for (const t of study.trials) {
      expect(t.userAttrs.language).toBe('ts');
      expect(t.values![0]).toBeCloseTo(((t.params.x as number) - 1) ** 2, 12);
    }
  });

  it('answers shouldPrune() from the main thread pruner', async () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 8 }), pruner: new MedianPruner({ nStartupTrials: 5 }), direction: 'minimize' });
    const summary = await optimizePool(study, fixture('pruning.mjs'), { workers: 2, nTrials: 80 });
    expect(summary.pruned).toBeGreaterThan(10);
    expect(summary.completed + summary.pruned).toBe(80);
    for (const t of study.getTrials({ states: ['PRUNED'] })) expect(t.intermediateValues.size).toBeGreaterThan(0);
  });

  it('workers: 1 runs the sequential executor on the module', async () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 1 }) });
    const summary = await optimizePool(study, fixture('quadratic.mjs'), { workers: 1, nTrials: 10 });
    expect(summary.completed).toBe(10);
  });

  it('refuses a missing module with a usage error', async () => {
    const study = createStudy();
    await expect(optimizePool(study, fixture('nope.mjs'), { workers: 2, nTrials: 1 })).rejects.toThrow(UsageError);
  });
});

describe('faults', () => {
  const gridStudy = () => createStudy({ sampler: new GridSampler({ x: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] }, { retryFailed: false }) });

  it('an exception FAILs its trial with the message; the study goes on', async () => {
    const study = gridStudy();
    const summary = await optimizePool(study, fixture('faults.mjs'), { workers: 2, moduleOptions: { mode: 'throw' } });
    expect(summary).toMatchObject({ completed: 9, failed: 1, stopReason: 'exhausted' });
    const failed = study.getTrials({ states: ['FAIL'] });
    expect(failed[0].params).toEqual({ x: 3 });
    expect(failed[0].systemAttrs.fail_reason).toBe('RangeError: x=3 is unlucky');
    expectConsistent(study.trials);
  });

  it('a worker calling process.exit FAILs its trial; the worker is replaced', async () => {
    const study = gridStudy();
    const summary = await optimizePool(study, fixture('faults.mjs'), { workers: 2, moduleOptions: { mode: 'exit' } });
    expect(summary).toMatchObject({ completed: 9, failed: 1 });
    const reason = String(study.getTrials({ states: ['FAIL'] })[0].systemAttrs.fail_reason);
    expect(reason).toMatch(/worker .* died .*exited with code: 7.*replaced/);
    expect(reason).toContain('x=3');
    expectConsistent(study.trials);
  });

  it('a trial past trialTimeout FAILs; its worker is replaced and the rest run', async () => {
    const study = gridStudy();
    const summary = await optimizePool(study, fixture('faults.mjs'), { workers: 2, moduleOptions: { mode: 'hang' }, trialTimeout: 0.5 });
    expect(summary).toMatchObject({ completed: 9, failed: 1 });
    expect(String(study.getTrials({ states: ['FAIL'] })[0].systemAttrs.fail_reason)).toMatch(/longer than the trial timeout \(0.5 s\)/);
    expectConsistent(study.trials);
  });

  it("catch: 'none' records the FAIL, then rejects with the objective's error", async () => {
    const study = gridStudy();
    await expect(optimizePool(study, fixture('faults.mjs'), { workers: 2, moduleOptions: { mode: 'throw' }, catch: 'none' })).rejects.toThrow(/unlucky/);
    expect(study.getTrials({ states: ['FAIL'] }).length).toBeGreaterThanOrEqual(1);
    expectConsistent(study.trials);
  });

  it('a setup that fails in the workers ends the run with its message', async () => {
    const study = createStudy();
    await expect(optimizePool(study, fixture('bad-setup.mjs'), { workers: 2, nTrials: 20 })).rejects.toThrow(/setup .* failed in a worker: Error: no data here/);
    expectConsistent(study.trials);
  });
});

describe('shared data', () => {
  it('every worker and the main thread see the same SharedArrayBuffer; nothing is copied per trial', async () => {
    const prepared = await prepareObjective(fixture('shared.mjs'), { length: 1000 });
    const shared = prepared.context.shared as { counters: Int32Array; values: Float64Array };
    Atomics.store(shared.counters, 2, 1234); // written here before the run, read in the workers
    const study = createStudy({ direction: 'maximize', sampler: new RandomSampler({ seed: 3 }) });
    const summary = await optimizePool(study, prepared, { workers: 2, nTrials: 400 });
    expect(summary.completed).toBe(400);
    // The workers' increments landed in the main thread's memory, one per trial.
    expect(Atomics.load(shared.counters, 0)).toBe(400);
    // One setup per worker, not per trial or per task.
    expect(Atomics.load(shared.counters, 1)).toBe(2);
    const threads = new Set(study.trials.map((t) => t.userAttrs.thread));
    expect(threads.size).toBe(2);
    expect(study.trials.every((t) => t.userAttrs.main_marker === 1234 && t.userAttrs.same_buffer === true)).toBe(true);
    expect(study.trials.every((t) => t.values![0] === t.params.i)).toBe(true);
  });
});

describe('abort', () => {
  it('stops dispatching, finishes running trials, records every result', async () => {
    const controller = new AbortController();
    const study = createStudy({ sampler: new RandomSampler({ seed: 1 }) });
    // Once six trials have finished (however slowly the workers start on a loaded machine).
    let finished = 0;
    const callbacks = [() => void (++finished === 6 && controller.abort())];
    const summary = await optimizePool(study, fixture('slow.mjs'), { workers: 2, moduleOptions: { ms: 20 }, signal: controller.signal, callbacks });
    expect(summary.stopReason).toBe('aborted');
    expect(summary.completed).toBeGreaterThan(4);
    expectConsistent(study.trials);
    expect(summary.nTrials).toBe(study.trials.length);
    // Trials that ran are COMPLETE; only trials that never started may be FAIL, with the reason.
    for (const t of study.getTrials({ states: ['FAIL'] })) expect(String(t.systemAttrs.fail_reason)).toMatch(/^interrupted/);
  });

  it('stops on abort however fast the objective is (results must not starve the event loop)', async () => {
    const controller = new AbortController();
    const study = createStudy({ sampler: new RandomSampler({ seed: 2 }) });
    const started = performance.now();
    let fired = 0;
    setTimeout(() => {
      fired = performance.now() - started;
      controller.abort();
    }, 300);
    // Microseconds a trial: piscina hands results back as each batch is submitted.
    const summary = await optimizePool(study, fixture('quadratic.mjs'), { workers: 2, nTrials: 50_000_000, signal: controller.signal });
    expect(summary.stopReason).toBe('aborted');
    expect(fired).toBeGreaterThan(0);
    expect(fired).toBeLessThan(2_000);
    expect(performance.now() - started).toBeLessThan(10_000);
    expectConsistent(study.trials);
  });

  it('after the grace period, a trial still running FAILs and the run ends', async () => {
    const controller = new AbortController();
    const study = createStudy({ sampler: new RandomSampler({ seed: 1 }) });
    // Once the hanging trial 3 is under way (however slowly the workers start on a loaded machine).
    const watch = setInterval(() => {
      if (!study.trials.some((t) => t.number === 3)) return;
      clearInterval(watch);
      setTimeout(() => controller.abort(), 100);
    }, 10);
    const started = performance.now();
    const summary = await optimizePool(study, fixture('slow.mjs'), { workers: 2, moduleOptions: { ms: 5, hangAt: 3 }, signal: controller.signal, gracePeriod: 0.3 });
    clearInterval(watch);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(summary.stopReason).toBe('aborted');
    expectConsistent(study.trials);
    const hung = study.trials.find((t) => t.number === 3)!;
    expect(hung.state).toBe('FAIL');
    expect(String(hung.systemAttrs.fail_reason)).toMatch(/grace period .* ran out while this trial ran/);
  });

  it('forceSignal stops at once', async () => {
    const first = new AbortController();
    const second = new AbortController();
    const study = createStudy({ sampler: new RandomSampler({ seed: 1 }) });
    // Once the hanging trial 2 is under way (however slowly the workers start on a loaded machine).
    const watch = setInterval(() => {
      if (!study.trials.some((t) => t.number === 2)) return;
      clearInterval(watch);
      setTimeout(() => first.abort(), 100);
      setTimeout(() => second.abort(), 200);
    }, 10);
    const summary = await optimizePool(study, fixture('slow.mjs'), { workers: 2, moduleOptions: { hangAt: 2 }, signal: first.signal, forceSignal: second.signal });
    clearInterval(watch);
    expect(summary.stopReason).toBe('aborted');
    expectConsistent(study.trials);
    expect(study.trials.find((t) => t.number === 2)!.state).toBe('FAIL');
  });
});

describe('several studies on one pool', () => {
  it('runs them concurrently, each with its own module instance, options and summary', async () => {
    const a = createStudy({ studyName: 'GER40', sampler: new RandomSampler({ seed: 1 }) });
    const b = createStudy({ studyName: 'XAUUSD', sampler: new RandomSampler({ seed: 2 }) });
    const summaries = await runStudiesOnPool(
      [
        { study: a, objective: fixture('labelled.mjs'), moduleOptions: { label: 'GER40' }, nTrials: 120 },
        { study: b, objective: fixture('labelled.mjs'), moduleOptions: { label: 'XAUUSD' }, nTrials: 80 },
      ],
      { workers: 2 },
    );
    expect(summaries.map((s) => s.completed)).toEqual([120, 80]);
    expect(a.trials.every((t) => t.userAttrs.label === 'GER40')).toBe(true);
    expect(b.trials.every((t) => t.userAttrs.label === 'XAUUSD')).toBe(true);
  });

  it('a pool can be reused for another run', async () => {
    const pool = new WorkerPool({ workers: 2 });
    try {
      for (const seed of [1, 2]) {
        const study = createStudy({ sampler: new RandomSampler({ seed }) });
        const [s] = await pool.run([{ study, objective: fixture('quadratic.mjs'), nTrials: 25 }]);
        expect(s.completed).toBe(25);
      }
    } finally {
      await pool.close();
    }
  });
});

describe('batching', () => {
  it('sizes batches to the target time from measurements, growing at most 2x per task', () => {
    const sizer = new BatchSizer(15, 1000);
    expect(sizer.next()).toBe(1);
    sizer.observe(1, 0.5);
    const sizes = [sizer.next(), sizer.next(), sizer.next(), sizer.next(), sizer.next(), sizer.next()];
    expect(sizes).toEqual([2, 4, 8, 16, 30, 30]);
    const slow = new BatchSizer(15);
    slow.observe(1, 40);
    expect(slow.next()).toBe(1);
    expect(slow.batching).toBe(false);
  });

  it('a fast objective gets through many trials in few tasks', async () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 1 }) });
    const summary = await optimizePool(study, fixture('quadratic.mjs'), { workers: 2, nTrials: 3000 });
    expect(summary.completed).toBe(3000);
    const params = new Set(study.trials.map((t) => JSON.stringify(t.params as Record<string, ParamValue>)));
    expect(params.size).toBeGreaterThan(200);
  });
});

describe('progress', () => {
  it('shows trials, rate, busy workers, ETA and the best so far; per study when several', async () => {
    const { PoolProgress } = await import('../../src/executor/pool-progress.js');
    const study = createStudy({ studyName: 'one', direction: 'minimize' });
    const t = study.ask();
    const frozen = study.tell(t, 2.5);
    const progress = new PoolProgress({ workers: 2, busy: () => 2, enabled: false });
    const i = progress.add(study, 10);
    progress.update(i, frozen);
    const line = progress.line(performance.now() + 1000);
    expect(line).toMatch(/^trials 1\/10 \| [\d.]+\/s \| busy 2\/2 \| ETA \d+s \| best 2\.5 \(#0\)$/);
    const other = createStudy({ studyName: 'two' });
    progress.add(other);
    expect(progress.line()).toMatch(/one: 1\/10 best 2\.5 \| two: 0$/);
    // Failures show as they grow; a target (with what the study had finished) does not advance on them.
    const third = createStudy({ studyName: 'three' });
    const alone = new PoolProgress({ workers: 2, busy: () => 1, enabled: false });
    const k = alone.add(third, 20, 5);
    for (let n = 0; n < 2; n++) alone.update(k, third.tell(third.ask(), null, { state: 'FAIL', failReason: 'x' }));
    expect(alone.line()).toMatch(/^trials 5\/20 \| .* \| 2 failed \(2 in a row\)$/);
  });

  it('says how much of a grid the study has finished', async () => {
    const { PoolProgress } = await import('../../src/executor/pool-progress.js');
    const { GridSampler } = await import('../../samplers/grid.js');
    const study = createStudy({ studyName: 'g', sampler: new GridSampler({ x: [1, 2, 3, 4, 5, 6, 7, 8] }) });
    const progress = new PoolProgress({ workers: 2, busy: () => 1, enabled: false });
    const i = progress.add(study, 8, 2); // two points finished before this run
    const t = study.ask();
    progress.update(i, study.tell(t, t.suggestInt('x', 1, 8)));
    expect(progress.line()).toMatch(/^trials 3\/8 \| .* \| grid 37.5% of 8( \||$)/);
    progress.add(createStudy({ studyName: 'other' }));
    expect(progress.line()).toMatch(/g: 3\/8 \(grid 37.5% of 8\)/);
  });
});

describe("a sampler's decided values (Sampler.decidedParams), one rule for both executors", () => {
  /** Random sampling, except that even trials have x and kind decided (not all: y is sampled). */
  class DecidingSampler extends RandomSampler {
    constructor(private readonly decision: { values: Record<string, ParamValue>; complete: boolean }) {
      super({ seed: 5 });
    }
    decidedParams(_study: unknown, trial: FrozenTrial) {
      return trial.number % 2 === 0 ? this.decision : null;
    }
  }

  for (const module of ['quadratic.mjs', 'undeclared.mjs']) {
    it(`${module}: decided values in both executors, enqueued values over them, the rest sampled`, async () => {
      const prepared = await prepareObjective(fixture(module));
      const decision: Record<string, ParamValue> = module === 'quadratic.mjs' ? { x: 2.5, kind: 'b' } : { x: 0.25, use_z: true };
      const runs = { sequential: createStudy({ sampler: new DecidingSampler({ values: decision, complete: false }) }), pool: createStudy({ sampler: new DecidingSampler({ values: decision, complete: false }) }) };
      for (const study of Object.values(runs)) study.enqueueTrial({ x: module === 'quadratic.mjs' ? -1 : 0.75 }); // trial 0: even, enqueued
      await runs.sequential.optimize(prepared.module.objective, { nTrials: 12 });
      await optimizePool(runs.pool, prepared, { workers: 2, nTrials: 12 });
      for (const [name, study] of Object.entries(runs)) {
        const trials = study.trials;
        expect(trials.map((t) => t.state), name).toEqual(Array(12).fill('COMPLETE'));
        expect(trials[0].params, name).toMatchObject({ ...decision, x: module === 'quadratic.mjs' ? -1 : 0.75 });
        for (const t of trials.slice(1)) {
          if (t.number % 2 === 0) expect(t.params, `${name} trial ${t.number}`).toMatchObject(decision);
        }
        const odd = trials.filter((t) => t.number % 2 === 1).map((t) => t.params.x);
        expect(new Set(odd).size, name).toBeGreaterThan(1); // not decided: sampled
      }
    });
  }

  it('a complete decision that leaves out a parameter fails the trial the same way in both executors', async () => {
    const prepared = await prepareObjective(fixture('quadratic.mjs'));
    const decision = { values: { x: 0.5, kind: 'a' }, complete: true };
    const sequential = createStudy({ sampler: new DecidingSampler(decision) });
    const pool = createStudy({ sampler: new DecidingSampler(decision) });
    await sequential.optimize(prepared.module.objective, { nTrials: 4 });
    await optimizePool(pool, prepared, { workers: 2, nTrials: 4 });
    for (const study of [sequential, pool]) {
      expect(study.trials.map((t) => t.state)).toEqual(['FAIL', 'COMPLETE', 'FAIL', 'COMPLETE']);
      expect(String(study.trials[0].systemAttrs.fail_reason)).toMatch(/parameter 'y' is not in the grid \(grid parameters: x, kind\)/);
    }
  });
});
