/**
 * `studyopt importance`: each parameter's importance for a stored study, by fANOVA (default) or
 * PED-ANOVA, as text or JSON, for any objective of a multi-objective study; bad input exits 2
 * with a message naming it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudy } from '../../src/study.js';
import { RandomSampler } from '../../samplers/random.js';

const BIN = fileURLToPath(new URL('../../dist/src/apps/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'studyopt-importance-'));
const db = join(dir, 'i.db');

function studyopt(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface ImportanceJson {
  study: string;
  evaluator: string;
  objectiveIndex: number;
  trials: number;
  importances: { name: string; importance: number; fraction?: number; divergence?: number }[];
  leftOut: string[];
}

beforeAll(async () => {
  // One objective: x dominates, y matters a little, kind matters, noise not at all.
  const single = createStudy({ storage: db, studyName: 'single', direction: 'minimize', sampler: new RandomSampler({ seed: 1 }) });
  await single.optimize(
    (t) => {
      const x = t.suggestFloat('x', -5, 5);
      const y = t.suggestFloat('y', 1e-3, 1, { log: true });
      const kind = t.suggestCategorical('kind', ['a', 'b', 'c']);
      t.suggestInt('noise', 1, 10);
      if (kind === 'b') t.suggestFloat('extra', 0, 1);
      return 10 * x * x + Math.log(y) + (kind === 'c' ? 20 : 0);
    },
    { nTrials: 150 },
  );
  // Two objectives: the first driven by a, the second by b.
  const multi = createStudy({ storage: db, studyName: 'multi', directions: ['minimize', 'maximize'], sampler: new RandomSampler({ seed: 2 }) });
  await multi.optimize(
    (t) => {
      const a = t.suggestFloat('a', 0, 1);
      const b = t.suggestFloat('b', 0, 1);
      return [a + 0.01 * b, 5 * b + 0.01 * a];
    },
    { nTrials: 80 },
  );
  const one = createStudy({ storage: db, studyName: 'one trial', direction: 'minimize', sampler: new RandomSampler({ seed: 3 }) });
  await one.optimize((t) => t.suggestFloat('x', 0, 1), { nTrials: 1 });
  single.storage.close();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('studyopt importance', () => {
  it('prints each parameter with its importance, the most important first', () => {
    const r = studyopt('importance', '--storage', db, '--study-name', 'single');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/study 'single': 150 complete trials, objective 0 \(minimize\); fANOVA \(64 trees, seed 0\)/);
    const rows = r.stdout.split('\n').filter((l) => /^\S+\s+\d+\.\d%/.test(l));
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual(['x', 'kind', 'y', 'noise']);
    expect(r.stdout).toMatch(/not judged by fANOVA \(set in some trials only\): extra/);
  });

  it('--json gives the numbers, the same at the same seed, and ped-anova judges too', () => {
    const a = JSON.parse(studyopt('importance', '--storage', db, '--study-name', 'single', '--json').stdout) as ImportanceJson;
    const b = JSON.parse(studyopt('importance', '--storage', db, '--study-name', 'single', '--json', '--seed', '0').stdout) as ImportanceJson;
    expect(b).toEqual(a);
    expect(a.evaluator).toBe('fanova');
    expect(a.trials).toBe(150);
    expect(a.importances[0].name).toBe('x');
    expect(a.importances[0].importance).toBeGreaterThan(0.5);
    expect(a.importances.reduce((s, p) => s + p.importance, 0)).toBeCloseTo(1, 9);
    expect(a.importances[0].fraction).toBeGreaterThan(0);
    expect(a.leftOut).toEqual(['extra']);
    const ped = JSON.parse(studyopt('importance', '--storage', db, '--study-name', 'single', '--evaluator', 'ped-anova', '--json').stdout) as ImportanceJson;
    expect(ped.evaluator).toBe('ped-anova');
    expect(ped.importances.map((p) => p.name)).toContain('extra');
    expect(ped.importances[0].divergence).toBeGreaterThan(0);
  });

  it('--objective-index picks the objective of a multi-objective study', () => {
    const first = JSON.parse(studyopt('importance', '--storage', db, '--study-name', 'multi', '--json').stdout) as ImportanceJson;
    const second = JSON.parse(studyopt('importance', '--storage', db, '--study-name', 'multi', '--objective-index', '1', '--json').stdout) as ImportanceJson;
    expect(first.importances[0].name).toBe('a');
    expect(second.objectiveIndex).toBe(1);
    expect(second.importances[0].name).toBe('b');
  });

  it('refuses bad input with exit 2 and a message naming it', () => {
    const unknown = studyopt('importance', '--storage', db, '--study-name', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no study named 'nope'.*it has: single, multi, one trial/);
    const few = studyopt('importance', '--storage', db, '--study-name', 'one trial');
    expect(few.code).toBe(2);
    expect(few.stderr).toMatch(/study 'one trial' has 1 complete trial .*importances need at least 2/);
    const evaluator = studyopt('importance', '--storage', db, '--study-name', 'single', '--evaluator', 'shap');
    expect(evaluator.code).toBe(2);
    expect(evaluator.stderr).toMatch(/unknown importance evaluator 'shap': choose one of fanova, ped-anova/);
    const index = studyopt('importance', '--storage', db, '--study-name', 'multi', '--objective-index', '2');
    expect(index.code).toBe(2);
    expect(index.stderr).toMatch(/study 'multi' has 2 objectives: --objective-index must be 0 to 1, but got 2/);
    const several = studyopt('importance', '--storage', db);
    expect(several.code).toBe(2);
    expect(several.stderr).toMatch(/choose one with --study-name/);
  });
});
