/**
 * Several processes on one study in a PostgreSQL database, as on one SQLite file
 * (multiprocess.test.ts): every trial counted once with dense numbers, a shared target ended at
 * exactly N (also when one process is killed in the middle), every grid point to exactly one
 * process, kill -9 in the middle of writes and a resume. The child processes run
 * test/fixtures/storage/worker.mjs against dist/; the server is the run's own.
 */
import { describe, expect, inject, it } from 'vitest';
import { SyncPostgresClient } from '../../src/storage/postgres/sync-client.js';
import { createDatabase } from '../helpers/postgres.js';
import { sleep, startStorageWorker } from './helpers.js';

const postgresUrl = inject('postgresUrl');
const skipReason = inject('postgresSkipReason');

const start = startStorageWorker;

function trialsOf(url: string, study: string): { number: number; state: string; grid: number | null }[] {
  const c = SyncPostgresClient.connect(url);
  try {
    return c
      .query(
        `SELECT t.number, t.state::text, a.value_json FROM trials t JOIN studies s ON s.study_id = t.study_id
         LEFT JOIN trial_system_attributes a ON a.trial_id = t.trial_id AND a.key = 'grid_id' WHERE s.study_name = $1 ORDER BY t.trial_id`,
        [study],
      )
      .rows.map(([number, state, grid]) => ({ number: number as number, state: state as string, grid: grid === null ? null : Number(grid) }));
  } finally {
    c.close();
  }
}

const dense = (n: number) => Array.from({ length: n }, (_, i) => i);
let databases = 0;
const fresh = () => createDatabase(postgresUrl!, `multiprocess_${++databases}`);

describe.skipIf(postgresUrl === null)(`PostgreSQL storage across processes${postgresUrl === null ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('counts every trial of 3 processes on one study exactly once, with dense numbers', async () => {
    const url = await fresh();
    const results = await Promise.all([1, 2, 3].map((seed) => start(url, 'shared', 'random', { nTrials: 300, seed }).done));
    expect(results.map((r) => r.completed)).toEqual([300, 300, 300]);
    const trials = trialsOf(url, 'shared');
    expect(trials.every((t) => t.state === 'COMPLETE')).toBe(true);
    expect(trials.map((t) => t.number).sort((a, b) => a - b)).toEqual(dense(900));
  });

  it('stops at exactly the target of finished trials, however many processes share it, also when one is killed', async () => {
    const url = await fresh();
    await Promise.all([1, 2, 3].map((seed) => start(url, 'target', 'random', { targetFinished: 400, seed }).done));
    expect(trialsOf(url, 'target').filter((t) => t.state === 'COMPLETE').length).toBe(400);
    expect(trialsOf(url, 'target').length).toBe(400);

    const target = 5000;
    // The victim starts first and is killed in the middle, holding reserved slots, while the
    // others run (it must not have ended first).
    const victim = start(url, 'tk', 'random', { targetFinished: target, seed: 1, signalAfter: 100 });
    await Promise.race([victim.progressed, victim.done]);
    const others = [2, 3].map((seed) => start(url, 'tk', 'random', { targetFinished: target, seed }));
    await sleep(300);
    expect(victim.child.exitCode).toBeNull();
    victim.child.kill('SIGKILL');
    await victim.done.catch(() => undefined);
    await Promise.all(others.map((o) => o.done));
    const trials = trialsOf(url, 'tk');
    expect(trials.filter((t) => t.state === 'COMPLETE').length).toBe(target);
    expect(trials.filter((t) => t.state === 'RUNNING')).toEqual([]);
    expect(trials.filter((t) => t.state === 'FAIL').length).toBeLessThanOrEqual(1);
    expect(trials.map((t) => t.number).sort((a, b) => a - b)).toEqual(dense(trials.length));
  }, 120_000);

  it('hands every point of a shared grid to exactly one process', async () => {
    const url = await fresh();
    const results = await Promise.all([1, 2, 3].map(() => start(url, 'grid', 'grid', { gridA: 20, gridB: 15, sleepMs: 5 }).done));
    expect(results.every((r) => r.stopReason === 'exhausted')).toBe(true);
    const trials = trialsOf(url, 'grid');
    expect(trials.length).toBe(300);
    expect(new Set(trials.map((t) => t.grid)).size).toBe(300);
    expect(results.filter((r) => r.completed > 0).length).toBeGreaterThan(1);
  }, 60_000);

  it('survives kill -9 in the middle of writes: nothing left RUNNING, numbering goes on, no empty FAIL rows', async () => {
    const url = await fresh();
    for (let round = 0; round < 2; round++) {
      const { child, done, progressed } = start(url, 'kill', 'forever', { seed: round + 1, signalAfter: 200 });
      await progressed;
      await sleep(30 + 40 * round);
      child.kill('SIGKILL');
      await done.catch(() => undefined);
    }
    const before = trialsOf(url, 'kill');
    const resumed = await start(url, 'kill', 'random', { nTrials: 10, seed: 9 }).done;
    expect(resumed.completed).toBe(10);
    const after = trialsOf(url, 'kill');
    expect(after.filter((t) => t.state === 'RUNNING')).toEqual([]);
    expect(after.map((t) => t.number)).toEqual(dense(after.length));
    expect(after.filter((t) => t.state === 'COMPLETE').length).toBe(before.filter((t) => t.state === 'COMPLETE').length + 10);
    expect(after.filter((t) => t.state === 'FAIL').length).toBeLessThanOrEqual(2);
  }, 120_000);
});
