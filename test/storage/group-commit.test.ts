/**
 * Group commit in the SQLite store: fast runs reserve trial rows ahead and commit finished trials
 * in batches, through a background writer thread. What must hold: every trial lands once with all
 * it holds, numbers stay dense, unused reservations go back as WAITING trials (on close, on exit,
 * after a crash) and are taken first by the next run, and another process can tell an abandoned
 * reservation from a live one.
 */
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GridSampler } from '../../samplers/grid.js';
import { RandomSampler } from '../../samplers/random.js';
import { formatUtc } from '../../src/storage/sql/encoding.js';
import { GUARD_SQL, type FinishRecord, applyFinishRecords, sqlId, sqlText } from '../../src/storage/sql/finish-record.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { createStudy, loadStudy } from '../../src/study.js';
import type { Trial } from '../../src/trial.js';
import { REPO_ROOT, tempDir } from './helpers.js';

const WORKER = join(REPO_ROOT, 'test/fixtures/storage/worker.mjs');
/** Rows reserved ahead and not started (as the file knows): RUNNING, with the owner's `since` set. */
const RESERVED_ROWS =
  "SELECT COUNT(*) AS n FROM trials t JOIN studyopt_trial_owners o ON o.trial_id = t.trial_id WHERE t.state = 'RUNNING' AND o.since IS NOT NULL";

function fast(trial: Trial): number {
  let s = 0;
  for (let i = 0; i < 6; i++) s += trial.suggestFloat(`x${i}`, -1, 1) ** 2;
  trial.setUserAttr('tag', 'fast');
  return s;
}

interface Row {
  trial_id: number;
  number: number;
  state: string;
  datetime_start: string | null;
}

function rows(file: string): Row[] {
  const db = new Database(file, { readonly: true });
  const out = db.prepare('SELECT trial_id, number, state, datetime_start FROM trials ORDER BY trial_id').all() as Row[];
  db.close();
  return out;
}

function count(file: string, sql: string): number {
  const db = new Database(file, { readonly: true });
  const n = (db.prepare(sql).get() as { n: number }).n;
  db.close();
  return n;
}

