/**
 * What the IB study optimises from the CLI: a minimised metric makes a minimising study, and
 * `--objective-expr` a formula of metrics, stored with the study; a bad formula exits 2 naming
 * what is wrong. Spawns the built binary (npm run build first).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../dist/src/apps/cli/main.js', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'studyopt-objective-expr-'));
const STORAGE = join(DIR, 'studies.db');

function studyopt(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1', STUDYOPT_DATA_DIR: DIR } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const IB = ['--sampler', 'random', '--seed', '1', '--grid', 'standard', '--workers', '1', '--storage', STORAGE, '--min-trades', '0'];

interface TrialRow {
  value: number | null;
  [column: string]: unknown;
}

function trialsOf(studyName: string): TrialRow[] {
  const r = studyopt('trials', '--storage', STORAGE, '--study-name', studyName, '--json');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as TrialRow[];
}

describe('studyopt optimize: what the IB study optimises', () => {
  it('--objective max_drawdown makes the study minimise, and the best is the smallest drawdown', () => {
    const r = studyopt('optimize', '--objective', 'max_drawdown', '--trials', '12', '--json', ...IB);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ studyName: 'ib-GER40-standard-max_drawdown-random', direction: 'minimize', completed: 12 });
    const values = trialsOf(out.studyName).map((t) => t.value as number);
    expect(new Set(values).size).toBeGreaterThan(1);
    expect(out.bestValue).toBe(Math.min(...values));
  });

  it('--objective-expr: each trial is worth the formula of its stored metrics, maximised', () => {
    const expr = 'sharpe - 0.5 * max_drawdown';
    const r = studyopt('optimize', '--objective-expr', expr, '--trials', '10', '--json', ...IB);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.direction).toBe('maximize');
    expect(out.studyName).toMatch(/^ib-GER40-standard-expr-[0-9a-f]{8}-random$/);
    const rows = trialsOf(out.studyName);
    expect(rows).toHaveLength(10);
    for (const t of rows) expect(t.value).toBeCloseTo((t['user_attrs_sharpe_ratio'] as number) - 0.5 * (t['user_attrs_max_drawdown'] as number), 10);
    expect(out.bestValue).toBe(Math.max(...rows.map((t) => t.value as number)));

    // The formula is stored with the study: another one is refused on resume, and so is a metric.
    const other = studyopt('optimize', '--objective-expr', 'sharpe - max_drawdown', '--study-name', out.studyName, '--trials', '12', ...IB);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/was created for another search \(objectiveExpr: stored "sharpe - 0\.5 \* max_drawdown", asked "sharpe - max_drawdown"\)/);
    const metric = studyopt('optimize', '--objective', 'sharpe', '--study-name', out.studyName, '--trials', '12', ...IB);
    expect(metric.code).toBe(2);
    expect(metric.stderr).toMatch(/was created for another search/);
  });

  it('--direction minimize turns an expression round', () => {
    const r = studyopt('optimize', '--objective-expr', 'ulcer_index + max_drawdown_duration / 100', '--direction', 'minimize', '--trials', '8', '--json', ...IB);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.direction).toBe('minimize');
    const rows = trialsOf(out.studyName);
    for (const t of rows) expect(t.value).toBeCloseTo((t['user_attrs_ulcer_index'] as number) + (t['user_attrs_max_drawdown_duration'] as number) / 100, 10);
    expect(out.bestValue).toBe(Math.min(...rows.map((t) => t.value as number)));
  });

  const bad: [string, string[], RegExp][] = [
    ['an unknown metric', ['--objective-expr', 'sharp - max_drawdown'], /--objective-expr "sharp - max_drawdown", at character 1: unknown metric 'sharp'; known metrics: sharpe, total_r, .*max_drawdown_duration/],
    ['a syntax error', ['--objective-expr', 'sharpe - 0.5 *'], /--objective-expr "sharpe - 0\.5 \*", at character 15: Expected expression after \*\n {2}sharpe - 0\.5 \*\n {16}\^/],
    ['an operator that is not arithmetic', ['--objective-expr', 'sharpe ^ 2'], /the operator \^ is not allowed/],
    ['a metric and an expression', ['--objective', 'total_r', '--objective-expr', 'sharpe'], /give --objective total_r \(one metric\) or --objective-expr \(a formula of metrics\), not both/],
    ['an expression on a test function', ['--objective', 'branin', '--objective-expr', 'sharpe'], /--objective-expr belongs to the IB study/],
    ['an expression on a walk-forward', ['--walk-forward', 'rolling:is=6m,oos=1m', '--objective-expr', 'sharpe'], /--walk-forward compares each window's in- and out-of-sample values of one metric: give --objective <metric>, not --objective-expr/],
    ['an unknown metric name', ['--objective', 'max_dd'], /--objective 'max_dd' is neither an IB metric \(sharpe, .*max_drawdown, .*\)/],
  ];
  it.each(bad)('exits 2 on %s, naming it', (_what, args, message) => {
    const r = studyopt('optimize', ...args, '--trials', '1', '--storage', STORAGE);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });
});
