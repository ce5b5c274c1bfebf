/**
 * What broke a new user's trust, from the command line: a run whose trials all fail must stop
 * (exit 1, the last failure's reason), Ctrl-C must be answered and reported (exit 130), the best
 * parameters must reproduce in `backtest`, a study must not silently continue on other data, and
 * every output must say which data a study ran on.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../dist/src/apps/cli/main.js', import.meta.url));
const GER40_CSV = fileURLToPath(new URL('../fixtures/ib/ger40-histdata-dst.csv.gz', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'studyopt-trust-'));
const ENV = { ...process.env, NO_COLOR: '1', STUDYOPT_DATA_DIR: join(DIR, 'data') };

function studyopt(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env, cwd: DIR });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Its own data directory, with a quarter year of synthetic candles for each symbol used. */
function dataDir(name: string, ...symbols: string[]): NodeJS.ProcessEnv {
  const env = { ...ENV, STUDYOPT_DATA_DIR: join(DIR, `data-${name}`) };
  for (const s of symbols) expect(studyopt(env, 'data', 'generate', '--symbol', s, '--years', '0.25').code).toBe(0);
  return env;
}

function stateCounts(db: string): Record<string, number> {
  const conn = new Database(db, { readonly: true });
  try {
    const rows = conn.prepare('SELECT state, COUNT(*) AS n FROM trials GROUP BY state').all() as { state: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  } finally {
    conn.close();
  }
}

writeFileSync(join(DIR, 'nan.mjs'), "export function objective(trial) { trial.suggestFloat('x', 0, 1); return NaN; }\n");
writeFileSync(join(DIR, 'throws.mjs'), "export function objective(trial) { trial.suggestFloat('x', 0, 1); throw new RangeError('no data for this x'); }\n");

describe('a run whose trials all fail', () => {
  it('stops with exit status 1 and the last failure, on the pool and in one thread', () => {
    for (const [module, workers, reason] of [
      ['./nan.mjs', '2', /the last failure: the objective returned NaN/],
      ['./throws.mjs', '1', /the last failure: RangeError: no data for this x/],
    ] as const) {
      const db = join(DIR, `fail-${workers}.db`);
      const r = studyopt(ENV, 'optimize', '--objective', module, '--trials', '20', '--storage', db, '--sampler', 'random', '--workers', workers);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/stopped because \d+ trials failed in a row/);
      expect(r.stderr).toMatch(reason);
      expect(r.stdout).toMatch(/\(stopped: its trials kept failing\)/);
      expect(r.stdout).toMatch(/once the objective is fixed, resume with: studyopt optimize/);
      const counts = stateCounts(db);
      expect(counts.COMPLETE ?? 0).toBe(0);
      expect(counts.FAIL).toBeGreaterThanOrEqual(20);
      expect(counts.FAIL).toBeLessThan(200); // not millions
    }
  });

  it('follows --max-failures-in-a-row, and --json says why it stopped', () => {
    const r = studyopt(ENV, 'optimize', '--objective', './nan.mjs', '--trials', '20', '--storage', 'memory', '--workers', '1', '--max-failures-in-a-row', '7', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ failed: 7, stopReason: 'failures', failures: { why: '7 trials failed in a row', lastFailReason: 'the objective returned NaN' } });
    const bad = studyopt(ENV, 'optimize', '--objective', './nan.mjs', '--storage', 'memory', '--max-failure-rate', '1.5');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-failure-rate must be a fraction in \(0, 1\]/);
  });

  it('answers Ctrl-C at once even when no budget bounds it, and exits 130', async () => {
    const db = join(DIR, 'sigint.db');
    const args = ['optimize', '--objective', './nan.mjs', '--trials', '20', '--storage', db, '--sampler', 'random', '--max-failures-in-a-row', '0', '--max-failure-rate', '1'];
    const child = spawn(process.execPath, [BIN, ...args], { env: ENV, cwd: DIR });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise((r) => setTimeout(r, 2500));
    const sent = performance.now();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(stderr).toMatch(/stopping: finishing the trials in flight/);
    expect(code).toBe(130);
    expect(performance.now() - sent).toBeLessThan(10_000);
    const conn = new Database(db, { readonly: true });
    expect(conn.pragma('integrity_check', { simple: true })).toBe('ok');
    conn.close();
  });
});

