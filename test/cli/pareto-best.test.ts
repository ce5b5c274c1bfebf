/**
 * `studyopt best` on multi-objective studies, end to end through the built binary (npm test builds
 * first): the front as a table with its hypervolume, --pick (knee, max/min with where), --json,
 * and the refusals (exit code 2).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudy } from '../../src/study.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

const BIN = fileURLToPath(new URL('../../dist/src/apps/cli/main.js', import.meta.url));

function studyopt(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Maximise sharpe, minimise max_drawdown. The front: #0 (0.5, 2), #1 (1, 5), #2 (1.5, 12), #3 (2, 30);
// #4 (0.8, 6) is dominated by #1; #5 (3, 1) would dominate them all but breaks its constraint.
const TRADES = [
  { sharpe: 0.5, dd: 2, total_trades: 40 },
  { sharpe: 1, dd: 5, total_trades: 80 },
  { sharpe: 1.5, dd: 12, total_trades: 120 },
  { sharpe: 2, dd: 30, total_trades: 20 },
  { sharpe: 0.8, dd: 6, total_trades: 500 },
  { sharpe: 3, dd: 1, total_trades: 999 },
];

let dir: string;
let db: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'studyopt-pareto-best-'));
  db = join(dir, 'studies.db');
  const storage = new SqliteStorage(db);
  const two = createStudy({ studyName: 'two', storage, directions: ['maximize', 'minimize'], constraints: (t) => [t.userAttrs.total_trades === 999 ? 1 : 0] });
  two.setSystemAttr('study:metric_names', ['sharpe', 'max_drawdown']);
  for (const [i, m] of TRADES.entries()) {
    const trial = two.ask();
    trial.suggestFloat('x', 0, 10);
    trial.setUserAttr('total_trades', m.total_trades);
    trial.setUserAttr('max_drawdown', m.dd);
    trial.setUserAttr('label', `trial ${i}`);
    two.tell(trial, [m.sharpe, m.dd]);
  }
  // Three unnamed objectives, all minimised: (0, 10, 7), (4, 4, 7), (10, 0, 7), (6, 1, 7), and a dominated (5, 5, 8).
  const three = createStudy({ studyName: 'three', storage, directions: ['minimize', 'minimize', 'minimize'] });
  for (const v of [[0, 10, 7], [4, 4, 7], [10, 0, 7], [6, 1, 7], [5, 5, 8]]) {
    const trial = three.ask();
    trial.suggestInt('n', 0, 10);
    three.tell(trial, v);
  }
  const one = createStudy({ studyName: 'one', storage, direction: 'maximize' });
  one.tell(one.ask(), 1);
  storage.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('studyopt best on several objectives', () => {
  it('prints the front as a table by the first objective, best first, with its hypervolume, and says how to pick', () => {
    const r = studyopt('best', '--storage', db, '--study-name', 'two');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe("Pareto front of study 'two': 4 trials (maximize sharpe, minimize max_drawdown), by sharpe, best first");
    expect(lines.slice(1, 6).map((l) => l.trim().split(/\s+/))).toEqual([
      ['trial', 'sharpe', 'max_drawdown'],
      ['3', '2', '30'],
      ['2', '1.5', '12'],
      ['1', '1', '5'],
      ['0', '0.5', '2'],
    ]);
    expect(lines[6]).toMatch(/^hypervolume 30\.3\d* at the reference point \(sharpe 0\.35\d*, max_drawdown 32\.8\d*\): the worst value of each objective among the complete feasible trials, 10% of its range further out$/);
    expect(lines[7]).toBe("choose one with --pick: knee (the best compromise), or e.g. --pick 'max sharpe where max_drawdown < <number>' (docs/multi-objective.md)");
    expect(lines).toHaveLength(8);
  });

  it('--pick knee prints the chosen trial in full', () => {
    const r = studyopt('best', '--storage', db, '--study-name', 'two', '--pick', 'knee');
    expect(r.code, r.stderr).toBe(0);
    // Scaled to [0, 1] over the front, #2 (1/3, 10/28) is nearest the ideal point (0, 0).
    expect(r.stdout).toMatch(/picked by 'knee' \(among 4 front trials; 0\.488\d* from the ideal point, each objective scaled to \[0, 1\] over them\):\ntrial 2: sharpe 1\.5, max_drawdown 12 \(maximize, minimize\)\n  x = [\d.]+\n  \[total_trades\] 120\n  \[max_drawdown\] 12\n  \[label\] "trial 2"\n  data: not recorded/);
  });

  it('--pick with where: conditions on objectives and user attributes', () => {
    const pick = (rule: string) => studyopt('best', '--storage', db, '--study-name', 'two', '--pick', rule);
    expect(pick('max sharpe where max_drawdown < 10').stdout).toMatch(/picked by 'max sharpe where max_drawdown < 10' \(among 2 front trials\):\ntrial 1: sharpe 1, max_drawdown 5/);
    expect(pick('min max_drawdown where total_trades >= 100').stdout).toMatch(/\ntrial 2: sharpe 1\.5/);
    // The infeasible trial (#5, sharpe 3) is never picked, the dominated one (#4, 500 trades) neither.
    expect(pick('max total_trades').stdout).toMatch(/\ntrial 2: /);
    expect(pick('sharpe').stdout).toMatch(/\ntrial 3: /);
  });

  it('--json: study, directions, metric names, the front in full, hypervolume with its reference, the pick and its rule', () => {
    const out = JSON.parse(studyopt('best', '--storage', db, '--study-name', 'two', '--json', '--pick', 'max sharpe where max_drawdown < 10').stdout);
    expect(Object.keys(out)).toEqual(['study', 'directions', 'metricNames', 'front', 'hypervolume', 'pick', 'rule']);
    expect(out).toMatchObject({ study: 'two', directions: ['maximize', 'minimize'], metricNames: ['sharpe', 'max_drawdown'], rule: 'max sharpe where max_drawdown < 10' });
    expect(out.front.map((t: { number: number }) => t.number)).toEqual([3, 2, 1, 0]);
    expect(out.front[0]).toMatchObject({ number: 3, values: [2, 30], metricNames: ['sharpe', 'max_drawdown'], userAttrs: { total_trades: 20 } });
    expect(Object.keys(out.front[0].params)).toEqual(['x']);
    // Reference: sharpe 0.5 - 10% of 1.5, drawdown 30 + 10% of 28. Volume (minimising -sharpe):
    // 0.5 * 2.8 + 0.5 * 20.8 + 0.5 * 27.8 + 0.15 * 30.8 = 30.32.
    expect(out.hypervolume.reference[0]).toBeCloseTo(0.35, 12);
    expect(out.hypervolume.reference[1]).toBeCloseTo(32.8, 12);
    expect(out.hypervolume.value).toBeCloseTo(30.32, 10);
    expect(out.pick).toMatchObject({ number: 1, values: [1, 5] });
    const none = JSON.parse(studyopt('best', '--storage', db, '--study-name', 'two', '--json').stdout);
    expect(none.pick).toBeNull();
    expect(none.rule).toBeNull();
  });

  it('three unnamed objectives: value0, value1, value2 name the columns and the rules', () => {
    const r = studyopt('best', '--storage', db, '--study-name', 'three', '--pick', 'knee');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe("Pareto front of study 'three': 4 trials (minimize value0, minimize value1, minimize value2), by value0, best first");
    expect(r.stdout.split('\n')[1].trim().split(/\s+/)).toEqual(['trial', 'value0', 'value1', 'value2']);
    // value2 is 7 on the whole front: scaled, it decides nothing; #1 (0.4, 0.4) is nearest.
    expect(r.stdout).toMatch(/\ntrial 1: value0 4, value1 4, value2 7 \(minimize, minimize, minimize\)/);
    const json = JSON.parse(studyopt('best', '--storage', db, '--study-name', 'three', '--json', '--pick', 'min value1 where value0 < 8').stdout);
    expect(json.metricNames).toBeNull();
    expect(json.pick.number).toBe(3);
    // Reference (10 + 1, 10 + 1, 8 + 0.1); the front's union of boxes: exact by inclusion-exclusion.
    expect(json.hypervolume.reference).toEqual([11, 11, 8.1]);
  });

  it('refuses bad picks with exit code 2 and a message naming the fix', () => {
    const bad = (study: string, rule: string) => studyopt('best', '--storage', db, '--study-name', study, '--pick', rule);
    let r = bad('two', 'max sortino');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--pick: pick rule 'max sortino': no objective or numeric user attribute named 'sortino'; the objectives are sharpe, max_drawdown; the numeric user attributes of the front's trials are max_drawdown, total_trades/);
    r = bad('two', 'max sharpe where max_drawdown < 1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no trial on the Pareto front meets max_drawdown < 1: among the front's 4 trials, max_drawdown ranges from 2 to 30; loosen the condition/);
    r = bad('two', 'max sharpe where');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/expected a condition .* a rule reads knee, or \[max\|min\] <name>/);
    r = bad('two', 'total_trades');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/write 'max total_trades' or 'min total_trades'/);
    r = bad('one', 'knee');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--pick chooses among the Pareto front of a study with several objectives; study 'one' has one \(maximize\), so its best trial is already one: leave --pick out/);
  });
});
