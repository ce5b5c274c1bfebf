/**
 * Several processes on one SQLite file, resume across processes, kill -9 in the middle of writes,
 * stale heartbeats. The child processes run test/fixtures/storage/worker.mjs against dist/
 * (`npm test` builds first).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { formatUtc } from '../../src/storage/sql/encoding.js';
import { isCreated } from '../../src/storage/storage.js';
import { REPO_ROOT, type WorkerResult, sleep, startStorageWorker, tempDir } from './helpers.js';


const start = startStorageWorker;

function run(file: string, study: string, mode: string, options: object = {}): Promise<WorkerResult> {
  return start(file, study, mode, options).done;
}

function trialsOf(file: string, study: string): { number: number; state: string; grid: number | null; trialId: number; start: string | null }[] {
  const db = new Database(file, { readonly: true });
  const rows = db
    .prepare(
      `SELECT t.trial_id AS trialId, t.number AS number, t.state AS state, t.datetime_start AS start, a.value_json AS grid FROM trials t JOIN studies s ON s.study_id = t.study_id
       LEFT JOIN trial_system_attributes a ON a.trial_id = t.trial_id AND a."key" = 'grid_id' WHERE s.study_name = ? ORDER BY t.trial_id`,
    )
    .all(study) as { number: number; state: string; grid: string | null; trialId: number; start: string | null }[];
  db.close();
  return rows.map((r) => ({ ...r, grid: r.grid === null ? null : Number(r.grid) }));
}

function integrity(file: string): string {
  const db = new Database(file, { readonly: true });
  const r = (db.pragma('integrity_check') as { integrity_check: string }[]).map((x) => x.integrity_check).join('; ');
  db.close();
  return r;
}

beforeAll(() => {
  if (!existsSync(join(REPO_ROOT, 'dist/src/storage/sqlite/sqlite-storage.js'))) throw new Error('run `npm run build` first: the child processes use dist/');
});

describe('SQLite storage across processes', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('counts every trial of 3 processes on one study exactly once, with dense numbers', async () => {
    const file = join(dir, 'shared.db');
    const results = await Promise.all([1, 2, 3].map((seed) => run(file, 'shared', 'random', { nTrials: 400, seed })));
    expect(results.map((r) => r.completed)).toEqual([400, 400, 400]);
    const trials = trialsOf(file, 'shared');
    expect(trials.length).toBe(1200);
    expect(trials.every((t) => t.state === 'COMPLETE')).toBe(true);
    expect(trials.map((t) => t.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 1200 }, (_, i) => i));
    // Every finished trial has its parameters and its user attribute (flushed with the finish).
    const db = new Database(file, { readonly: true });
    expect((db.prepare('SELECT COUNT(*) AS n FROM trial_params').get() as { n: number }).n).toBe(1200 * 5);
    expect((db.prepare('SELECT COUNT(DISTINCT value_json) AS n FROM trial_user_attributes').get() as { n: number }).n).toBe(3);
    db.close();
    expect(integrity(file)).toBe('ok');
  });

  it('keeps processes on different studies of one file apart', async () => {
    const file = join(dir, 'two.db');
    await Promise.all([run(file, 'AAPL', 'random', { nTrials: 120 }), run(file, 'NVDA', 'random', { nTrials: 80 }), run(file, 'SPY', 'random', { nTrials: 100 })]);
    for (const [name, n] of [['AAPL', 120], ['NVDA', 80], ['SPY', 100]] as const) {
      expect(trialsOf(file, name).map((t) => t.number)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
  });

  it('stops at exactly the target of finished trials, however many processes share it', async () => {
    const file = join(dir, 'target.db');
    await Promise.all([1, 2, 3].map((seed) => run(file, 'target', 'random', { targetFinished: 200, seed })));
    const trials = trialsOf(file, 'target');
    expect(trials.filter((t) => t.state === 'COMPLETE').length).toBe(200);
    expect(trials.length).toBe(200);
    // Resuming a finished target runs nothing more.
    const again = await run(file, 'target', 'random', { targetFinished: 200 });
    expect(again.nTrials).toBe(0);
  });

  it('ends a shared target at exactly N when one of the processes is killed in the middle', async () => {
    const file = join(dir, 'target-kill.db');
    const target = 20_000;
    const victim = start(file, 'tk', 'random', { targetFinished: target, seed: 1, signalAfter: 500 });
    const others = [2, 3].map((seed) => start(file, 'tk', 'random', { targetFinished: target, seed }));
    await victim.progressed;
    victim.child.kill('SIGKILL');
    await victim.done.catch(() => undefined);
    await Promise.all(others.map((o) => o.done));
    // The survivors took over what the dead process held (its reserved slots, its trials in
    // flight) instead of counting them as running to the end.
    const trials = trialsOf(file, 'tk');
    expect(trials.filter((t) => t.state === 'COMPLETE').length).toBe(target);
    expect(trials.filter((t) => t.state === 'RUNNING')).toEqual([]);
    expect(trials.filter((t) => t.state === 'FAIL').length).toBeLessThanOrEqual(1);
    expect(trials.map((t) => t.number).sort((a, b) => a - b)).toEqual(Array.from({ length: trials.length }, (_, i) => i));
    expect(integrity(file)).toBe('ok');
  }, 60_000);

  it('hands every point of a shared grid to exactly one process', async () => {
    const file = join(dir, 'grid.db');
    // 5 ms a point (1.5 s of work in all), so that the processes overlap even on a loaded machine.
    const results = await Promise.all([1, 2, 3].map(() => run(file, 'grid', 'grid', { gridA: 20, gridB: 15, sleepMs: 5 })));
    expect(results.every((r) => r.stopReason === 'exhausted')).toBe(true);
    const trials = trialsOf(file, 'grid');
    expect(trials.length).toBe(300);
    expect(new Set(trials.map((t) => t.grid)).size).toBe(300);
    expect(results.map((r) => r.completed).reduce((a, b) => a + b, 0)).toBe(300);
    // Each process did part of it (claims are spread, not serialised onto one process).
    expect(results.filter((r) => r.completed > 0).length).toBeGreaterThan(1);
  });

  it('resumes a study in a new process: numbers continue and the sampler sees the earlier trials', async () => {
    const file = join(dir, 'resume.db');
    await run(file, 'resume', 'random', { nTrials: 30 });
    const second = await run(file, 'resume', 'random', { nTrials: 20, seed: 2 });
    expect(second.seenAtStart).toBe(30);
    expect(trialsOf(file, 'resume').map((t) => t.number)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('survives kill -9 in the middle of writes: integrity ok, the dead trial FAILed, its unused reservations reused, numbering goes on', async () => {
    const file = join(dir, 'kill.db');
    for (let round = 0; round < 3; round++) {
      const { child, done, progressed } = start(file, 'kill', 'forever', { seed: round + 1, signalAfter: 300 });
      // Let it write for a while: past its first 300 trials (so that it runs from reservations),
      // then a little more.
      await progressed;
      await sleep(20 + 40 * round);
      child.kill('SIGKILL');
      await done.catch(() => undefined);
      expect(integrity(file)).toBe('ok');
    }
    const before = trialsOf(file, 'kill');
    expect(before.length).toBeGreaterThan(0);
    // The fast trials ran from reservations: rows inserted ahead, RUNNING and marked reserved, which
    // the next process puts back as WAITING (and takes first, so a process killed early in its
    // run may still be working through them).
    const db = new Database(file, { readonly: true });
    const reserved = (
      db
        .prepare(
          "SELECT COUNT(*) AS n FROM trials t JOIN studyopt_trial_owners o ON o.trial_id = t.trial_id WHERE t.state = 'RUNNING' AND o.since IS NOT NULL",
        )
        .get() as { n: number }
    ).n;
    db.close();
    expect(reserved + before.filter((t) => t.state === 'WAITING').length).toBeGreaterThan(0);
    // The next run fails the trials the killed processes left RUNNING (their pid is gone), puts
    // their unused reservations back as WAITING, takes those first, and goes on.
    const resumed = await run(file, 'kill', 'random', { nTrials: 10, seed: 9 });
    expect(resumed.completed).toBe(10);
    const after = trialsOf(file, 'kill');
    expect(after.filter((t) => t.state === 'RUNNING')).toEqual([]);
    expect(after.map((t) => t.number)).toEqual(Array.from({ length: after.length }, (_, i) => i));
    const reusable = reserved + before.filter((t) => t.state === 'WAITING').length;
    expect(after.length).toBe(before.length + Math.max(0, 10 - reusable));
    expect(after.filter((t) => t.state === 'COMPLETE').length).toBe(before.filter((t) => t.state === 'COMPLETE').length + 10);
    // At most the trial in flight per kill is lost (a reservation taken but not yet committed
    // goes back to WAITING instead).
    expect(after.filter((t) => t.state === 'FAIL').length).toBeLessThanOrEqual(3);
    expect(integrity(file)).toBe('ok');
  }, 60_000);

  it('fails a studyopt trial of a vanished machine that never beat, counting from its start', () => {
    const file = join(dir, 'never-beat.db');
    const a = new SqliteStorage(file, { heartbeatInterval: 1, gracePeriod: 5 });
    const s = a.createStudy('quiet', ['minimize']);
    const lost = a.createTrial(s);
    if (!isCreated(lost)) throw new Error('not created');
    a.close();
    const db = new Database(file);
    db.prepare("UPDATE studyopt_trial_owners SET host = 'elsewhere'").run();
    db.prepare("UPDATE trials SET datetime_start = datetime('now', 'localtime', '-1 minute') WHERE trial_id = ?").run(lost.trialId);
    db.close();
    const b = new SqliteStorage(file, { heartbeatInterval: 1, gracePeriod: 5 });
    expect(b.failStaleTrials(s, b.gracePeriod!)).toEqual([lost.trialId]);
    expect(String(b.getTrial(lost.trialId).systemAttrs.fail_reason)).toMatch(/no heartbeat for 5 s/);
    b.close();
  });

  it('fails trials whose heartbeat is stale, and only those', () => {
    const file = join(dir, 'stale.db');
    const a = new SqliteStorage(file, { heartbeatInterval: 1, gracePeriod: 5 });
    const s = a.createStudy('stale', ['minimize']);
    const old = a.createTrial(s);
    const fresh = a.createTrial(s);
    if (!isCreated(old) || !isCreated(fresh)) throw new Error('not created');
    a.close();
    // Pretend both ran on another machine; `old` last beat a minute ago.
    const db = new Database(file);
    db.prepare("UPDATE studyopt_trial_owners SET host = 'elsewhere'").run();
    // (No beat is written at creation: `fresh` counts from its start, moments ago.)
    db.prepare('INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES (?, ?)').run(old.trialId, formatUtc(Date.now() - 60_000));
    db.close();
    const b = new SqliteStorage(file, { heartbeatInterval: 1, gracePeriod: 5 });
    expect(b.failStaleTrials(s, b.gracePeriod!)).toEqual([old.trialId]);
    const t = b.getTrial(old.trialId);
    expect(t.state).toBe('FAIL');
    expect(String(t.systemAttrs.fail_reason)).toMatch(/heartbeat/);
    expect(b.getTrial(fresh.trialId).state).toBe('RUNNING');
    b.close();
  });
});