function runChild(file: string, options: object): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, file, 'fast', 'random', JSON.stringify(options)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with ${code}: ${err}`))));
  });
}

describe('SQLite group commit', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('reserves rows ahead in a fast run, and lands every trial once with all it holds', async () => {
    const file = join(dir, 'fast.db');
    const storage = new SqliteStorage(file);
    const study = createStudy({ studyName: 'fast', storage, sampler: new RandomSampler({ seed: 3 }) });
    let reservedSeen = 0;
    let startless = -1;
    await study.optimize(fast, {
      nTrials: 3000,
      callbacks: [
        (_s, t) => {
          // Another connection's view, mid-run: rows inserted ahead are RUNNING, marked reserved
          // in studyopt_trial_owners, and (for Optuna) have a start time.
          if (t.number === 2000) {
            reservedSeen = count(file, RESERVED_ROWS);
            startless = count(file, "SELECT COUNT(*) AS n FROM trials WHERE state = 'RUNNING' AND datetime_start IS NULL");
          }
        },
      ],
    });
    expect(reservedSeen).toBeGreaterThan(1);
    expect(startless).toBe(0);
    // In this process the run's own view never shows a reserved row as a trial.
    const seen = study.trials;
    expect(seen.length).toBe(3000);
    storage.close();
    const all = rows(file);
    expect(all.map((r) => r.number)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(all.every((r) => r.state === 'COMPLETE' && r.datetime_start !== null)).toBe(true);
    expect(count(file, 'SELECT COUNT(*) AS n FROM trial_params')).toBe(3000 * 6);
    expect(count(file, 'SELECT COUNT(*) AS n FROM trial_values')).toBe(3000);
    expect(count(file, 'SELECT COUNT(*) AS n FROM trial_user_attributes')).toBe(3000);
    expect(count(file, 'SELECT COUNT(*) AS n FROM studyopt_trial_owners')).toBe(0);
    // The values in the file are the ones the run saw.
    const again = loadStudy({ studyName: 'fast', storage: `sqlite:///${file}` });
    const best = again.bestTrial;
    expect(best.values![0]).toBe(Math.min(...seen.map((t) => t.values![0])));
    again.storage.close();
  });

  it('gives unused reservations back as WAITING trials, which the next run takes first', async () => {
    const file = join(dir, 'stop.db');
    const storage = new SqliteStorage(file);
    const study = createStudy({ studyName: 'stop', storage, sampler: new RandomSampler({ seed: 4 }) });
    // No nTrials: the run cannot tell the store when it ends, so reservations outlive it.
    await study.optimize(fast, { callbacks: [(s, t) => t.number + 1 >= 1500 && s.stop()] });
    const finished = study.getTrials({ states: ['COMPLETE'] }).length;
    const waiting = study.getTrials({ states: ['WAITING'] }).length;
    expect(waiting).toBeGreaterThan(0);
    storage.close();
    const all = rows(file);
    expect(all.length).toBe(finished + waiting);
    expect(all.filter((r) => r.state === 'RUNNING')).toEqual([]);
    expect(all.map((r) => r.number)).toEqual(Array.from({ length: all.length }, (_, i) => i));

    const next = loadStudy({ studyName: 'stop', storage: `sqlite:///${file}`, sampler: new RandomSampler({ seed: 5 }) });
    // An enqueued trial behind the given-back slots keeps its parameters (it is not a plain slot).
    next.enqueueTrial({ x0: 0.5, x1: 0.5, x2: 0.5, x3: 0.5, x4: 0.5, x5: 0.5 });
    const firstNumbers: number[] = [];
    await next.optimize(fast, { nTrials: waiting + 11, callbacks: [(_s, t) => firstNumbers.push(t.number)] });
    const enqueued = next.trials.find((t) => t.number === all.length)!;
    next.storage.close();
    // The WAITING slots were run before any new trial (taken many at a time), and nothing is left over.
    expect([...firstNumbers.slice(0, waiting)].sort((a, b) => a - b)).toEqual(all.filter((r) => r.state === 'WAITING').map((r) => r.number));
    expect(enqueued.params).toEqual({ x0: 0.5, x1: 0.5, x2: 0.5, x3: 0.5, x4: 0.5, x5: 0.5 });
    const after = rows(file);
    expect(after.length).toBe(all.length + 11);
    expect(after.every((r) => r.state === 'COMPLETE')).toBe(true);
  });

  it('writes out finished trials and gives reservations back when a process exits without close()', async () => {
    const file = join(dir, 'exit.db');
    await runChild(file, { stopAfter: 1200, close: false });
    const all = rows(file);
    expect(all.filter((r) => r.state === 'COMPLETE').length).toBe(1200);
    expect(all.filter((r) => r.state === 'RUNNING')).toEqual([]);
    expect(all.every((r) => r.state === 'COMPLETE' || r.state === 'WAITING')).toBe(true);
    expect(count(file, 'SELECT COUNT(*) AS n FROM trial_params')).toBe(1200 * 5);
  });

  it('reserves grid points ahead: each point once, also across processes and after a stop and resume', async () => {
    const file = join(dir, 'grid.db');
    const grid = () => new GridSampler({ a: Array.from({ length: 60 }, (_, i) => i), b: Array.from({ length: 40 }, (_, i) => i) });
    const objective = (t: Trial): number => t.suggestInt('a', 0, 100) * 100 + t.suggestInt('b', 0, 100);
    const storage = new SqliteStorage(file);
    const study = createStudy({ studyName: 'grid', storage, sampler: grid() });
    let reservedWithPoint = 0;
    await study.optimize(objective, {
      callbacks: [
        (s, t) => {
          if (t.number === 1000) {
            reservedWithPoint = count(
              file,
              `${RESERVED_ROWS} AND t.trial_id IN (SELECT trial_id FROM trial_system_attributes WHERE "key" = 'grid_id')`,
            );
          }
          if (t.number + 1 >= 1200) s.stop();
        },
      ],
    });
    expect(reservedWithPoint).toBeGreaterThan(1);
    const waiting = study.getTrials({ states: ['WAITING'] }).length;
    expect(waiting).toBeGreaterThan(0);
    storage.close();
    // Two processes finish the grid; the WAITING rows keep their points and run first.
    await Promise.all([
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, [WORKER, file, 'grid', 'grid', JSON.stringify({ gridA: 60, gridB: 40 })], { stdio: ['ignore', 'ignore', 'pipe'] });
        child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with ${code}`))));
      }),
      (async () => {
        const again = loadStudy({ studyName: 'grid', storage: `sqlite:///${file}`, sampler: grid() });
        await again.optimize(objective);
        again.storage.close();
      })(),
    ]);
    const db = new Database(file, { readonly: true });
    const points = db
      .prepare("SELECT t.state AS state, a.value_json AS point FROM trials t JOIN trial_system_attributes a ON a.trial_id = t.trial_id AND a.\"key\" = 'grid_id'")
      .all() as { state: string; point: string }[];
    const total = (db.prepare('SELECT COUNT(*) AS n FROM trials').get() as { n: number }).n;
    db.close();
    expect(total).toBe(2400);
    expect(points.length).toBe(2400);
    expect(points.every((p) => p.state === 'COMPLETE')).toBe(true);
    expect(new Set(points.map((p) => p.point)).size).toBe(2400);
  });

  it("reuses a crashed sibling's reserved slots during a run, so a shared target still ends at exactly N", async () => {
    const file = join(dir, 'sibling.db');
    const storage = new SqliteStorage(file, { heartbeatInterval: 0.1, gracePeriod: 30 });
    const study = createStudy({ studyName: 'sibling', storage, sampler: new RandomSampler({ seed: 8 }) });
    const deadPid = 2 ** 22 + 12345; // above Linux's pid_max: no such process on this host
    const slow = (t: Trial): number => {
      const v = fast(t);
      const end = performance.now() + 0.3;
      while (performance.now() < end) {
        // 0.3 ms of work: fast enough to run from reservations, long enough for the run to last
      }
      return v;
    };
    await study.optimize(slow, {
      targetFinished: 2500,
      callbacks: [
        (_s, t) => {
          if (t.number !== 300) return;
          // Another process of this host reserves 40 slots of the study, then dies.
          const db = new Database(file);
          db.transaction(() => {
            const n = (db.prepare('SELECT COUNT(*) AS n FROM trials').get() as { n: number }).n;
            const studyId = (db.prepare("SELECT study_id FROM studies WHERE study_name = 'sibling'").get() as { study_id: number }).study_id;
            for (let i = 0; i < 40; i++) {
              const id = Number(
                db.prepare("INSERT INTO trials (number, study_id, state, datetime_start) VALUES (?, ?, 'RUNNING', '2026-11-22 10:00:00.000000')").run(n + i, studyId).lastInsertRowid,
              );
              db.prepare('INSERT INTO studyopt_trial_owners (trial_id, host, pid, since) VALUES (?, ?, ?, ?)').run(id, hostname(), deadPid, formatUtc(Date.now()));
            }
          }).immediate();
          db.close();
        },
      ],
    });
    storage.close();
    const all = rows(file);
    expect(all.filter((r) => r.state === 'COMPLETE').length).toBe(2500);
    expect(all.length).toBe(2500);
    expect(all.map((r) => r.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
  });

  it('writes out every finished trial when a process calls process.exit() in the middle of a fast run', async () => {
    const file = join(dir, 'exit-mid-run.db');
    await runChild(file, { exitAfter: 1500 });
    const all = rows(file);
    expect(all.filter((r) => r.state === 'COMPLETE').length).toBe(1500);
    expect(all.filter((r) => r.state === 'RUNNING')).toEqual([]);
    expect(all.map((r) => r.number)).toEqual(Array.from({ length: all.length }, (_, i) => i));
    expect(count(file, 'SELECT COUNT(*) AS n FROM trial_values')).toBe(1500);
  });

  it('commits each trial before the next starts when deferFinish is off (the CLI\'s --commit-each-trial)', async () => {
    const file = join(dir, 'each.db');
    const storage = new SqliteStorage(file, { deferFinish: false });
    const study = createStudy({ studyName: 'each', storage, sampler: new RandomSampler({ seed: 6 }) });
    const lagging: number[] = [];
    await study.optimize(fast, {
      nTrials: 400,
      callbacks: [
        (_s, t) => {
          // Another connection sees every finished trial at once, and no row reserved ahead.
          if (t.number % 50 !== 49) return;
          const inFile = count(file, "SELECT COUNT(*) AS n FROM trials WHERE state = 'COMPLETE'");
          const ahead = count(file, "SELECT COUNT(*) AS n FROM trials WHERE state = 'RUNNING'");
          if (inFile !== t.number + 1 || ahead !== 0) lagging.push(t.number);
        },
      ],
    });
    storage.close();
    expect(lagging).toEqual([]);
  });

  it("puts another host's abandoned reservation back as WAITING, and leaves a live one alone", () => {
    const file = join(dir, 'hosts.db');
    const a = new SqliteStorage(file, { heartbeatInterval: 1, gracePeriod: 5 });
    const studyId = a.createStudy('hosts', ['minimize']);
    a.close();
    // Two reservations of processes on another machine: one confirmed a minute ago, one just now.
    const db = new Database(file);
    const insert = db.prepare("INSERT INTO trials (number, study_id, state, datetime_start) VALUES (?, ?, 'RUNNING', '2026-11-22 10:00:00.000000')");
    const owner = db.prepare("INSERT INTO studyopt_trial_owners (trial_id, host, pid, since) VALUES (?, 'elsewhere', 4242, ?)");
    const old = Number(insert.run(0, studyId).lastInsertRowid);
    owner.run(old, formatUtc(Date.now() - 60_000));
    const live = Number(insert.run(1, studyId).lastInsertRowid);
    owner.run(live, formatUtc(Date.now()));
    db.close();
    const b = new SqliteStorage(file, { heartbeatInterval: 1, gracePeriod: 5 });
    // Nothing ran in the abandoned slot: it is not failed, it goes back to the queue.
    expect(b.failStaleTrials(studyId, b.gracePeriod!)).toEqual([]);
    expect(b.getTrial(old).state).toBe('WAITING');
    expect(b.getTrial(old).datetimeStart).toBeNull();
    expect(b.getTrial(live).state).toBe('RUNNING');
    expect(b.popWaitingTrial(studyId)?.trialId).toBe(old);
    b.close();
  });

  it('applies a finish record once, and skips a trial that is no longer its RUNNING trial', () => {
    const file = join(dir, 'records.db');
    const s = new SqliteStorage(file);
    const studyId = s.createStudy('records', ['minimize']);
    s.close();
    const db = new Database(file);
    const insert = db.prepare('INSERT INTO trials (number, study_id, state, datetime_start) VALUES (?, ?, ?, ?)');
    const running = Number(insert.run(0, studyId, 'RUNNING', '2026-11-22 10:00:00.000000').lastInsertRowid);
    const requeued = Number(insert.run(1, studyId, 'WAITING', null).lastInsertRowid);
    const owner = db.prepare("INSERT INTO studyopt_trial_owners (trial_id, host, pid, since) VALUES (?, 'here', 7, '2026-11-22 09:00:00.000000')");
    owner.run(running);
    owner.run(requeued);
    const record = (trialId: number): FinishRecord => ({
      trialId,
      reservedBy: ['here', 7],
      ops: [
        [sqlId('INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (?, ?, ?, ?)'), [trialId, 0, 1.5, 'FINITE']],
        [
          sqlId("UPDATE trials SET state = 'COMPLETE', datetime_start = ?, datetime_complete = ? WHERE trial_id = ?"),
          ['2026-11-22 10:00:00.000000', '2026-11-22 10:00:01.000000', trialId],
        ],
      ],
    });
    const stmt = (id: number) => db.prepare(sqlText(id));
    const guard = db.prepare(GUARD_SQL);
    const apply = db.transaction((records: FinishRecord[]) => applyFinishRecords(stmt, guard, records));
    expect(apply([record(running), record(requeued)])).toEqual([requeued]);
    // Again (the writer thread committed it, then close() writes what it had not confirmed).
    expect(apply([record(running)])).toEqual([running]);
    expect((db.prepare('SELECT COUNT(*) AS n FROM trial_values').get() as { n: number }).n).toBe(1);
    expect((db.prepare('SELECT state FROM trials WHERE trial_id = ?').get(requeued) as { state: string }).state).toBe('WAITING');
    db.close();
  });
});
