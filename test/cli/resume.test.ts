/**
 * The overnight-batch workflow from the command line: runs stored in a study file, continued by
 * re-running the same command, interrupted with Ctrl-C, refused when the flags disagree.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../dist/src/apps/cli/main.js', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'studyopt-resume-'));
const ENV = { ...process.env, NO_COLOR: '1', STUDYOPT_DATA_DIR: join(DIR, 'data') };

function studyopt(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: ENV, cwd: DIR });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function counts(db: string, study: string): Record<string, number> {
  const conn = new Database(db, { readonly: true });
  try {
    const rows = conn
      .prepare('SELECT t.state, COUNT(*) AS n FROM trials t JOIN studies s ON s.study_id = t.study_id WHERE s.study_name = ? GROUP BY t.state')
      .all(study) as { state: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  } finally {
    conn.close();
  }
}

describe('resuming from the command line', () => {
  it('continues a study to its --trials target and numbers trials on', () => {
    const db = join(DIR, 'a.db');
    const first = studyopt('optimize', '--objective', 'branin', '--sampler', 'random', '--seed', '1', '--trials', '30', '--storage', db, '--json');
    expect(JSON.parse(first.stdout)).toMatchObject({ studyName: 'branin-random', nTrials: 30 });
    const second = studyopt('optimize', '--objective', 'branin', '--sampler', 'random', '--seed', '1', '--trials', '75', '--storage', db, '--json');
    const out = JSON.parse(second.stdout);
    expect(out).toMatchObject({ nTrials: 75, completed: 75 });
    const conn = new Database(db, { readonly: true });
    const numbers = (conn.prepare('SELECT number FROM trials ORDER BY number').all() as { number: number }[]).map((r) => r.number);
    const distinct = (conn.prepare("SELECT COUNT(DISTINCT param_value) AS n FROM trial_params WHERE param_name = 'x0'").get() as { n: number }).n;
    conn.close();
    expect(numbers).toEqual(Array.from({ length: 75 }, (_, i) => i));
    expect(distinct).toBe(75); // the resumed run does not repeat the first run's parameters
    // Reaching the target again runs nothing more.
    expect(JSON.parse(studyopt('optimize', '--objective', 'branin', '--sampler', 'random', '--trials', '75', '--storage', db, '--json').stdout).nTrials).toBe(75);
  });

  it('refuses to mix another objective, direction or IB setting into a study; --fresh starts a new one', () => {
    const db = join(DIR, 'b.db');
    studyopt('optimize', '--sampler', 'random', '--trials', '5', '--storage', db, '--grid', 'standard', '--study-name', 'ib', '--json');
    const other = studyopt('optimize', '--sampler', 'random', '--trials', '10', '--storage', db, '--grid', 'expanded', '--study-name', 'ib');
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/created for another search \(grid: stored "standard", asked "expanded"\)/);
    const dir = studyopt('optimize', '--sampler', 'random', '--trials', '10', '--storage', db, '--grid', 'standard', '--study-name', 'ib', '--direction', 'minimize');
    expect(dir.code).toBe(2);
    expect(dir.stderr).toMatch(/created to maximize/);
    const fresh = studyopt('optimize', '--sampler', 'random', '--trials', '3', '--storage', db, '--grid', 'expanded', '--study-name', 'ib', '--fresh', '--json');
    expect(JSON.parse(fresh.stdout)).toMatchObject({ studyName: 'ib-2', nTrials: 3 });
    expect(counts(db, 'ib')).toEqual({ COMPLETE: 5 }); // nothing of the refused runs was written
  });

  it('stops cleanly on Ctrl-C, keeps every finished trial, prints how to resume, and resumes', async () => {
    const db = join(DIR, 'c.db');
    const args = ['optimize', '--sampler', 'grid', '--grid', 'expanded', '--trials', '2000000', '--storage', db];
    const child = spawn(process.execPath, [BIN, ...args], { env: ENV, cwd: DIR });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // Let it get going (it generates the built-in data first), then interrupt.
    await new Promise((r) => setTimeout(r, 4000));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(stderr).toMatch(/stopping: finishing the trials in flight/);
    expect(code).toBe(130); // an interrupted run says so to scripts (128 + SIGINT)
    expect(stdout).toMatch(/\(interrupted\)/);
    expect(stdout).toMatch(/resume with: studyopt optimize --sampler grid --grid expanded --trials 2000000 --storage \S+c\.db --study-name ib-GER40-expanded-sharpe-grid/);
    const before = counts(db, 'ib-GER40-expanded-sharpe-grid');
    expect(before.RUNNING ?? 0).toBe(0);
    // A graceful stop finishes what it started; trials the pool had queued but not started are
    // recorded as FAIL with that reason (and their grid points are handed out again on resume).
    const connF = new Database(db, { readonly: true });
    const reasons = (connF
      .prepare("SELECT a.value_json AS r FROM trials t JOIN trial_system_attributes a ON a.trial_id = t.trial_id WHERE t.state = 'FAIL' AND a.key = 'fail_reason'")
      .all() as { r: string }[]).map((x) => JSON.parse(x.r) as string);
    connF.close();
    expect(reasons).toHaveLength(before.FAIL ?? 0);
    for (const r of reasons) expect(r).toMatch(/^interrupted: the run was stopped before this trial started/);
    expect(before.COMPLETE).toBeGreaterThan(10);
    const conn = new Database(db, { readonly: true });
    expect(conn.pragma('integrity_check', { simple: true })).toBe('ok');
    conn.close();
    // Resume with a smaller target: it finishes at exactly that many.
    const target = before.COMPLETE + 25;
    const resumed = studyopt('optimize', '--sampler', 'grid', '--grid', 'expanded', '--trials', String(target), '--storage', db, '--json');
    expect(JSON.parse(resumed.stdout)).toMatchObject({ completed: target });
    const conn2 = new Database(db, { readonly: true });
    const ids = conn2
      .prepare("SELECT COUNT(*) AS n, COUNT(DISTINCT a.value_json) AS d FROM trial_system_attributes a JOIN trials t ON t.trial_id = a.trial_id WHERE a.key = 'grid_id' AND t.state = 'COMPLETE'")
      .get() as { n: number; d: number };
    conn2.close();
    expect(ids.d).toBe(ids.n); // no grid point evaluated twice
  });
});
