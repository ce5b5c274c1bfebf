/**
 * One study over a basket of symbols (`optimize --basket`): each trial's value is the aggregate
 * of its symbols' values, each checked against `studyopt backtest` run on that symbol alone with
 * the symbol's own parameters (an independent path through the engine).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BasketGrid, aggregateMetrics, basketWindowParam } from '../../studies/ib/basket.js';
import { IbGrid } from '../../studies/ib/grids.js';
import { getSymbol } from '../../studies/ib/symbols.js';
import type { IbMetrics } from '../../studies/ib/metrics.js';

const BIN = fileURLToPath(new URL('../../dist/src/apps/cli/main.js', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'studyopt-basket-'));
const ENV = { ...process.env, NO_COLOR: '1', STUDYOPT_DATA_DIR: join(DIR, 'data') };
const RANGE = ['--from', '2024-01-02', '--to', '2024-06-28'];

function studyopt(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: ENV, cwd: DIR });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('optimize --basket', () => {
  it('runs each trial on every symbol, aggregates their values, and stores each symbol\'s metrics', () => {
    const db = join(DIR, 'basket.db');
    const run = studyopt('optimize', '--basket', 'GER40,XAUUSD', '--aggregate', 'worst', '--trials', '12', '--sampler', 'random', '--seed', '3', '--storage', db, '--workers', '2', ...RANGE);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('per symbol');
    const trials = new Database(db, { readonly: true })
      .prepare("SELECT t.number, v.value FROM trials t JOIN trial_values v ON v.trial_id = t.trial_id WHERE t.state = 'COMPLETE' ORDER BY t.number")
      .all() as { number: number; value: number }[];
    expect(trials.length).toBe(12);
    const exported = studyopt('trials', '--storage', db, '--json');
    expect(exported.code, exported.stderr).toBe(0);
    const flat = JSON.parse(exported.stdout) as Record<string, unknown>[];
    // `trials --json` flattens into params_<name> and user_attrs_<key> columns.
    const pick = (r: Record<string, unknown>, prefix: string) => Object.fromEntries(Object.entries(r).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
    const rows = flat.map((r) => ({ number: r.number as number, params: pick(r, 'params_'), userAttrs: pick(r, 'user_attrs_') }));
    // The IB space's constraint holds in a basket too: no trial's trailing step was clamped to its target.
    for (const row of rows) expect(row.userAttrs).not.toHaveProperty('TSL_SL_effective');
    // Two trials, checked symbol by symbol against a plain backtest of that symbol.
    for (const row of rows.slice(0, 2)) {
      const perSymbol = ['GER40', 'XAUUSD'].map((symbol) => {
        expect(row.params).toHaveProperty(basketWindowParam(symbol));
        const own = row.userAttrs[`basket:${symbol}`] as Record<string, number>;
        // The stored trial re-run on one symbol reproduces that symbol's stored metrics...
        const rerun = studyopt('backtest', '--storage', db, '--trial', String(row.number), '--symbol', symbol, '--json');
        expect(rerun.code, rerun.stderr).toBe(0);
        const replay = JSON.parse(rerun.stdout) as { params: Record<string, unknown>; stored: { reproduced: boolean } };
        expect(replay.stored.reproduced).toBe(true);
        expect(replay.params['IB_WINDOW']).toBe(row.params[basketWindowParam(symbol)]);
        // ...and so does a plain backtest of that symbol with those parameters.
        const bt = studyopt('backtest', '--symbol', symbol, '--params', JSON.stringify(replay.params), ...RANGE, '--json');
        expect(bt.code, bt.stderr).toBe(0);
        const metrics = JSON.parse(bt.stdout).metrics as Record<string, number>;
        expect(own.sharpe_ratio).toBe(metrics.sharpe_ratio);
        expect(own.total_trades).toBe(metrics.total_trades);
        return metrics.sharpe_ratio;
      });
      const stored = trials.find((t) => t.number === row.number)!.value;
      expect(stored).toBe(Math.min(...perSymbol));
      // The plain keys hold the aggregate: the worst drawdown is the larger one.
      const g = row.userAttrs['basket:GER40'] as Record<string, number>;
      const x = row.userAttrs['basket:XAUUSD'] as Record<string, number>;
      expect(row.userAttrs['max_drawdown']).toBe(Math.max(g.max_drawdown, x.max_drawdown));
      expect(row.userAttrs['total_trades']).toBe(Math.min(g.total_trades, x.total_trades));
    }
  }, 300_000);

  it('backtest of a basket trial asks which symbol, and refuses one outside the basket', () => {
    const db = join(DIR, 'basket.db');
    const none = studyopt('backtest', '--storage', db, '--trial', '0');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--symbol GER40/);
    const other = studyopt('backtest', '--storage', db, '--trial', '0', '--symbol', 'NAS100');
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/not in the basket/);
    const verify = studyopt('verify', '--storage', db);
    expect(verify.code).toBe(2);
    expect(verify.stderr).toMatch(/basket of GER40, XAUUSD: check a trial symbol by symbol/);
  });

  it('best and the report show the per-symbol breakdown', () => {
    const db = join(DIR, 'basket.db');
    const best = studyopt('best', '--storage', db);
    expect(best.code, best.stderr).toBe(0);
    expect(best.stdout).toMatch(/per symbol/);
    expect(best.stdout).toMatch(/metric\s+GER40\s+XAUUSD\s+basket/);
    expect(best.stdout).toContain('--symbol XAUUSD');
    const out = join(DIR, 'basket.html');
    const report = studyopt('report', '--storage', db, '--out', out);
    expect(report.code, report.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<h2>Per-symbol breakdown</h2>');
    expect(html).toContain('<th>basket (worst)</th>');
  });

  it('refuses flags that do not fit a basket, with exit 2', () => {
    const cases: [string[], RegExp][] = [
      [['--basket', 'GER40'], /at least two symbols/],
      [['--basket', 'GER40,GER40'], /twice/],
      [['--basket', 'GER40,NOPE'], /NOPE/],
      [['--basket', 'GER40,XAUUSD', '--symbols', 'GER40,XAUUSD'], /--symbols/],
      [['--basket', 'GER40,XAUUSD', '--folds', 'kfold:k=3'], /--folds/],
      [['--basket', 'GER40,XAUUSD', '--aggregate', 'best'], /--aggregate/],
      [['--basket', 'GER40,XAUUSD', '--objective', 'nonsense'], /nonsense/],
    ];
    for (const [flags, message] of cases) {
      const r = studyopt('optimize', ...flags, '--trials', '2', '--storage', 'memory');
      expect(r.code, `${flags.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('the basket grid and aggregates', () => {
  it('crosses every symbol\'s IB windows with the other axes of the IB grid', () => {
    const grid = new BasketGrid(['GER40', 'XAUUSD'], 'standard');
    const base = new IbGrid(getSymbol('GER40'), 'standard');
    const windows = getSymbol('GER40').ibWindows.length;
    expect(grid.size).toBe((base.size / windows) * windows * getSymbol('XAUUSD').ibWindows.length);
    const seen = new Set<string>();
    for (let i = 0; i < grid.size; i += 997) seen.add(JSON.stringify(grid.point(i)));
    for (let i = 0; i < grid.size; i += 997) {
      const p = grid.point(i);
      expect(getSymbol('GER40').ibWindows).toContain(p['IB_WINDOW_GER40']);
      expect(getSymbol('XAUUSD').ibWindows).toContain(p['IB_WINDOW_XAUUSD']);
      expect(p).not.toHaveProperty('IB_WINDOW');
    }
    expect(seen.size).toBe(Math.ceil(grid.size / 997));
  });

  it('aggregates each metric by its own direction', () => {
    const a = { sharpe_ratio: 1, max_drawdown: 5, total_trades: 30, losing_trades: 10 } as unknown as IbMetrics;
    const b = { sharpe_ratio: 2, max_drawdown: 9, total_trades: 20, losing_trades: 4 } as unknown as IbMetrics;
    expect(aggregateMetrics([a, b], 'worst')).toEqual({ sharpe_ratio: 1, max_drawdown: 9, total_trades: 20, losing_trades: 10 });
    expect(aggregateMetrics([a, b], 'mean')).toEqual({ sharpe_ratio: 1.5, max_drawdown: 7, total_trades: 25, losing_trades: 7 });
  });
});
