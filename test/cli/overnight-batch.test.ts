/**
 * The overnight batch (pool issue, item 4): three symbols (the two built in and a third from
 * symbols.json, all on synthetic candles) on one study file, as one command on one pool and as
 * three processes side by side; any of them killed (-9) or interrupted (Ctrl-C) and run again:
 * every study ends with exactly its target, each grid point once, the file sound.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../dist/src/apps/cli/main.js', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'studyopt-overnight-'));
const ENV = { ...process.env, NO_COLOR: '1', STUDYOPT_DATA_DIR: join(DIR, 'data') };
const SYMBOLS = ['GER40', 'XAUUSD', 'NAS100'];
const grid = (target: number) => ['--sampler', 'grid', '--grid', 'standard', '--trials', String(target)];

function studyopt(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: ENV, cwd: DIR });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function start(...args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { env: ENV, cwd: DIR, stdio: ['ignore', 'ignore', 'pipe'] });
}

const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

interface StudyState {
  states: Record<string, number>;
  gridIds: number;
  distinctGridIds: number;
  numbersDense: boolean;
}

function read(db: string): Record<string, StudyState> {
  const conn = new Database(db, { readonly: true });
  try {
    const out: Record<string, StudyState> = {};
    for (const { study_id, study_name } of conn.prepare('SELECT study_id, study_name FROM studies').all() as { study_id: number; study_name: string }[]) {
      const states = Object.fromEntries(
        (conn.prepare('SELECT state, COUNT(*) AS n FROM trials WHERE study_id = ? GROUP BY state').all(study_id) as { state: string; n: number }[]).map((r) => [r.state, r.n]),
      );
      const grid = conn
        .prepare("SELECT COUNT(*) AS n, COUNT(DISTINCT a.value_json) AS d FROM trials t JOIN trial_system_attributes a ON a.trial_id = t.trial_id AND a.key = 'grid_id' WHERE t.study_id = ? AND t.state = 'COMPLETE'")
        .get(study_id) as { n: number; d: number };
      const numbers = conn.prepare('SELECT number FROM trials WHERE study_id = ? ORDER BY number').pluck().all(study_id) as number[];
      out[study_name] = { states, gridIds: grid.n, distinctGridIds: grid.d, numbersDense: numbers.every((n, i) => n === i) };
    }
    return out;
  } finally {
    conn.close();
  }
}

/** Finished trials of each study in the file (none before it exists). */
function completedPerStudy(db: string): number[] {
  try {
    return Object.values(read(db)).map((s) => s.states.COMPLETE ?? 0);
  } catch {
    return [];
  }
}

/** Waits until `studies` studies hold at least `each` finished trials apiece (all are running then). */
async function whenRunning(db: string, studies: number, each: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (completedPerStudy(db).filter((n) => n >= each).length < studies) {
    if (Date.now() > deadline) throw new Error(`${db}: not ${studies} studies with ${each} finished trials after 60 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function expectExact(db: string, target: number): void {
  const studies = read(db);
  expect(Object.keys(studies).sort()).toEqual(SYMBOLS.map((s) => `ib-${s}-standard-sharpe-grid`).sort());
  for (const [name, s] of Object.entries(studies)) {
    expect({ name, ...s }).toEqual({ name, states: expect.objectContaining({ COMPLETE: target }), gridIds: target, distinctGridIds: target, numbersDense: true });
    // A run killed with -9 leaves the trials it had in flight as FAIL (failed as stale on resume); nothing else.
    expect(s.states.RUNNING ?? 0).toBe(0);
    expect(s.states.WAITING ?? 0).toBe(0);
  }
  const conn = new Database(db, { readonly: true });
  expect(conn.pragma('integrity_check', { simple: true })).toBe('ok');
  conn.close();
}

beforeAll(() => {
  mkdirSync(join(DIR, 'data'), { recursive: true });
  writeFileSync(
    join(DIR, 'data', 'symbols.json'),
    JSON.stringify({ NAS100: { timezone: 'America/New_York', ibWindows: ['09:30-10:00', '09:30-10:30'], spread: 1, tradingHours: { timezone: 'America/New_York', fromHour: 9, toHour: 15 } } }),
  );
  for (const symbol of SYMBOLS) expect(studyopt('data', 'generate', '--symbol', symbol, '--years', '0.25').code).toBe(0);
});
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

describe('the overnight batch: three symbols on one study file', () => {
  it('one command on one pool: killed with -9, run again, every study exact', async () => {
    const db = join(DIR, 'pool.db');
    const target = 2500;
    const args = ['optimize', '--symbols', SYMBOLS.join(','), ...grid(target), '--storage', db, '--workers', '2', '--quiet'];
    const child = start(...args);
    await whenRunning(db, 3, 300);
    child.kill('SIGKILL');
    await exited(child);
    expect(completedPerStudy(db).reduce((a, b) => a + b, 0)).toBeLessThan(3 * target);
    const again = studyopt(...args, '--json');
    expect(again.stderr).not.toMatch(/error/i);
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.stdout) as { studies: { studyName: string; grid: { done: number } }[] };
    expect(summary.studies.map((s) => s.grid.done)).toEqual([target, target, target]);
    expectExact(db, target);
  });

  it('three processes, one symbol each, on one file: one interrupted (Ctrl-C), one killed (-9), both run again', async () => {
    const db = join(DIR, 'terminals.db');
    // Large enough that no process is done when every study holds its first 300 trials.
    const target = 6000;
    const argsOf = (symbol: string) => ['optimize', '--symbol', symbol, ...grid(target), '--storage', db, '--workers', '1', '--quiet'];
    const children = SYMBOLS.map((symbol) => start(...argsOf(symbol)));
    await whenRunning(db, 3, 300);
    children[0].kill('SIGINT');
    children[1].kill('SIGKILL');
    expect(await exited(children[0])).toBe(130); // stopped cleanly, and says so
    await exited(children[1]);
    for (const symbol of SYMBOLS.slice(0, 2)) expect(studyopt(...argsOf(symbol)).code).toBe(0);
    expect(await exited(children[2])).toBe(0);
    expectExact(db, target);
  });
});