describe('continuing a study', () => {
  it('suggests a larger target once the target is reached', () => {
    const db = join(DIR, 'target.db');
    const r = studyopt(ENV, 'optimize', '--objective', 'branin', '--sampler', 'random', '--trials', '30', '--storage', db, '--workers', '1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/continue with a larger target \(--trials is the study's total\): studyopt optimize --objective branin --sampler random --trials 60 --storage \S+target\.db --workers 1 --study-name branin-random/);
  });

  it('counts trials like the library: --trials is the total (targetFinished), --n-trials that many more (nTrials)', () => {
    const db = join(DIR, 'counting.db');
    const flags = ['optimize', '--objective', 'branin', '--sampler', 'random', '--storage', db, '--workers', '1', '--json'];
    expect(JSON.parse(studyopt(ENV, ...flags, '--trials', '12').stdout).nTrials).toBe(12);
    expect(JSON.parse(studyopt(ENV, ...flags, '--trials', '12').stdout).nTrials).toBe(12); // reached: nothing more
    expect(JSON.parse(studyopt(ENV, ...flags, '--n-trials', '5').stdout).nTrials).toBe(17);
    expect(JSON.parse(studyopt(ENV, ...flags, '--n-trials', '5').stdout).nTrials).toBe(22);
    const both = studyopt(ENV, ...flags, '--trials', '30', '--n-trials', '5');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give --trials \(the study's total\) or --n-trials \(this many more\), not both/);
  });
});

describe('the data a study ran on', () => {
  it('is generated with a notice on first use, and named by optimize and best', () => {
    const env = { ...ENV, STUDYOPT_DATA_DIR: join(DIR, 'data-first') };
    const db = join(DIR, 'first.db');
    const r = studyopt(env, 'optimize', '--sampler', 'random', '--grid', 'standard', '--trials', '5', '--storage', db, '--workers', '1');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`generating the built-in SYNTHETIC GER40 data (2.5 years of M1 candles to 2025-06-30, seed 1) into ${join(DIR, 'data-first', 'GER40')}`);
    const dataLine = /data: GER40: synthetic \(seed 1, 2\.5 years to 2025-06-30\), 2023-01-02 to 2025-06-30, \d+ trading days, [\d,]+ bars \(data [0-9a-f]{12}\)/;
    expect(r.stdout).toMatch(dataLine);
    expect(r.stdout).toMatch(/searched: the standard IB grid's value lists/);
    expect(studyopt(env, 'best', '--storage', db).stdout).toMatch(dataLine);
    // Once generated, the next run says nothing about it.
    expect(studyopt(env, 'optimize', '--sampler', 'random', '--grid', 'standard', '--trials', '6', '--storage', db, '--workers', '1').stderr).not.toMatch(/generating/);
  });

  it('is checked: other data is refused (exit 2, both named) unless accepted, and data import says what it replaces', () => {
    const env = dataDir('change', 'GER40');
    const db = join(DIR, 'change.db');
    const flags = ['optimize', '--sampler', 'random', '--grid', 'standard', '--storage', db, '--workers', '1', '--study-name', 'ger'];
    expect(studyopt(env, ...flags, '--trials', '10').code).toBe(0);

    const imported = studyopt(env, 'data', 'import', '--symbol', 'GER40', '--csv', GER40_CSV, '--storage', db);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/replaced: GER40: synthetic \(seed 1, 0\.25 years to 2025-06-30\)/);
    expect(imported.stdout).toMatch(/studies in \S+change\.db that ran on the replaced data: ger \(10 trials\)/);

    const refused = studyopt(env, ...flags, '--trials', '20');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/study 'ger' ran its trials on other data than this run would use/);
    expect(refused.stderr).toMatch(/the study's data: GER40: synthetic \(seed 1, 0\.25 years to 2025-06-30\)/);
    expect(refused.stderr).toMatch(/this run's data: +GER40: imported from ger40-histdata-dst\.csv\.gz, 2018-03-09 to 2018-03-26, 4 trading days, 3,354 bars/);
    expect(refused.stderr).toMatch(/--accept-new-data/);
    expect(stateCounts(db)).toEqual({ COMPLETE: 10 }); // nothing written

    const accepted = studyopt(env, ...flags, '--trials', '20', '--accept-new-data');
    expect(accepted.code).toBe(0);
    expect(accepted.stderr).toMatch(/continues on new data \(--accept-new-data\)/);
    expect(stateCounts(db)).toEqual({ COMPLETE: 20 });
    // Each trial keeps its data: trial 3 ran on the synthetic data, which is gone now.
    const old = studyopt(env, 'backtest', '--storage', db, '--trial', '3');
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/the GER40 data changed since this trial ran/);
    const recent = studyopt(env, 'backtest', '--storage', db, '--trial', '15', '--json');
    expect(recent.code).toBe(0);
    expect(JSON.parse(recent.stdout).stored).toMatchObject({ trial: 15, reproduced: true });
    // The best trial may be one of the earlier data: best says the study mixes data.
    const best = studyopt(env, 'best', '--storage', db);
    const bestNumber = Number(/^trial (\d+):/.exec(best.stdout)![1]);
    if (bestNumber < 10) expect(best.stdout).toMatch(/note: the study mixes data: trials from #10 on ran on GER40: imported from ger40-histdata-dst\.csv\.gz/);
    else expect(best.stdout).toMatch(/data: GER40: imported from ger40-histdata-dst\.csv\.gz/);
  });
});

