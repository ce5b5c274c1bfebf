/**
 * Out-of-sample validation from the command line: walk-forward optimisation (`optimize
 * --walk-forward`) and the cross-validated objective (`optimize --folds`). Every out-of-sample
 * figure is checked against `studyopt backtest` run on the window's dates with the chosen
 * parameters, an independent path through the engine.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { probabilisticSharpeRatio } from '../../src/validation/deflated-sharpe.js';
import { returnMoments } from '../../src/validation/sharpe-ratio.js';

const BIN = fileURLToPath(new URL('../../dist/src/apps/cli/main.js', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'studyopt-validation-'));
const ENV = { ...process.env, NO_COLOR: '1', STUDYOPT_DATA_DIR: join(DIR, 'data') };

function studyopt(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: ENV, cwd: DIR });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function start(...args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { env: ENV, cwd: DIR, stdio: ['ignore', 'ignore', 'ignore'] });
}

interface WindowJson {
  index: number;
  studyName: string;
  inSample: { from: string; to: string; days: number };
  outOfSample: { from: string; to: string; days: number };
  bestTrial: number;
  params: Record<string, unknown>;
  engineParams: Record<string, unknown>;
  inSampleValue: number;
  outOfSampleValue: number;
  efficiency: number | null;
  outOfSampleTrades: number;
}

interface WalkForwardJson {
  studyName: string;
  walkForward: {
    windows: WindowJson[];
    stitched: { metrics: Record<string, number>; value: number; days: number };
    efficiency: number | null;
    probabilisticSharpe: number | null;
    equity: { day: string; r: number; window: number }[];
  } | null;
  windows: { studyName: string; completed: number; bestValue: number | null }[];
}

function backtest(params: Record<string, unknown>, from: string, to: string): { metrics: Record<string, number>; trades: { r: number }[] } {
  const r = studyopt('backtest', '--params', JSON.stringify(params), '--from', from, '--to', to, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

beforeAll(() => {
  // A year of synthetic GER40: rolling:is=3m,oos=1m gives (252 - 63) / 21 = 9 windows.
  expect(studyopt('data', 'generate', '--symbol', 'GER40', '--years', '1').code).toBe(0);
});

describe('optimize --walk-forward', () => {
  const WF = ['optimize', '--walk-forward', 'rolling:is=3m,oos=1m', '--sampler', 'random', '--seed', '5', '--storage', 'wf.db', '--json', '--workers', '2'];

  it('searches each window in sample, trades its best parameters out of sample, and stitches the trades', () => {
    const r = studyopt(...WF, '--trials', '12');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as WalkForwardJson;
    const wf = out.walkForward!;
    expect(out.studyName).toBe('ib-GER40-expanded-sharpe-wf-random');
    expect(wf.windows.length).toBeGreaterThanOrEqual(8);
    expect(out.windows.map((w) => w.studyName)).toEqual(wf.windows.map((_, i) => `${out.studyName}-w${String(i + 1).padStart(2, '0')}`));
    expect(out.windows.every((w) => w.completed === 12)).toBe(true);
    let trades = 0;
    let totalR = 0;
    const stitchedR: number[] = [];
    for (const [i, w] of wf.windows.entries()) {
      expect(w.inSample.days).toBe(63);
      expect(w.outOfSample.days).toBe(21);
      // No out-of-sample day in its window's search; the out-of-sample windows follow each other.
      expect(w.outOfSample.from > w.inSample.to).toBe(true);
      if (i > 0) expect(w.outOfSample.from > wf.windows[i - 1].outOfSample.to).toBe(true);
      expect(w.inSampleValue).toBe(out.windows[i].bestValue);
      // The window's best parameters, run again on its in-sample (two windows: slow) and out-of-sample dates.
      if (i < 2) expect(backtest(w.engineParams, w.inSample.from, w.inSample.to).metrics.sharpe_ratio).toBe(w.inSampleValue);
      const oos = backtest(w.engineParams, w.outOfSample.from, w.outOfSample.to);
      expect(oos.metrics.sharpe_ratio).toBe(w.outOfSampleValue);
      expect(oos.metrics.total_trades).toBe(w.outOfSampleTrades);
      expect(w.efficiency).toBe(w.inSampleValue > 0 ? w.outOfSampleValue / w.inSampleValue : null);
      trades += oos.metrics.total_trades;
      totalR += oos.metrics.total_r;
      stitchedR.push(...oos.trades.map((t) => t.r));
    }
    expect(wf.stitched.metrics.total_trades).toBe(trades);
    expect(wf.stitched.metrics.total_r).toBeCloseTo(totalR, 3);
    expect(wf.stitched.days).toBe(21 * wf.windows.length);
    expect(wf.equity.length).toBe(trades);
    expect(wf.equity[wf.equity.length - 1].r).toBeCloseTo(wf.stitched.metrics.total_r, 3);
    const meanIs = wf.windows.reduce((a, w) => a + w.inSampleValue, 0) / wf.windows.length;
    expect(wf.efficiency).toBeCloseTo(wf.stitched.value / meanIs, 12);
    // The stitched trades' probabilistic Sharpe ratio, from their R as backtest gives them.
    const m = returnMoments(stitchedR);
    expect(wf.probabilisticSharpe).toBeCloseTo(probabilisticSharpeRatio(m.sharpe, 0, stitchedR.length, m.skewness, m.kurtosis), 12);
  });

  it('continues every window where it stopped, after a kill -9, to exact targets', async () => {
    const child = start(...WF, '--trials', '400', '--quiet');
    await new Promise((r) => setTimeout(r, 2500));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const r = studyopt(...WF, '--trials', '400');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as WalkForwardJson;
    expect(out.windows.map((w) => w.completed)).toEqual(out.windows.map(() => 400));
    expect(out.walkForward!.windows.length).toBe(out.windows.length);
  });

  it('trades each window\'s robust pick with --select robust: the plateau best --select robust shows', () => {
    const r = studyopt(...WF, '--trials', '12', '--select', 'robust');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as WalkForwardJson & { walkForward: { select: string } };
    expect(out.walkForward!.select).toBe('robust');
    for (const [i, w] of out.walkForward!.windows.slice(0, 3).entries()) {
      const pick = studyopt('best', '--storage', 'wf.db', '--study-name', out.windows[i].studyName, '--select', 'robust', '--json');
      expect(pick.code, pick.stderr).toBe(0);
      const p = JSON.parse(pick.stdout) as { peak: { number: number; smoothed: number }; robust: { number: number; smoothed: number; neighbours: number } };
      expect(w.bestTrial).toBe(p.robust.number);
      expect(p.robust.neighbours).toBeGreaterThan(0);
      expect(p.robust.smoothed).toBeGreaterThanOrEqual(p.peak.smoothed);
    }
    expect(studyopt('best', '--storage', 'wf.db', '--study-name', out.windows[0].studyName, '--select', 'robust').stdout).toMatch(/peak \(the best value\):.*\n  plateau \(the best smoothed\):/);
  });

  it('walks each window\'s grid with --sampler grid', () => {
    const r = studyopt('optimize', '--walk-forward', 'rolling:is=3m,oos=1m', '--sampler', 'grid', '--grid', 'standard', '--trials', '5', '--storage', 'wf-grid.db', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as WalkForwardJson;
    expect(out.windows.every((w) => w.completed === 5)).toBe(true);
    expect(out.walkForward!.windows.length).toBe(out.windows.length);
  });

  it('refuses what walk-forward cannot do, naming the fix (exit 2)', () => {
    for (const [args, message] of [
      [['--walk-forward', 'kfold:k=5'], /walk-forward windows are rolling or anchored/],
      [['--walk-forward', 'rolling:is=2y,oos=1m'], /--walk-forward rolling: 504 in-sample.*shorten the windows/],
      [['--walk-forward', 'rolling:is=3m,oos=1m', '--folds', 'kfold:k=5'], /not both/],
      [['--walk-forward', 'rolling:is=3m,oos=1m', '--symbols', 'GER40,XAUUSD'], /one symbol/],
      [['--walk-forward', 'rolling:is=3m', '--trials', '2'], /--walk-forward 'rolling:is=3m': rolling needs oos=/],
      [['--walk-forward', 'rolling:is=3m,oos=1m', '--select', 'peak'], /--select must be best .* or robust/],
      [['--select', 'robust'], /--select picks the trial each walk-forward window trades: give --walk-forward too/],
    ] as const) {
      const r = studyopt('optimize', ...args, '--storage', 'refused.db');
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('optimize --folds', () => {
  const CV = ['optimize', '--folds', 'kfold:k=4,embargo=2', '--sampler', 'random', '--seed', '2', '--storage', 'cv.db', '--workers', '1'];

  it('stores fold values that the backtest reproduces, and refuses to continue with other folds', () => {
    const first = studyopt(...CV, '--trials', '6', '--json');
    expect(first.code, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout) as { studyName: string; completed: number; bestValue: number };
    expect(result.studyName).toBe('ib-GER40-expanded-sharpe-cv-random');
    expect(result.completed).toBe(6);
    // The best trial, run again on what it ran on: every fold's out-of-sample days.
    const again = studyopt('backtest', '--storage', 'cv.db', '--study-name', result.studyName);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/days: the out-of-sample days of its folds \(kfold:k=4,embargo=2\)/);
    expect(again.stdout).toMatch(/reproduced: every metric equals the stored one/);
    for (const other of [['--folds', 'kfold:k=5,embargo=2'], ['--folds', 'kfold:k=4,embargo=2', '--aggregate', 'worst'], []]) {
      const refused = studyopt('optimize', '--sampler', 'random', '--storage', 'cv.db', '--study-name', result.studyName, ...other, '--trials', '8');
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toMatch(/was created for another search \((folds|aggregate)/);
    }
    const kept = studyopt(...CV, '--trials', '6', '--json');
    expect((JSON.parse(kept.stdout) as { completed: number }).completed).toBe(6);
  });

  it('prunes trials after a few folds with --pruner wilcoxon, and refuses an unknown pruner or option', () => {
    const r = studyopt('optimize', '--folds', 'kfold:k=8', '--pruner', 'wilcoxon', '--pruner-options', '{"pThreshold": 0.2}', '--sampler', 'random', '--seed', '3', '--trials', '30', '--storage', 'pruned.db', '--workers', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    const trials = JSON.parse(studyopt('trials', '--storage', 'pruned.db', '--json').stdout) as { state: string; intermediate_values?: unknown }[];
    const pruned = trials.filter((t) => t.state === 'PRUNED');
    expect(pruned.length).toBeGreaterThan(0);
    // --trials counts finished trials: pruned ones too.
    expect(trials.filter((t) => t.state === 'COMPLETE').length + pruned.length).toBe(30);
    for (const [args, message] of [
      [['--pruner', 'wilcox'], /unknown pruner 'wilcox': choose one of none, median, wilcoxon, successive-halving, hyperband/],
      [['--pruner', 'wilcoxon', '--pruner-options', '{"p": 1}'], /pruner 'wilcoxon' has no option 'p'; its options are: pThreshold, nStartupSteps/],
      [['--pruner', 'wilcoxon', '--pruner-options', '[1]'], /--pruner-options must be a JSON object/],
    ] as const) {
      const bad = studyopt('optimize', '--folds', 'kfold:k=8', ...args, '--storage', 'pruned.db', '--trials', '40');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(message);
    }
  });

  it('refuses folds on a study made without them', () => {
    expect(studyopt('optimize', '--sampler', 'random', '--storage', 'plain.db', '--study-name', 'plain', '--trials', '2', '--workers', '1').code).toBe(0);
    const r = studyopt('optimize', '--sampler', 'random', '--storage', 'plain.db', '--study-name', 'plain', '--folds', 'kfold:k=4', '--trials', '4', '--workers', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/folds: stored null, asked "kfold:k=4"/);
  });
});
