/**
 * No placeholder rows: after a kill -9 in the middle of a fast run (trials reserved ahead, batches
 * in flight on the pool) the slots the dead process held, unused or taken by trials whose results
 * never reached the file, go back to the queue as WAITING slots instead of empty FAIL rows, and
 * the next run uses them first: a resume past them leaves nothing but finished trials.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, sleep, tempDir } from './helpers.js';

const BIN = join(REPO_ROOT, 'dist/src/apps/cli/main.js');
const { dir, cleanup } = tempDir('studyopt-placeholders-');
afterAll(() => cleanup());
const ENV = { ...process.env, NO_COLOR: '1', STUDYOPT_DATA_DIR: join(dir, 'data') };

function states(db: string): Record<string, number> {
  if (!existsSync(db)) return {};
  const conn = new Database(db, { readonly: true });
  try {
    // Polled while the CLI creates the file: no tables yet is no trials yet.
    if (!conn.prepare("SELECT 1 FROM sqlite_master WHERE name = 'trials'").get()) return {};
    const rows = conn.prepare('SELECT state, COUNT(*) AS n FROM trials GROUP BY state').all() as { state: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  } finally {
    conn.close();
  }
}

/** A process that runs fast trials until the store reserves ahead, takes 5 and dies holding them. */
const DIES_HOLDING_TRIALS = `
  import { createStudy } from ${JSON.stringify(join(REPO_ROOT, 'dist/src/study.js'))};
  import { RandomSampler } from ${JSON.stringify(join(REPO_ROOT, 'dist/samplers/random.js'))};
  const study = createStudy({ storage: 'sqlite:///' + process.argv[1], studyName: 's', loadIfExists: true, sampler: new RandomSampler({ seed: 1 }) });
  for (let i = 0; i < 400; i++) { const t = study.tryAsk(undefined, 100000); study.tell(t, t.suggestFloat('x', 0, 1)); }
  const held = Array.from({ length: 5 }, () => study.tryAsk(undefined, 100000));
  for (const t of held) t.suggestFloat('x', 0, 1);
  // A write while they run (the executor's heartbeat): nothing of theirs may turn into a FAIL row.
  study.storage.recordHeartbeat(held.map((t) => t.trialId));
  process.kill(process.pid, 'SIGKILL');
`;

describe('after a kill -9 and a resume', () => {
  it('the trials a dead process held go back to the queue as slots, not FAIL rows, and the next run uses them', async () => {
    const db = join(dir, 'held.db');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', DIES_HOLDING_TRIALS, db], { encoding: 'utf8' });
    expect(r.signal).toBe('SIGKILL');
    const { createStudy } = await import('../../src/study.js');
    const { RandomSampler } = await import('../../samplers/random.js');
    const study = createStudy({ storage: `sqlite:///${db}`, studyName: 's', loadIfExists: true, sampler: new RandomSampler({ seed: 2 }) });
    const before = states(db);
    expect(before.RUNNING).toBeGreaterThanOrEqual(5);
    // Its trials finished in the last 0.1 s were never committed (group commit), and its rows are
    // reserved slots: the 5 it ran and the unused ones. A run to a target past them all uses every
    // slot first: nothing is left but finished trials, and no empty FAIL row.
    const target = (before.COMPLETE ?? 0) + before.RUNNING + 10;
    await study.optimize((t) => t.suggestFloat('x', 0, 1), { targetFinished: target });
    study.storage.close();
    expect(states(db)).toEqual({ COMPLETE: target });
  });

  it('a fast pool run leaves no empty FAIL or WAITING rows, and no grid point twice', async () => {
    expect(spawnSync(process.execPath, [BIN, 'data', 'generate', '--symbol', 'GER40', '--years', '0.5'], { env: ENV }).status).toBe(0);
    const db = join(dir, 'k.db');
    const args = ['optimize', '--sampler', 'grid', '--grid', 'standard', '--storage', db, '--workers', '2', '--quiet'];
    const child = spawn(process.execPath, [BIN, ...args, '--trials', '25920'], { env: ENV, stdio: 'ignore' });
    // Kill it once it is well under way (finished trials in the file).
    for (let i = 0; i < 600; i++) {
      const now = states(db);
      if ((now.COMPLETE ?? 0) >= 1500 && (now.RUNNING ?? 0) > 0) break;
      await sleep(20);
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const atKill = states(db);
    expect(atKill.RUNNING ?? 0).toBeGreaterThan(0); // reserved and in-flight rows of the dead process

    // Past every slot the dead process held, so that the resume uses them all.
    const target = (atKill.COMPLETE ?? 0) + (atKill.RUNNING ?? 0) + (atKill.WAITING ?? 0) + 500;
    const resumed = spawnSync(process.execPath, [BIN, ...args, '--trials', String(target), '--json'], { env: ENV, encoding: 'utf8' });
    expect(resumed.status).toBe(0);
    expect(states(db)).toEqual({ COMPLETE: target });
    const conn = new Database(db, { readonly: true });
    const ids = conn.prepare("SELECT COUNT(*) AS n, COUNT(DISTINCT value_json) AS d FROM trial_system_attributes WHERE \"key\" = 'grid_id'").get() as { n: number; d: number };
    const numbers = (conn.prepare('SELECT number FROM trials ORDER BY number').all() as { number: number }[]).map((r) => r.number);
    expect(conn.pragma('integrity_check', { simple: true })).toBe('ok');
    conn.close();
    expect(ids).toEqual({ n: target, d: target });
    expect(numbers).toEqual(Array.from({ length: target }, (_, i) => i));
  });
});
