/**
 * The run lifecycle (src/run-session.ts) is one for both executors: every case runs with
 * `workers: 1` (the sequential executor, in this thread) and `workers: 2` (the worker pool) and
 * must end the same way: the limits of a call (nTrials, timeout, a study-wide target counted
 * across runs), stop requests, aborts, the failure budget, heartbeats that keep a long trial
 * alive, and the trial of a process that is gone, taken over at the start of a run.
 *
 * Workers run the built JavaScript (dist/): `npm test` builds first.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStudy } from '../../src/study.js';
import { optimizePool, prepareObjective } from '../../src/executor/index.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { formatUtc } from '../../src/storage/sql/encoding.js';
import { RandomSampler } from '../../samplers/random.js';
import { tempDir } from '../storage/helpers.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/executor/${name}`, import.meta.url));

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('studyopt-lifecycle-')));
afterEach(() => cleanup());

describe.each([
  ['sequential', 1],
  ['pool', 2],
] as const)('the run lifecycle, %s executor', (_name, workers) => {
  const study = (storage?: SqliteStorage) => createStudy({ sampler: new RandomSampler({ seed: 1 }), storage, studyName: 'life', loadIfExists: true });

  it('runs nTrials more trials per call, and stops at a study-wide target counted across calls', async () => {
    const prepared = await prepareObjective(fixture('quadratic.mjs'));
    const s = study();
    expect(await optimizePool(s, prepared, { workers, nTrials: 7 })).toMatchObject({ nTrials: 7, completed: 7, stopReason: 'nTrials' });
    const summary = await optimizePool(s, prepared, { workers, targetFinished: 20 });
    expect(summary).toMatchObject({ nTrials: 13, completed: 13, stopReason: 'target' });
    expect(s.trials.filter((t) => t.state === 'COMPLETE')).toHaveLength(20);
    expect((await optimizePool(s, prepared, { workers, targetFinished: 20 })).nTrials).toBe(0);
  });

  it('stops on a timeout, on study.stop() from a callback, and on an abort signal', async () => {
    const prepared = await prepareObjective(fixture('slow.mjs'), { ms: 10 });
    const timed = await optimizePool(study(), prepared, { workers, timeout: 0.3, moduleOptions: { ms: 10 } });
    expect(timed.stopReason).toBe('timeout');
    expect(timed.nTrials).toBeGreaterThan(2);
    const s = study();
    const stopped = await optimizePool(s, prepared, { workers, callbacks: [(st, t) => t.number >= 4 && st.stop()] });
    expect(stopped.stopReason).toBe('stopped');
    expect(s.trials.every((t) => t.state === 'COMPLETE')).toBe(true);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const aborted = await optimizePool(study(), prepared, { workers, signal: controller.signal });
    expect(aborted.stopReason).toBe('aborted');
  });

  it('ends on the failure budget, and says why', async () => {
    const prepared = await prepareObjective(fixture('failing.mjs'), { failRate: 1 });
    const summary = await optimizePool(study(), prepared, { workers, nTrials: 100, failureBudget: { inARow: 5 } });
    expect(summary.stopReason).toBe('failures');
    expect(summary.completed).toBe(0);
    // The pool stops asking once the budget is spent; what it had dispatched still finishes.
    expect(summary.nTrials).toBeLessThan(100);
    expect(summary.failures?.why).toMatch(/^\d+ trials failed in a row/);
  });

  it('beats for a trial that runs longer than the grace period, so that its own stale checks leave it alone', async () => {
    const storage = new SqliteStorage(join(dir, 'beats.db'), { heartbeatInterval: 0.05, gracePeriod: 0.3 });
    const prepared = await prepareObjective(fixture('slow.mjs'), { ms: 900 });
    const s = study(storage);
    const summary = await optimizePool(s, prepared, { workers, nTrials: workers });
    expect(summary).toMatchObject({ completed: workers, failed: 0 });
    storage.close();
  });

  it("takes over the trial a gone process left RUNNING, and the target stays exact", async () => {
    const file = join(dir, 'stale.db');
    const first = new SqliteStorage(file, { heartbeatInterval: 1, gracePeriod: 5 });
    const studyId = createStudy({ storage: first, studyName: 'life' }).studyId;
    first.close();
    const db = new Database(file);
    const trialId = Number(
      db.prepare("INSERT INTO trials (number, study_id, state, datetime_start) VALUES (0, ?, 'RUNNING', '2026-11-22 10:00:00.000000')").run(studyId).lastInsertRowid,
    );
    // It had started: a parameter is stored.
    db.prepare(`INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) VALUES (?, 'x', 0.5, '{"name": "FloatDistribution", "attributes": {"step": 0.5, "low": -5.0, "high": 5.0, "log": false}}')`).run(trialId);
    db.prepare("INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES (?, ?)").run(trialId, formatUtc(Date.now() - 3_600_000));
    db.prepare("INSERT INTO studyopt_trial_owners (trial_id, host, pid, since) VALUES (?, 'elsewhere', 4242, ?)").run(trialId, formatUtc(Date.now() - 3_600_000));
    db.close();
    const storage = new SqliteStorage(file, { heartbeatInterval: 1, gracePeriod: 5 });
    const s = study(storage);
    const summary = await optimizePool(s, await prepareObjective(fixture('quadratic.mjs')), { workers, targetFinished: 6 });
    expect(summary).toMatchObject({ completed: 6, stopReason: 'target' });
    // The store decides what the gone process's trial becomes (failed, or queued again with its
    // parameters and run here); never RUNNING, and never counted twice.
    expect(s.trials.filter((t) => t.state === 'RUNNING' || t.state === 'WAITING')).toEqual([]);
    expect(s.trials.filter((t) => t.state === 'COMPLETE')).toHaveLength(6);
    expect(s.trials[0]).toMatchObject({ number: 0, params: { x: 0.5 } });
    storage.close();
  });
});