describe('the best trial', () => {
  for (const grid of ['standard', 'expanded']) {
    it(`of a search on the ${grid} grid reproduces in backtest, by its parameters and by its number`, () => {
      const env = dataDir(`best-${grid}`, 'XAUUSD');
      const db = join(DIR, `best-${grid}.db`);
      const run = studyopt(env, 'optimize', '--symbol', 'XAUUSD', '--grid', grid, '--sampler', 'tpe', '--seed', '3', '--trials', '60', '--min-trades', '1', '--storage', db, '--workers', '1', '--json');
      expect(run.code).toBe(0);
      const best = JSON.parse(studyopt(env, 'best', '--storage', db, '--json').stdout);
      // Every engine parameter is given, those the grid fixes too (MIN_SL_PCT is 0.0015 on the expanded grid).
      expect(Object.keys(best.params).sort()).toEqual(
        ['IB_BUFFER_PCT', 'IB_WAIT_MINUTES', 'IB_WINDOW', 'MAX_DISTANCE_PCT', 'MIN_SL_PCT', 'REV_RB_ENABLED', 'REV_RB_PCT', 'RR_TARGET', 'STOP_MODE', 'TRADE_WINDOW_MINUTES', 'TSL_SL', 'TSL_TARGET'].sort(),
      );
      expect(best.params.MIN_SL_PCT).toBe(grid === 'expanded' ? 0.0015 : 0.001);
      expect(best.backtest).toMatchObject({ symbol: 'XAUUSD', from: null, to: null });

      const byParams = studyopt(env, 'backtest', '--symbol', 'XAUUSD', '--params', JSON.stringify(best.params), '--json');
      expect(byParams.code).toBe(0);
      const replay = JSON.parse(byParams.stdout);
      const metrics = replay.metrics;
      // Trade times on the exchange's clock too: XAUUSD's IB zone is Tokyo, UTC+9 all year.
      expect(replay.timeZone).toBe('Asia/Tokyo');
      for (const t of replay.trades) expect(Date.parse(`${t.entryLocal}Z`) - Date.parse(t.entryTime)).toBe(9 * 3600_000);
      expect(metrics).toEqual(Object.fromEntries(Object.keys(metrics).map((k) => [k, best.userAttrs[k]])));
      expect(metrics.sharpe_ratio).toBe(best.values[0]);

      const byNumber = studyopt(env, 'backtest', '--storage', db);
      expect(byNumber.code).toBe(0);
      expect(byNumber.stdout).toMatch(new RegExp(`trial ${best.number} of study 'ib-XAUUSD-${grid}-sharpe-tpe', run again`));
      expect(byNumber.stdout).toMatch(/reproduced: every metric equals the stored one/);
    });
  }
});
