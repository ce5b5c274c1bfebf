/**
 * Several objectives from the command line (`optimize --objectives`): each trial's values are its
 * metrics in the study's objectives, in their own directions, and the best is the Pareto front.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dominates } from '../../src/pareto.js';
import { parseObjectives } from '../../studies/ib/objectives.js';

const BIN = fileURLToPath(new URL('../../dist/src/apps/cli/main.js', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'studyopt-objectives-'));
const ENV = { ...process.env, NO_COLOR: '1', STUDYOPT_DATA_DIR: join(DIR, 'data') };
const RANGE = ['--from', '2024-01-02', '--to', '2024-12-31'];

function studyopt(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: ENV, cwd: DIR });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('optimize --objectives', () => {
  it('stores each metric as a value in its own direction and reports the Pareto front', () => {
    const db = join(DIR, 'mo.db');
    const run = studyopt('optimize', '--objectives', 'sharpe,max_drawdown', '--sampler', 'nsga2', '--sampler-options', '{"populationSize": 10}', '--seed', '1', '--trials', '40', '--storage', db, '--workers', '2', ...RANGE, '--json');
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { studyName: string; completed: number; multiObjective: { directions: string[]; metricNames: string[]; paretoFront: { number: number; values: number[] }[] } };
    expect(result.studyName).toBe('ib-GER40-expanded-sharpe+max_drawdown-nsga2');
    expect(result.multiObjective.directions).toEqual(['maximize', 'minimize']);
    expect(result.multiObjective.metricNames).toEqual(['sharpe', 'max_drawdown']);
    const rows = JSON.parse(studyopt('trials', '--storage', db, '--json').stdout) as Record<string, unknown>[];
    const complete = rows.filter((r) => r.state === 'COMPLETE');
    expect(complete.length).toBe(40);
    // The values are the stored metrics themselves.
    for (const r of complete) {
      expect(r.values_sharpe).toBe(r.user_attrs_sharpe_ratio);
      expect(r.values_max_drawdown).toBe(r.user_attrs_max_drawdown);
    }
    // The front: no feasible trial dominates a front trial, and every other feasible trial is dominated by one.
    const directions = ['maximize', 'minimize'] as const;
    const feasible = complete.filter((r) => (r.user_attrs_total_trades as number) >= 10).map((r) => ({ number: r.number as number, values: [r.values_sharpe as number, r.values_max_drawdown as number] }));
    const front = result.multiObjective.paretoFront;
    expect(front.length).toBeGreaterThan(0);
    for (const f of front) expect(feasible.some((t) => dominates(t.values, f.values, directions))).toBe(false);
    for (const t of feasible) if (!front.some((f) => f.number === t.number)) expect(front.some((f) => dominates(f.values, t.values, directions) || f.values.every((v, i) => v === t.values[i]))).toBe(true);
    // `best --pick` chooses among them.
    const best = studyopt('best', '--storage', db, '--pick', 'knee', '--json');
    expect(best.code, best.stderr).toBe(0);
    const picked = JSON.parse(best.stdout) as { pick: { number: number } };
    expect(front.map((f) => f.number)).toContain(picked.pick.number);
    // A resume keeps the objectives; other ones are refused.
    const other = studyopt('optimize', '--objectives', 'sharpe,ulcer_index', '--sampler', 'nsga2', '--trials', '41', '--storage', db, '--study-name', result.studyName, ...RANGE);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/objectives/);
  }, 240_000);

  it('refuses what does not fit several objectives, with exit 2', () => {
    const cases: [string[], RegExp][] = [
      [['--objectives', 'sharpe'], /two or more/],
      [['--objectives', 'sharpe,sharp'], /'sharp' is not an IB metric/],
      [['--objectives', 'sharpe,sharpe'], /twice/],
      [['--objectives', 'sharpe,max_drawdown:down'], /maximize or minimize/],
      [['--objectives', 'sharpe,max_drawdown', '--objective', 'total_r'], /without --objective/],
      [['--objectives', 'sharpe,max_drawdown', '--folds', 'kfold:k=3'], /without --folds/],
      [['--objectives', 'sharpe,max_drawdown', '--direction', 'minimize'], /--direction/],
      [['--objectives', 'sharpe,max_drawdown', '--walk-forward', 'rolling:is=6m,oos=1m'], /--walk-forward/],
    ];
    for (const [flags, message] of cases) {
      const r = studyopt('optimize', ...flags, '--trials', '2', '--storage', 'memory', '--workers', '1');
      expect(r.code, `${flags.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  }, 120_000);
});

describe('parseObjectives', () => {
  it('takes each metric in its own direction unless told otherwise', () => {
    expect(parseObjectives('sharpe, max_drawdown').map((o) => [o.name, o.direction])).toEqual([
      ['sharpe', 'maximize'],
      ['max_drawdown', 'minimize'],
    ]);
    expect(parseObjectives('total_trades:minimize,sortino').map((o) => o.direction)).toEqual(['minimize', 'maximize']);
  });
});
