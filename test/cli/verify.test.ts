/**
 * `studyopt verify`: a stored IB trial run again and compared with what its study stored, trade
 * by trade for the best trial; when it does not reproduce, exit status 1 and the output names
 * what changed since: the data, the symbol's definition, the studyopt version.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../src/storage/sqlite/index.js';
import { STUDY_SOFTWARE_KEY, STUDYOPT_VERSION } from '../../src/study-software.js';
import { getSymbol } from '../../studies/ib/symbols.js';

const BIN = fileURLToPath(new URL('../../dist/src/apps/cli/main.js', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'studyopt-verify-'));
const DATA = join(DIR, 'data');
const ENV = { ...process.env, NO_COLOR: '1', STUDYOPT_DATA_DIR: DATA };
const STUDY = 'ib-GER40-expanded-sharpe-random';

function studyopt(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: ENV, cwd: DIR });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const generate = (seed: string) => expect(studyopt('data', 'generate', '--symbol', 'GER40', '--years', '0.25', '--seed', seed).code).toBe(0);

beforeAll(() => {
  mkdirSync(DATA, { recursive: true });
  generate('1');
  const r = studyopt('optimize', '--sampler', 'random', '--seed', '4', '--trials', '12', '--storage', 'v.db', '--workers', '1', '--quiet');
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

describe('studyopt verify', () => {
  it('reproduces the best trial trade by trade, and another trial by its metrics', () => {
    const best = studyopt('verify', '--storage', 'v.db', '--json');
    expect(best.code, best.stderr).toBe(0);
    const v = JSON.parse(best.stdout) as { reproduced: boolean; metricDifferences: string[]; trades: { count: number; difference: string | null } | null; changes: string[] };
    expect(v.reproduced).toBe(true);
    expect(v.metricDifferences).toEqual([]);
    expect(v.trades!.count).toBeGreaterThan(10);
    expect(v.trades!.difference).toBeNull();
    expect(v.changes).toEqual([]);
    const other = studyopt('verify', '--storage', 'v.db', '--trial', '0');
    expect(other.code).toBe(0);
    expect(other.stdout).toMatch(/no trade list was recorded for this trial/);
  });

  it('says the data changed when it did (exit 1), and reproduces again once it is restored', () => {
    generate('2');
    const r = studyopt('verify', '--storage', 'v.db');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/NOT reproduced/);
    expect(r.stdout).toMatch(/the data: the trial ran on GER40: synthetic \(seed 1,.*; the data now is GER40: synthetic \(seed 2,/);
    generate('1');
    expect(studyopt('verify', '--storage', 'v.db').code).toBe(0);
  });

  it("names a changed symbol definition, field by field", () => {
    const spec = getSymbol('GER40');
    writeFileSync(join(DATA, 'symbols.json'), JSON.stringify({ GER40: { ...spec, name: undefined, spread: spec.spread * 4 } }));
    try {
      const r = studyopt('verify', '--storage', 'v.db');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`the definition of GER40 \\(symbols.json\\): spread was ${spec.spread}, now ${spec.spread * 4}`));
      expect(r.stdout).toMatch(/trades DIFFER: trade 1 /);
    } finally {
      rmSync(join(DATA, 'symbols.json'));
    }
  });

  it('notes a trial that ran under another studyopt version', () => {
    const storage = new SqliteStorage(join(DIR, 'v.db'));
    try {
      const id = storage.findStudyId(STUDY)!;
      const versions = storage.getStudySystemAttrs(id)[STUDY_SOFTWARE_KEY] as { studyopt: string }[];
      expect(versions.map((v) => v.studyopt)).toEqual([STUDYOPT_VERSION]);
      storage.setStudySystemAttr(id, STUDY_SOFTWARE_KEY, [{ ...versions[0], studyopt: '0.0.1' }]);
    } finally {
      storage.close();
    }
    const r = studyopt('verify', '--storage', 'v.db');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`note:\\n  - the software: the trial ran under studyopt 0\\.0\\.1 on Node v[\\d.]+; this is studyopt ${STUDYOPT_VERSION.replace(/\./g, '\\.')}`));
  });

  it('refuses bad input with exit 2', () => {
    for (const [args, message] of [
      [['--trial', '99'], /has no trial 99/],
      [['--trial', '-1'], /--trial must be a trial number/],
      [['--study-name', 'nope'], /nope/],
    ] as const) {
      const r = studyopt('verify', '--storage', 'v.db', ...args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
